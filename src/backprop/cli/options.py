"""The options of ``backprop train`` (shared by ``evaluate`` for reading data), their defaults, and the
command line that repeats a run."""
import argparse
import os
import shlex

from .common import (
    CLIError,
    fraction,
    layer_sizes,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from .data import FEATURES, NAMED
from .models import ACTIVATIONS, INITS, MODELS, OPTIMIZERS, RECURRENT, default_lr

# Every option that decides the result of a run, with its default. config.json records all of them.
# "hidden" and "num_layers" depend on the model (see ``resolve``).
DEFAULTS = {"data": "digits", "target": None, "target_file": None, "task": "auto", "features": None, "n_samples": 500,
            "noise": 0.1, "seq_len": 20, "one_hot": [], "drop_missing": False, "header": None,
            "standardize": True, "test_size": 0.2, "val_size": 0.1, "model": "mlp", "hidden": None,
            "num_layers": None, "activation": "relu",
            "dropout": 0.0, "batch_norm": False, "init": "default", "param": [], "optimizer": "adam",
            "lr": None, "epochs": 30, "batch_size": 32, "weight_decay": 0.0, "early_stopping": None,
            "seed": 0}


def _one_hot(text):
    return [c.strip() for c in text.split(",") if c.strip()]


def add_data_options(parser, suppress=True):
    """The options that say where the data comes from and how it is read."""
    default = argparse.SUPPRESS if suppress else None
    g = parser.add_argument_group("data")
    g.add_argument("--data", default=default, metavar="NAME|PATH",
                   help=f"a named data set ({', '.join(NAMED)}) or a file: CSV, .npz, .npy, an "
                        "MNIST/Fashion-MNIST IDX images file or a folder of the four IDX files (default: "
                        "digits)")
    g.add_argument("--target", default=default, metavar="COLUMN",
                   help="the target: a CSV column (name or 0-based index; default the last), an .npz array "
                        "(default y), an .npy column, or an IDX labels file")
    g.add_argument("--header", default=default, action=argparse.BooleanOptionalAction,
                   help="whether the CSV's first row names the columns (default: detected)")
    g.add_argument("--one-hot", default=default, type=_one_hot, metavar="COLUMNS",
                   help="one-hot encode these CSV columns ('auto': every non-numeric column)")
    g.add_argument("--drop-missing", default=default, action="store_true",
                   help="drop the CSV rows with a missing cell (default: stop with an error naming it)")
    return g


def add_train_options(parser):
    s = argparse.SUPPRESS
    g = add_data_options(parser)
    g.add_argument("--target-file", default=s, metavar="FILE",
                   help="the targets (one .npy, a row per sample) of --data big.npy or of a folder of .npy "
                        "shards: data larger than memory, streamed by bp.data.ShardedDataset (a folder of .npz "
                        "shards holding X and y needs no --target-file)")
    g.add_argument("--task", default=s, choices=["auto", "classification", "regression"],
                   help="default: inferred (named data sets know theirs; non-numeric targets and integers "
                        "with at most 20 values are classes)")
    g.add_argument("--features", default=s, metavar="LIST",
                   help=f"input features of 2-D data, as TensorFlow Playground: {','.join(FEATURES)} "
                        "(default x1,x2). Derived features are computed from the raw x1, x2, then "
                        "standardised like the others")
    g.add_argument("--n-samples", default=s, type=positive_int,
                   help="points of a 2-D generator, windows of --data sine (default 500)")
    g.add_argument("--noise", default=s, type=non_negative_float,
                   help="noise of a 2-D generator, TensorFlow Playground's 0-0.5 scale; the standard deviation "
                        "of the noise on --data sine (default 0.1)")
    g.add_argument("--seq-len", default=s, type=positive_int, metavar="L",
                   help="values in each window of --data sine, whose target is the next value; a recurrent "
                        "model reads them one per time step (default 20)")
    g.add_argument("--standardize", default=s, action=argparse.BooleanOptionalAction,
                   help="standardise the inputs (and a network's regression targets) with the training "
                        "split's mean and std (default: yes)")
    g.add_argument("--test-size", default=s, type=fraction, help="fraction of the rows held out for testing "
                   "(default 0.2; an IDX folder brings its own test files)")
    g.add_argument("--val-size", default=s, type=fraction,
                   help="fraction of the rows held out for validation (default 0.1)")
    m = parser.add_argument_group("model")
    m.add_argument("--model", default=s, choices=MODELS,
                   help="mlp: a network trained by backprop; rnn, lstm, gru: a recurrent network (bp.nn."
                        "sequence_model) reading the input columns as time steps, then a Linear layer on the "
                        "last step; the others are bp.linear_model estimators (default mlp)")
    m.add_argument("--hidden", default=s, type=layer_sizes, metavar="SIZES",
                   help="hidden layer widths of the MLP, e.g. 64,32 ('none': no hidden layer; default "
                        "128,64); the hidden size of a recurrent model, one number (default 32)")
    m.add_argument("--num-layers", default=s, type=positive_int, metavar="K",
                   help="stacked layers of a recurrent model, each of --hidden units (default 1)")
    m.add_argument("--activation", default=s, choices=list(ACTIVATIONS), help="default relu")
    m.add_argument("--dropout", default=s, type=fraction, metavar="P", help="dropout after each hidden layer "
                   "(default 0)")
    m.add_argument("--batch-norm", default=s, action="store_true",
                   help="BatchNorm1d before each activation (a last training batch of one row, whose variance "
                        "is undefined, is left out of each epoch; the first line of output says so)")
    m.add_argument("--init", default=s, choices=list(INITS),
                   help="weight initialisation (default: PyTorch's U(±1/√fan_in)); biases start at 0 "
                        "otherwise")
    m.add_argument("--param", default=s, action="append", metavar="KEY=VALUE",
                   help="a hyperparameter of a bp.linear_model estimator, e.g. --param alpha=0.1 "
                        "(repeatable)")
    t = parser.add_argument_group("training")
    t.add_argument("--optimizer", default=s, choices=list(OPTIMIZERS),
                   help="momentum and nesterov are SGD with momentum 0.9 (default adam)")
    lrs = ", ".join(f"{k} {v[2]:g}" for k, v in OPTIMIZERS.items())
    t.add_argument("--lr", default=s, type=positive_float, help=f"learning rate (default: {lrs})")
    t.add_argument("--epochs", default=s, type=positive_int,
                   help="default 30; with --resume, the new total (at least the epochs done)")
    t.add_argument("--batch-size", default=s, type=positive_int, help="default 32")
    t.add_argument("--weight-decay", default=s, type=non_negative_float,
                   help="L2 weight decay of the optimizer, on every parameter as in PyTorch (default 0)")
    t.add_argument("--early-stopping", default=s, type=positive_int, metavar="PATIENCE",
                   help="stop when the validation loss has not improved for PATIENCE epochs and keep the "
                        "best weights")
    t.add_argument("--seed", default=s, type=non_negative_int,
                   help="seeds the split, the generators, the initial weights, the shuffling and dropout "
                        "(default 0)")


def resolve(given, base=None):
    """Every option's value: those ``given``, else ``base``'s (a saved config), else the defaults."""
    opts = {**DEFAULTS, **(base or {}), **given}
    if opts["lr"] is None:
        opts["lr"] = default_lr(opts["optimizer"])
    if opts["data"] not in NAMED:
        opts["data"] = os.path.abspath(opts["data"])
        if opts["target"] is not None and os.path.exists(opts["target"]):
            opts["target"] = os.path.abspath(opts["target"])
        if opts["target_file"] is not None:
            opts["target_file"] = os.path.abspath(opts["target_file"])
    opts["param"] = list(opts["param"] or [])
    unknown = set(opts) - set(DEFAULTS)
    if unknown:
        raise CLIError(f"unknown options in the configuration: {', '.join(sorted(unknown))}")
    # a --config of another kind of model lends its data and training options, not its layer sizes
    same_kind = base is not None and (base.get("model") in RECURRENT) == (opts["model"] in RECURRENT)
    for key in ("hidden", "num_layers"):
        opts[key] = given.get(key, base.get(key) if same_kind else None)
    if opts["batch_norm"] and opts["batch_size"] < 2:
        raise CLIError("--batch-norm needs --batch-size 2 or more: a batch of one row has no variance to "
                       "normalise by")
    if opts["param"] and not applies("param", opts):
        raise CLIError(f"--param sets a hyperparameter of a bp.linear_model estimator; it does not apply to "
                       f"--model {opts['model']} (a network takes --hidden, --lr, --optimizer, …)")
    if opts["model"] in RECURRENT:
        _resolve_recurrent(opts, given)
    else:
        if opts["num_layers"] is not None:
            raise CLIError(f"--num-layers applies to the recurrent models ({', '.join(RECURRENT)}); the layers "
                           f"of --model {opts['model']} are set by --hidden")
        if opts["hidden"] is None:
            opts["hidden"] = [128, 64]
    return opts


# MLP options a recurrent model has no use for, with the value that means "not used".
_MLP_ONLY = {"activation": "relu", "dropout": 0.0, "batch_norm": False, "init": "default"}


def _resolve_recurrent(opts, given):
    """One hidden size and a number of layers: ``--hidden 32,32`` is read as ``--hidden 32 --num-layers 2``."""
    model, hidden, layers = opts["model"], opts["hidden"], opts["num_layers"]
    for key, unused in _MLP_ONLY.items():
        if given.get(key, unused) != unused:
            raise CLIError(f"--{key.replace('_', '-')} applies to --model mlp; a recurrent model ({model}) takes "
                           "--hidden and --num-layers")
        opts[key] = unused
    if hidden is None:
        hidden = [32]
    if not hidden:
        raise CLIError(f"--hidden none: a recurrent model ({model}) needs a hidden size, e.g. --hidden 32")
    spelled = ",".join(map(str, hidden))
    if len(set(hidden)) > 1:
        raise CLIError(f"--hidden {spelled}: every layer of a recurrent model ({model}) has the same hidden "
                       f"size; give one size with --hidden and the number of layers with --num-layers (e.g. "
                       f"--hidden {hidden[0]} --num-layers {len(hidden)})")
    if len(hidden) > 1 and layers not in (None, len(hidden)):
        raise CLIError(f"--hidden {spelled} means {len(hidden)} layers but --num-layers is {layers}: give one "
                       f"size with --hidden and the number of layers with --num-layers")
    opts["hidden"], opts["num_layers"] = hidden[:1], layers or len(hidden)


_FILE_ONLY = ("target", "target_file", "header", "one_hot", "drop_missing")
_NETWORK_ONLY = ("optimizer", "lr", "epochs", "batch_size", "weight_decay", "early_stopping")
_MLP_OPTIONS = ("hidden", "activation", "dropout", "batch_norm", "init")


def applies(key, opts):
    """Whether option ``key`` has a say in a run with options ``opts`` (``--n-samples`` does not for digits,
    ``--lr`` does not for an estimator)."""
    from .data import GENERATORS, REGRESSION_GENERATORS, SEQUENCES
    from .models import ESTIMATORS

    data, model = opts["data"], opts["model"]
    if key in ("n_samples", "noise"):
        return data in GENERATORS or data in REGRESSION_GENERATORS or data in SEQUENCES
    if key == "seq_len":
        return data in SEQUENCES
    if key in _FILE_ONLY:
        return data not in NAMED
    if key == "param":
        return model in ESTIMATORS
    if key in _NETWORK_ONLY:
        return model not in ESTIMATORS
    if key == "num_layers":
        return model in RECURRENT
    if key in _MLP_OPTIONS:
        return model == "mlp" or key == "hidden" and model in RECURRENT
    return True


def command_line(opts):
    """``backprop train ...`` with every option that applies to the run spelled out: running it repeats
    the run."""
    words = ["backprop", "train"]
    for key, value in opts.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value == [] and key != "hidden" or not applies(key, opts):
            continue
        if isinstance(value, bool):
            if key in ("standardize", "header"):
                words.append(flag if value else "--no-" + key)
            elif value:
                words.append(flag)
        elif key == "param":
            words += [w for p in value for w in ("--param", p)]
        elif isinstance(value, list):
            words += [flag, ",".join(map(str, value)) or "none"]
        else:
            words += [flag, str(value)]
    return shlex.join(words)

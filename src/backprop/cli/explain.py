"""``backprop explain``: one forward pass, backward pass and optimizer step of a small network, every number
printed as a trace (``bp.explain.trace``)."""
import numpy as np

from backprop.explain import _format
from backprop.explain.i18n import labels

from .common import CLIError, layer_sizes, number_list, positive_float

DESCRIPTION = """Run a network through one forward pass, one backward pass and one optimizer step on one row,
and print every number: each op's inputs and output, each backward step's upstream and passed-on gradients
(with the formula applied), and each parameter before and after the update. By default: the 2-2-2 network of
the course's "backpropagation in matrix language" sheet (s = w + Wx, z = σ(s), t = v + Vz, g = softmax(t),
R = logloss(g); backward δ_t = g − y, δ_z = δ_t·V, δ_s = δ_z ∘ σ'(s)) on x = (1, 2) with target class 1 and
one SGD step. --layers, --x, --y, --activation, --init and --loss choose another network and row;
--run RUN_DIR takes a trained network, with --x in the run's raw input units (standardised as in training)."""


def add_parser(sub):
    from .models import ACTIVATIONS, INITS, OPTIMIZERS

    p = sub.add_parser("explain", help="one forward/backward/optimizer step of a small network, every number",
                       description=DESCRIPTION)
    p.add_argument("--layers", type=layer_sizes, default=[2, 2, 2], metavar="SIZES",
                   help="input, hidden and output widths (default 2,2,2)")
    p.add_argument("--activation", choices=list(ACTIVATIONS), default="sigmoid", help="default sigmoid")
    p.add_argument("--init", choices=list(INITS), default="default", help="weight initialisation (default: "
                   "PyTorch's, seeded by --seed)")
    p.add_argument("--seed", type=int, default=0, help="seed of the initial weights (default 0)")
    p.add_argument("--loss", choices=["cross-entropy", "mse"], default="cross-entropy",
                   help="softmax cross-entropy (--y a class index) or mean squared error (--y the target "
                        "values)")
    p.add_argument("--run", metavar="RUN_DIR", help="explain a trained network of backprop train instead")
    p.add_argument("--x", metavar="VALUES", help="the input row, comma-separated (default 1,2)")
    p.add_argument("--y", metavar="TARGET", help="the target: a class (cross-entropy) or comma-separated "
                   "values (mse); default 1")
    p.add_argument("--optimizer", choices=list(OPTIMIZERS), default="sgd", help="default sgd")
    p.add_argument("--lr", type=positive_float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--lang", choices=["en", "ru"], default="en", help="language of the trace (default en)")
    p.add_argument("--format", choices=["text", "markdown", "latex", "json"], default="text",
                   help="how to print the trace (default text)")
    p.add_argument("--layout", choices=["blocks", "table"], default="blocks",
                   help="text: one block per step (default) or the wide table")
    p.add_argument("--width", type=int, metavar="COLUMNS", help="text: wrap at this many columns (default: "
                   "the terminal's width, 100 when the output is not a terminal)")
    p.set_defaults(handler=run)


def _built_in(args):
    """The network, its loss, the row and target given by the options (default: the course's 2-2-2 net)."""
    import backprop as bp

    from .models import build_mlp, check_memory

    if len(args.layers) < 2:
        raise CLIError(f"--layers needs an input and an output width, got {args.layers}")
    bp.manual_seed(args.seed)
    check_memory("mlp", args.layers[1:-1], args.layers[0], args.layers[-1], args.optimizer, 1,
                 advice="choose smaller --layers")
    module = build_mlp(args.layers[0], args.layers[-1], args.layers[1:-1], args.activation, init=args.init)
    x = number_list(args.x or "1,2", "--x")
    if len(x) != args.layers[0]:
        raise CLIError(f"--x has {len(x)} values but the network takes {args.layers[0]} inputs")
    loss = bp.nn.CrossEntropyLoss() if args.loss == "cross-entropy" else bp.nn.MSELoss()
    return module, loss, np.array([x]), _target(args.y or "1", args.loss == "cross-entropy", args.layers[-1])


def _target(text, classes, n_outputs):
    if classes:
        if not text.strip().isdigit() or int(text) >= n_outputs:
            raise CLIError(f"--y must be a class index in 0..{n_outputs - 1}, got {text!r}")
        return np.array([int(text)])
    y = number_list(text, "--y")
    if len(y) != n_outputs:
        raise CLIError(f"--y has {len(y)} values but the network has {n_outputs} outputs")
    return np.array([y])


def _from_run(args):
    """A trained run's network and loss, with the row standardised as in training."""
    from .data import encode_labels
    from .runs import load_run

    config, _, prep, model = load_run(args.run)
    if model.kind != "network":
        raise CLIError(f"{args.run} holds a {model.name} estimator, not a network trained by backprop")
    info = config["data"]
    if args.x is None or args.y is None:
        names = ", ".join(info["columns"][:6]) + (", ..." if len(info["columns"]) > 6 else "")
        raise CLIError(f"--run needs the row and its target: --x with {len(info['columns'])} values "
                       f"({names}) and --y")
    x = np.array([number_list(args.x, "--x")])
    if x.shape[1] != len(info["columns"]) or info["one_hot"]:
        raise CLIError(f"--x has {x.shape[1]} values but the run takes {len(info['columns'])} numeric inputs")
    if info["task"] == "classification":
        y = encode_labels(np.array([args.y]), info["classes"], "--y")
    else:
        y = model.targets(prep.transform_target(np.array([number_list(args.y, "--y")])))
    return model.module, model.loss_fn, prep.transform(x), y


def run(args):
    import backprop as bp

    from .models import OPTIMIZERS

    try:
        trace = bp.explain.trace
    except AttributeError:
        raise CLIError("backprop explain needs bp.explain.trace, which this version of backprop lacks") \
            from None
    module, loss_fn, x, y = _from_run(args) if args.run else _built_in(args)
    module = module.double().eval()  # float64 shows exact numbers; eval: no dropout mask, batch norm's stats
    cls, fixed, _ = OPTIMIZERS[args.optimizer]
    optimizer = cls(module.parameters(), lr=args.lr, **fixed)
    X = bp.tensor(x, dtype=np.float64)
    Y = bp.tensor(y) if y.dtype.kind in "iu" else bp.tensor(y, dtype=np.float64)
    with trace(model=module, names={"x": X, "y": Y}) as tr:
        out = module(X)
        loss = loss_fn(out, Y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if args.format == "json":
        print(tr.to_json(lang=args.lang, indent=1))
        return 0
    width = args.width or _terminal_width()
    words = labels(args.lang)
    comment = "% " if args.format == "latex" else ""  # LaTeX from the first line
    lines = [f"{words['network']}: {module}".replace("\n", "\n  ")]
    scaled = f" ({words['standardised']})" if args.run else ""
    lines.append(f"x = {x.ravel().tolist()}, y = {y.ravel().tolist()}{scaled}, {words['loss']} = "
                 f"{loss.item():.6g}, {args.optimizer} {words['lr']} {args.lr:g}")
    if not args.run and args.layers == [2, 2, 2]:
        lines += ["", f"{words['notation']}:", "    W = 0.weight, w = 0.bias, V = 2.weight, v = 2.bias",
                  "    s = v1, z = v2, t = v3", "    δ_t = g − y = ∂L/∂v3, δ_z = ∂L/∂v2, δ_s = ∂L/∂v1"]
    for line in "\n".join(lines).splitlines():
        for part in _format.wrap(line, width - len(comment)):
            print((comment + part).rstrip())
    print(comment.rstrip())
    if args.format == "text":
        print(tr.to_text(lang=args.lang, width=width, layout=args.layout))
    else:
        print({"markdown": tr.to_markdown, "latex": tr.to_latex}[args.format](lang=args.lang))
    return 0


def _terminal_width():
    import shutil
    import sys

    return shutil.get_terminal_size((100, 24)).columns if sys.stdout.isatty() else 100

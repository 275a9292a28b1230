"""The schema of a run folder's ``config.json``: every field is checked when a run is loaded (``--resume``,
``--config``, ``evaluate``, ``predict``), so a damaged or edited file stops with one line naming the file
and the field (``config.json: field 'lr': expected a positive number, got -0.1``) instead of being obeyed
or failing later with a raw error."""
import math
import numbers

from .common import CLIError

MAX_SAMPLES = 10_000_000  # --n-samples: 10⁷ points of two float64 inputs are 160 MB
MAX_EPOCHS = 1_000_000  # --epochs: a bound that catches an edited config.json (10**9) before it is obeyed


class FieldError(ValueError):
    """A field's value does not fit its schema; ``main`` never sees it (``check_config`` words it)."""


def _expect(ok, wanted, value):
    if not ok:
        raise FieldError(f"expected {wanted}, got {value!r}")
    return value


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_real(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def integer(low, high=None):
    wanted = f"an integer ≥ {low}" + (f" and ≤ {high:,}" if high is not None else "")
    return lambda v: _expect(_is_int(v) and v >= low and (high is None or v <= high), wanted, v)


def real(low=None, positive=False, below=None):
    wanted = ("a positive number" if positive else "a number" if low is None else f"a number ≥ {low:g}") + (
        f" below {below:g}" if below is not None else "")
    return lambda v: _expect(_is_real(v) and (not positive or v > 0) and (low is None or v >= low)
                             and (below is None or v < below), wanted, v)


def one_of(*choices):
    return lambda v: _expect(isinstance(v, (str, type(None))) and v in choices,
                             "one of " + ", ".join(map(str, choices)), v)


def boolean(v):
    return _expect(isinstance(v, bool), "true or false", v)


def text(v):
    return _expect(isinstance(v, str) and v != "", "a non-empty string", v)


def optional(check):
    return lambda v: v if v is None else check(v)


def list_of(check, min_len=0):
    def checked(v):
        _expect(isinstance(v, list) and len(v) >= min_len,
                f"a list of at least {min_len} items" if min_len else "a list", v)
        for item in v:
            check(item)
        return v
    return checked


def _label(v):
    return _expect(isinstance(v, (str, numbers.Real)) and not isinstance(v, bool), "a class label", v)


def option_schema():
    """Each option of ``backprop train`` → its check."""
    from .models import ACTIVATIONS, INITS, MODELS, OPTIMIZERS

    fraction = real(0, below=1)
    return {
        "data": text, "target": optional(lambda v: _expect(isinstance(v, (str, int)) and not isinstance(v, bool),
                                                          "a column name or index", v)),
        "target_file": optional(text), "task": one_of("auto", "classification", "regression"),
        "features": optional(text),  # the names are checked where they are parsed (data.parse_features)
        "n_samples": integer(1, MAX_SAMPLES), "noise": real(0), "seq_len": integer(1),
        "one_hot": list_of(text), "drop_missing": boolean, "header": optional(boolean), "standardize": boolean,
        "test_size": fraction, "val_size": fraction, "model": one_of(*MODELS),
        "hidden": optional(list_of(integer(1))), "num_layers": optional(integer(1)),
        "activation": one_of(*ACTIVATIONS), "dropout": fraction, "batch_norm": boolean, "init": one_of(*INITS),
        "param": list_of(text), "optimizer": one_of(*OPTIMIZERS), "lr": optional(real(positive=True)),
        "epochs": integer(1, MAX_EPOCHS), "batch_size": integer(1), "weight_decay": real(0),
        "early_stopping": optional(integer(1)), "seed": integer(0, 2 ** 32 - 1),
    }


def _numbers(positive=False):
    """A number or a list of numbers (a preprocessing statistic); a scale must be positive."""
    wanted = "positive finite numbers" if positive else "finite numbers"

    def checked(v):
        items = v if isinstance(v, list) else [v]
        return _expect(all(_is_real(x) and (not positive or x > 0) for x in items), wanted, v)
    return checked


def _data_schema(n_inputs):
    from .data import FEATURES

    def stats(positive):
        def checked(v):
            if v is None:
                return v
            _numbers(positive)(v)
            return _expect(isinstance(v, list) and len(v) == n_inputs, f"a list of {n_inputs} numbers", v)
        return checked

    return {"name": text, "task": one_of("classification", "regression"), "columns": list_of(text, 1),
            "feature_names": list_of(text, 1), "n_outputs": integer(1), "target": optional(
                lambda v: _expect(isinstance(v, (str, int)), "a column name", v)),
            "classes": optional(list_of(_label, 2)),
            "one_hot": lambda v: _expect(isinstance(v, dict) and all(isinstance(c, list) for c in v.values()),
                                         "a mapping of column → categories", v),
            "header": optional(boolean),
            "preprocessing.features": optional(list_of(one_of(*FEATURES), 1)),
            "preprocessing.mean": stats(False), "preprocessing.scale": stats(True),
            "preprocessing.target_mean": optional(_numbers()),
            "preprocessing.target_scale": optional(_numbers(positive=True))}


def _get(tree, dotted):
    for key in dotted.split("."):
        if not isinstance(tree, dict) or key not in tree:
            raise FieldError("missing")
        tree = tree[key]
    return tree


def _check_options(options, fail):
    schema = option_schema()
    for key, value in options.items():
        if key not in schema:
            fail(key, f"unknown option (known: {', '.join(schema)})")
        try:
            schema[key](value)
        except FieldError as e:
            fail(key, str(e))


def check_options(opts):
    """The resolved options of a new run, with the limits argparse does not know (``--n-samples`` at most
    10⁷, ``--epochs`` at most 10⁶): ``CLIError`` naming the option."""
    def fail(key, problem):
        raise CLIError(f"--{key.replace('_', '-')}: {problem}")
    _check_options(opts, fail)
    return opts


def check_config(config, file):
    """Check every field of a loaded ``config.json`` (a run's, or a ``--config`` file's); a bad one raises
    ``CLIError`` naming ``file`` and the field. Returns ``config``."""
    def fail(field, problem):
        raise CLIError(f"{file}: field '{field}': {problem}")

    if not isinstance(config, dict):
        raise CLIError(f"{file}: expected a JSON object, got {type(config).__name__}")
    options = config.get("options")
    if not isinstance(options, dict):
        fail("options", f"expected an object of options, got {options!r}")
    _check_options(options, lambda key, problem: fail(key, problem))
    if "data" not in config:  # a --config file may hold only options
        return config
    data = config["data"]
    if not isinstance(data, dict):
        fail("data", f"expected an object, got {data!r}")
    n_inputs = len(data.get("feature_names") or [])
    for field, check in _data_schema(n_inputs).items():
        try:
            check(_get(data, field))
        except FieldError as e:
            fail(f"data.{field}", str(e))
    classification = data["task"] == "classification"
    if classification != (data["classes"] is not None):
        fail("data.classes", f"a {data['task']} run {'needs' if classification else 'has no'} classes")
    if classification and data["n_outputs"] != len(data["classes"]):
        fail("data.n_outputs", f"expected {len(data['classes'])} (one per class), got {data['n_outputs']!r}")
    for field, check in (("changes", list_of(lambda c: _expect(isinstance(c, dict), "a change", c))),
                         ("fingerprint", text)):
        if field in config:
            try:
                check(config[field])
            except FieldError as e:
                fail(field, str(e))
    return config

"""The playground's settings: what the page may ask for, checked before anything is built from it.

Everything the page sends goes through :func:`parse_settings`, which returns a :class:`Settings` made only of
numbers in their ranges and strings from fixed lists (so the exported script, generated from it, holds
nothing the page typed), or raises :class:`SettingsError` naming the field and the bad value.
"""
import math
import numbers
from dataclasses import asdict, dataclass

DATASETS = {"circle": "classification", "xor": "classification", "gauss": "classification",
            "spiral": "classification", "plane": "regression", "multigauss": "regression", "upload": None}
FEATURES = ("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "linear", "step")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "rmsprop", "adam")
INITS = ("default", "xavier", "he", "zeros")
REGULARIZATIONS = ("none", "l1", "l2")
PROBLEMS = ("classification", "regression")
# TensorFlow Playground's lists; other positive numbers are accepted too (a link may carry any).
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REGULARIZATION_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
MAX_LAYERS, MAX_NEURONS = 6, 8
MAX_SEED = 2**32 - 1


class SettingsError(ValueError):
    """A setting the page sent is missing, of the wrong type or out of range; the message names it."""


@dataclass(frozen=True)
class Settings:
    """One page's settings (the URL hash's fields, the seed aside). ``layers`` holds the hidden layers' widths,
    ``activations`` one activation per hidden layer."""
    dataset: str = "circle"
    problem: str = "classification"
    ratio: int = 50
    noise: int = 0
    batch: int = 10
    features: tuple = ("x1", "x2")
    layers: tuple = (4, 2)
    activations: tuple = ("tanh", "tanh")
    optimizer: str = "sgd"
    lr: float = 0.03
    reg: str = "none"
    regrate: float = 0.0
    init: str = "default"
    dropout: float = 0.0
    batchnorm: bool = False
    temperature: float = 1.0
    train: bool = True
    points: int = 500

    def to_dict(self):
        out = asdict(self)
        out.update(features=list(self.features), layers=list(self.layers), activations=list(self.activations))
        return out


def _choice(data, name, options, default):
    value = data.get(name, default)
    if value not in options:
        raise SettingsError(f"{name} must be one of {', '.join(map(str, options))}, got {value!r}")
    return value


def _integer(data, name, low, high, default):
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise SettingsError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return int(value)


def _number(data, name, low, high, default, low_open=False):
    value = data.get(name, default)
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > high or value < low or (low_open and value == low):
        bound = f"a positive number up to {high:g}" if low_open else f"a number from {low:g} to {high:g}"
        raise SettingsError(f"{name} must be {bound}, got {value!r}")
    return float(value)


def _flag(data, name, default):
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise SettingsError(f"{name} must be true or false, got {value!r}")
    return value


def _layers(data):
    layers = data.get("layers", [4, 2])
    if not isinstance(layers, (list, tuple)) or len(layers) > MAX_LAYERS:
        raise SettingsError(f"layers must be a list of 0 to {MAX_LAYERS} hidden layer widths, got {layers!r}")
    for i, width in enumerate(layers, 1):
        if isinstance(width, bool) or not isinstance(width, numbers.Integral) or not 1 <= width <= MAX_NEURONS:
            raise SettingsError(f"layer {i} must have 1 to {MAX_NEURONS} neurons, got {width!r}")
    return tuple(int(w) for w in layers)


def _activations(data, n_layers):
    default = _choice(data, "activation", ACTIVATIONS, "tanh")
    activations = data.get("activations", [default] * n_layers)
    if not isinstance(activations, (list, tuple)) or len(activations) != n_layers:
        raise SettingsError(f"activations must list one activation per hidden layer ({n_layers}), "
                            f"got {activations!r}")
    for i, name in enumerate(activations, 1):
        if name not in ACTIVATIONS:
            raise SettingsError(f"the activation of layer {i} must be one of {', '.join(ACTIVATIONS)}, "
                                f"got {name!r}")
    return tuple(activations)


def _features(data):
    features = data.get("features", ["x1", "x2"])
    if (not isinstance(features, (list, tuple)) or not features
            or any(f not in FEATURES for f in features) or len(set(features)) != len(features)):
        raise SettingsError(f"features must be a non-empty list of distinct names among {', '.join(FEATURES)}, "
                            f"got {features!r}")
    return tuple(f for f in FEATURES if f in features)  # the inputs' order is fixed


def parse_settings(data):
    """A :class:`Settings` from the page's JSON object, or :class:`SettingsError` naming the bad field.

    Missing fields take their defaults; unknown fields are refused (a typo should not pass silently).
    """
    if not isinstance(data, dict):
        raise SettingsError(f"settings must be a JSON object, got {type(data).__name__}")
    known = set(Settings.__dataclass_fields__) | {"activation"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r}; the settings are {', '.join(sorted(known))}")
    dataset = _choice(data, "dataset", tuple(DATASETS), "circle")
    problem = _choice(data, "problem", PROBLEMS, DATASETS[dataset] or "classification")
    if DATASETS[dataset] not in (None, problem):
        raise SettingsError(f"the {dataset} data set is for {DATASETS[dataset]}, not {problem}")
    layers = _layers(data)
    batchnorm, batch = _flag(data, "batchnorm", False), _integer(data, "batch", 1, 30, 10)
    if batchnorm and batch < 2:
        raise SettingsError("batch norm needs a batch size of at least 2 (it normalises over the batch)")
    return Settings(
        dataset=dataset, problem=problem, ratio=_integer(data, "ratio", 10, 90, 50),
        noise=_integer(data, "noise", 0, 50, 0), batch=batch,
        features=_features(data), layers=layers, activations=_activations(data, len(layers)),
        optimizer=_choice(data, "optimizer", OPTIMIZERS, "sgd"),
        lr=_number(data, "lr", 0.0, 10.0, 0.03, low_open=True), reg=_choice(data, "reg", REGULARIZATIONS, "none"),
        regrate=_number(data, "regrate", 0.0, 10.0, 0.0), init=_choice(data, "init", INITS, "default"),
        dropout=_number(data, "dropout", 0.0, 0.9, 0.0), batchnorm=batchnorm,
        temperature=_number(data, "temperature", 0.0, 100.0, 1.0, low_open=True),
        train=_flag(data, "train", True), points=_integer(data, "points", 20, 2000, 500))


def parse_seed(value):
    """The seed from the page: an integer from 0 to 2³² − 1."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not 0 <= value <= MAX_SEED:
        raise SettingsError(f"seed must be an integer from 0 to {MAX_SEED}, got {value!r}")
    return int(value)

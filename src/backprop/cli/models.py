"""The models ``backprop train --model`` knows: networks trained epoch by epoch, and estimators of
``bp.linear_model`` fitted in one call. Both answer the same three questions: fit, predict, save/load.

Add a model by adding an entry to ``ESTIMATORS`` (any scikit-learn-style class of ``bp.linear_model``) or
a builder to ``NETWORKS``.
"""
import json

import numpy as np

from .. import nn, optim
from .common import CLIError

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "leaky_relu": nn.LeakyReLU}

# name → (initialiser of a Linear weight, given the activation's name), biases start at zero.
INITS = {
    "default": None,  # PyTorch's: U(±1/√fan_in) for weights and biases
    "xavier": lambda w, act: nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain(_gain_name(act))),
    "xavier-normal": lambda w, act: nn.init.xavier_normal_(w, gain=nn.init.calculate_gain(_gain_name(act))),
    "he": lambda w, act: nn.init.kaiming_uniform_(w, nonlinearity=_gain_name(act)),
    "he-normal": lambda w, act: nn.init.kaiming_normal_(w, nonlinearity=_gain_name(act)),
    "zeros": lambda w, act: nn.init.zeros_(w),  # the problem book's exercise: every unit stays the same
}

# name → (class, fixed options, default learning rate)
OPTIMIZERS = {"sgd": (optim.SGD, {}, 0.1), "momentum": (optim.SGD, {"momentum": 0.9}, 0.01),
              "nesterov": (optim.SGD, {"momentum": 0.9, "nesterov": True}, 0.01),
              "rmsprop": (optim.RMSprop, {}, 1e-3), "adam": (optim.Adam, {}, 1e-3),
              "adagrad": (optim.Adagrad, {}, 1e-2), "adamw": (optim.AdamW, {}, 1e-3),
              "nadam": (optim.NAdam, {}, 2e-3), "radam": (optim.RAdam, {}, 1e-3),
              "adamax": (optim.Adamax, {}, 2e-3), "adadelta": (optim.Adadelta, {}, 1.0)}

# --model name → (class in bp.linear_model, task it solves)
ESTIMATORS = {"linear": ("LinearRegression", "regression"), "ridge": ("Ridge", "regression"),
              "lasso": ("Lasso", "regression"), "poisson": ("PoissonRegressor", "regression"),
              "logistic": ("LogisticRegression", "classification"),
              "softmax": ("SoftmaxRegression", "classification"),
              "perceptron": ("Perceptron", "classification"),
              "svm": ("LinearSVC", "classification")}
RECURRENT = ("rnn", "lstm", "gru")  # bp.nn.sequence_model: the input columns are the time steps
NETWORKS = ("mlp", *RECURRENT)
MODELS = (*NETWORKS, *ESTIMATORS)


def _gain_name(activation):
    return "leaky_relu" if activation == "leaky_relu" else activation


def default_lr(optimizer):
    return OPTIMIZERS[optimizer][2]


# Arrays an optimizer keeps per parameter (momentum buffers, running averages of g and g²).
OPTIMIZER_STATES = {"sgd": 0, "momentum": 1, "nesterov": 1, "rmsprop": 1, "adagrad": 1, "adam": 2, "adamw": 2,
                    "nadam": 2, "radam": 2, "adamax": 2, "adadelta": 2}
GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def check_memory(model, hidden, n_in, n_out, optimizer, batch_size, num_layers=1,
                 advice="choose smaller layers (--hidden) or a smaller --batch-size"):
    """Refuse (``CLIError``, with the estimate) a network too large to train in the available memory,
    before building it: ``bp.utils.memory.training_memory`` of its parameter and activation counts."""
    from ..utils.memory import check_fits_in_memory, training_memory

    if model in GATES:  # weights W_ih, W_hh and two biases per gate and layer, on n_in steps of one value
        size, g = hidden[0], GATES[model]
        params = sum(g * size * (width + size + 2) for width in [1] + [size] * (num_layers - 1))
        params += (size + 1) * n_out
        activations = n_in * num_layers * size * (g + 1) + n_out
    else:
        widths = [n_in, *hidden, n_out]
        params = sum((a + 1) * b for a, b in zip(widths, widths[1:])) + 4 * sum(hidden)
        activations = sum(widths) + 2 * sum(hidden)
    try:
        check_fits_in_memory(training_memory(params, OPTIMIZER_STATES[optimizer], activations, batch_size),
                             f"training this {model} network ({params:,} parameters)")
    except MemoryError as e:
        raise CLIError(f"{e}: {advice}") from None


def build(opts, n_features, n_outputs, task):
    """The model that ``opts['model']`` names, built for the data's shape and task (not yet trained)."""
    name = opts["model"]
    if name in NETWORKS:
        check_memory(name, opts["hidden"], n_features, n_outputs, opts["optimizer"], opts["batch_size"],
                     opts["num_layers"] or 1)
        return Network(opts, n_features, n_outputs, task)
    if name in ESTIMATORS:
        return Estimator(opts, task)
    raise CLIError(f"--model: unknown model {name!r}; choose one of {', '.join(MODELS)}")


# -- networks ------------------------------------------------------------------------------------------
def build_mlp(n_in, n_out, hidden, activation="relu", dropout=0.0, batch_norm=False, init="default"):
    """``bp.nn.MLP`` with the named activation, its Linear weights initialised by ``init``, biases at zero."""
    model = nn.MLP(n_in, hidden, n_out, ACTIVATIONS[activation], batch_norm=batch_norm, dropout=dropout)
    if INITS[init] is not None:
        for layer in model.linear_layers():
            INITS[init](layer.weight, activation)
            nn.init.zeros_(layer.bias)
    return model


def _mae_in_units(scale):
    """The mean absolute error in the target's own units (the network sees the standardised target)."""
    def mae(pred, target):
        return float(np.mean(np.abs(pred.reshape(target.shape) - target) * scale))
    return mae


class Network:
    """An MLP, or a recurrent network reading the input columns as one value per time step
    (``bp.nn.sequence_model``), with a softmax cross-entropy output (classification) or an MSE output
    (regression)."""

    kind = "network"
    probabilities = True  # classification outputs are softmax probabilities

    def __init__(self, opts, n_features, n_outputs, task):
        self.name, self.task, self.opts = opts["model"], task, opts
        if self.name in RECURRENT:
            self.module = nn.sequence_model(self.name, opts["hidden"][0], opts["num_layers"], n_outputs)
        else:
            self.module = build_mlp(n_features, n_outputs, opts["hidden"], opts["activation"], opts["dropout"],
                                    opts["batch_norm"], opts["init"])
        cls, fixed, _ = OPTIMIZERS[opts["optimizer"]]
        self.optimizer = cls(self.module.parameters(), lr=opts["lr"], weight_decay=opts["weight_decay"],
                             **fixed)
        self.loss_fn = nn.CrossEntropyLoss() if task == "classification" else nn.MSELoss()

    def layers(self, n_inputs, n_outputs):
        """The layer sizes in words, e.g. ``mlp 64 → 128 → 10 (relu)`` or ``gru 32 units × 2 layers``."""
        if self.name in RECURRENT:
            hidden, k = self.opts["hidden"][0], self.opts["num_layers"]
            return (f"{self.name} {hidden} units × {k} layer{'s' if k > 1 else ''} over {n_inputs} steps → "
                    f"Linear → {n_outputs}")
        widths = " → ".join(map(str, [n_inputs, *self.opts["hidden"], n_outputs]))
        return f"mlp {widths} ({self.opts['activation'] if self.opts['hidden'] else 'no hidden layer'})"

    def metrics(self, target_scale):
        return ["accuracy"] if self.task == "classification" else [_mae_in_units(target_scale)]

    def targets(self, y):
        """Targets as the loss wants them: class indices, or a column per output."""
        return y if self.task == "classification" else y.reshape(len(y), -1).astype(np.float32)

    def predict(self, X):
        """Class probabilities (N, C), or the standardised regression outputs (N, k)."""
        from ..autograd.grad_mode import no_grad
        from ..ops.activations import softmax_array

        self.module.eval()
        with no_grad():
            out = self.module(np.asarray(X, dtype=np.float32)).data.astype(np.float64)
        return softmax_array(out, axis=-1) if self.task == "classification" else out

    def state(self):
        return self.module.state_dict()

    def load(self, arrays):
        self.module.load_state_dict(arrays)

    def describe(self):
        return str(self.module)


# -- estimators ----------------------------------------------------------------------------------------
def _value(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_params(items):
    """``["alpha=0.1", "solver=gd"]`` → {'alpha': 0.1, 'solver': 'gd'} (values read as JSON when they can)."""
    params = {}
    for item in items or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CLIError(f"--param: {item!r} is not KEY=VALUE (e.g. --param alpha=0.1)")
        params[key.strip()] = _value(value.strip())
    return params


class Estimator:
    """A scikit-learn-style estimator of ``bp.linear_model``, fitted in one call on the training split."""

    kind = "estimator"

    def __init__(self, opts, task):
        class_name, model_task = ESTIMATORS[opts["model"]]
        if task != model_task:
            raise CLIError(f"--model {opts['model']} ({class_name}) is for {model_task}, but the task is "
                           f"{task} (set --task, or choose another --model)")
        try:
            from .. import linear_model
            cls = getattr(linear_model, class_name)
        except (ImportError, AttributeError):
            raise CLIError(f"--model {opts['model']} needs bp.linear_model.{class_name}, which this "
                           "version of backprop lacks") from None
        self.name, self.task = opts["model"], task
        params = parse_params(opts["param"])
        accepted = cls().get_params()
        unknown = sorted(set(params) - set(accepted))
        if unknown:
            raise CLIError(f"--param: {class_name} has no parameter {unknown[0]!r}; its parameters are "
                           f"{', '.join(sorted(accepted))}")
        if "random_state" in accepted:
            params.setdefault("random_state", opts["seed"])
        try:
            self.estimator = cls(**params)
        except (TypeError, ValueError) as e:
            raise CLIError(f"--param: {e}") from None

    def fit(self, X, y):
        try:
            self.estimator.fit(X, y)
        except ValueError as e:
            raise CLIError(f"{type(self.estimator).__name__}.fit: {e}") from None

    @property
    def probabilities(self):
        """Whether ``predict`` gives class probabilities (a perceptron has only decisions)."""
        return hasattr(self.estimator, "predict_proba")

    def predict(self, X):
        """Class probabilities (N, C) (one-hot of ``predict`` for classifiers without probabilities), or the
        standardised regression outputs (N, k)."""
        est = self.estimator
        if self.task == "regression":
            pred = np.asarray(est.predict(X), dtype=np.float64)
            return pred.reshape(len(pred), -1)
        if self.probabilities:
            return np.asarray(est.predict_proba(X), dtype=np.float64)
        labels = np.asarray(est.predict(X))
        classes = list(est.classes_)
        return np.eye(len(classes))[[classes.index(v) for v in labels]]

    def state(self):
        """The fitted attributes (``coef_``, ``intercept_``, ``classes_``...) that are numbers or arrays."""
        return {k: np.asarray(v) for k, v in vars(self.estimator).items()
                if k.endswith("_") and not k.startswith("_") and np.asarray(v).dtype.kind in "biuf"}

    def load(self, arrays):
        for k, v in arrays.items():
            setattr(self.estimator, k, v.item() if v.ndim == 0 else v)

    def describe(self):
        return repr(self.estimator)

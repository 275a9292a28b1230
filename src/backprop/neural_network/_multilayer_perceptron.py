"""Multilayer perceptrons with scikit-learn's API, built on ``bp.nn``, ``bp.optim`` and ``bp.train``.

The network is a ``bp.nn.MLP`` (a ``Sequential`` of ``Linear`` layers and activations); ``fit`` trains it with
``bp.train.fit`` (minibatch Adam or SGD, gradients by backpropagation) and stops as scikit-learn's
``MLPClassifier``/``MLPRegressor`` do: when the training loss (or, with ``early_stopping``, the
validation score) has not improved by ``tol`` for ``n_iter_no_change`` epochs.
"""
import math
import warnings

import numpy as np

from .. import nn
from ..autograd.factory import from_numpy
from ..autograd.grad_mode import no_grad
from ..autograd.graph import increment_version
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin
from ..data import DataLoader, TensorDataset
from ..exceptions import ConvergenceWarning
from ..metrics import r2_score
from ..model_selection import train_test_split
from ..nn.utils import l2_penalty
from ..ops.activations import softmax_array
from ..optim import SGD, Adam
from ..train import Callback
from ..train import fit as train_fit
from ..utils.random import check_random_state
from ..utils.validation import check_is_fitted, validate_data
from ._checks import FLOAT_DTYPES, check_classifier_data, check_number, check_option, check_regression_data

ACTIVATIONS = {"identity": nn.Identity, "logistic": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}
SOLVERS = ("adam", "sgd")


def _glorot_uniform_(layer, activation, rng):
    """scikit-learn's initialisation: W and b from U(±√(f/(fan_in + fan_out))), f = 2 for 'logistic', else 6."""
    bound = math.sqrt((2.0 if activation == "logistic" else 6.0) / (layer.in_features + layer.out_features))
    with no_grad():
        for p in (layer.weight, layer.bias):
            p.data[...] = rng.uniform(-bound, bound, p.shape)
            increment_version(p)


class _NoImprovementStop(Callback):
    """scikit-learn's stopping rule for its MLPs, as a ``bp.train`` callback.

    An epoch counts as no improvement when the monitored value is not better than the best so far by
    more than ``tol``; training stops after more than ``n_iter_no_change`` such epochs in a row. Unlike
    Keras's ``EarlyStopping`` (and ``bp.train.EarlyStopping``), the best so far follows every
    improvement, however small, so a slow steady decrease stops too. With ``restore_best`` the weights
    of the best epoch are loaded at the end.
    """

    def __init__(self, monitor, maximize, tol, n_iter_no_change, restore_best):
        self.monitor, self.sign, self.tol = monitor, -1.0 if maximize else 1.0, tol
        self.n_iter_no_change, self.restore_best = n_iter_no_change, restore_best

    def on_train_begin(self, logs=None):
        self.best, self.count, self.best_state, self.converged = np.inf, 0, None, False

    def on_epoch_end(self, epoch, logs=None):
        value = self.sign * logs[self.monitor]
        self.count = self.count + 1 if value > self.best - self.tol else 0
        if value < self.best:
            self.best = value
            if self.restore_best:
                self.best_state = {name: t.clone() for name, t in self.model.state_dict().items()}
        if self.count > self.n_iter_no_change:
            self.stop_training = self.converged = True

    def on_train_end(self, logs=None):
        if self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class _BaseMLP(BaseEstimator):
    """What both estimators share: the network, the loss with its L2 penalty, the training loop."""

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True, random_state=None, tol=1e-4, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, verbose=False):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.verbose = verbose

    def _check_params(self):
        sizes = self.hidden_layer_sizes
        sizes = [sizes] if isinstance(sizes, int) else list(sizes)
        if not all(isinstance(h, (int, np.integer)) and h > 0 for h in sizes):
            raise ValueError(f"{type(self).__name__}: hidden_layer_sizes must be positive integers, got "
                             f"{self.hidden_layer_sizes!r}")
        check_option(self, "activation", tuple(ACTIVATIONS))
        check_option(self, "solver", SOLVERS)
        check_number(self, "alpha")
        check_number(self, "learning_rate_init", strict=True)
        for name in ("max_iter", "n_iter_no_change"):
            check_number(self, name, low=1, integer=True)
        check_number(self, "tol")
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            check_number(self, "batch_size", low=1, integer=True)
        if self.early_stopping and not 0 < self.validation_fraction < 1:
            raise ValueError(f"{type(self).__name__}: validation_fraction must be in (0, 1), got "
                             f"{self.validation_fraction!r}")
        return sizes

    def _train(self, X, y, n_outputs, data_loss, metric, stratify=None):
        """Build the network, train it with ``bp.train.fit`` and record scikit-learn's fitted attributes."""
        sizes = self._check_params()
        rng = check_random_state(self.random_state)
        # the output layer's activation is in the loss
        self.model_ = model = nn.MLP(X.shape[1], sizes, n_outputs, ACTIVATIONS[self.activation], dtype=X.dtype)
        for layer in model.linear_layers():
            _glorot_uniform_(layer, self.activation, rng)

        def loss_fn(pred, target):  # scikit-learn's: the mean loss + (α/2)·Σ‖W‖²/batch size, biases free
            return data_loss(pred, target) + (0.5 * self.alpha / len(target)) * l2_penalty(model)

        val_data = None
        if self.early_stopping:
            X, X_val, y, y_val = train_test_split(X, y, test_size=self.validation_fraction, random_state=rng,
                                                  stratify=stratify)
            val_data = (X_val, y_val)
        batch_size = min(200, len(X)) if self.batch_size == "auto" else min(self.batch_size, len(X))
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=self.shuffle, generator=rng,
                            dtype=X.dtype)
        if self.solver == "adam":
            optimizer = Adam(model.parameters(), lr=self.learning_rate_init, betas=(self.beta_1, self.beta_2),
                             eps=self.epsilon)
        else:
            optimizer = SGD(model.parameters(), lr=self.learning_rate_init, momentum=self.momentum,
                            nesterov=self.nesterovs_momentum and self.momentum > 0)
        monitor = _NoImprovementStop(f"val_{metric.name}" if self.early_stopping else "loss",
                                     self.early_stopping, self.tol, self.n_iter_no_change, self.early_stopping)
        history = train_fit(model, loss_fn, optimizer, loader, epochs=self.max_iter, val_data=val_data,
                            metrics=[metric] if self.early_stopping else None, callbacks=[monitor],
                            verbose=bool(self.verbose), batch_size=batch_size, jit=True)  # loss_fn replays safely
        model.eval()
        self.loss_curve_ = history.history["loss"]
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = None if self.early_stopping else min(self.loss_curve_)
        if self.early_stopping:
            self.validation_scores_ = history.history[f"val_{metric.name}"]
            self.best_validation_score_ = max(self.validation_scores_)
        self.n_iter_ = len(self.loss_curve_)
        self.t_ = self.n_iter_ * len(X)
        linear = model.linear_layers()
        self.coefs_ = [m.weight.data.T.copy() for m in linear]
        self.intercepts_ = [m.bias.data.copy() for m in linear]
        self.n_layers_ = len(linear) + 1
        self.n_outputs_ = n_outputs
        if not monitor.converged:
            warnings.warn(f"{type(self).__name__}: stochastic optimizer: maximum iterations ({self.max_iter}) "
                          "reached and the optimization hasn't converged yet.", ConvergenceWarning, stacklevel=3)
        return self

    def _forward(self, X):
        """The network's output (before the output activation) for X, an array."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        with no_grad():
            return self.model_(from_numpy(np.ascontiguousarray(X, dtype=self.coefs_[0].dtype))).data


def _accuracy(pred, target):
    return float(np.mean(np.argmax(pred, axis=1) == target))


def _r2(pred, target):
    return r2_score(target, pred)


# the validation scores of early stopping, logged by bp.train.fit under these names with 'val_'
_accuracy.name, _r2.name = "accuracy", "r2"


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """A multilayer perceptron classifier: hidden layers with ``activation``, a softmax output, the logloss.

    scikit-learn's ``MLPClassifier`` (same parameters, defaults and fitted attributes), built on
    ``bp.nn.MLP``, trained by ``bp.train.fit`` with ``bp.optim.Adam`` (or SGD). It minimises the
    mean cross-entropy of a minibatch plus (α/2)·Σ‖W‖²/batch size over the weights (not the biases).
    Differs from scikit-learn in that two classes get two softmax outputs (scikit-learn: one sigmoid
    output), and the weights are drawn from ``random_state`` by NumPy's ``Generator``.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default (100,)
        The number of neurons of each hidden layer.
    activation : {'relu', 'tanh', 'logistic', 'identity'}, default 'relu'
    solver : {'adam', 'sgd'}, default 'adam'
    alpha : float, default 0.0001
        L2 strength.
    batch_size : int or 'auto', default 'auto'
        min(200, n).
    learning_rate_init : float, default 0.001
    max_iter : int, default 200
        Epochs at most.
    shuffle : bool, default True
    random_state : None, int or numpy.random.Generator, default None
        Seeds the initial weights, the order of the batches and the validation split.
    tol : float, default 1e-4
    momentum : float, default 0.9
        For ``solver='sgd'``.
    nesterovs_momentum : bool, default True
    early_stopping : bool, default False
        Hold out ``validation_fraction`` of the data (stratified) and stop when its accuracy has not
        improved by ``tol`` for ``n_iter_no_change`` epochs; the weights of the best epoch are kept.
    validation_fraction : float, default 0.1
    beta_1, beta_2, epsilon : float
        Adam's β₁ = 0.9, β₂ = 0.999, ε = 1e-8.
    n_iter_no_change : int, default 10
        Without early stopping: stop when the training loss has not fallen by ``tol`` for this many epochs.
    verbose : bool, default False
        Show ``bp.train.fit``'s progress.
    threshold : float, default 0.5
        For two classes: predict ``classes_[1]`` where its probability exceeds ``threshold`` (not in
        scikit-learn; 0.5 is its argmax). Ignored for more classes.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    loss_curve_ : list of float
        The mean training loss of every epoch.
    loss_, best_loss_ : float
    validation_scores_, best_validation_score_ : list of float, float
        With ``early_stopping``.
    n_iter_ : int
        Epochs run.
    coefs_, intercepts_ : list of ndarray
        The weights of each layer as scikit-learn lays them out ((fan_in, fan_out), the transpose of
        ``bp.nn.Linear.weight``) and the biases.
    model_ : bp.nn.MLP
        The trained network (outputs the logits).
    n_layers_, n_outputs_, n_features_in_, t_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 25); y = np.array([0, 1, 1, 0] * 25)  # XOR
    >>> model = bp.neural_network.MLPClassifier((8,), learning_rate_init=0.05, random_state=0).fit(X, y)
    >>> model.predict([[0.0, 1.0], [1.0, 1.0]])
    array([1, 0])
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", solver="adam", alpha=0.0001, batch_size="auto",
                 learning_rate_init=0.001, max_iter=200, shuffle=True, random_state=None, tol=1e-4, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False, validation_fraction=0.1, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-8, n_iter_no_change=10, verbose=False, threshold=0.5):
        super().__init__(hidden_layer_sizes, activation, solver, alpha, batch_size, learning_rate_init, max_iter,
                         shuffle, random_state, tol, momentum, nesterovs_momentum, early_stopping,
                         validation_fraction, beta_1, beta_2, epsilon, n_iter_no_change, verbose)
        self.threshold = threshold

    def fit(self, X, y):
        """Train on X of shape (n, p) and labels y of shape (n,); returns ``self``."""
        X, y_index = check_classifier_data(self, X, y)

        def data_loss(logits, target):
            return nn.functional.cross_entropy(logits, target)

        return self._train(X, y_index, len(self.classes_), data_loss, _accuracy, stratify=y_index)

    def predict_proba(self, X):
        """Class probabilities (softmax of the network's output), shape (n, K); rows sum to 1."""
        return softmax_array(self._forward(X), axis=1)

    def predict_log_proba(self, X):
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class for each row, shape (n,); for two classes, P(classes_[1]) > ``threshold``."""
        scores = self._forward(X)
        if len(self.classes_) == 2 and self.threshold != 0.5:
            t = check_number(self, "threshold")
            if not 0 < t < 1:
                raise ValueError(f"MLPClassifier: threshold must be a probability in (0, 1), got {t!r}")
            return self.classes_[(softmax_array(scores, axis=1)[:, 1] > t).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """A multilayer perceptron regressor: hidden layers with ``activation``, a linear output, squared error.

    scikit-learn's ``MLPRegressor``: minimises ½·mean((ŷ − y)²) over a minibatch plus
    (α/2)·Σ‖W‖²/batch size (so ``loss_curve_`` is half the mean squared error), on ``bp.nn``; a 2-D y
    gives several outputs. With ``early_stopping`` the validation score is R². Parameters and
    attributes as :class:`MLPClassifier`.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y):
        """Train on X of shape (n, p) and targets y of shape (n,) or (n, K); returns ``self``."""
        X, y = check_regression_data(self, X, y)
        self._y_ndim = y.ndim
        target = y.reshape(len(y), -1)

        def data_loss(pred, target):
            return 0.5 * nn.functional.mse_loss(pred, target)

        return self._train(X, target, target.shape[1], data_loss, _r2)

    def predict(self, X):
        """The network's output: shape (n,) for a 1-D y at fit time, else (n, K)."""
        out = self._forward(X)
        return out.ravel() if self._y_ndim == 1 else out

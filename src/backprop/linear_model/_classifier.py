"""What the linear classifiers share: labels, the decision rule, ±1 targets and one SGD loop.

A linear classifier scores each class with η = X·coef_ᵀ + intercept_. With two classes it keeps one
score (``coef_`` of shape (1, p)) and predicts ``classes_[1]`` where η > the decision threshold; with
K > 2 it keeps one row per class (shape (K, p)) and predicts the class of the largest score. The
labels themselves may be anything sortable (numbers, strings): they are stored in ``classes_`` and
the solvers see only their indices.
"""
import numpy as np

from ..autograd.factory import tensor
from ..autograd.grad_mode import enable_grad
from ..base import ClassifierMixin
from ..ops.linalg import matmul
from ..optim.sgd import SGD
from ..utils.multiclass import check_classes
from ..utils.validation import validate_data
from ._base import FLOAT_DTYPES, LinearParams, check_fit_weights
from ._solvers import SolverResult, batches


def check_classifier_data(estimator, X, y):
    """Validate X and y for a classifier's ``fit``; record ``n_features_in_`` and ``classes_``.

    X becomes float64 (float32 stays float32); y keeps its labels. A target with one class, or with
    continuous values, raises ``ValueError``.

    Returns
    -------
    X : ndarray, shape (n, p)
    y_index : ndarray of int, shape (n,)
        ``classes_[y_index] == y``.
    """
    X, y = validate_data(estimator, X, y, dtype=FLOAT_DTYPES)
    estimator.classes_, y_index = check_classes(y, estimator=estimator)
    return X, y_index


def class_sample_weights(estimator, y_index, sample_weight):
    """Each row's weight: ``sample_weight`` (ones if None) times its class's weight from ``class_weight``.

    ``class_weight`` is None (all 1), a dict {label: weight} (missing labels weigh 1), or 'balanced':
    n / (K·bincount(y)), with the counts and n weighted by ``sample_weight`` when given (scikit-learn's).

    Returns
    -------
    weights : ndarray of float64, shape (n,)
    """
    weights = check_fit_weights(estimator, sample_weight, len(y_index))
    class_weight, classes = getattr(estimator, "class_weight", None), estimator.classes_
    if class_weight is None:
        return weights
    if isinstance(class_weight, str) and class_weight == "balanced":  # weighted counts, as scikit-learn's
        counts = np.bincount(y_index, weights=weights, minlength=len(classes))
        per_class = weights.sum() / (len(classes) * np.where(counts > 0, counts, 1.0))  # (an absent class: no rows)
    elif isinstance(class_weight, dict):
        unknown = [label for label in class_weight if label not in set(classes.tolist())]
        if unknown:
            raise ValueError(f"{type(estimator).__name__}: class_weight names labels {unknown} that are not "
                             f"among the classes {classes.tolist()}")
        per_class = np.array([float(class_weight.get(label, 1.0)) for label in classes.tolist()])
    else:
        raise ValueError(f"{type(estimator).__name__}: class_weight must be None, 'balanced' or a dict "
                         f"{{label: weight}}, got {class_weight!r}")
    return weights * per_class[y_index]


def repeat_integer_weights(X, targets, weights):
    """The rows and weights the SGD solvers step on: integer weights repeat the rows, others are rescaled.

    Integer weights give (rows repeated by their weights, None): the fit is then exactly the fit on the
    repeated rows, visited in the same random order. Other weights give (X, targets, weights·n/Σweights):
    each row's step scaled by its weight, normalised to mean 1 so that the step size keeps its meaning
    (the batch mean of sᵢ·lossᵢ then estimates Σ sᵢ·lossᵢ / Σ sᵢ, the exact solvers' objective).
    """
    if np.all(weights == np.round(weights)):
        counts = weights.astype(np.int64)
        return np.repeat(X, counts, axis=0), np.repeat(targets, counts, axis=0), None
    return X, targets, weights * (len(weights) / weights.sum())


def sign_targets(y_index, n_classes, dtype):
    """The one-vs-rest targets in {−1, +1}: shape (n, 1) (class 1 against class 0) for two classes, else (n, K)."""
    columns = np.arange(1, 2) if n_classes == 2 else np.arange(n_classes)
    return np.where(y_index[:, None] == columns, 1.0, -1.0).astype(dtype)


class LinearClassifierMixin(ClassifierMixin):
    """``decision_function`` and ``predict`` from ``coef_``/``intercept_`` (mix in before :class:`LinearModel`).

    A binary classifier predicts ``classes_[1]`` where the score exceeds :meth:`_score_threshold`
    (0 by default; the probabilistic classifiers turn their probability ``threshold`` into a score).
    """

    def _score_threshold(self):
        return self.threshold

    def decision_function(self, X):
        """The scores η = X·coef_ᵀ + intercept_: shape (n,) for two classes (positive: ``classes_[1]``), else (n, K)."""
        scores = self._decision_function(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """The predicted labels (values of ``classes_``), shape (n,)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > self._score_threshold()).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def _set_coef(self, spec, theta):
        """``coef_`` (K', p) and ``intercept_`` (K',) from the solver's θ; one row for two classes."""
        coef, intercept = spec.coef_intercept(theta)
        self.coef_ = np.atleast_2d(coef)
        self.intercept_ = np.zeros(len(self.coef_), coef.dtype) + intercept


def sgd_linear(estimator, X, targets, n_outputs, loss, *, alpha, lr, average, rng, weights=None):
    """Fit the scores η = X·W + b by minibatch SGD on the batch's mean of wᵢ·loss(ηᵢ, targetᵢ) + α·½‖W‖².

    Each epoch visits the rows in a new random order (``estimator.shuffle``), one step per batch of
    ``estimator.batch_size`` rows, with every gradient from autodiff::

        (W, b) ← (W, b) − lr·∇ [(1/|B|)·Σ_{i∈B} wᵢ·loss(xᵢ·W + b, targetᵢ) + α·½‖W‖²]

    With ``average`` the weights returned are the mean of the iterates after every step (averaged
    SGD, Polyak and Juditsky 1992): with a constant step the last iterate on data that are not
    separable keeps jumping between hyperplanes; their mean settles.

    Stops after an epoch that moved nothing (a fixed point, returned as it is), or, as scikit-learn's
    SGD does, when the epoch's mean objective has not fallen by ``estimator.tol`` below the best so far
    for ``estimator.n_iter_no_change`` epochs in a row (``tol=None`` switches this plateau rule off).
    The plateau rule is no optimality certificate: it says only that the objective stopped falling.
    Reaching ``estimator.max_iter`` epochs returns ``converged=False``, with the objective's fall over
    the last ``n_iter_no_change`` epochs as the measure.

    Parameters
    ----------
    estimator : estimator
        Supplies ``fit_intercept``, ``batch_size``, ``max_iter``, ``tol``, ``n_iter_no_change``, ``shuffle``.
    X : ndarray, shape (n, p)
    targets : ndarray, shape (n, ...)
        What ``loss`` compares the scores with (its rows are batched with X's).
    n_outputs : int
        K, the number of scores per row.
    loss : callable
        (η Tensor (m, K), targets of the batch's m rows) ↦ each row's loss (Tensor of shape (m,)).
    alpha, lr : float
    average : bool
    rng : numpy.random.Generator
    weights : ndarray of shape (n,), optional
        Row weights (see :func:`repeat_integer_weights` for integer ones).

    Returns
    -------
    spec : LinearParams
    result : SolverResult
        θ = (W.ravel(), b) (see :class:`LinearParams`); ``n_iter`` counts epochs.
    """
    n, p = X.shape
    spec = LinearParams(p, n_outputs, estimator.fit_intercept)
    W = tensor(np.zeros((p, n_outputs), X.dtype), dtype=X.dtype, requires_grad=True)
    b = tensor(np.zeros(n_outputs, X.dtype), dtype=X.dtype, requires_grad=estimator.fit_intercept)
    params = [W, b] if estimator.fit_intercept else [W]
    optimizer = SGD(params, lr=lr)
    means, steps = [np.zeros_like(t.data) for t in params], 0
    history, stalled, moved = [], 0, True
    window = estimator.n_iter_no_change
    for epoch in range(estimator.max_iter):  # noqa: B007 (epoch + 1 is returned after the loop)
        order = rng.permutation(n) if estimator.shuffle else np.arange(n)
        before = [t.data.copy() for t in params]
        total = 0.0
        for rows in batches(order, estimator.batch_size):
            optimizer.zero_grad()
            with enable_grad():
                row_losses = loss(matmul(X[rows], W) + b, targets[rows])
                if weights is not None:
                    row_losses = row_losses * weights[rows].astype(X.dtype)
                objective = row_losses.sum() * (1.0 / len(rows))
                if alpha:
                    objective = objective + (0.5 * alpha) * (W * W).sum()
                objective.backward()
            optimizer.step()
            total += float(objective.data) * len(rows)
            if average:
                steps += 1
                for mean, t in zip(means, params):
                    mean += (t.data - mean) / steps
        total /= n
        moved = any(not np.array_equal(old, t.data) for old, t in zip(before, params))
        best = min(history, default=np.inf)
        # a zero loss is as low as it goes, yet the perceptron still moves points off the boundary (M = 0)
        stalled = 0 if total == 0 or estimator.tol is None or total < best - estimator.tol else stalled + 1
        history.append(total)
        if not moved or stalled >= window:
            break
    # an epoch that moved nothing ends at a fixed point: return it, not the mean, which still carries the
    # early iterates
    weights_out = means if average and moved else [t.data for t in params]
    theta = spec.pack(*weights_out)
    converged = not moved or stalled >= window
    fall = min(history[:-window], default=np.inf) - min(history[-window:]) if len(history) > window else np.inf
    tol = 0.0 if estimator.tol is None else estimator.tol
    measure = f"fall of the epoch's mean objective over the last {window} epochs"
    return spec, SolverResult(theta, epoch + 1, converged, measure, float(fall), tol)

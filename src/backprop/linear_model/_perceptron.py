"""The perceptron of the course (§2.1.9): update on every mistake, until an epoch makes none.

A point is scored with η = ⟨w, x⟩ + b and has margin M = y·η, y ∈ {−1, +1}. The course's rule: a point
with M ≤ 0 is a mistake and moves the weights, w ← w + η₀·y·x, b ← b + η₀·y; on linearly separable
data the rule stops after finitely many updates (Novikoff) with every margin strictly positive. In
floating point a margin of 1e-17 is a rounding of 0, so here a margin at or below :data:`MARGIN_EPS`
counts as a mistake: a hyperplane through training points never passes for a separating one.
More than two classes: one-vs-rest, K perceptrons trained together on the same visiting order.
"""
import numpy as np

from ..utils.random import check_random_state
from ._base import LinearModel, check_number, check_option
from ._classifier import (
    LinearClassifierMixin,
    batches,
    check_classifier_data,
    class_sample_weights,
    repeat_integer_weights,
    sign_targets,
)
from ._solvers import SolverResult, warn_if_not_converged

#: A margin y·η at or below this is a mistake (the course's M ≤ 0, with rounding of 0 counted as 0).
MARGIN_EPS = 1e-9

NOT_SEPARABLE = (" The data may not be linearly separable: then no hyperplane puts every point strictly on its "
                 "side, and the perceptron never stops updating.")


class Perceptron(LinearClassifierMixin, LinearModel):
    r"""The perceptron, as the course teaches it: update on M ≤ 0 until an epoch without updates.

    From w = 0, b = 0 each epoch visits the points (in a new random order with ``shuffle``), a batch
    of ``batch_size`` at a time (1: the course's rule); every point of the batch whose margin
    M = y·(⟨w, x⟩ + b) is at most 1e-9 (a mistake) adds η₀·sᵢ·y·x/|B| to w and η₀·sᵢ·y/|B| to b
    (sᵢ: ``sample_weight`` × ``class_weight``, 1 by default). Training ends when every margin, as
    :meth:`decision_function` computes it, is above 1e-9, so no further epoch would update; on
    separable data that happens after finitely many updates. At ``max_iter`` epochs it warns that the
    data may not be separable. Integer sample weights repeat the rows (the fit equals the fit on the
    repeated rows with the same ``random_state``); other weights scale each row's step.

    ``tol`` and ``n_iter_no_change``, when ``tol`` is set, are scikit-learn's: training also ends when
    the epoch's mean perceptron loss max(0, −M) has not fallen by ``tol`` below the best for
    ``n_iter_no_change`` epochs (a plateau, with no warning, as scikit-learn). With ``average=True``
    the weights are the mean of the iterates after every step (averaged perceptron, Freund and
    Schapire 1999), returned only if every margin under them is above 1e-9; otherwise the last
    iterate is returned, and ``averaged_`` says which.

    Parameters
    ----------
    penalty : {None, 'l2'}, default None
    alpha : float, default 0.0001
        With ``penalty='l2'``: every step first shrinks w by the factor 1 − η₀·α.
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Epochs at most.
    tol : float or None, default None
        The plateau rule's tolerance (None: off).
    shuffle : bool, default True
    eta0 : float, default 1.0
        The step η₀. From zero weights without a penalty it only scales w and b together, so it
        changes neither the predictions nor the number of updates.
    batch_size : int, default 1
    n_iter_no_change : int, default 5
    average : bool, default False
    class_weight : dict, 'balanced' or None, default None
    random_state : None, int or numpy.random.Generator, default None
        Seeds the order of the points; None draws from the library's generator (``bp.manual_seed``).
    threshold : float, default 0.0
        Two classes: predict ``classes_[1]`` where the score ⟨w, x⟩ + b exceeds it.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) or (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
        Epochs run.
    averaged_ : bool
        Whether ``coef_`` and ``intercept_`` are the averaged weights (only with ``average=True``).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); y = np.array([0, 0, 0, 1])  # AND
    >>> model = bp.linear_model.Perceptron(random_state=0).fit(X, y)
    >>> model.predict(X), bool(((2 * y - 1) * model.decision_function(X)).min() > 0)
    (array([0, 0, 0, 1]), True)
    """

    def __init__(self, penalty=None, alpha=0.0001, fit_intercept=True, max_iter=1000, tol=None, shuffle=True,
                 eta0=1.0, batch_size=1, n_iter_no_change=5, average=False, class_weight=None, random_state=None,
                 threshold=0.0):
        self.penalty = penalty
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.eta0 = eta0
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.class_weight = class_weight
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y, sample_weight=None):
        """Fit to X of shape (n, p) and labels y of shape (n,), rows weighted by ``sample_weight``; returns ``self``."""
        if self.penalty is not None:
            check_option(self, "penalty", ("l2",))
        alpha = check_number(self, "alpha") if self.penalty == "l2" else 0.0
        for name in ("max_iter", "n_iter_no_change", "batch_size"):
            check_number(self, name, low=1, integer=True)
        if self.tol is not None:
            check_number(self, "tol")
        eta0 = check_number(self, "eta0", strict=True)
        X, y_index = check_classifier_data(self, X, y)
        weights = class_sample_weights(self, y_index, sample_weight)
        targets = sign_targets(y_index, len(self.classes_), X.dtype)
        X_rows, targets, row_weights = repeat_integer_weights(X, targets, weights)
        if row_weights is not None:  # rows of weight 0 take no part, not even in the margins
            kept = row_weights > 0
            X_rows, targets, row_weights = X_rows[kept], targets[kept], row_weights[kept]
        W, b, result = self._train(X_rows, targets, row_weights, eta0, alpha, check_random_state(self.random_state))
        self.coef_, self.intercept_, self.n_iter_ = W.T.copy(), b, result.n_iter
        warn_if_not_converged(result, self, self.max_iter, note=NOT_SEPARABLE)
        return self

    def _train(self, X, targets, weights, eta0, alpha, rng):
        n, p = X.shape
        W, b = np.zeros((p, targets.shape[1]), X.dtype), np.zeros(targets.shape[1], X.dtype)
        # the averaged weights: Σ over steps of the iterate after the step, added up lazily (the iterate
        # changes only at an update)
        sum_W, sum_b, steps, last = np.zeros_like(W), np.zeros_like(b), 0, 0
        row_weights = np.ones(n, X.dtype) if weights is None else weights.astype(X.dtype)
        best, stalled, separated, epoch = np.inf, 0, False, 0
        for epoch in range(1, self.max_iter + 1):  # noqa: B007 (the last epoch is reported)
            order = rng.permutation(n) if self.shuffle else np.arange(n)
            loss = 0.0
            # one row at a time (the course's rule) through 1-D views, the cheapest indexing NumPy has
            for rows in order.tolist() if self.batch_size == 1 else batches(order, self.batch_size):
                steps += 1
                x, t = X[rows], targets[rows]
                margins = t * (x @ W + b)
                if margins.min() > MARGIN_EPS and not alpha:
                    continue
                if self.tol is not None:
                    loss += float((np.maximum(0, -margins).sum(axis=-1) * row_weights[rows]).sum())
                if self.average:  # the iterate held for the steps since the last change
                    sum_W += (steps - 1 - last) * W
                    sum_b += (steps - 1 - last) * b
                    last = steps
                step = np.where(margins <= MARGIN_EPS, t, 0) * (eta0 * row_weights[rows] / np.size(rows))[..., None]
                if alpha:
                    W *= 1 - eta0 * alpha
                W += np.outer(x, step) if self.batch_size == 1 else x.T @ step
                if self.fit_intercept:
                    b += step if self.batch_size == 1 else step.sum(axis=0)
                if self.average:
                    sum_W += W
                    sum_b += b
            separated = self._all_margins_positive(X, targets, W, b)
            loss /= row_weights.sum()
            stalled = 0 if self.tol is None or loss < best - self.tol else stalled + 1
            best = min(best, loss)
            if separated or stalled >= self.n_iter_no_change:
                break
        self.averaged_ = False
        if self.average and steps:
            mean_W, mean_b = (sum_W + (steps - last) * W) / steps, (sum_b + (steps - last) * b) / steps
            self.averaged_ = self._all_margins_positive(X, targets, mean_W, mean_b)
            if self.averaged_:
                W, b = mean_W, mean_b
        mistakes = int((targets * (X @ W.T.copy().T + b) <= MARGIN_EPS).any(axis=1).sum())
        converged = separated or stalled >= self.n_iter_no_change
        return W, b, SolverResult(None, epoch, converged, f"points with margin ≤ {MARGIN_EPS:g}", mistakes, 0)

    @staticmethod
    def _all_margins_positive(X, targets, W, b):
        """Every margin y·η > 1e-9, η computed as :meth:`decision_function` computes it (X·coef_ᵀ + intercept_)."""
        return bool(np.all(targets * (X @ W.T.copy().T + b) > MARGIN_EPS))

"""The linear support vector machine of the course (§2.1.9): hinge loss plus L2, solved as liblinear does."""
import numpy as np

from ..nn import functional as F
from ..utils.random import check_random_state
from ._base import LinearModel, check_number, check_option
from ._classifier import (
    LinearClassifierMixin,
    check_classifier_data,
    class_sample_weights,
    repeat_integer_weights,
    sgd_linear,
    sign_targets,
)
from ._dual_cd import dual_coordinate_descent
from ._solvers import warn_if_not_converged

LOSSES = ("hinge", "squared_hinge")
SOLVERS = ("dual_cd", "sgd")


class LinearSVC(LinearClassifierMixin, LinearModel):
    r"""The linear SVM: hinge loss with an L2 penalty, minimised exactly by liblinear's dual coordinate descent.

    With ``solver='dual_cd'`` (default) it minimises liblinear's objective, that of scikit-learn's
    ``LinearSVC``,

        ½‖w‖² + ½w_b² + Σᵢ Cᵢ·ℓ(yᵢ·(⟨w, xᵢ⟩ + s·w_b)),     ℓ(M) = max(0, 1 − M)  or  max(0, 1 − M)²,

    where s = ``intercept_scaling``, the intercept is b = s·w_b (so b is penalised, as liblinear
    penalises it) and Cᵢ = C·sᵢ with sᵢ the ``sample_weight`` times the ``class_weight``. The solver is
    Hsieh et al.'s dual coordinate descent (``_dual_cd.py``); it stops when the projected-gradient
    spread max PG − min PG is at most ``tol`` (liblinear's test), and its coefficients and objective
    equal scikit-learn's at the same ``C``, ``loss`` and ``intercept_scaling``. The course's form,
    C·Σ max(0, 1 − Mᵢ) + ½‖w‖² with an unpenalised b (the course's λ‖w‖² + Σ max(0, 1 − Mᵢ) is
    C = 1/(2λ)), is the limit of a large ``intercept_scaling``: the penalty ½(b/s)² on b vanishes as s
    grows (at the cost of a worse-conditioned dual, so more epochs).

    ``loss='hinge'`` is the course's and the default here; scikit-learn defaults to ``'squared_hinge'``.
    More than two classes: one-vs-rest, one SVM per class against the others (as liblinear), and the
    prediction is the class of the largest score.

    ``solver='sgd'`` keeps the course's version: minibatch SGD with averaged iterates on
    C·mean hinge + ‖w‖²/(2n), b unpenalised (``eta0``, ``batch_size``, ``shuffle``, ``average`` and
    ``n_iter_no_change`` apply to it alone). It stops on a plateau of the objective, which is no
    certificate of optimality: it ends near the minimum, not on it. Integer sample weights repeat the
    rows (the same fit as on the repeated rows); others scale each row's step.

    Parameters
    ----------
    C : float, default 1.0
        Inverse strength of the penalty (C > 0).
    loss : {'hinge', 'squared_hinge'}, default 'hinge'
        'sgd' supports 'hinge' only.
    fit_intercept : bool, default True
    intercept_scaling : float, default 1.0
        s > 0: the intercept's column of constants in the dual problem (see above).
    dual : bool, default True
        Only the dual problem is solved (liblinear's primal Newton solver is not implemented).
    tol : float, default 1e-4
        'dual_cd': the bound on the projected-gradient spread. 'sgd': the fall of the epoch's mean
        objective that counts as progress.
    max_iter : int, default 1000
        Epochs at most.
    class_weight : dict, 'balanced' or None, default None
    solver : {'dual_cd', 'sgd'}, default 'dual_cd'
    shuffle : bool, default True
        'sgd' only ('dual_cd' always visits the rows in a random order, as liblinear).
    eta0 : float, default 1.0
        'sgd' only: the constant step.
    batch_size : int, default 16
        'sgd' only.
    n_iter_no_change : int, default 5
        'sgd' only.
    average : bool, default True
        'sgd' only: return the mean of the iterates rather than the last one.
    random_state : None, int or numpy.random.Generator, default None
        Seeds the order of the rows.
    threshold : float, default 0.0
        Two classes: predict ``classes_[1]`` where the score exceeds it.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) or (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
        Epochs run (the most over the one-vs-rest problems).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 3.0], [4.0, 4.0]]); y = np.array([0, 0, 1, 1])
    >>> bp.linear_model.LinearSVC(random_state=0).fit(X, y).predict([[0.5, 0.5], [3.5, 3.5]])
    array([0, 1])
    """

    def __init__(self, C=1.0, loss="hinge", fit_intercept=True, intercept_scaling=1.0, dual=True, tol=1e-4,
                 max_iter=1000, class_weight=None, solver="dual_cd", shuffle=True, eta0=1.0, batch_size=16,
                 n_iter_no_change=5, average=True, random_state=None, threshold=0.0):
        self.C = C
        self.loss = loss
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.dual = dual
        self.tol = tol
        self.max_iter = max_iter
        self.class_weight = class_weight
        self.solver = solver
        self.shuffle = shuffle
        self.eta0 = eta0
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y, sample_weight=None):
        """Fit to X of shape (n, p) and labels y of shape (n,), rows weighted by ``sample_weight``; returns ``self``."""
        C = check_number(self, "C", strict=True)
        loss = check_option(self, "loss", LOSSES)
        solver = check_option(self, "solver", SOLVERS)
        max_iter = check_number(self, "max_iter", low=1, integer=True)
        tol = check_number(self, "tol")
        if self.dual is not True:
            raise ValueError(f"LinearSVC: only dual=True is implemented (liblinear's dual coordinate descent), "
                             f"got dual={self.dual!r}")
        X, y_index = check_classifier_data(self, X, y)
        weights = class_sample_weights(self, y_index, sample_weight)
        targets = sign_targets(y_index, len(self.classes_), X.dtype)
        rng = check_random_state(self.random_state)
        if solver == "sgd":
            return self._fit_sgd(X, targets, weights, C, loss, rng)
        scaling = check_number(self, "intercept_scaling", strict=True) if self.fit_intercept else 0.0
        X_aug = np.hstack([X, np.full((len(X), 1), scaling)]) if self.fit_intercept else X
        results, coefs = [], []
        for column in targets.T:
            w, result = dual_coordinate_descent(X_aug.astype(np.float64), column, C * weights, loss, max_iter,
                                                tol, rng)
            coefs.append(w)
            results.append(result)
        coefs = np.array(coefs, dtype=np.float64)
        self.coef_ = coefs[:, :X.shape[1]].astype(X.dtype)
        intercept = coefs[:, -1] * scaling if self.fit_intercept else np.zeros(len(coefs))
        self.intercept_ = intercept.astype(X.dtype)
        self.n_iter_ = max(r.n_iter for r in results)
        worst = max(results, key=lambda r: (not r.converged, r.value))
        warn_if_not_converged(worst, self, max_iter)
        return self

    def _fit_sgd(self, X, targets, weights, C, loss, rng):
        if loss != "hinge":
            raise ValueError(f"LinearSVC: solver='sgd' supports loss='hinge' only, got loss={loss!r}")
        for name in ("n_iter_no_change", "batch_size"):
            check_number(self, name, low=1, integer=True)
        X_rows, targets, row_weights = repeat_integer_weights(X, targets, weights)
        spec, result = sgd_linear(self, X_rows, targets, targets.shape[1],
                                  lambda scores, t: F.hinge_loss(scores, t, reduction="none").sum(axis=1) * C,
                                  alpha=1.0 / weights.sum(), lr=check_number(self, "eta0", strict=True),
                                  average=self.average, rng=rng, weights=row_weights)
        warn_if_not_converged(result, self, self.max_iter)
        self._set_coef(spec, result.theta)
        self.n_iter_ = result.n_iter
        return self

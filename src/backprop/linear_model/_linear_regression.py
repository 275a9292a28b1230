"""Ordinary least squares three ways: normal equations, gradient descent, minibatch SGD (the course, §2.1)."""
import numpy as np

from ..base import RegressorMixin
from ..utils.random import check_random_state
from ._base import (
    LinearModel,
    LinearParams,
    center_data,
    check_fit_data,
    check_fit_weights,
    check_number,
    check_option,
    warn_if_ill_conditioned,
    weigh_rows,
)
from ._classifier import repeat_integer_weights
from ._solvers import gradient_descent, minibatch_sgd, relative_tol, warn_if_not_converged

SOLVERS = ("normal", "gd", "sgd")


class LinearRegression(RegressorMixin, LinearModel):
    r"""Ordinary least squares: the w, b that minimise ‖y − Xw − b‖² (Σᵢ sᵢ·(yᵢ − xᵢw − b)² with ``sample_weight``).

    This is the course's loss L = ‖y − f_w(X)‖² = Σᵢ (yᵢ − ⟨xᵢ, w⟩ − w₀)² with no penalty (λ = 0),
    and the objective of scikit-learn's ``LinearRegression``. The intercept b is found by centring:
    w solves the problem for Xc = X − x̄, yc = y − ȳ, and b = ȳ − x̄ᵀw.

    Solvers (``solver``):

    - ``'normal'``: the exact solution w = (XᵀX)⁻¹Xᵀy, computed stably by ``np.linalg.lstsq`` (an SVD
      of X, never the inverse: forming XᵀX squares the condition number, which the course's notes warn
      about). When XᵀX is near singular (collinear features, fewer rows than features) the minimum-norm
      solution is returned with an :class:`IllConditionedWarning` naming cond(XᵀX).
    - ``'gd'``: full-batch gradient descent on the mean squared error f(w) = (1/n)‖yc − Xc·w‖², the
      course's loop (``grad = 2Xᵀ(Xw − y)/n``, here taken by autodiff) for at most ``max_iter`` steps.
    - ``'sgd'``: minibatch SGD on the same f, ``batch_size`` rows per step, ``epochs`` passes over the
      rows in a new random order each, with the step decaying as lr/(1 + epoch)^0.75.

    Parameters
    ----------
    fit_intercept : bool, default True
        Fit b; otherwise b = 0 and the data is not centred.
    solver : {'normal', 'gd', 'sgd'}, default 'normal'
    lr : float or 'auto', default 'auto'
        Step size of 'gd' and 'sgd' (the first epoch's). 'auto' takes 1/L, with L the largest curvature
        of the objective any step sees: L = 2·s_max(Xc)²/n (the largest eigenvalue of the Hessian
        2XcᵀXc/n) for 'gd'; for 'sgd' a bound on every batch's Hessian 2X_BᵀX_B/B,
        L = 2·min(maxᵢ‖xᵢ‖², s_max(Xc)²/B) with B the smallest batch size.
    max_iter : int, default 1000
        Steps of 'gd'.
    epochs : int, default 200
        Passes over the data of 'sgd'.
    batch_size : int, default 32
        Rows per step of 'sgd' at most: each epoch splits the rows into ⌈n/batch_size⌉ batches of
        near-equal sizes.
    tol : float, default 1e-4
        'gd' and 'sgd' stop when every entry of ∇f is at most tol times its largest entry at w = 0.
    random_state : None, int or numpy.random.Generator, default None
        Order of the rows in 'sgd' (None: the generator ``bp.manual_seed`` seeds).

    Attributes
    ----------
    coef_ : ndarray, shape (p,) or (K, p) for a 2-D y with K columns
    intercept_ : float, or ndarray of shape (K,)
    n_features_in_ : int
    rank_ : int
        Rank of X (of Xc with an intercept); 'normal' only.
    singular_ : ndarray
        Singular values of X (of Xc); 'normal' only.
    n_iter_ : int
        Steps ('gd') or epochs ('sgd') run; 1 for 'normal' (one direct solve).

    Examples
    --------
    The problem book's y = w·x on x = (1, 2), y = (2, 3): w = Σxy/Σx² = 8/5.

    >>> import backprop as bp
    >>> X, y = [[1.0], [2.0]], [2.0, 3.0]
    >>> [round(float(bp.linear_model.LinearRegression(fit_intercept=False, solver=s).fit(X, y).coef_[0]), 6)
    ...  for s in ("normal", "gd", "sgd")]
    [1.6, 1.6, 1.6]
    """

    _multi_output = True

    def __init__(self, fit_intercept=True, solver="normal", lr="auto", max_iter=1000, epochs=200,
                 batch_size=32, tol=1e-4, random_state=None):
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.lr = lr
        self.max_iter = max_iter
        self.epochs = epochs
        self.batch_size = batch_size
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        """Fit the weights to X of shape (n, p) and y of shape (n,) or (n, K); returns ``self``.

        ``sample_weight`` sᵢ ≥ 0 weighs each row's squared error (the offsets are weighted means). With
        'sgd', integer weights repeat the rows (the fit on the repeated rows, same ``random_state``).
        """
        solver = check_option(self, "solver", SOLVERS)
        X, y = check_fit_data(self, X, y, multi_output=True)
        weights = check_fit_weights(self, sample_weight, len(X))
        Xc, yc, X_offset, y_offset = center_data(X, y, self.fit_intercept, weights)
        if solver == "sgd":
            Xc, yc, weights = repeat_integer_weights(Xc, yc, weights)
        if weights is not None:  # normalised to mean 1: the mean squared error keeps its scale for 'gd', 'sgd'
            Xc, yc = weigh_rows(Xc, yc, weights, len(weights) / weights.sum())
        for attr in ("rank_", "singular_"):
            self.__dict__.pop(attr, None)
        if solver == "normal":
            W, _, self.rank_, self.singular_ = np.linalg.lstsq(Xc, yc, rcond=None)
            self.n_iter_ = 1
            warn_if_ill_conditioned(self, self.singular_, X.shape[1], X.dtype)
        else:
            W = self._fit_descent(Xc, yc, solver)
        self.coef_ = W.T.copy()
        self._set_intercept(X_offset, y_offset)
        return self

    def _fit_descent(self, Xc, yc, solver):
        if self.lr != "auto":
            check_number(self, "lr", strict=True)
        check_number(self, "tol")
        spec = LinearParams(Xc.shape[1], yc.shape[1] if yc.ndim == 2 else None, fit_intercept=False)

        def objective(theta, rows=slice(None)):
            """Mean over the rows of the squared error (summed over the outputs)."""
            residual = yc[rows] - spec.decision(Xc[rows], theta)
            return (residual * residual).sum() / residual.shape[0]

        theta0 = np.zeros(spec.size, Xc.dtype)
        tol = relative_tol(objective, theta0, self.tol)
        if solver == "gd":
            check_number(self, "max_iter", integer=True)
            curvature = 2 * np.linalg.norm(Xc, 2) ** 2 / Xc.shape[0] if Xc.size else 0.0
            result = gradient_descent(objective, theta0, self._step(curvature), self.max_iter, tol)
            warn_if_not_converged(result, self, self.max_iter)
        else:
            check_number(self, "epochs", integer=True)
            batch_size = check_number(self, "batch_size", low=1, integer=True)
            smallest_batch = Xc.shape[0] // -(-Xc.shape[0] // batch_size)
            row_norm = np.max(np.einsum("ij,ij->i", Xc, Xc), initial=0.0)
            curvature = 2 * min(row_norm, np.linalg.norm(Xc, 2) ** 2 / smallest_batch)
            result = minibatch_sgd(objective, theta0, Xc.shape[0], batch_size, self.epochs,
                                   self._step(curvature), tol, check_random_state(self.random_state))
            warn_if_not_converged(result, self, self.epochs, budget="epochs")
        self.n_iter_ = result.n_iter
        W, _ = spec.unpack(result.theta)
        return W

    def _step(self, curvature):
        if self.lr != "auto":
            return float(self.lr)
        return 1.0 / curvature if curvature > 0 else 1.0

    def predict(self, X):
        """ŷ = X·coef_ᵀ + intercept_, shape (n,) or (n, K)."""
        return self._decision_function(X)

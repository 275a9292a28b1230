"""The lasso: least squares with an L1 penalty, whose solutions have exact zeros (the course, §2.1.7)."""
import numpy as np

from ..base import RegressorMixin
from ..ops import dispatch as D
from ._base import LinearModel, center_data, check_fit_data, check_fit_weights, check_number, weigh_rows
from ._solvers import proximal_gradient, relative_tol, warn_if_not_converged


def _lasso(X, y, alpha, max_iter, tol, theta0=None):
    """Minimise (1/2n)‖y − Xw‖² + α‖w‖₁ by :func:`proximal_gradient` (no intercept: centre first).

    The smooth part's gradient comes from autodiff; its Lipschitz constant is s_max(X)²/n, the
    largest eigenvalue of its Hessian XᵀX/n, so the step 1/L needs no backtracking. For α > 0 it
    stops when the duality gap is at most tol times the objective, which certifies that the objective
    is within a fraction tol of its minimum.
    """
    n = X.shape[0]

    def objective(w):
        residual = y - D.matmul(X, w)
        return 0.5 * (residual * residual).mean()

    theta0 = np.zeros(X.shape[1], X.dtype) if theta0 is None else theta0
    lipschitz = np.linalg.norm(X, 2) ** 2 / n
    if alpha == 0:  # no dual bound without a penalty: stop on the gradient instead
        return proximal_gradient(objective, theta0, 0.0, max_iter, relative_tol(objective, 0 * theta0, tol),
                                 lipschitz)
    return proximal_gradient(objective, theta0, alpha, max_iter, tol, lipschitz,
                             gap=lambda w: duality_gap(X, y, w, alpha, relative=True))


def duality_gap(X, y, w, alpha, relative=False):
    """P(w) − D(ν) ≥ P(w) − min P for the lasso P(w) = (1/2n)‖y − Xw‖² + α‖w‖₁; over P(w) if ``relative``.

    The dual is D(ν) = (1/2n)(‖y‖² − ‖y − nν‖²) over ‖Xᵀν‖∞ ≤ α; the residual scaled into that set,
    ν = r/(n·max(1, ‖Xᵀr‖∞/(nα))) with r = y − Xw, gives a bound that is 0 at the minimum.
    """
    n = X.shape[0]
    r = y - X @ w
    scale = max(1.0, np.abs(X.T @ r).max(initial=0.0) / (n * alpha))
    primal = (r @ r) / (2 * n) + alpha * np.abs(w).sum()
    dual_residual = y - r / scale
    dual = ((y @ y) - dual_residual @ dual_residual) / (2 * n)
    gap = float(primal - dual)
    return gap / primal if relative and primal > 0 else gap


class Lasso(RegressorMixin, LinearModel):
    r"""The lasso: the w, b that minimise (1/2n)‖y − Xw − b‖² + α‖w‖₁ (with weights: (1/2Σsᵢ)·Σᵢ sᵢ·rᵢ²).

    scikit-learn's ``Lasso`` objective. The course writes the L1-regularised loss as
    ‖Xw − y‖² + λ‖w‖₁ without 1/(2n): the two have the same minimiser for λ = 2nα. The intercept
    is not penalised (it is found by centring, as in :class:`Ridge`).

    The L1 penalty is not differentiable at 0, so gradient descent alone would only hover near zero.
    The solver is proximal gradient descent (FISTA): a gradient step on the squared error (gradient by
    autodiff), then the soft-threshold S(w, α/L) = sign(w)·max(|w| − α/L, 0), which sets every weight
    whose step ends within α/L of zero to exactly 0. That is the notes' L1 sparsity: features with little
    effect get weight exactly 0, and more of them the larger α. Above α_max = max|Xcᵀyc|/n every
    weight is 0.

    Parameters
    ----------
    alpha : float, default 1.0
        The L1 strength α ≥ 0 (the course's λ = 2nα). α = 0 is ordinary least squares, which
        :class:`LinearRegression` solves faster.
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Iterations of the proximal gradient method.
    tol : float, default 1e-4
        Stop when the duality gap, a bound on how far the objective is above its minimum, is at most
        tol times the objective: the objective is then within a fraction tol of the minimum. (At least
        twice as strict as scikit-learn's gap ≤ tol·‖yc‖²/n.) With α = 0: when every entry of the
        gradient is at most tol times its largest entry at w = 0.

    Attributes
    ----------
    coef_ : ndarray, shape (p,)
        With exact zeros.
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(50, 4)); y = 3 * X[:, 0] + 0.1 * rng.normal(size=50)
    >>> coef = bp.linear_model.Lasso(alpha=0.5).fit(X, y).coef_
    >>> bool(coef[0] > 2), bool(np.all(coef[1:] == 0))
    (True, True)
    """

    def __init__(self, alpha=1.0, fit_intercept=True, max_iter=1000, tol=1e-4):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None):
        """Fit the weights to X of shape (n, p) and y of shape (n,); returns ``self``.

        ``sample_weight`` sᵢ ≥ 0 weighs each squared residual, normalised as scikit-learn's (Σsᵢ = n), and
        the offsets are weighted means.
        """
        alpha = check_number(self, "alpha")
        check_number(self, "max_iter", integer=True)
        check_number(self, "tol")
        X, y = check_fit_data(self, X, y)
        weights = check_fit_weights(self, sample_weight, len(X))
        Xc, yc, X_offset, y_offset = center_data(X, y, self.fit_intercept, weights)
        Xc, yc = weigh_rows(Xc, yc, weights, len(weights) / weights.sum())
        result = _lasso(Xc, yc, alpha, self.max_iter, self.tol)
        warn_if_not_converged(result, self, self.max_iter)
        self.coef_, self.n_iter_ = result.theta, result.n_iter
        self._set_intercept(X_offset, y_offset)
        return self

    def predict(self, X):
        """ŷ = X·coef_ + intercept_, shape (n,)."""
        return self._decision_function(X)


def lasso_path(X, y, *, alphas=None, n_alphas=100, eps=1e-3, max_iter=1000, tol=1e-4):
    """Lasso coefficients for a decreasing sequence of α, each fit starting from the previous one.

    Shows the L1 sparsity of the course: at α_max = max|Xᵀy|/n every coefficient is exactly 0, and
    coefficients leave zero one by one as α decreases. The objective is :class:`Lasso`'s without an
    intercept (as scikit-learn's ``lasso_path``): centre X and y first.

    Parameters
    ----------
    X : array-like, shape (n, p)
    y : array-like, shape (n,)
    alphas : array-like, optional
        The α values (fitted in decreasing order). Default: ``n_alphas`` values log-spaced from α_max
        down to eps·α_max.
    n_alphas : int, default 100
    eps : float, default 1e-3
    max_iter, tol
        As in :class:`Lasso`.

    Returns
    -------
    alphas : ndarray, shape (n_alphas,)
        Decreasing.
    coefs : ndarray, shape (p, n_alphas)
        scikit-learn's layout.
    dual_gaps : ndarray, shape (n_alphas,)
        The duality gap at each solution, on scikit-learn's scale: that of ½‖y − Xw‖² + nα‖w‖₁, n times
        the objective above (0 at the minimum; for α = 0, where there is no dual bound, the gradient's
        max|Xᵀ(y − Xw)| instead).
    """
    X, y = check_fit_data("lasso_path", X, y)
    if alphas is None:
        alpha_max = np.abs(X.T @ y).max() / X.shape[0]
        alphas = alpha_max * np.logspace(0, np.log10(eps), n_alphas) if alpha_max > 0 else np.zeros(n_alphas)
    alphas = np.sort(np.asarray(alphas, dtype=np.float64).ravel())[::-1]
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"lasso_path needs finite alphas ≥ 0, got {alphas}")
    coefs, gaps, w = [], [], None
    for alpha in alphas:
        w = _lasso(X, y, alpha, max_iter, tol, theta0=w).theta
        coefs.append(w)
        gaps.append(len(X) * duality_gap(X, y, w, alpha) if alpha > 0 else np.abs(X.T @ (y - X @ w)).max())
    return alphas, np.asarray(coefs).T, np.asarray(gaps)

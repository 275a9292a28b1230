"""Ridge regression: least squares with an L2 penalty, solved in closed form (the course, §2.1.6)."""
import numpy as np

from ..base import RegressorMixin
from ._base import (
    LinearModel,
    center_data,
    check_fit_data,
    check_fit_weights,
    check_number,
    warn_if_ill_conditioned,
    weigh_rows,
)


def _ridge_svd(X, y, alphas):
    """w(α) = (XᵀX + αI)⁻¹Xᵀy for each α, from one SVD X = U·diag(s)·Vᵀ: w(α) = V·diag(s/(s² + α))·Uᵀy.

    The SVD never forms XᵀX, whose condition number is the square of X's. At α = 0 singular values
    below NumPy's ``lstsq`` cut-off (eps·max(n, p)·s_max) count as zero, which gives the minimum-norm
    least-squares solution when X has dependent columns.

    Returns
    -------
    coefs : ndarray, shape (len(alphas), p) or (len(alphas), p, K)
    s : ndarray
        The singular values of X.
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    Uty = U.T @ y
    cutoff = np.finfo(X.dtype).eps * max(X.shape) * (s[0] if s.size else 0.0)
    coefs = []
    for alpha in alphas:
        with np.errstate(divide="ignore", invalid="ignore"):
            shrink = np.where(s > cutoff, s / (s * s + alpha), 0.0) if alpha == 0 else s / (s * s + alpha)
        coefs.append(Vt.T @ (shrink.reshape(-1, *[1] * (y.ndim - 1)) * Uty))
    return np.asarray(coefs, dtype=X.dtype), s


class Ridge(RegressorMixin, LinearModel):
    r"""Ridge regression: the w, b that minimise ‖y − Xw − b‖² + α‖w‖² (Σᵢ sᵢ·(yᵢ − xᵢw − b)² with weights).

    This is the course's L2-regularised loss ‖Xw − y‖² + λ‖w‖² with λ = α and the intercept left out
    of the penalty (as the notes say it should be; their printed (XᵀX + λI)⁻¹Xᵀy with a column of
    ones in X would penalise it), and the objective of scikit-learn's ``Ridge``. The solution is the
    closed form on centred data Xc = X − x̄, yc = y − ȳ:

        w = (XcᵀXc + αI)⁻¹Xcᵀyc,    b = ȳ − x̄ᵀw,

    computed from an SVD of Xc (see :func:`ridge_path`), for any α ≥ 0. At α = 0 it is ordinary least
    squares (the minimum-norm solution when XᵀX is singular, with an :class:`IllConditionedWarning`).
    The larger α, the smaller ‖w‖.

    Parameters
    ----------
    alpha : float or array of shape (n_targets,), default 1.0
        The penalty α = the course's λ, ≥ 0; an array gives each column of a 2-D y its own.
    fit_intercept : bool, default True
        Fit an unpenalised b. With False the data is not centred and every weight is penalised: the
        problem book's ridge exercise, which penalises the constant itself, is ``Ridge(fit_intercept=False)``
        on a column of ones.

    Attributes
    ----------
    coef_ : ndarray, shape (p,) or (K, p) for a 2-D y with K columns
    intercept_ : float, or ndarray of shape (K,)
    n_features_in_ : int

    Examples
    --------
    Masha's three Pokémon weigh 6, 6 and 10; the constant model ŷ = β with the penalty λβ² gives
    β̂ = Σy/(n + λ) = 22/(3 + λ):

    >>> import backprop as bp
    >>> bp.linear_model.Ridge(alpha=1.0, fit_intercept=False).fit([[1.0]] * 3, [6.0, 6.0, 10.0]).coef_
    array([5.5])
    """

    _multi_output = True

    def __init__(self, alpha=1.0, fit_intercept=True):
        self.alpha = alpha
        self.fit_intercept = fit_intercept

    def fit(self, X, y, sample_weight=None):
        """Fit the weights to X of shape (n, p) and y of shape (n,) or (n, K); returns ``self``.

        ``sample_weight`` sᵢ ≥ 0 weighs each row's squared error (the offsets are weighted means).
        """
        X, y = check_fit_data(self, X, y, multi_output=True)
        alphas = self._check_alpha(y)
        weights = check_fit_weights(self, sample_weight, len(X))
        Xc, yc, X_offset, y_offset = center_data(X, y, self.fit_intercept, weights)
        Xc, yc = weigh_rows(Xc, yc, weights)
        if alphas is None:
            (W,), s = _ridge_svd(Xc, yc, [self.alpha])
        else:  # one penalty per target: one column of y at a time, from the same SVD
            s = np.linalg.svd(Xc, compute_uv=False)
            W = np.column_stack([_ridge_svd(Xc, yc[:, k], [a])[0][0] for k, a in enumerate(alphas)])
            W = W.reshape(X.shape[1], -1) if y.ndim == 2 else W.ravel()
        warn_if_ill_conditioned(self, s, X.shape[1], X.dtype, float(np.min(self.alpha)))
        self.coef_ = W.T.copy()
        self._set_intercept(X_offset, y_offset)
        return self

    def _check_alpha(self, y):
        """None for a scalar alpha (checked), else the per-target penalties, one per column of y."""
        if np.ndim(self.alpha) == 0:
            check_number(self, "alpha")
            return None
        alphas = np.asarray(self.alpha, dtype=np.float64)
        n_targets = y.shape[1] if y.ndim == 2 else 1
        if alphas.shape != (n_targets,) or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
            raise ValueError(f"Ridge: alpha must be a number ≥ 0 or finite values ≥ 0 of shape (n_targets,) = "
                             f"({n_targets},), got {self.alpha!r}")
        return alphas

    def predict(self, X):
        """ŷ = X·coef_ᵀ + intercept_, shape (n,) or (n, K)."""
        return self._decision_function(X)


def ridge_path(X, y, alphas):
    """Ridge coefficients w(α) = (XᵀX + αI)⁻¹Xᵀy for several α, from one SVD of X.

    Shows the course's "the larger λ, the smaller β": every coefficient shrinks towards zero as α
    grows, but (unlike the lasso's, :func:`lasso_path`) none becomes exactly zero. No intercept is
    fitted: centre X and y first to leave it out of the penalty.

    Parameters
    ----------
    X : array-like, shape (n, p)
    y : array-like, shape (n,) or (n, K)
    alphas : array-like of float ≥ 0
        The penalties α (the course's λ).

    Returns
    -------
    alphas : ndarray, shape (n_alphas,)
    coefs : ndarray, shape (p, n_alphas) or (K, p, n_alphas)
        Coefficients along the path, laid out like scikit-learn's ``lasso_path``.
    """
    alphas = np.asarray(alphas, dtype=np.float64).ravel()
    if alphas.size == 0 or not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"ridge_path needs finite alphas ≥ 0, got {alphas}")
    X, y = check_fit_data("ridge_path", X, y, multi_output=True)
    coefs, _ = _ridge_svd(X, y, alphas)
    return alphas, coefs.T

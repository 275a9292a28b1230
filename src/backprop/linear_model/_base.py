"""What every linear model shares: input checks, centring, the parameter vector θ and the linear predictor.

A linear model predicts with η = X·W + b. The regressors here and the classifiers in ``_logistic.py``
are fitted the same way: the objective is written once with backprop ops as a function of one flat
parameter vector θ = (W.ravel(), b) (:class:`LinearParams` packs and unpacks it), and a solver from
:mod:`._solvers` minimises it, taking gradients (and Hessians) from the library's autodiff.

Where the loss is squared error and the intercept is not penalised, the intercept drops out exactly:
with centred data Xc = X − x̄ and yc = y − ȳ, the minimiser of ‖y − Xw − b‖² + penalty(w) is the
minimiser w of ‖yc − Xc·w‖² + penalty(w), and b = ȳ − x̄ᵀw (:func:`center_data`,
:meth:`LinearModel._set_intercept`).
"""
import warnings

import numpy as np

from ..base import BaseEstimator
from ..ops import dispatch as D
from ..utils.validation import (  # noqa: F401  (check_number, check_option: the estimators import them here)
    FLOAT_DTYPES, check_is_fitted, check_number, check_option, check_sample_weight, check_X_y, validate_data)



#: The normal equations are "near singular" when solving them in the data's precision would keep fewer
#: than 4 significant digits: eps·cond(XᵀX) > 10⁻⁴ (cond > 4.5·10¹¹ in float64, > 840 in float32).
SIGNIFICANT_DIGITS = 4


class IllConditionedWarning(UserWarning):
    """XᵀX (or XᵀX + αI) is near singular: the least-squares weights are unreliable."""


def warn_if_ill_conditioned(estimator, singular_values, n_features, dtype, alpha=0.0):
    """Warn (:class:`IllConditionedWarning`) when XᵀX + αI is near singular, naming its condition number.

    The eigenvalues of XᵀX + αI are sᵢ² + α for the singular values sᵢ of X (and α for the
    p − rank(X) missing ones), so cond = (s_max² + α)/(s_min² + α). The course's notes warn that the
    error of the weights grows with the square of cond(X), i.e. with cond(XᵀX).
    """
    s = np.asarray(singular_values, dtype=np.float64)
    if s.size == 0 or s[0] == 0:
        return
    smallest = s[-1] ** 2 if s.size == n_features else 0.0
    with np.errstate(divide="ignore"):
        cond = (s[0] ** 2 + alpha) / (smallest + alpha)
    if cond * np.finfo(dtype).eps <= 10.0 ** -SIGNIFICANT_DIGITS:
        return
    matrix = "XᵀX" if alpha == 0 else f"XᵀX + αI (α = {alpha:g})"
    digits = -np.log10(np.finfo(dtype).eps)
    if cond * np.finfo(dtype).eps >= 1:
        problem = f"is singular to working precision (condition number {cond:.3g}, {np.dtype(dtype).name})"
    else:
        problem = (f"is near singular, with condition number {cond:.3g}: solving the normal equations in "
                   f"{np.dtype(dtype).name} would lose about {np.log10(cond):.0f} of its {digits:.0f} "
                   "significant digits")
    returned = " (the minimum-norm solution is returned)" if alpha == 0 else ""
    warnings.warn(f"{type(estimator).__name__}: {matrix} {problem}, so the weights are unreliable{returned}. "
                  "Remove or combine collinear features, or add an L2 penalty (Ridge).",
                  IllConditionedWarning, stacklevel=3)


def check_fit_data(estimator, X, y, multi_output=False):
    """Validate X and y for ``fit`` of ``estimator`` (or a function's name); y takes X's float dtype.

    An estimator gets ``n_features_in_`` recorded.
    NaN or infinite values raise ``ValueError`` naming the row and column, X and y of different
    lengths raise naming both. A 2-D y (several outputs) is kept only with ``multi_output``; a column
    vector is raveled (with a ``DataConversionWarning`` unless ``multi_output``).
    """
    if isinstance(estimator, str):  # a function such as ridge_path: nothing to record
        X, y = check_X_y(X, y, dtype=FLOAT_DTYPES, multi_output=multi_output, y_numeric=True,
                         estimator=estimator)
    else:
        X, y = validate_data(estimator, X, y, dtype=FLOAT_DTYPES, multi_output=multi_output, y_numeric=True)
    y = np.asarray(y, dtype=X.dtype)
    if y.ndim == 2 and y.shape[1] == 1 and not multi_output:
        y = y.ravel()
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D (one column per output), got shape {y.shape}")
    return X, y


def check_fit_weights(estimator, sample_weight, n_samples):
    """``sample_weight`` for ``fit`` as float64 of shape (n,) (None: ones); raises for negative or all-zero weights."""
    weights = check_sample_weight(sample_weight, n_samples)
    if np.any(weights < 0):
        first = int(np.flatnonzero(weights < 0)[0])
        raise ValueError(f"{type(estimator).__name__}: sample_weight must be ≥ 0, got {float(weights[first])!r} "
                         f"at index {first}")
    if not weights.sum() > 0:
        raise ValueError(f"{type(estimator).__name__}: sample weights must contain at least one non-zero number "
                         "(all weights are zero)")
    return weights


def center_data(X, y, fit_intercept, weights=None):
    """Xc = X − x̄, yc = y − ȳ and the offsets x̄, ȳ (means weighted by ``weights``, if given); zero offsets
    (and X, y untouched) without intercept.

    Returns
    -------
    Xc : ndarray, shape (n, p)
    yc : ndarray, shape (n,) or (n, K)
    X_offset : ndarray, shape (p,)
    y_offset : float or ndarray of shape (K,)
    """
    if not fit_intercept:
        zero = np.zeros(y.shape[1:], X.dtype)
        return X, y, np.zeros(X.shape[1], X.dtype), zero if zero.ndim else 0.0
    X_offset = np.average(X, axis=0, weights=weights).astype(X.dtype)
    y_offset = np.average(y, axis=0, weights=weights).astype(X.dtype)
    return X - X_offset, y - y_offset, X_offset, y_offset


def weigh_rows(Xc, yc, weights, scale=1.0):
    """Rows times √(scale·wᵢ): least squares on them is Σ scale·wᵢ·(yᵢ − xᵢw)², the weighted problem."""
    root = np.sqrt(scale * weights).astype(Xc.dtype)
    return Xc * root[:, None], yc * (root[:, None] if yc.ndim == 2 else root)


class LinearParams:
    """The flat parameter vector θ = (W.ravel(), b) that the solvers optimise.

    W has shape (p,) for one output or (p, K) for K outputs (classes), b has shape () or (K,) and is
    left out of θ when ``fit_intercept`` is False. The same slicing works on Tensors (inside an objective,
    so gradients flow to θ) and on arrays (to read the solution).

    Parameters
    ----------
    n_features : int
        p.
    n_outputs : int or None
        K, or None for a single output (W of shape (p,)).
    fit_intercept : bool
        Whether θ ends with the intercept(s) b.

    Examples
    --------
    >>> spec = LinearParams(3, None, True)
    >>> spec.size, spec.penalty_mask()
    (4, array([1., 1., 1., 0.]))
    """

    def __init__(self, n_features, n_outputs, fit_intercept):
        self.n_features, self.n_outputs, self.fit_intercept = n_features, n_outputs, fit_intercept
        self.n_weights = n_features * (n_outputs or 1)
        self.size = self.n_weights + (n_outputs or 1) * fit_intercept
        self.w_shape = (n_features,) if n_outputs is None else (n_features, n_outputs)

    def unpack(self, theta):
        """(W, b) from θ; b is 0.0 without an intercept."""
        W = D.reshape(theta[:self.n_weights], self.w_shape)
        if not self.fit_intercept:
            return W, 0.0
        b = theta[self.n_weights] if self.n_outputs is None else theta[self.n_weights:]
        return W, b

    def pack(self, W, b=0.0):
        """θ from W (shape ``w_shape``) and b (a scalar is repeated for every output); dtype of W."""
        W = np.asarray(W)
        if not self.fit_intercept:
            return W.ravel().copy()
        return np.concatenate([W.ravel(), np.broadcast_to(b, (self.n_outputs or 1,))]).astype(W.dtype)

    def decision(self, X, theta):
        """The linear predictor η = X·W + b, shape (n,) or (n, K): a Tensor for a Tensor θ."""
        W, b = self.unpack(theta)
        return D.matmul(X, W) + b

    def penalty_mask(self, dtype=np.float64):
        """1 for the weights and 0 for the intercepts: the penalties leave the intercept alone."""
        mask = np.zeros(self.size, dtype)
        mask[:self.n_weights] = 1
        return mask

    def coef_intercept(self, theta):
        """scikit-learn's ``coef_`` (shape (p,) or (K, p)) and ``intercept_`` (float or (K,)) from θ."""
        W, b = self.unpack(np.asarray(theta))
        intercept = np.asarray(b, dtype=theta.dtype)
        return W.T.copy(), float(intercept) if intercept.ndim == 0 else intercept


def l2_penalty(theta, mask):
    """½‖θ ∘ mask‖² written with bp ops: the intercepts (mask 0) are not penalised."""
    masked = theta * mask
    return 0.5 * (masked * masked).sum()


class LinearModel(BaseEstimator):
    """Base of the linear models: the linear predictor X·coef_ᵀ + intercept_ and the intercept from offsets.

    Subclasses set ``coef_`` (shape (p,), or (K, p) for K outputs) and ``intercept_`` (a float, or
    shape (K,)) in ``fit``, and ``_multi_output = True`` if they accept a 2-D y.
    """

    _multi_output = False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = self._multi_output
        return tags

    def _decision_function(self, X):
        """η = X·coef_ᵀ + intercept_ for fitted coefficients; checks fitting and the number of features."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)
        return X @ self.coef_.T + self.intercept_

    def _set_intercept(self, X_offset, y_offset):
        """intercept_ = ȳ − x̄ᵀ·coef_ᵀ (zero when the data was not centred); a float for one output."""
        intercept = y_offset - X_offset @ self.coef_.T
        self.intercept_ = float(intercept) if np.ndim(intercept) == 0 else np.asarray(intercept)

"""Standardisation: zero mean and unit variance per feature, learnt on the training data only."""
import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import check_is_fitted, validate_data


class StandardScaler(TransformerMixin, BaseEstimator):
    """Standardise features: z = (x − μ) / σ, with μ and σ of each column learnt by ``fit``.

    scikit-learn's ``StandardScaler``: σ is the population standard deviation (ddof = 0), and a
    constant column (σ = 0) is left unscaled (σ is taken as 1). Fit it on the training split only and
    apply the same μ and σ to the validation and test data, so that nothing of them leaks into training.

    Parameters
    ----------
    with_mean : bool, default True
        Subtract μ.
    with_std : bool, default True
        Divide by σ.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        μ (None when ``with_mean=False``).
    var_ : ndarray of shape (n_features,) or None
        σ² (None when ``with_std=False``).
    scale_ : ndarray of shape (n_features,) or None
        σ, with 1 for constant columns (None when ``with_std=False``).
    n_samples_seen_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from backprop.preprocessing import StandardScaler
    >>> StandardScaler().fit_transform(np.array([[0.0, 1.0], [2.0, 1.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    """

    def __init__(self, *, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None):
        """Learn μ and σ of each column of X (n_samples, n_features); returns ``self``."""
        X = validate_data(self, X, dtype=(np.float64, np.float32))
        self.n_samples_seen_ = X.shape[0]
        self.mean_ = X.mean(axis=0) if self.with_mean else None
        if self.with_std:
            self.var_ = X.var(axis=0)
            scale = np.sqrt(self.var_)
            # A column that is (numerically) constant has no spread to divide by.
            constant = scale <= 10 * np.finfo(X.dtype).eps * np.maximum(np.abs(X.mean(axis=0)), 1.0)
            self.scale_ = np.where(constant, 1.0, scale).astype(X.dtype)
        else:
            self.var_ = self.scale_ = None
        return self

    def transform(self, X):
        """z = (x − μ) / σ with the μ and σ learnt by ``fit``."""
        check_is_fitted(self, "n_samples_seen_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        if self.with_mean:
            X = X - self.mean_
        if self.with_std:
            X = X / self.scale_
        return np.array(X, copy=True) if not (self.with_mean or self.with_std) else X

    def inverse_transform(self, X):
        """x = z·σ + μ: back to the original units."""
        check_is_fitted(self, "n_samples_seen_")
        X = np.array(X, dtype=np.float64 if self.mean_ is None else self.mean_.dtype, copy=True)
        if self.with_std:
            X *= self.scale_
        if self.with_mean:
            X += self.mean_
        return X

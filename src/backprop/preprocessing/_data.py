"""Feature scaling learnt on the training data only: ``StandardScaler`` and ``MinMaxScaler``.

Both follow scikit-learn: NaN is ignored when fitting and passed through by ``transform`` (impute it
afterwards, e.g. with ``SimpleImputer``), and statistics are accumulated in float64.
"""
import warnings

import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import check_array, check_is_fitted, check_sample_weight, validate_data

_FLOATS = (np.float64, np.float32)


def _allow_nan_tags(tags):
    tags.input_tags.allow_nan = True
    tags.transformer_tags.preserves_dtype = ["float64", "float32"]
    return tags


class _OneToOneFeatureNames:
    """``get_feature_names_out`` of a transformer whose output columns are its input columns."""

    def get_feature_names_out(self, input_features=None):
        """The input features' names (``feature_names_in_``, or x0, x1, ... by default)."""
        check_is_fitted(self, "n_features_in_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        elif len(input_features) != self.n_features_in_:
            raise ValueError(f"input_features should have length equal to number of features "
                             f"({self.n_features_in_}), got {len(input_features)}")
        return np.asarray(input_features, dtype=object)


def _collapse(counts):
    """A per-feature count that is the same for every feature, as one number (scikit-learn's convention)."""
    return counts[0] if counts.min() == counts.max() else counts


class StandardScaler(_OneToOneFeatureNames, TransformerMixin, BaseEstimator):
    """Standardise features: z = (x − μ) / σ, with μ and σ of each column learnt by ``fit``.

    scikit-learn's ``StandardScaler``: σ is the population standard deviation (ddof = 0), and a
    constant column (σ = 0 up to rounding: scikit-learn's bound, so 1e8 plus rounding noise counts as
    constant) is left unscaled (σ is taken as 1); a column whose μ or σ² overflows float64 (values near
    ±1e308) raises ValueError, where scikit-learn leaves it unscaled. Fit it on the training
    split only and apply the same μ and σ to the validation and test data, so that nothing of them leaks
    into training. NaN cells are left out of μ and σ and stay NaN after ``transform``. ``partial_fit``
    pools batches (for data that does not fit in memory) to the same μ and σ as one ``fit``.

    Parameters
    ----------
    copy : bool, default True
        False scales a float array in place where it can.
    with_mean : bool, default True
        Subtract μ.
    with_std : bool, default True
        Divide by σ.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,) or None
        μ (None when both ``with_mean`` and ``with_std`` are False).
    var_ : ndarray of shape (n_features,) or None
        σ² (None when ``with_std=False``).
    scale_ : ndarray of shape (n_features,) or None
        σ, with 1 for constant columns (None when ``with_std=False``).
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        The number (total weight) of non-NaN values; per feature when the features differ.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from backprop.preprocessing import StandardScaler
    >>> StandardScaler().fit_transform(np.array([[0.0, 1.0], [2.0, 1.0]]))
    array([[-1.,  0.],
           [ 1.,  0.]])
    """

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X, y=None, sample_weight=None):
        """Learn μ and σ of each column of X (n_samples, n_features), ignoring NaN; returns ``self``.

        ``sample_weight`` (n_samples,) weights the rows: μ = Σwx / Σw, σ² = Σw(x − μ)² / Σw.
        """
        for name in ("n_samples_seen_", "mean_", "var_", "scale_"):
            self.__dict__.pop(name, None)
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
        """Update μ and σ with another batch of rows (Chan, Golub and LeVeque's pooled variance); returns ``self``."""
        first = not hasattr(self, "n_samples_seen_")
        X = validate_data(self, X, reset=first, dtype=_FLOATS, ensure_all_finite="allow-nan")
        missing = np.isnan(X)
        weights = None if sample_weight is None else check_sample_weight(sample_weight, X.shape[0])
        if weights is not None and not weights.any():
            raise ValueError("Sample weights must contain at least one non-zero number.")
        seen = 0 if first else self.n_samples_seen_
        if not (self.with_mean or self.with_std):  # only counted, and (as scikit-learn) not weighted
            counts = seen + (~missing).sum(axis=0)
            self.n_samples_seen_ = _collapse(counts if weights is None else counts.astype(X.dtype))
            self.mean_ = self.var_ = self.scale_ = None
            return self
        w = np.ones(X.shape[0]) if weights is None else weights
        count = w @ ~missing
        filled = np.where(missing, 0.0, X).astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # overflow: refused below
            mean = (w @ filled) / count
            centred = np.where(missing, 0.0, filled - mean)
            sum_squares = w @ centred ** 2 - (w @ centred) ** 2 / count
            total = seen + count
            if first:
                new_mean, var = mean, sum_squares / count
            else:
                delta = self.mean_ - mean
                var = (self.var_ * seen + sum_squares + seen * count / total * delta ** 2) / total \
                    if self.with_std else None
                new_mean = np.where(count > 0, self.mean_ + delta * (-count / total), self.mean_)
                if var is not None:
                    var = np.where(count > 0, var, self.var_)
            # scikit-learn returns NaN, or leaves a column of ±1e308 unscaled as if it were constant
            overflowed = np.flatnonzero((count > 0) & ~np.isfinite(new_mean + var if self.with_std else new_mean))
        if overflowed.size:
            largest = np.nanmax(np.abs(X[:, overflowed]), axis=0)
            raise ValueError(f"StandardScaler: the mean or variance of column(s) {overflowed.tolist()} overflows "
                             f"float64 (largest magnitudes {largest.tolist()}); rescale those columns first")
        self.mean_ = new_mean
        self.n_samples_seen_ = _collapse(np.broadcast_to(total, count.shape).copy())
        self.var_, self.scale_ = (var, self._scale(var)) if self.with_std else (None, None)
        return self

    def _scale(self, var):
        """σ, with 1 where the column is indistinguishable from a constant (within the two-pass rounding bound)."""
        eps = np.finfo(np.float64).eps
        n = self.n_samples_seen_
        with np.errstate(invalid="ignore"):
            constant = var <= n * eps * var + (n * self.mean_ * eps) ** 2
            scale = np.sqrt(var)
            return np.where(constant | (scale < 10 * eps), 1.0, scale)

    def transform(self, X):
        """z = (x − μ) / σ with the μ and σ learnt by ``fit`` (NaN stays NaN)."""
        check_is_fitted(self, "n_samples_seen_")
        X = validate_data(self, X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=self.copy)
        if self.with_mean:
            X -= self.mean_.astype(X.dtype)
        if self.with_std:
            X /= self.scale_.astype(X.dtype)
        return X

    def inverse_transform(self, X):
        """x = z·σ + μ: back to the original units."""
        check_is_fitted(self, "n_samples_seen_")
        X = check_array(X, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=self.copy)
        if self.with_std:
            X *= self.scale_.astype(X.dtype)
        if self.with_mean:
            X += self.mean_.astype(X.dtype)
        return X

    def __sklearn_tags__(self):
        return _allow_nan_tags(super().__sklearn_tags__())


class MinMaxScaler(_OneToOneFeatureNames, TransformerMixin, BaseEstimator):
    """Scale each feature linearly so that its training minimum and maximum map to ``feature_range``.

    x' = (x − min) / (max − min) · (b − a) + a for ``feature_range=(a, b)``; a constant column maps to a.
    Values outside the training range land outside (a, b) unless ``clip=True``. NaN is ignored by
    ``fit`` and passed through by ``transform``, as in scikit-learn.

    Parameters
    ----------
    feature_range : tuple (a, b), default=(0, 1)
    copy : bool, default=True
        False scales a float array in place where it can.
    clip : bool, default=False
        Clip transformed values to ``feature_range``.

    Attributes
    ----------
    data_min_, data_max_, data_range_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)
        (b − a) / (max − min), with a zero range taken as 1.
    min_ : ndarray of shape (n_features,)
        a − min · scale_, so that x' = x · scale_ + min_.
    n_samples_seen_ : int
    n_features_in_ : int

    Examples
    --------
    >>> MinMaxScaler().fit_transform(np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 5.0]]))
    array([[0. , 0. ],
           [1. , 0. ],
           [0.5, 0. ]])
    """

    def __init__(self, feature_range=(0, 1), *, copy=True, clip=False):
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X, y=None):
        """Learn each column's minimum and maximum (ignoring NaN); returns ``self``."""
        low, high = self.feature_range
        if low >= high:
            raise ValueError(f"Minimum of desired feature range must be smaller than maximum. Got "
                             f"{tuple(self.feature_range)}.")
        X = validate_data(self, X, dtype=_FLOATS, ensure_all_finite="allow-nan")
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "All-NaN slice", RuntimeWarning)  # an all-NaN column stays NaN
            self.data_min_, self.data_max_ = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        self.data_range_ = self.data_max_ - self.data_min_
        # a (numerically) zero range has nothing to stretch: leave the column unscaled
        range_ = np.where(self.data_range_ < 10 * np.finfo(self.data_range_.dtype).eps, 1.0, self.data_range_)
        self.scale_ = ((high - low) / range_).astype(X.dtype)
        self.min_ = (low - self.data_min_ * self.scale_).astype(X.dtype)
        self.n_samples_seen_ = X.shape[0]
        return self

    def transform(self, X):
        """x · scale_ + min_, clipped to ``feature_range`` with ``clip=True``."""
        check_is_fitted(self, "scale_")
        X = validate_data(self, X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=self.copy)
        X *= self.scale_.astype(X.dtype)
        X += self.min_.astype(X.dtype)
        if self.clip:
            np.clip(X, self.feature_range[0], self.feature_range[1], out=X)
        return X

    def inverse_transform(self, X):
        """(x' − min_) / scale_: back to the original units."""
        check_is_fitted(self, "scale_")
        X = check_array(X, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=self.copy)
        X -= self.min_.astype(X.dtype)
        X /= self.scale_.astype(X.dtype)
        return X

    def __sklearn_tags__(self):
        return _allow_nan_tags(super().__sklearn_tags__())

"""Filling in missing values: ``SimpleImputer`` (scikit-learn's, from ``sklearn.impute``)."""
import numbers
import warnings

import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import check_is_fitted, validate_data

_STRATEGIES = ("mean", "median", "most_frequent", "constant")


def _is_nan(value):
    return isinstance(value, numbers.Real) and value != value


def _missing_mask(X, missing_values):
    if _is_nan(missing_values):
        return np.isnan(X) if X.dtype.kind == "f" else (X != X) if X.dtype == object else np.zeros(X.shape, bool)
    return X == missing_values


def _most_frequent(values):
    """The most frequent value, the smallest among ties (scikit-learn's choice)."""
    distinct, counts = np.unique(values, return_counts=True) if values.dtype != object else \
        np.unique(np.array(values.tolist(), dtype=object), return_counts=True)
    return distinct[np.flatnonzero(counts == counts.max())].min()


class SimpleImputer(TransformerMixin, BaseEstimator):
    """Replace missing values by a statistic of each column learnt by ``fit``, or by a constant.

    Parameters
    ----------
    missing_values : number, str, None or np.nan, default=np.nan
        The placeholder of a missing value.
    strategy : {'mean', 'median', 'most_frequent', 'constant'}, default='mean'
        'most_frequent' and 'constant' also work on strings (object arrays); ties in 'most_frequent'
        go to the smallest value.
    fill_value : number or str, optional
        The value for 'constant': default 0 for numbers and 'missing_value' for strings.
    copy : bool, default=True
        False fills a suitable array in place.
    add_indicator : bool, default=False
        Append one 0/1 column per feature that had missing values in ``fit``, marking the cells that were
        missing (scikit-learn's ``MissingIndicator`` with its defaults, named ``missingindicator_<feature>``).
    keep_empty_features : bool, default=False
        A column with no observed value is dropped by ``transform`` (with a warning, whatever the strategy,
        as in scikit-learn 1.9), unless this is True; then it is filled with 0 (or ``fill_value``).

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features,)
        The fill value of each column (NaN for a column without observed values).
    n_features_in_ : int

    Examples
    --------
    >>> SimpleImputer().fit_transform(np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0]]))
    array([[1., 6.],
           [3., 4.],
           [2., 8.]])
    """

    def __init__(self, *, missing_values=np.nan, strategy="mean", fill_value=None, copy=True, add_indicator=False,
                 keep_empty_features=False):
        self.missing_values = missing_values
        self.strategy = strategy
        self.fill_value = fill_value
        self.copy = copy
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features

    def _validate(self, X, reset):
        if self.strategy not in _STRATEGIES:
            raise ValueError(f"strategy must be one of {_STRATEGIES}, got {self.strategy!r}")
        categorical = self.strategy in ("most_frequent", "constant")
        if categorical and not hasattr(X, "dtype") and not hasattr(X, "columns") and np.asarray(X).dtype.kind == "U":
            X = np.asarray(X, dtype=object)  # a list with strings: objects, numbers among them staying numbers
        finite = "allow-nan" if _is_nan(self.missing_values) else True
        dtype = None if categorical else (np.float64, np.float32)
        try:
            X = validate_data(self, X, reset=reset, dtype=dtype, ensure_all_finite=finite,
                              copy=self.copy or not reset)
        except ValueError as error:
            if "could not be converted" in str(error) or "strings" in str(error):
                raise ValueError(f"Cannot use {self.strategy} strategy with non-numeric data:\n{error}") from None
            raise
        if X.dtype.kind not in "iufO":
            raise ValueError(f"SimpleImputer does not support data with dtype {X.dtype}. Please provide either a "
                             "numeric array (with a floating point or integer dtype) or categorical data "
                             "represented either as an array with integer dtype or an array of string values with "
                             "an object dtype.")
        return X

    def fit(self, X, y=None):
        """Learn each column's fill value; returns ``self``."""
        X = self._validate(X, reset=True)
        numeric = X.dtype.kind in "iuf"
        missing = _missing_mask(X, self.missing_values)
        self._indicated = np.flatnonzero(missing.any(axis=0)) if self.add_indicator else None
        empty = 0 if self.keep_empty_features else np.nan
        if self.strategy == "constant":
            fill = self.fill_value if self.fill_value is not None else 0 if numeric else "missing_value"
            if self.fill_value is not None and not np.can_cast(type(fill), X.dtype, casting="same_kind"):
                raise ValueError(f"fill_value={fill!r} (of type {type(fill)!r}) cannot be cast to the input data that "
                                 f"is {X.dtype!r}. Make sure that both dtypes are of the same kind.")
            statistics = [empty if not self.keep_empty_features and missing[:, j].all() else fill
                          for j in range(X.shape[1])]
            self.statistics_ = np.array(statistics + [None], dtype=object)[:-1]  # keeps each value's own type
            self._fill_dtype = X.dtype
            return self
        statistics = []
        for j in range(X.shape[1]):
            observed = X[~missing[:, j], j]
            if len(observed) == 0:
                statistics.append(empty)
            elif self.strategy == "mean":
                statistics.append(observed.astype(np.float64).mean())
            elif self.strategy == "median":
                statistics.append(np.median(observed.astype(np.float64)))
            else:
                statistics.append(_most_frequent(observed))
        self.statistics_ = np.array(statistics, dtype=object if X.dtype == object else np.float64)
        self._fill_dtype = X.dtype
        return self

    def transform(self, X):
        """X with each missing cell replaced by its column's fill value (empty columns dropped, see above)."""
        check_is_fitted(self, "statistics_")
        X = self._validate(X, reset=False)
        indicator = None if self._indicated is None else _missing_mask(X, self.missing_values)[:, self._indicated]
        statistics = self.statistics_
        valid = ~np.array([_is_nan(v) for v in statistics.tolist()], dtype=bool)
        if not self.keep_empty_features and not valid.all():
            warnings.warn(f"Skipping features without any observed values: {np.flatnonzero(~valid)}. At least one "
                          f"non-missing value is needed for imputation with strategy='{self.strategy}'.",
                          UserWarning, stacklevel=2)
            X, statistics = X[:, valid], statistics[valid]
        rows, columns = np.nonzero(_missing_mask(X, self.missing_values))
        X[rows, columns] = statistics.astype(self._fill_dtype)[columns]
        return X if indicator is None else np.hstack((X, indicator))

    def get_feature_names_out(self, input_features=None):
        """The input features' names, less the dropped empty columns, then the indicator columns' names."""
        check_is_fitted(self, "statistics_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        names = np.asarray(input_features, dtype=object)
        indicators = [] if self._indicated is None else [f"missingindicator_{name}" for name in names[self._indicated]]
        if not self.keep_empty_features:
            names = names[~np.array([_is_nan(s) for s in self.statistics_.tolist()], dtype=bool)]
        return np.concatenate([names, np.array(indicators, dtype=object)])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = _is_nan(self.missing_values)
        tags.input_tags.string = self.strategy in ("most_frequent", "constant")
        return tags

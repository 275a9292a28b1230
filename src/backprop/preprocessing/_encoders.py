"""Categorical features and labels as numbers: ``OneHotEncoder`` and ``LabelEncoder``."""
import warnings

import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import _as_numpy, check_array, check_is_fitted, column_or_1d, validate_data


_NAN = object()  # the key NaN is looked up under: NaN != NaN, and the string "nan" is a category of its own


def _is_nan(value):
    return isinstance(value, float) and value != value


def _key(value):
    return _NAN if _is_nan(value) else value


def _sorted_categories(values):
    """The distinct values, sorted, with None and NaN last (scikit-learn's order)."""
    if values.dtype != object:
        return np.unique(values)
    present = values.tolist()
    observed = [v for v in present if v is not None and not _is_nan(v)]
    if len({isinstance(v, str) for v in observed}) > 1:
        kinds = sorted({type(v).__name__ for v in observed})
        raise TypeError(f"Encoders require their input argument must be uniformly strings or numbers. Got {kinds}")
    kept = sorted(set(observed))
    missing = [None] * any(v is None for v in present) + [float("nan")] * any(_is_nan(v) for v in present)
    return np.array(kept + missing, dtype=object)


def _positions(values, categories):
    """The index of each value in ``categories`` and a mask of the values not found there (NaN matches NaN)."""
    if values.dtype != object and categories.dtype != object:
        index = np.clip(np.searchsorted(categories, values), 0, max(len(categories) - 1, 0))
        found = (categories[index] == values) | (np.isnan(categories[index]) & np.isnan(values)
                                                 if values.dtype.kind == "f" else False)
        return index, ~found
    lookup = {_key(c): i for i, c in enumerate(categories.tolist())}
    keys = [_key(v) for v in values.tolist()]
    index = np.array([lookup.get(k, 0) for k in keys], dtype=np.intp)
    return index, np.array([k not in lookup for k in keys], dtype=bool)


def _check_categorical(X, estimator, reset):
    """X as a 2-D array; a list of strings becomes an object array, as scikit-learn reads it."""
    if not hasattr(X, "dtype") and not hasattr(X, "columns") and np.asarray(X).dtype.kind == "U":
        X = np.asarray(X, dtype=object)  # numbers among the strings stay numbers
    return validate_data(estimator, X, reset=reset, dtype=None, ensure_all_finite="allow-nan")


class OneHotEncoder(TransformerMixin, BaseEstimator):
    """Encode each categorical feature as one 0/1 column per category.

    scikit-learn's ``OneHotEncoder`` with a dense output: ``sparse_output=False`` is the only choice here
    (``True`` raises), and the infrequent-category options (``min_frequency``, ``max_categories``) are
    not offered. Strings, numbers, None and NaN (a category of its own) are accepted.

    Parameters
    ----------
    categories : 'auto' or list of array-like, default='auto'
        'auto': the sorted values seen by ``fit``. A list gives each feature's categories (sorted, for
        numbers).
    drop : {None, 'first', 'if_binary'}, default=None
        Leave out each feature's first category ('first'), or only that of two-category features.
    sparse_output : False, default=False
    dtype : numeric type, default=np.float64
    handle_unknown : {'error', 'ignore', 'warn'}, default='error'
        A category not seen in ``fit``: raise, or encode it as all zeros ('warn' also warns).

    Attributes
    ----------
    categories_ : list of ndarray
    drop_idx_ : ndarray or None
        The index in ``categories_[i]`` of the dropped category of each feature (None: nothing dropped).
    n_features_in_ : int
    feature_names_in_ : ndarray of str (for a DataFrame with string column names)

    Examples
    --------
    >>> enc = OneHotEncoder().fit([["red", 1], ["green", 3], ["red", 3]])
    >>> enc.transform([["green", 1]])
    array([[1., 0., 1., 0.]])
    >>> enc.get_feature_names_out().tolist()
    ['x0_green', 'x0_red', 'x1_1', 'x1_3']
    """

    def __init__(self, *, categories="auto", drop=None, sparse_output=False, dtype=np.float64,
                 handle_unknown="error"):
        self.categories = categories
        self.drop = drop
        self.sparse_output = sparse_output
        self.dtype = dtype
        self.handle_unknown = handle_unknown

    def _check_params(self):
        if self.sparse_output:
            raise ValueError("OneHotEncoder(sparse_output=True) is not supported: backprop gives dense arrays only; "
                             "pass sparse_output=False.")
        if self.handle_unknown not in ("error", "ignore", "warn"):
            raise ValueError(f"handle_unknown must be 'error', 'ignore' or 'warn', got {self.handle_unknown!r}")
        if self.drop not in (None, "first", "if_binary"):
            raise ValueError(f"drop must be None, 'first' or 'if_binary', got {self.drop!r}")

    def fit(self, X, y=None):
        """Learn each feature's categories; returns ``self``."""
        self._check_params()
        X = _check_categorical(X, self, reset=True)
        if self.categories != "auto" and len(self.categories) != X.shape[1]:
            raise ValueError(f"Shape mismatch: if categories is an array, it has to be of shape (n_features,), got "
                             f"{len(self.categories)} categories for {X.shape[1]} features.")
        self.categories_ = []
        for i in range(X.shape[1]):
            column = X[:, i]
            if self.categories == "auto":
                categories = _sorted_categories(column)
            else:
                categories = np.array(self.categories[i], dtype=object if column.dtype == object else None)
                if categories.dtype.kind in "biuf" and np.any(np.diff(categories[~np.isnan(categories)]) < 0):
                    raise ValueError(f"Unsorted categories are not supported for numerical categories (feature {i})")
                if self.handle_unknown == "error":
                    _, unknown = _positions(column, categories)
                    if unknown.any():
                        raise ValueError(f"Found unknown categories {sorted(set(column[unknown].tolist()), key=str)} "
                                         f"in column {i} during fit")
            self.categories_.append(categories)
        if self.drop is None:
            self.drop_idx_ = None
        else:
            self.drop_idx_ = np.array([0 if self.drop == "first" or len(c) == 2 else None for c in self.categories_],
                                      dtype=object)
        return self

    def _kept(self, i):
        """The column indices of feature i's categories that are output (all but the dropped one)."""
        n = len(self.categories_[i])
        dropped = None if self.drop_idx_ is None else self.drop_idx_[i]
        return np.array([k for k in range(n) if k != dropped], dtype=np.intp)

    def transform(self, X):
        """The 0/1 matrix, features one after another, categories in the order of ``categories_``."""
        check_is_fitted(self, "categories_")
        X = _check_categorical(X, self, reset=False)
        blocks, unknown_columns = [], []
        for i, categories in enumerate(self.categories_):
            index, unknown = _positions(X[:, i], categories)
            if unknown.any():
                if self.handle_unknown == "error":
                    raise ValueError(f"Found unknown categories {sorted(set(X[unknown, i].tolist()), key=str)} in "
                                     f"column {i} during transform")
                unknown_columns.append(i)
            onehot = np.zeros((X.shape[0], len(categories)), dtype=self.dtype)
            onehot[np.flatnonzero(~unknown), index[~unknown]] = 1
            blocks.append(onehot[:, self._kept(i)])
        if unknown_columns and (self.handle_unknown == "warn" or self.drop_idx_ is not None):
            warnings.warn(f"Found unknown categories in columns {unknown_columns} during transform. These unknown "
                          "categories will be encoded as all zeros", UserWarning, stacklevel=2)
        return np.hstack(blocks) if blocks else np.zeros((X.shape[0], 0), dtype=self.dtype)

    def inverse_transform(self, X):
        """The categories back from a 0/1 matrix; an all-zero block is the dropped category, or None if unknown."""
        check_is_fitted(self, "categories_")
        X = check_array(X)
        widths = [len(self._kept(i)) for i in range(len(self.categories_))]
        if X.shape[1] != sum(widths):
            raise ValueError(f"Shape of the passed X data is not correct. Expected {sum(widths)} columns, got "
                             f"{X.shape[1]}.")
        columns, start = [], 0
        for i, width in enumerate(widths):
            block, kept = X[:, start: start + width], self._kept(i)
            start += width
            values = np.empty(X.shape[0], dtype=object)
            hot = block.sum(axis=1) > 0
            values[hot] = self.categories_[i][kept[block[hot].argmax(axis=1)]]
            dropped = None if self.drop_idx_ is None else self.drop_idx_[i]
            values[~hot] = None if dropped is None else self.categories_[i][dropped]
            columns.append(values)
        result = np.column_stack(columns) if columns else np.empty((X.shape[0], 0), dtype=object)
        if any(v is None for v in result.ravel().tolist()):
            return result
        return result.astype(np.result_type(*[c.dtype for c in self.categories_]))

    def get_feature_names_out(self, input_features=None):
        """``'<feature>_<category>'`` for each output column."""
        check_is_fitted(self, "categories_")
        if input_features is None:
            input_features = getattr(self, "feature_names_in_", [f"x{i}" for i in range(self.n_features_in_)])
        elif len(input_features) != self.n_features_in_:
            raise ValueError(f"input_features should have length equal to number of features "
                             f"({self.n_features_in_}), got {len(input_features)}")
        return np.array([f"{name}_{self.categories_[i][k]}" for i, name in enumerate(input_features)
                         for k in self._kept(i)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = tags.input_tags.string = tags.input_tags.allow_nan = True
        return tags


class LabelEncoder(TransformerMixin, BaseEstimator):
    """Labels as the integers 0 … K−1, in the sorted order of the classes (for targets, not features).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)

    Examples
    --------
    >>> le = LabelEncoder().fit(["paris", "tokyo", "paris", "amsterdam"])
    >>> le.classes_.tolist(), le.transform(["tokyo", "paris"]).tolist()
    (['amsterdam', 'paris', 'tokyo'], [2, 1])
    >>> le.inverse_transform([0]).tolist()
    ['amsterdam']
    """

    def fit(self, y):
        """Learn the sorted classes of y; returns ``self``."""
        self.classes_ = _sorted_categories(column_or_1d(y, warn=True))
        return self

    def fit_transform(self, y):
        return self.fit(y).transform(y)

    def transform(self, y):
        """Each label's index in ``classes_``; unseen labels raise ``ValueError``."""
        check_is_fitted(self, "classes_")
        y = column_or_1d(y, warn=True, dtype=self.classes_.dtype if _as_numpy(y).size == 0 else None)
        if y.size == 0:
            return np.array([], dtype=np.int64)
        index, unknown = _positions(y, self.classes_)
        if unknown.any():
            raise ValueError(f"y contains previously unseen labels: {sorted(set(y[unknown].tolist()), key=str)}")
        return index.astype(np.int64)

    def inverse_transform(self, y):
        """The labels of indices into ``classes_``."""
        check_is_fitted(self, "classes_")
        y = column_or_1d(y, warn=True)
        if y.size == 0:
            return np.array([], dtype=self.classes_.dtype)
        unseen = np.setdiff1d(y, np.arange(len(self.classes_)))
        if len(unseen):
            raise ValueError(f"y contains previously unseen labels: {unseen.tolist()}")
        return self.classes_[np.asarray(y, dtype=np.intp)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.one_d_labels = True
        return tags

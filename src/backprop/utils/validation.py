"""Input validation for estimators and metrics, with scikit-learn's names and error messages.

Every check accepts lists, NumPy arrays, pandas objects and backprop Tensors (a Tensor's values are used,
its graph is not). Errors name what is wrong: the first NaN or infinite cell by row and column, both
numbers of rows when X and y disagree, both numbers of features when predict gets the wrong width.
"""
import inspect
import numbers
import sys
import warnings

import numpy as np

from ..autograd.tensor import Tensor
from ..exceptions import NotFittedError


class DataConversionWarning(UserWarning):
    """Input data had to be reshaped or converted (scikit-learn's warning of the same name)."""


def _as_numpy(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _estimator_name(estimator):
    if estimator is None:
        return None
    return estimator if isinstance(estimator, str) else type(estimator).__name__


def _num_samples(x):
    """The number of rows (samples) of an array-like."""
    if isinstance(x, Tensor) or hasattr(x, "shape"):
        shape = x.shape
        if len(shape) == 0:
            raise TypeError(f"Singleton array {x!r} cannot be considered a valid collection.")
        return shape[0]
    if not hasattr(x, "__len__"):
        raise TypeError(f"Expected an array-like (a sequence or an array), got {type(x).__name__}: {x!r}")
    return len(x)


def _where(index):
    """'row 3, column 1' for a 2-D cell, 'row 3' for a 1-D one, 'position (1, 2, 0)' beyond."""
    index = tuple(int(i) for i in index)
    if len(index) == 1:
        return f"row {index[0]}"
    if len(index) == 2:
        return f"row {index[0]}, column {index[1]}"
    return f"position {index}"


def assert_all_finite(array, *, allow_nan=False, input_name="X"):
    """Raise ``ValueError`` naming the first NaN or infinite cell (row, column) of a float array."""
    array = _as_numpy(array)
    if array.dtype.kind not in "fc":
        return
    # one reduction on the fast path; the sum may overflow to inf, so only a finite sum proves finiteness
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):
            return
    bad = np.isinf(array) if allow_nan else ~np.isfinite(array)
    if not bad.any():
        return
    index = np.unravel_index(np.flatnonzero(bad)[0], array.shape) if array.ndim else ()
    value = array[index]
    kind = "NaN" if np.isnan(value) else "infinity"
    where = f" at {_where(index)}" if index else ""
    raise ValueError(f"Input {input_name} contains {kind}{where}.")


def _convert_dtype(array, dtype, input_name):
    if dtype is None:
        return array
    if isinstance(dtype, str) and dtype == "numeric":
        if array.dtype.kind in "USV":
            raise ValueError(f"dtype='numeric' is not compatible with arrays of bytes/strings. Convert your "
                             f"data ({input_name}) to numeric values explicitly instead.")
        target = np.float64 if array.dtype.kind == "O" else None
    else:
        accepted = [np.dtype(d) for d in (dtype if isinstance(dtype, (list, tuple)) else [dtype])]
        target = None if array.dtype in accepted else accepted[0]
    if target is None:
        return array
    try:
        return array.astype(target)
    except ValueError as error:  # unparsable strings; a TypeError (a dict in an object array) speaks for itself
        raise ValueError(f"{input_name} could not be converted to {np.dtype(target).name}: {error}") from None


def check_array(array, *, dtype="numeric", ensure_2d=True, allow_nd=False, ensure_all_finite=True,
                ensure_min_samples=1, ensure_min_features=1, copy=False, input_name="X", estimator=None):
    """Validate an array-like and return it as a NumPy array (scikit-learn's ``check_array``).

    Parameters
    ----------
    array : array-like or Tensor
    dtype : 'numeric', None, dtype or list of dtypes, default='numeric'
        'numeric' keeps numeric dtypes and converts object arrays to float64; a list keeps any dtype it
        holds and converts everything else to its first entry; None keeps the dtype.
    ensure_2d : bool, default=True
        Raise on 0-D and 1-D input (with scikit-learn's "Reshape your data" hint).
    allow_nd : bool, default=False
        Accept more than two dimensions.
    ensure_all_finite : bool or 'allow-nan', default=True
        Raise ``ValueError`` naming the first NaN or infinite cell.
    ensure_min_samples, ensure_min_features : int, default=1
    copy : bool, default=False
    input_name : str, default='X'
        The name used in error messages.
    estimator : estimator or str, optional
        Named in error messages.

    Returns
    -------
    ndarray
    """
    if hasattr(array, "toarray") and hasattr(array, "nnz"):
        raise TypeError(f"Sparse data was passed for {input_name}, but dense data is required. "
                        "Use '.toarray()' to convert to a dense numpy array.")
    name = _estimator_name(estimator)
    by = f" by {name}" if name else ""
    result = _as_numpy(array)
    if result.dtype.kind == "c":
        raise ValueError(f"Complex data not supported\n{result}\n")
    result = _convert_dtype(result, dtype, input_name)
    if ensure_2d and result.ndim < 2:
        kind = "scalar array" if result.ndim == 0 else "1D array"
        raise ValueError(f"Expected 2D array, got {kind} instead:\narray={result}.\nReshape your data either "
                         "using array.reshape(-1, 1) if your data has a single feature or array.reshape(1, -1) "
                         "if it contains a single sample.")
    if result.ndim == 0:
        raise ValueError(f"Expected an array-like for {input_name}, got the scalar {result!r}.")
    if result.ndim > 2 and not allow_nd:
        raise ValueError(f"Found array with dim {result.ndim}. {name or input_name} expected <= 2.")
    if ensure_all_finite:
        assert_all_finite(result, allow_nan=ensure_all_finite == "allow-nan", input_name=input_name)
    if ensure_min_samples > 0 and result.shape[0] < ensure_min_samples:
        raise ValueError(f"Found array with {result.shape[0]} sample(s) (shape={result.shape}) while a minimum "
                         f"of {ensure_min_samples} is required{by}.")
    if ensure_min_features > 0 and result.ndim == 2 and result.shape[1] < ensure_min_features:
        raise ValueError(f"Found array with {result.shape[1]} feature(s) (shape={result.shape}) while a minimum "
                         f"of {ensure_min_features} is required{by}.")
    return result.copy() if copy else result


def column_or_1d(y, *, dtype=None, warn=False, input_name="y"):
    """Ravel a column vector (n, 1) or a 1-D array to shape (n,); anything else raises ``ValueError``.

    With ``warn=True`` a column vector also gives a ``DataConversionWarning``, as in scikit-learn.
    """
    y = _convert_dtype(_as_numpy(y), dtype, input_name)
    if y.ndim == 2 and y.shape[1] == 1:
        if warn:
            warnings.warn("A column-vector y was passed when a 1d array was expected. Please change the shape "
                          "of y to (n_samples, ), for example using ravel().", _data_conversion_warning(),
                          stacklevel=2)
        return y.ravel()
    if y.ndim == 1:
        return y
    raise ValueError(f"{input_name} should be a 1d array, got an array of shape {y.shape} instead.")


def check_consistent_length(*arrays):
    """Raise ``ValueError`` unless all non-None arrays have the same number of rows (all are named)."""
    lengths = [_num_samples(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(f"Found input variables with inconsistent numbers of samples: {lengths}")


def check_X_y(X, y, *, dtype="numeric", ensure_2d=True, allow_nd=False, multi_output=False,
              ensure_all_finite=True, ensure_min_samples=1, ensure_min_features=1, y_numeric=False,
              copy=False, estimator=None):
    """Validate features X and targets y together (scikit-learn's ``check_X_y``).

    X is checked by :func:`check_array`; y must be 1-D (or (n, 1), raveled with a warning) unless
    ``multi_output``, finite if it is float, and converted to float64 if ``y_numeric`` and of object dtype.
    X and y must have the same number of rows; the error names both.

    Returns
    -------
    X : ndarray
    y : ndarray
    """
    if y is None:
        name = _estimator_name(estimator) or "estimator"
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    X = check_array(X, dtype=dtype, ensure_2d=ensure_2d, allow_nd=allow_nd, ensure_all_finite=ensure_all_finite,
                    ensure_min_samples=ensure_min_samples, ensure_min_features=ensure_min_features, copy=copy,
                    estimator=estimator)
    if y_numeric:
        y = _numeric_target(_as_numpy(y), estimator)
    if multi_output:
        y = check_array(y, dtype=None, ensure_2d=False, ensure_all_finite=False, ensure_min_samples=0,
                        input_name="y", estimator=estimator)
    else:
        y = column_or_1d(y, warn=True)
    assert_all_finite(y, input_name="y")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.shape[0]}: found input variables with "
                         f"inconsistent numbers of samples: [{X.shape[0]}, {y.shape[0]}]")
    return X, y


def _numeric_target(y, estimator):
    """y as real numbers (object or string arrays of numbers become float64), or a ``ValueError`` naming y, its
    dtype and the first value that is not a real number: a regressor given labels, objects or complex numbers."""
    if y.dtype.kind in "biuf":
        return y
    if y.dtype.kind in "OUS":
        try:
            return y.astype(np.float64)  # None becomes NaN, which the finiteness check then names by row
        except (TypeError, ValueError):
            pass
    index = next(i for i in np.ndindex(y.shape) if not _is_real_number(y[i]))
    value = y[index].item() if isinstance(y[index], np.generic) else y[index]
    name = _estimator_name(estimator) or "a regressor"
    complex_data = "Complex data not supported: " if y.dtype.kind == "c" else ""  # scikit-learn's words
    raise ValueError(f"{complex_data}{name} needs a numeric target y, but y has dtype {y.dtype} and holds "
                     f"{value!r} at {_where(index)}; encode the target as numbers")


def _is_real_number(value):
    if isinstance(value, (complex, np.complexfloating)):
        return False
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def check_is_fitted(estimator, attributes=None, *, msg=None, all_or_any=all):
    """Raise :class:`~backprop.exceptions.NotFittedError` unless ``estimator`` has been fitted.

    Fitted means: ``estimator.__sklearn_is_fitted__()`` if it defines it, else the given ``attributes``
    exist, else some attribute ends in ``_`` (the convention for learned attributes).
    """
    if inspect.isclass(estimator):
        raise TypeError(f"{estimator} is a class, not an instance.")
    if not hasattr(estimator, "fit"):
        raise TypeError(f"{estimator} is not an estimator instance.")
    if hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    elif attributes is not None:
        names = [attributes] if isinstance(attributes, str) else attributes
        fitted = all_or_any(hasattr(estimator, name) for name in names)
    else:
        fitted = any(v.endswith("_") and not v.startswith("__") for v in vars(estimator))
    if not fitted:
        msg = msg or ("This %(name)s instance is not fitted yet. Call 'fit' with appropriate arguments before "
                      "using this estimator.")
        raise _not_fitted_error(msg % {"name": type(estimator).__name__})


def _not_fitted_error(message):
    """A NotFittedError that is also scikit-learn's when scikit-learn is loaded (its estimator checks expect it).

    Looked up in ``sys.modules`` rather than imported, so that backprop never loads scikit-learn itself.
    """
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return NotFittedError(message)
    if sklearn_exceptions not in _NOT_FITTED_CLASSES:
        _NOT_FITTED_CLASSES[sklearn_exceptions] = type(
            "NotFittedError", (NotFittedError, sklearn_exceptions.NotFittedError), {"__module__": __name__})
    return _NOT_FITTED_CLASSES[sklearn_exceptions](message)


_NOT_FITTED_CLASSES = {}


def _data_conversion_warning():
    """DataConversionWarning, also scikit-learn's when scikit-learn is loaded (its estimator checks expect it)."""
    sklearn_exceptions = sys.modules.get("sklearn.exceptions")
    if sklearn_exceptions is None:
        return DataConversionWarning
    if sklearn_exceptions not in _CONVERSION_WARNING_CLASSES:
        _CONVERSION_WARNING_CLASSES[sklearn_exceptions] = type(
            "DataConversionWarning", (DataConversionWarning, sklearn_exceptions.DataConversionWarning),
            {"__module__": __name__})
    return _CONVERSION_WARNING_CLASSES[sklearn_exceptions]


_CONVERSION_WARNING_CLASSES = {}


def _feature_names(X):
    columns = getattr(X, "columns", None)
    if columns is None or not len(columns) or not all(isinstance(c, str) for c in columns):
        return None
    return np.asarray(columns, dtype=object)


def _check_feature_names(estimator, X, reset):
    names = _feature_names(X)
    if reset:
        if names is not None:
            estimator.feature_names_in_ = names
        elif hasattr(estimator, "feature_names_in_"):
            del estimator.feature_names_in_
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    name = type(estimator).__name__
    if fitted is None and names is not None:
        warnings.warn(f"X has feature names, but {name} was fitted without feature names", UserWarning,
                      stacklevel=2)
    elif fitted is not None and names is None:
        warnings.warn(f"X does not have valid feature names, but {name} was fitted with feature names",
                      UserWarning, stacklevel=2)
    elif fitted is not None and (len(fitted) != len(names) or np.any(fitted != names)):
        raise ValueError("The feature names should match those that were passed during fit.\n"
                         f"Fitted with: {list(fitted)}\nGot: {list(names)}")


def validate_data(estimator, X="no_validation", y="no_validation", *, reset=True, **check_params):
    """Validate X (and y) for an estimator's ``fit`` (``reset=True``) or ``predict`` (``reset=False``).

    scikit-learn's ``validate_data``: at fit time it records ``n_features_in_`` (and ``feature_names_in_``
    for a DataFrame with string column names); at predict time it checks X against them, and a wrong
    number of features raises ``ValueError`` naming both numbers.

    Parameters
    ----------
    estimator : estimator
    X, y : array-like, or 'no_validation' to skip
    reset : bool, default=True
    **check_params
        Passed to :func:`check_array` (X only) or :func:`check_X_y` (both).

    Returns
    -------
    X, y, or (X, y)
        Whatever was validated.
    """
    skip_X = isinstance(X, str) and X == "no_validation"
    skip_y = isinstance(y, str) and y == "no_validation"
    if skip_X and skip_y:
        raise ValueError("validate_data needs X, y or both to validate.")
    if not skip_X:
        _check_feature_names(estimator, X, reset)
    if skip_y:
        out = X = check_array(X, estimator=estimator, **check_params)
    elif skip_X:
        out = _as_numpy(y) if check_params.get("multi_output") else column_or_1d(y, warn=True)
    else:
        X, _ = out = check_X_y(X, y, estimator=estimator, **check_params)
    if not skip_X and X.ndim == 2:
        n_features = X.shape[1]
        if reset:
            estimator.n_features_in_ = n_features
        elif hasattr(estimator, "n_features_in_") and n_features != estimator.n_features_in_:
            raise ValueError(f"X has {n_features} features, but {type(estimator).__name__} is expecting "
                             f"{estimator.n_features_in_} features as input.")
    return out


def check_sample_weight(sample_weight, n_samples, *, input_name="sample_weight"):
    """Sample weights as a float64 array of shape (n_samples,) (None gives ones); checks length and finiteness."""
    if sample_weight is None:
        return np.ones(n_samples)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n_samples, float(sample_weight))
    weights = check_array(sample_weight, dtype=np.float64, ensure_2d=False, ensure_min_samples=0,
                          input_name=input_name)
    if weights.ndim != 1:
        raise ValueError(f"{input_name} must be 1D, got shape {weights.shape}.")
    if weights.shape[0] != n_samples:
        raise ValueError(f"{input_name} has {weights.shape[0]} entries but the data has {n_samples} samples.")
    return weights


FLOAT_DTYPES = (np.float64, np.float32)
"""Estimators compute in float64, or in float32 for float32 input (scikit-learn's rule), whatever
``bp.get_default_dtype()`` is: other dtypes (ints, float16) are converted to float64."""


def check_number(estimator, name, low=0, strict=False, integer=False):
    """Raise ``ValueError`` unless ``estimator.<name>`` is a finite number ≥ low (> low if ``strict``)."""
    value = getattr(estimator, name)
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, kind) and not isinstance(value, bool) and np.isfinite(value) and (
            value > low if strict else value >= low):
        return value
    raise ValueError(f"{type(estimator).__name__}: {name} must be {'an integer' if integer else 'a number'} "
                     f"{'>' if strict else '≥'} {low}, got {value!r}")


def check_option(estimator, name, options):
    """Raise ``ValueError`` unless ``estimator.<name>`` is one of ``options``."""
    value = getattr(estimator, name)
    if isinstance(value, str) and value in options:
        return value
    raise ValueError(f"{type(estimator).__name__}: {name} must be one of {', '.join(map(repr, options))}, "
                     f"got {value!r}")

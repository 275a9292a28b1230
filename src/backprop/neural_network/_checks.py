"""Parameter and data checks of the multilayer perceptrons (the same rules as ``bp.linear_model``'s estimators)."""
import numbers

import numpy as np

from ..utils.multiclass import check_classes
from ..utils.validation import validate_data

FLOAT_DTYPES = (np.float64, np.float32)
"""Computing dtypes: float64, or float32 for float32 input (scikit-learn's rule); others become float64."""


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


def check_regression_data(estimator, X, y):
    """X and a numeric y (1-D, or 2-D for several outputs) for ``fit``; y takes X's float dtype."""
    X, y = validate_data(estimator, X, y, dtype=FLOAT_DTYPES, multi_output=True, y_numeric=True)
    y = np.asarray(y, dtype=X.dtype)
    if y.ndim > 2:
        raise ValueError(f"y must be 1-D or 2-D (one column per output), got shape {y.shape}")
    return X, y


def check_classifier_data(estimator, X, y):
    """X (float) and y's class indices for a classifier's ``fit``; records ``n_features_in_`` and ``classes_``."""
    X, y = validate_data(estimator, X, y, dtype=FLOAT_DTYPES)
    estimator.classes_, y_index = check_classes(y, estimator=estimator)
    return X, y_index

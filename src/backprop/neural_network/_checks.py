"""Parameter and data checks of the multilayer perceptrons (the same rules as ``bp.linear_model``'s estimators)."""
import numpy as np

from ..utils.multiclass import check_classes
from ..utils.validation import FLOAT_DTYPES, check_number, check_option, validate_data  # noqa: F401


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

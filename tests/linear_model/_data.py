"""Data shared by the linear-model tests: scikit-learn's diabetes set, standardised, and an objective."""
import functools

import numpy as np
import pytest


@functools.cache
def _diabetes():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_diabetes(return_X_y=True)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def diabetes():
    """X (442, 10) standardised, y (442,) the disease progression (25 to 346); fresh copies."""
    X, y = _diabetes()
    return X.copy(), y.copy()


def squared_error(model, X, y):
    """‖y − Xw − b‖² of a fitted model (any number of outputs)."""
    r = y - X @ model.coef_.T - model.intercept_
    return float(np.sum(r * r))

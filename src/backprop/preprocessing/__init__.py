"""Feature preprocessing with scikit-learn's transformer API: ``StandardScaler``, ``PolynomialFeatures``."""
from ._data import StandardScaler
from ._polynomial import PolynomialFeatures

__all__ = ["PolynomialFeatures", "StandardScaler"]

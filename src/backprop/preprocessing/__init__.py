"""Feature preprocessing with scikit-learn's transformer API: scaling, encoding, imputing, polynomial features."""
from ._data import MinMaxScaler, StandardScaler
from ._encoders import LabelEncoder, OneHotEncoder
from ._impute import SimpleImputer
from ._polynomial import PolynomialFeatures

__all__ = ["LabelEncoder", "MinMaxScaler", "OneHotEncoder", "PolynomialFeatures", "SimpleImputer",
           "StandardScaler"]

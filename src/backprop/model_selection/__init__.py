"""Model selection with scikit-learn's API: splitting data, cross-validation, grid and random search."""
from ._randomized import ParameterSampler, RandomizedSearchCV
from ._search import GridSearchCV, ParameterGrid
from ._shuffle_split import ShuffleSplit, StratifiedShuffleSplit, train_test_split
from ._split import GroupKFold, KFold, LeaveOneOut, StratifiedKFold, check_cv
from ._validation import FitFailedWarning, cross_val_predict, cross_val_score, cross_validate

__all__ = ["FitFailedWarning", "GridSearchCV", "GroupKFold", "KFold", "LeaveOneOut", "ParameterGrid",
           "ParameterSampler", "RandomizedSearchCV", "ShuffleSplit", "StratifiedKFold", "StratifiedShuffleSplit",
           "check_cv", "cross_val_predict", "cross_val_score", "cross_validate", "train_test_split"]

"""Model selection with scikit-learn's API: splitting data, cross-validation, grid search."""
from ._search import GridSearchCV, ParameterGrid
from ._shuffle_split import ShuffleSplit, StratifiedShuffleSplit, train_test_split
from ._split import GroupKFold, KFold, LeaveOneOut, StratifiedKFold, check_cv
from ._validation import FitFailedWarning, cross_val_score

__all__ = ["FitFailedWarning", "GridSearchCV", "GroupKFold", "KFold", "LeaveOneOut", "ParameterGrid",
           "ShuffleSplit", "StratifiedKFold", "StratifiedShuffleSplit", "check_cv", "cross_val_score",
           "train_test_split"]

"""Model selection with scikit-learn's API: splitting data, cross-validation, grid search."""
from ._search import GridSearchCV, ParameterGrid
from ._split import KFold, LeaveOneOut, StratifiedKFold, check_cv, train_test_split
from ._validation import FitFailedWarning, cross_val_score

__all__ = ["FitFailedWarning", "GridSearchCV", "KFold", "LeaveOneOut", "ParameterGrid", "StratifiedKFold",
           "check_cv", "cross_val_score", "train_test_split"]

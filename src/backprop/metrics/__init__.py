"""Metrics for regression and classification, with scikit-learn's names, signatures and results.

All accept lists, NumPy arrays and backprop Tensors, compute in float64 and return Python floats (arrays
for per-output or per-label results).
"""
from ._classification import (accuracy_score, confusion_matrix, f1_score, fbeta_score, log_loss,
                              precision_recall_fscore_support, precision_score, recall_score, zero_one_loss)
from ._regression import (UndefinedMetricWarning, mean_absolute_error, mean_absolute_percentage_error,
                          mean_squared_error, r2_score, root_mean_squared_error)
from ._ranking import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve
from ._report import balanced_accuracy_score, classification_report
from ._scorer import check_scoring, get_scorer, get_scorer_names, make_scorer

__all__ = ["UndefinedMetricWarning", "accuracy_score", "average_precision_score", "balanced_accuracy_score",
           "check_scoring", "classification_report", "confusion_matrix", "f1_score", "fbeta_score", "get_scorer",
           "get_scorer_names", "log_loss", "make_scorer", "mean_absolute_error",
           "mean_absolute_percentage_error", "mean_squared_error", "precision_recall_fscore_support",
           "precision_recall_curve", "precision_score", "r2_score", "recall_score", "roc_auc_score", "roc_curve",
           "root_mean_squared_error", "zero_one_loss"]

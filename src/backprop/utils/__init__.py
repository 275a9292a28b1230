"""Helpers shared by estimators, metrics and model selection: input validation, targets, random states."""
from .multiclass import check_classes, check_classification_targets, type_of_target, unique_labels
from .random import check_random_state
from .validation import (DataConversionWarning, assert_all_finite, check_array, check_consistent_length,
                         check_is_fitted, check_sample_weight, check_X_y, column_or_1d, validate_data)

__all__ = ["DataConversionWarning", "assert_all_finite", "check_array", "check_classes",
           "check_classification_targets", "check_consistent_length", "check_is_fitted", "check_random_state",
           "check_sample_weight", "check_X_y", "column_or_1d", "type_of_target", "unique_labels", "validate_data"]

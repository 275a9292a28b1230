"""Chaining transformers and an estimator into one estimator: ``Pipeline`` and ``make_pipeline``."""
from ._pipeline import Pipeline, make_pipeline

__all__ = ["Pipeline", "make_pipeline"]

"""A ready-made training loop: ``fit``/``evaluate``, callbacks and checkpoints.

>>> history = bp.train.fit(model, loss_fn, optimizer, (X, y), epochs=10)   # doctest: +SKIP
>>> history.history["loss"]                                                # doctest: +SKIP
"""
from .callbacks import Callback, EarlyStopping, History, ModelCheckpoint, load_checkpoint
from .loop import (
           METRICS,
           NonFiniteLossError,
           accuracy,
           evaluate,
           fit,
           mean_absolute_error,
           mean_squared_error,
)
from .resume import FitState

__all__ = [
           "METRICS",
           "Callback",
           "EarlyStopping",
           "FitState",
           "History",
           "ModelCheckpoint",
           "NonFiniteLossError",
           "accuracy",
           "evaluate",
           "fit",
           "load_checkpoint",
           "mean_absolute_error",
           "mean_squared_error",
]

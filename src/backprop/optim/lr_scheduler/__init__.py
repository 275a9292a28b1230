"""Learning-rate schedules with PyTorch's names and semantics, step for step.

A scheduler changes ``group['lr']`` of its optimizer's parameter groups each time its ``step()`` is
called, normally once per epoch after ``optimizer.step()`` (``OneCycleLR`` and, often,
``CosineAnnealingWarmRestarts``: once per batch; ``ReduceLROnPlateau``: ``step(metric)``). As in PyTorch
most updates are *chainable*: each step rescales the current ``lr``, so schedules compose with other
changes made to it. Every scheduler's ``state_dict()`` / ``load_state_dict()`` resumes it exactly.

- decaying and warm-up: :class:`StepLR`, :class:`MultiStepLR`, :class:`ExponentialLR`,
  :class:`ConstantLR`, :class:`LinearLR`, :class:`PolynomialLR`, :class:`LambdaLR`;
- cosine: :class:`CosineAnnealingLR`, :class:`CosineAnnealingWarmRestarts`;
- :class:`OneCycleLR` (learning rate and momentum), :class:`SequentialLR` (one after another),
  :class:`ReduceLROnPlateau` (driven by a metric).
"""
from .base import LRScheduler
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from .decay import ConstantLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, PolynomialLR, StepLR
from .one_cycle import OneCycleLR
from .plateau import ReduceLROnPlateau
from .sequential import SequentialLR

__all__ = ["LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "ConstantLR", "LinearLR", "PolynomialLR",
           "LambdaLR", "CosineAnnealingLR", "CosineAnnealingWarmRestarts", "OneCycleLR", "SequentialLR",
           "ReduceLROnPlateau"]

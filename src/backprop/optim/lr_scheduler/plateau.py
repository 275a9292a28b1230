"""``ReduceLROnPlateau``: divide the learning rate when a monitored metric stops improving (PyTorch's semantics)."""
import math
import numbers
import warnings

from ..optimizer import check_nonnegative
from .base import LRScheduler, check_optimizer, current_lrs


class ReduceLROnPlateau(LRScheduler):
    """Multiply the learning rate by ``factor`` once the metric given to :meth:`step` has not improved for
    more than ``patience`` epochs.

    An epoch improves on the best value so far when, in ``mode='min'``, the metric is below
    best·(1 − threshold) (``threshold_mode='rel'``) or best − threshold (``'abs'``); in ``mode='max'``,
    above best·(1 + threshold) or best + threshold. After a reduction, ``cooldown`` epochs pass before
    bad epochs count again. A group's learning rate never goes below its ``min_lr``, and a reduction
    smaller than ``eps`` is skipped.

    Parameters
    ----------
    optimizer : Optimizer
    mode : {'min', 'max'}, default 'min'
        Whether the metric should decrease (a loss) or increase (an accuracy).
    factor : float, default 0.1
        new_lr = lr·factor; less than 1.
    patience : int, default 10
        The number of bad epochs tolerated; the next one reduces the learning rate.
    threshold : float, default 1e-4
    threshold_mode : {'rel', 'abs'}, default 'rel'
    cooldown : int, default 0
    min_lr : float or list of float, default 0
        A lower bound on the learning rate, for all groups or one per group.
    eps : float, default 1e-8

    Attributes
    ----------
    best : float
        The best metric so far.
    num_bad_epochs : int
        The epochs since the last improvement (reset by a reduction and during cooldown).
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel",
                 cooldown=0, min_lr=0, eps=1e-8):
        if not isinstance(factor, numbers.Real) or isinstance(factor, bool) or not 0 < factor < 1.0:
            # PyTorch checks only factor < 1: a factor of -0.5 would turn the rate negative (gradient ascent)
            raise ValueError(f"ReduceLROnPlateau's factor must be < 1.0, got {factor!r} (a number in (0, 1))")
        for name, value in (("patience", patience), ("cooldown", cooldown)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
                raise ValueError(f"ReduceLROnPlateau's {name} must be an integer >= 0, got {value!r}")
        for value in min_lr if isinstance(min_lr, (list, tuple)) else [min_lr]:
            try:
                check_nonnegative({"min_lr": value, "eps": eps, "threshold": threshold}, "min_lr", "eps", "threshold")
            except TypeError as e:
                raise ValueError(f"ReduceLROnPlateau: {e}") from None
        check_optimizer(optimizer)
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs (one per parameter group), "
                                 f"got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = current_lrs(optimizer)
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _reset(self):
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None):
        """Count an epoch with the monitored value ``metrics`` (a number, or a one-element Tensor or array)."""
        current = metric_value(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn("ReduceLROnPlateau.step(metrics, epoch) is deprecated (as in PyTorch): leave out the "
                          "epoch", UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = current_lrs(self.optimizer)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"the optimizer has {len(groups)} parameter groups but ReduceLROnPlateau "
                                   f"was given {len(self.min_lrs)} min_lrs (a group was added since): set "
                                   f"its min_lrs to one value per group")
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new

    @property
    def in_cooldown(self):
        return self.cooldown_counter > 0

    def _is_better(self, a, best):
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode):
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)


def metric_value(metrics):
    """``metrics`` as a float: a real number, or a one-element Tensor, NumPy array or torch tensor (as
    torch's ``float(metrics)``); ``TypeError`` naming anything else."""
    if isinstance(metrics, numbers.Real):
        return float(metrics)
    shape = getattr(metrics, "shape", None)
    if shape is not None and hasattr(metrics, "item") and not isinstance(metrics, (str, bytes)):
        if math.prod(tuple(shape)) != 1:
            raise TypeError(f"ReduceLROnPlateau.step expects the metric as a single number, got a "
                            f"{type(metrics).__name__} of shape {tuple(shape)}: pass one value such as "
                            f"loss.item()")
        value = metrics.item()
        if isinstance(value, numbers.Real):
            return float(value)
        metrics = value
    raise TypeError(f"ReduceLROnPlateau.step expects the metric as a number (such as loss.item()), got "
                    f"{metrics!r} of type {type(metrics).__name__}")

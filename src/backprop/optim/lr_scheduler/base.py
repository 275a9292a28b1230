"""``LRScheduler``, the base of the epoch-driven schedules: ``initial_lr``, the epoch count, state dicts."""
import math
import numbers
import warnings

from ..optimizer import Optimizer, check_nonnegative


class LRScheduler:
    """Base class: stores ``initial_lr`` in each group, counts epochs and writes the new ``lr`` values.

    A subclass defines :meth:`get_lr` (the learning rates at epoch ``last_epoch``, usually from the
    groups' current ``lr``: chainable) and, where a closed form exists, ``_get_closed_form_lr`` (from
    ``base_lrs``), which :meth:`step` uses when it is given an epoch, as in PyTorch.

    Parameters
    ----------
    optimizer : Optimizer
    last_epoch : int, default -1
        The index of the last epoch done; leave at -1 for a new run. A resumed run restores it with
        :meth:`load_state_dict` (or passes it, with ``initial_lr`` already in the groups).

    Attributes
    ----------
    base_lrs : list of float
        Each group's ``initial_lr``.
    last_epoch : int
        The number of ``step()`` calls so far (0 right after construction).
    """

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a "
                               f"scheduler with last_epoch={last_epoch}: load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        """The step the constructor makes (to epoch 0, or to ``last_epoch + 1`` when resuming)."""
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self):
        """The learning rates for epoch ``last_epoch``, from the groups' current ``lr``."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Move to the next epoch and set each group's ``lr``.

        ``epoch`` (deprecated in PyTorch, which warns likewise) jumps to that epoch instead, using the
        schedule's closed form where it has one.
        """
        if epoch is not None:
            warnings.warn(f"{type(self).__name__}.step(epoch) is deprecated (as in PyTorch): call step() "
                          "without an epoch; the closed form is used where there is one", UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        if epoch is None:
            self.last_epoch += 1
            lrs = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            lrs = self.get_lr() if closed_form is None else closed_form()
        set_lrs(self, lrs)

    def get_last_lr(self):
        """The learning rates the latest ``step()`` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """Every attribute except the optimizer (PyTorch's layout)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the attributes saved by :meth:`state_dict` (load the optimizer's state as well)."""
        self.__dict__.update(state_dict)


def check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def set_lrs(scheduler, lrs):
    """Write ``lrs`` into the optimizer's groups, after checking them all: a rate that is not a finite number (a
    lambda returning NaN or a string) raises ``ValueError`` naming the scheduler, the group and the rate.

    A negative rate is refused where it comes from, the arguments (``eta_min``, ``max_lr``), not here:
    OneCycleLR's step number ``total_steps``, which PyTorch allows, extrapolates below zero a rate that no
    optimizer step then uses.
    """
    lrs = list(lrs)
    for i, lr in enumerate(lrs):
        if not isinstance(lr, numbers.Real) or isinstance(lr, bool) or not math.isfinite(lr):
            raise ValueError(f"{type(scheduler).__name__} would set the learning rate of parameter group {i} to "
                             f"{lr!r}: a learning rate must be a finite number")
    for group, lr in zip(scheduler.optimizer.param_groups, lrs):
        group["lr"] = lr
    scheduler._last_lr = current_lrs(scheduler.optimizer)


def check_positive_number(name, value):
    """Raise ``ValueError`` naming ``value`` unless it is a finite number > 0 (PyTorch accepts a negative
    ``max_lr``, which then trains by gradient ascent)."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not 0 < value < math.inf:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")


def check_eta_min(eta_min):
    """``eta_min``, the lowest rate of a cosine schedule, must be a finite number ≥ 0."""
    try:
        check_nonnegative({"eta_min": eta_min}, "eta_min")
    except TypeError as e:
        raise ValueError(str(e)) from None


def current_lrs(optimizer):
    return [group["lr"] for group in optimizer.param_groups]


def check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def per_group(name, optimizer, value):
    """``value`` once per parameter group: a list or tuple as given (one per group), anything else repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(f"{name} must have one value per parameter group ({n}), got {len(value)}: {value!r}")
        return list(value)
    return [value] * n

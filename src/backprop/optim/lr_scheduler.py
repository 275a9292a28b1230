"""Learning-rate schedules: ``StepLR``, ``ExponentialLR``, ``CosineAnnealingLR`` (PyTorch's semantics).

A scheduler changes ``group['lr']`` of its optimizer's parameter groups each time its ``step()`` is
called, normally once per epoch after ``optimizer.step()``. As in PyTorch the update is *chainable*:
each step rescales the current ``lr``, so schedules compose with other changes made to it.
"""
import math
import numbers

from .optimizer import Optimizer


class LRScheduler:
    """Base class: stores ``initial_lr`` in each group, counts epochs and writes the new ``lr`` values.

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
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        for i, group in enumerate(optimizer.param_groups):
            if last_epoch == -1:
                group.setdefault("initial_lr", group["lr"])
            elif "initial_lr" not in group:
                raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a "
                               f"scheduler with last_epoch={last_epoch}: load the optimizer's state first")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial = True
        self.step()
        self._initial = False

    def get_lr(self):
        """The learning rates for epoch ``last_epoch``, from the groups' current ``lr``."""
        raise NotImplementedError

    def step(self):
        """Move to the next epoch and set each group's ``lr``."""
        self.last_epoch += 1
        lrs = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, lrs):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def get_last_lr(self):
        """The learning rates the latest ``step()`` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def state_dict(self):
        """Every attribute except the optimizer (PyTorch's layout)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


def _check_positive_int(name, value):
    if not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    lr_epoch = initial_lr · gamma^⌊epoch/step_size⌋ (applied as lr ← gamma·lr when epoch is a
    non-zero multiple of step_size).

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period of the decay, in epochs.
    gamma : float, default 0.1
        Multiplicative factor.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_positive_int("step_size", step_size)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: lr_epoch = initial_lr · gamma^epoch.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        Multiplicative factor.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate from ``initial_lr`` to ``eta_min`` along half a cosine over ``T_max`` epochs.

    The closed form (SGDR without restarts)::

        lr_t = eta_min + (initial_lr − eta_min)·(1 + cos(π·t/T_max))/2

    computed, as in PyTorch, by the chainable recursion

        lr_t = eta_min + (lr_{t−1} − eta_min)·(1 + cos(π·t/T_max))/(1 + cos(π·(t − 1)/T_max)),

    so the values equal PyTorch's to the last bit. Past T_max the cosine continues: the learning rate
    rises back towards ``initial_lr`` over the next T_max epochs (PyTorch's behaviour).

    Parameters
    ----------
    optimizer : Optimizer
    T_max : int
        Number of epochs of the half period.
    eta_min : float, default 0
        The smallest learning rate.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        _check_positive_int("T_max", T_max)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:
            # At the trough the recursion would divide by 1 + cos(π) = 0: step up from the minimum instead.
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(self._current_lrs(), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

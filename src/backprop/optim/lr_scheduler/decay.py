"""Decaying and warm-up schedules: ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``ConstantLR``,
``LinearLR``, ``PolynomialLR`` and ``LambdaLR``, with PyTorch's semantics step for step."""
import numbers
import types
from bisect import bisect_right
from collections import Counter

from .base import LRScheduler, check_positive_int, current_lrs


def check_gamma(owner, gamma):
    """Raise ValueError unless 0 < gamma ≤ 1: stricter than PyTorch, where gamma ≤ 0 makes the learning rate
    zero or negative (gradient ascent) and gamma > 1 makes it grow without bound."""
    if not isinstance(gamma, numbers.Real) or isinstance(gamma, bool) or not 0 < gamma <= 1:
        raise ValueError(f"{owner}: gamma must be a number in (0, 1], got {gamma!r}")


class _GammaDecay(LRScheduler):
    """A schedule that multiplies the rate by ``gamma``: checked when built and when a state is loaded."""

    def load_state_dict(self, state_dict):
        check_gamma(type(self).__name__, state_dict.get("gamma", self.gamma))  # a tampered checkpoint
        super().load_state_dict(state_dict)


class StepLR(_GammaDecay):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    lr_epoch = initial_lr · gamma^⌊epoch/step_size⌋ (applied as lr ← gamma·lr when epoch is a
    non-zero multiple of step_size).

    Parameters
    ----------
    optimizer : Optimizer
    step_size : int
        Period of the decay, in epochs.
    gamma : float, default 0.1
        Multiplicative factor, in (0, 1].
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        check_positive_int("step_size", step_size)
        self.step_size = step_size
        check_gamma("StepLR", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return current_lrs(self.optimizer)
        return [lr * self.gamma for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


class MultiStepLR(_GammaDecay):
    """Multiply the learning rate by ``gamma`` at each of the epochs in ``milestones``.

    lr_epoch = initial_lr · gamma^(number of milestones ≤ epoch); a milestone given twice decays twice.

    Parameters
    ----------
    optimizer : Optimizer
    milestones : iterable of int
        The epochs at which to decay.
    gamma : float, default 0.1
        Multiplicative factor, in (0, 1].
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if not isinstance(m, numbers.Integral) or isinstance(m, bool):
                raise ValueError(f"milestones must be integers (epochs), got {m!r} in {milestones!r}")
        self.milestones = Counter(milestones)
        check_gamma("MultiStepLR", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return current_lrs(self.optimizer)
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        # Counts, not Counter.elements(): a state dict loaded from a file gives a plain dict back.
        milestones = sorted(m for m, count in self.milestones.items() for _ in range(count))
        return [base * self.gamma ** bisect_right(milestones, self.last_epoch) for base in self.base_lrs]


class ExponentialLR(_GammaDecay):
    """Multiply the learning rate by ``gamma`` every epoch: lr_epoch = initial_lr · gamma^epoch.

    Parameters
    ----------
    optimizer : Optimizer
    gamma : float
        Multiplicative factor, in (0, 1].
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_gamma("ExponentialLR", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return current_lrs(self.optimizer)
        return [lr * self.gamma for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        return [base * self.gamma ** self.last_epoch for base in self.base_lrs]


class ConstantLR(LRScheduler):
    """Multiply the learning rate by ``factor`` for the first ``total_iters`` epochs (a constant warm-up).

    lr_epoch = initial_lr · factor for epoch < total_iters, initial_lr afterwards.

    Parameters
    ----------
    optimizer : Optimizer
    factor : float, default 1/3
        The multiplier, in [0, 1].
    total_iters : int, default 5
        The number of epochs it applies to.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5, last_epoch=-1):
        if not 0 <= factor <= 1:
            raise ValueError(f"ConstantLR's factor must lie in [0, 1], got {factor!r}")
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.factor for lr in current_lrs(self.optimizer)]
        if self.last_epoch != self.total_iters:
            return current_lrs(self.optimizer)
        return [lr * (1.0 / self.factor) for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        return [base * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base in self.base_lrs]


class LinearLR(LRScheduler):
    """Scale the learning rate by a factor going linearly from ``start_factor`` to ``end_factor`` in
    ``total_iters`` epochs (a linear warm-up, or decay), then constant.

    lr_epoch = initial_lr · (start_factor + (end_factor − start_factor)·min(epoch, total_iters)/total_iters),
    computed as PyTorch does, by the chainable ratio of consecutive factors.

    Parameters
    ----------
    optimizer : Optimizer
    start_factor : float, default 1/3
        The first epoch's factor, in (0, 1].
    end_factor : float, default 1
        The factor from epoch ``total_iters`` on, in [0, 1].
    total_iters : int, default 5
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5, last_epoch=-1):
        if not 0 < start_factor <= 1:
            raise ValueError(f"LinearLR's start_factor must lie in (0, 1], got {start_factor!r}")
        if not 0 <= end_factor <= 1:
            raise ValueError(f"LinearLR's end_factor must lie in [0, 1], got {end_factor!r}")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in current_lrs(self.optimizer)]
        if self._is_initial or self.last_epoch > self.total_iters:
            return current_lrs(self.optimizer)
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        fraction = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base * (self.start_factor + (self.end_factor - self.start_factor) * fraction)
                for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay the learning rate to 0 in ``total_iters`` epochs along a polynomial, then keep it there.

    lr_epoch = initial_lr · (1 − min(epoch, total_iters)/total_iters)^power, computed as PyTorch does,
    by the chainable ratio of consecutive factors.

    Parameters
    ----------
    optimizer : Optimizer
    total_iters : int, default 5
    power : float, default 1
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return current_lrs(self.optimizer)
        decay = ((1.0 - self.last_epoch / self.total_iters)
                 / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * decay for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        return [base * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base in self.base_lrs]


class LambdaLR(LRScheduler):
    """Set the learning rate to ``initial_lr · lr_lambda(epoch)``.

    Parameters
    ----------
    optimizer : Optimizer
    lr_lambda : callable or list of callables
        ``epoch ↦ factor``, one for all groups or one per group.
    last_epoch : int, default -1

    Notes
    -----
    As in PyTorch, :meth:`state_dict` saves a function or lambda as None (they cannot be saved): build
    the scheduler with the same functions before loading. A callable object's ``__dict__`` is saved
    and restored.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        n = len(optimizer.param_groups)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != n:
                raise ValueError(f"Expected {n} lr_lambdas (one per parameter group), but got {len(lr_lambda)}")
            self.lr_lambdas = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * n
        for fn in self.lr_lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda must be a callable (epoch ↦ factor), got {fn!r}")
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self):
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) else fn.__dict__.copy()
                               for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict):
        self.__dict__.update({key: value for key, value in state_dict.items() if key != "lr_lambdas"})
        for fn, saved in zip(self.lr_lambdas, state_dict["lr_lambdas"]):
            if saved is not None:
                fn.__dict__.update(saved)

"""Cosine schedules: ``CosineAnnealingLR`` and ``CosineAnnealingWarmRestarts`` (SGDR), PyTorch's semantics."""
import math
import numbers

from .base import LRScheduler, check_eta_min, check_positive_int, current_lrs, set_lrs


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
        check_positive_int("T_max", T_max)
        check_eta_min(eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return current_lrs(self.optimizer)
        if (t - 1 - T) % (2 * T) == 0:
            # At the trough the recursion would divide by 1 + cos(π) = 0: step up from the minimum instead.
            return [lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                    for lr, base in zip(current_lrs(self.optimizer), self.base_lrs)]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in current_lrs(self.optimizer)]

    def _get_closed_form_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing from ``initial_lr`` to ``eta_min`` that restarts every T_i epochs (SGDR).

    lr = eta_min + (initial_lr − eta_min)·(1 + cos(π·T_cur/T_i))/2, where T_cur counts the epochs since
    the last restart and T_i, first ``T_0``, is multiplied by ``T_mult`` at each restart.

    :meth:`step` may be called once per epoch, or once per batch with a fractional epoch,
    ``step(epoch + i/iters)``: T_cur then follows that epoch, within its cycle (PyTorch's behaviour).

    Parameters
    ----------
    optimizer : Optimizer
    T_0 : int
        The length of the first cycle, in epochs.
    T_mult : int, default 1
        The factor by which each cycle is longer than the one before.
    eta_min : float, default 0
        The smallest learning rate.
    last_epoch : int, default -1
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        check_positive_int("T_0", T_0)
        if not isinstance(T_mult, numbers.Integral) or isinstance(T_mult, bool) or T_mult < 1:
            raise ValueError(f"T_mult must be an integer >= 1, got {T_mult!r}")
        check_eta_min(eta_min)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base in self.base_lrs]

    def step(self, epoch=None):
        """Move to the next epoch, or to ``epoch`` (a float is allowed), and set each group's ``lr``."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if not isinstance(epoch, numbers.Real) or epoch < 0:
                raise ValueError(f"Expected a non-negative epoch, but got {epoch!r}")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        set_lrs(self, self.get_lr())

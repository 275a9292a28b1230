"""``OneCycleLR``: the 1cycle policy (Smith & Topin), learning rate and momentum, PyTorch's semantics."""
import math
import numbers

from .base import LRScheduler, check_optimizer, check_positive_int, check_positive_number, per_group


class OneCycleLR(LRScheduler):
    r"""Raise the learning rate from ``max_lr/div_factor`` to ``max_lr``, then anneal it far below the start.

    Stepped once per batch. The cycle has ``total_steps`` steps (or ``epochs·steps_per_epoch``). Phase 1,
    the first ``pct_start`` of the steps, goes from initial_lr = max_lr/div_factor up to max_lr; phase 2
    comes down to min_lr = initial_lr/final_div_factor. With ``three_phase`` the descent back to
    initial_lr mirrors phase 1 and a third phase annihilates to min_lr. Each phase anneals along half a
    cosine (``anneal_strategy='cos'``) or a line (``'linear'``)::

        cos:     lr = end + (start − end)·(1 + cos(π·pct))/2
        linear:  lr = start + (end − start)·pct

    With ``cycle_momentum`` the momentum (``momentum``, or β₁ of ``betas`` for the Adam family) moves
    the other way, from max_momentum down to base_momentum at the peak and back.

    Parameters
    ----------
    optimizer : Optimizer
    max_lr : float or list of float
        The peak learning rate, one for all groups or one per group.
    total_steps : int, optional
        The cycle's number of steps; or give ``epochs`` and ``steps_per_epoch``.
    epochs, steps_per_epoch : int, optional
    pct_start : float, default 0.3
        The fraction of the cycle spent raising the learning rate.
    anneal_strategy : {'cos', 'linear'}, default 'cos'
    cycle_momentum : bool, default True
    base_momentum, max_momentum : float or list of float, default 0.85, 0.95
    div_factor : float, default 25
    final_div_factor : float, default 1e4
    three_phase : bool, default False
    last_epoch : int, default -1
        The index of the last *batch* (step) done.

    Notes
    -----
    ``initial_lr``, ``max_lr``, ``min_lr``, ``max_momentum`` and ``base_momentum`` are stored in each
    parameter group, as in PyTorch. Stepping past ``total_steps`` raises ``ValueError``.
    """

    def __init__(self, optimizer, max_lr, total_steps=None, epochs=None, steps_per_epoch=None, pct_start=0.3,
                 anneal_strategy="cos", cycle_momentum=True, base_momentum=0.85, max_momentum=0.95,
                 div_factor=25.0, final_div_factor=1e4, three_phase=False, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if total_steps is not None:
            check_positive_int("total_steps", total_steps)
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            check_positive_int("epochs", epochs)
            check_positive_int("steps_per_epoch", steps_per_epoch)
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, numbers.Real) or not 0 <= pct_start <= 1:
            raise ValueError(f"pct_start must be a float between 0 and 1, got {pct_start!r}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', got {anneal_strategy!r}")
        self._anneal_func_type = anneal_strategy
        self._schedule_phases = _phases(float(pct_start), self.total_steps, three_phase)
        max_lrs = per_group("max_lr", optimizer, max_lr)
        for name, value in [("max_lr", lr) for lr in max_lrs] + [("div_factor", div_factor),
                                                                   ("final_div_factor", final_div_factor)]:
            check_positive_number(name, value)
        if last_epoch == -1:
            for lr, group in zip(max_lrs, optimizer.param_groups):
                group["initial_lr"] = lr / div_factor
                group["max_lr"] = lr
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"cycle_momentum=True needs an optimizer with momentum or betas, but "
                                 f"{type(optimizer).__name__} has neither: pass cycle_momentum=False")
            self.use_beta1 = "betas" in optimizer.defaults
            max_momenta = per_group("max_momentum", optimizer, max_momentum)
            base_momenta = per_group("base_momentum", optimizer, base_momentum)
            if last_epoch == -1:
                for top, bottom, group in zip(max_momenta, base_momenta, optimizer.param_groups):
                    self._set_momentum(group, top)
                    group["max_momentum"] = top
                    group["base_momentum"] = bottom
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self):
        """The learning rates at step ``last_epoch``; also sets each group's momentum (with cycle_momentum)."""
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is "
                             f"{self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[phase["start_momentum"]],
                                                               group[phase["end_momentum"]], pct))
                    break
                start_step = end_step
        return lrs


def _phases(pct_start, total_steps, three_phase):
    """The phases' last steps and the group keys of their start and end values (PyTorch's table)."""
    up = {"end_step": pct_start * total_steps - 1, "start_lr": "initial_lr", "end_lr": "max_lr",
          "start_momentum": "max_momentum", "end_momentum": "base_momentum"}
    if not three_phase:
        return [up, {"end_step": total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                     "start_momentum": "base_momentum", "end_momentum": "max_momentum"}]
    return [up, {"end_step": 2 * pct_start * total_steps - 2, "start_lr": "max_lr", "end_lr": "initial_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            {"end_step": total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
             "start_momentum": "max_momentum", "end_momentum": "max_momentum"}]

"""RAdam: Adam with its adaptive step rectified while v is still a poor estimate (``torch.optim.RAdam``)."""
import math

import numpy as np

from ._adam_family import decayed_grad, update_moments
from .optimizer import Optimizer, check_betas, check_nonnegative


def radam_update(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, maximize=False):
    """One RAdam step on ``param``, in place: PyTorch's algorithm, :attr:`RAdam.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t), ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v), PyTorch's names; filled on the first step.
    lr, betas, eps, weight_decay, decoupled_weight_decay, maximize
        As in :class:`RAdam`.

    Returns
    -------
    dict
        The intermediates (:attr:`RAdam.intermediates`): ``step`` (t), ``g``, ``m``, ``v``, ``m_hat`` (m̂),
        ``rho_t`` (ρ_t), ``rect`` (r, None while ρ_t ≤ 5) and ``delta`` (Δ).
    """
    beta1, beta2 = betas
    t = state["step"] = state.get("step", 0) + 1
    g = decayed_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    m, v, tmp = update_moments(state, param, grad, g, beta1, beta2)
    bias_correction2 = 1 - beta2 ** t
    m_hat = m / (1 - beta1 ** t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2 ** t / bias_correction2
    delta = np.multiply(m_hat, lr, out=tmp)
    rect = None
    if rho_t > 5.0:
        rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        denom = np.sqrt(v)
        denom += eps
        delta *= bias_correction2 ** 0.5 / denom
        delta *= rect
    param -= delta
    return {"step": t, "g": g, "m": m, "v": v, "m_hat": m_hat, "rho_t": rho_t, "rect": rect, "delta": delta}


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020): Adam that takes plain momentum steps until v can be trusted, then rectifies.

    ρ_t estimates how many gradients the running mean square v effectively averages. While it is at
    most 5 the adaptive step's variance is unbounded, and RAdam steps along m̂ alone; afterwards it
    takes Adam's step scaled by the rectification r < 1. The algorithm, per parameter θ at step
    t = 1, 2, ..., is :attr:`algorithm` (shown at the end), exactly as :func:`radam_update` runs it.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 1e-3
        Learning rate.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β₁ of the mean and β₂ of the mean square of the gradient, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0
        Weight-decay coefficient: an L2 penalty folded into the gradient, or (``decoupled_weight_decay``)
        a shrinking of θ itself.
    decoupled_weight_decay : bool, default False
        Shrink θ by lr·weight_decay·θ before the step (RAdamW) instead of adding the penalty to g.
    maximize : bool, default False
        Ascend instead of descend.
    """

    update = staticmethod(radam_update)
    hyperparameters = ("lr", "betas", "eps", "weight_decay", "decoupled_weight_decay", "maximize")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:
            θ ← θ·(1 − lr·weight_decay)       if decoupled_weight_decay   (RAdamW)
            g ← g + weight_decay·θ            otherwise
        m ← β₁·m + (1 − β₁)·g                 (m and v start at 0)
        v ← β₂·v + (1 − β₂)·g²
        m̂ ← m/(1 − β₁ᵗ)
        ρ_∞ ← 2/(1 − β₂) − 1
        ρ_t ← ρ_∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
        if ρ_t > 5:
            r ← √((ρ_t − 4)(ρ_t − 2)ρ_∞/((ρ_∞ − 4)(ρ_∞ − 2)ρ_t))
            Δ ← lr·m̂·r·√(1 − β₂ᵗ)/(√v + eps)
        else:
            Δ ← lr·m̂
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)", "m": "m = β₁·m + (1 − β₁)·g",
                     "v": "v = β₂·v + (1 − β₂)·g²", "m_hat": "m̂ = m/(1 − β₁ᵗ)",
                     "rho_t": "ρ_t = ρ_∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)",
                     "rect": "r = √((ρ_t − 4)(ρ_t − 2)ρ_∞/((ρ_∞ − 4)(ρ_∞ − 2)ρ_t)) (None while ρ_t ≤ 5)",
                     "delta": "Δ = lr·m̂·r·√(1 − β₂ᵗ)/(√v + eps), or lr·m̂ while ρ_t ≤ 5"}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay")
        check_betas(group)

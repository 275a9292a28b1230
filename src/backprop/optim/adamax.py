"""Adamax: Adam with the root mean square replaced by a decaying maximum of |g| (``torch.optim.Adamax``)."""
import numpy as np

from .optimizer import Optimizer, check_betas, check_nonnegative, effective_grad, temporary, zeros_state


def adamax_update(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    """One Adamax step on ``param``, in place: PyTorch's algorithm, :attr:`Adamax.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t), ``'exp_avg'`` (m), ``'exp_inf'`` (u), PyTorch's names; filled on the first step.
    lr, betas, eps, weight_decay, maximize
        As in :class:`Adamax`.

    Returns
    -------
    dict
        The intermediates (:attr:`Adamax.intermediates`): ``step`` (t), ``g``, ``m``, ``u``, ``clr`` (the
        bias-corrected learning rate) and ``delta`` (Δ).
    """
    beta1, beta2 = betas
    t = state["step"] = state.get("step", 0) + 1
    g = effective_grad(param, grad, weight_decay, maximize)
    m = zeros_state(state, "exp_avg", param)
    u = zeros_state(state, "exp_inf", param)
    tmp = np.multiply(g, 1 - beta1, out=temporary(param, grad))
    m *= beta1
    m += tmp
    np.abs(g, out=tmp)
    tmp += eps
    u *= beta2
    np.maximum(u, tmp, out=u)
    clr = lr / (1 - beta1 ** t)
    delta = np.divide(m, u, out=tmp)
    delta *= clr
    param -= delta
    return {"step": t, "g": g, "m": m, "u": u, "clr": clr, "delta": delta}


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015): Adam's step divided by an exponentially weighted infinity norm of g.

    The algorithm, per parameter θ at step t = 1, 2, ..., is :attr:`algorithm` (shown at the end),
    exactly as :func:`adamax_update` runs it. eps is added to |g| inside the maximum, as in PyTorch.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 2e-3
        Learning rate.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β₁ of the mean gradient and β₂ of the infinity norm, each in [0, 1).
    eps : float, default 1e-8
        Added to |g|, so that u is never 0.
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient.
    maximize : bool, default False
        Ascend instead of descend.
    """

    update = staticmethod(adamax_update)
    hyperparameters = ("lr", "betas", "eps", "weight_decay", "maximize")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:  g ← g + weight_decay·θ
        m ← β₁·m + (1 − β₁)·g                 (m₀ = u₀ = 0)
        u ← max(β₂·u, |g| + eps)
        Δ ← lr/(1 − β₁ᵗ)·m/u
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)", "m": "m = β₁·m + (1 − β₁)·g",
                     "u": "u = max(β₂·u, |g| + eps)", "clr": "lr/(1 − β₁ᵗ)", "delta": "Δ = lr/(1 − β₁ᵗ)·m/u"}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay")
        check_betas(group)

"""Adadelta: steps in the units of θ, from running means of g² and of past steps² (``torch.optim.Adadelta``)."""
import numpy as np

from .optimizer import Optimizer, check_nonnegative, effective_grad, temporary, zeros_state


def adadelta_update(param, grad, state, lr, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    """One Adadelta step on ``param``, in place: PyTorch's algorithm, :attr:`Adadelta.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t), ``'square_avg'`` (v), ``'acc_delta'`` (u), PyTorch's names; filled on the first step.
    lr, rho, eps, weight_decay, maximize
        As in :class:`Adadelta`.

    Returns
    -------
    dict
        The intermediates (:attr:`Adadelta.intermediates`): ``step`` (t), ``g``, ``v``, ``dx`` (Δx), ``u``
        and ``delta`` (Δ = lr·Δx).
    """
    t = state["step"] = state.get("step", 0) + 1
    g = effective_grad(param, grad, weight_decay, maximize)
    v = zeros_state(state, "square_avg", param)
    u = zeros_state(state, "acc_delta", param)
    tmp = np.multiply(g, g, out=temporary(param, grad))
    tmp *= 1 - rho
    v *= rho
    v += tmp
    std = np.sqrt(v + eps)
    dx = np.sqrt(np.add(u, eps, out=tmp), out=tmp)
    dx /= std
    dx *= g
    u *= rho
    u += (1 - rho) * dx * dx
    delta = dx * lr
    param -= delta
    return {"step": t, "g": g, "v": v, "dx": dx, "u": u, "delta": delta}


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012): the step Δx = √(u + eps)/√(v + eps)·g carries θ's units, with no tuning of lr.

    v averages g², u averages the squared steps; their ratio rescales g into a step of the size past
    steps had. The algorithm, per parameter θ at step t = 1, 2, ..., is :attr:`algorithm` (shown at the
    end), exactly as :func:`adadelta_update` runs it. PyTorch's ``lr`` (default 1) scales Δx.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 1.0
        Coefficient that scales Δx before it is applied.
    rho : float, default 0.9
        Decay rate of the running means, in [0, 1].
    eps : float, default 1e-6
        Added inside both square roots (it also sets the size of the first steps).
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient.
    maximize : bool, default False
        Ascend instead of descend.
    """

    update = staticmethod(adadelta_update)
    hyperparameters = ("lr", "rho", "eps", "weight_decay", "maximize")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:  g ← g + weight_decay·θ
        v ← ρ·v + (1 − ρ)·g²                  (v₀ = u₀ = 0)
        Δx ← √(u + eps)/√(v + eps)·g
        u ← ρ·u + (1 − ρ)·Δx²
        Δ ← lr·Δx
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)", "v": "v = ρ·v + (1 − ρ)·g²",
                     "dx": "Δx = √(u + eps)/√(v + eps)·g (u before this step)", "u": "u = ρ·u + (1 − ρ)·Δx²",
                     "delta": "Δ = lr·Δx"}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, maximize=False):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay")
        check_nonnegative(group, "rho", at_most=1)

"""Adam and AdamW: momentum and RMSprop with bias-corrected moments (``torch.optim.Adam`` and ``AdamW``)."""
import numpy as np

from ._adam_family import decayed_grad, update_moments
from .optimizer import Optimizer, check_betas, check_nonnegative, zeros_state
from .workspace import ACTIVE


def adam_update(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False,
                maximize=False, decoupled_weight_decay=False):
    """One Adam (or AdamW) step on ``param``, in place: PyTorch's algorithm, :attr:`Adam.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t), ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v), ``'max_exp_avg_sq'`` (v_max, amsgrad
        only), PyTorch's names; filled on the first step.
    lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay
        As in :class:`Adam`.

    Returns
    -------
    dict
        The intermediates (:attr:`Adam.intermediates`): ``step`` (t), ``g``, ``m``, ``v``, ``v_max`` (or
        None), ``m_hat`` (m̂), ``v_hat`` (v̂) and ``delta`` (Δ).
    """
    beta1, beta2 = betas
    t = state["step"] = state.get("step", 0) + 1
    g = decayed_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    m, v, tmp = update_moments(state, param, grad, g, beta1, beta2)
    v_max = None
    if amsgrad:
        v_max = zeros_state(state, "max_exp_avg_sq", param)
        np.maximum(v_max, v, out=v_max)
    workspace = ACTIVE.get()  # read once, not through temporary(): this runs for every parameter at every step
    m_hat = np.divide(m, 1 - beta1 ** t, out=None if workspace is None else workspace.like(param, grad))
    v_hat = np.divide(v if v_max is None else v_max, 1 - beta2 ** t,
                      out=None if workspace is None else workspace.like(param, grad))
    delta = np.sqrt(v_hat, out=tmp)
    delta += eps
    np.divide(m_hat, delta, out=delta)
    delta *= lr
    param -= delta
    return {"step": t, "g": g, "m": m, "v": v, "v_max": v_max, "m_hat": m_hat, "v_hat": v_hat, "delta": delta}


class Adam(Optimizer):
    r"""Adam: a step along the bias-corrected mean gradient, scaled by its bias-corrected root mean square.

    The algorithm, per parameter θ at step t = 1, 2, ..., is :attr:`algorithm` (shown at the end),
    exactly as :func:`adam_update` runs it (decoupled_weight_decay: see :class:`AdamW`).

    **The course's Adam** is this update with η = ``lr``. The course takes β₁ = β₂ = 0.9, while
    PyTorch's defaults (kept here) are β = (0.9, 0.999): pass ``betas=(0.9, 0.9)`` explicitly to
    reproduce its exercise. eps sits outside the square root, as in PyTorch.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 1e-3
        Learning rate η.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β₁ of the mean and β₂ of the mean square of the gradient, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient (so it is rescaled by v̂ like the gradient).
    amsgrad : bool, default False
        Use the maximum of all v so far (AMSGrad), so that effective step sizes never grow.
    maximize : bool, default False
        Ascend instead of descend.
    decoupled_weight_decay : bool, default False
        Shrink θ directly instead (AdamW).
    """

    update = staticmethod(adam_update)
    hyperparameters = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "decoupled_weight_decay")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:
            θ ← θ·(1 − lr·weight_decay)       if decoupled_weight_decay   (AdamW)
            g ← g + weight_decay·θ            otherwise                   (Adam: L2 penalty)
        m ← β₁·m + (1 − β₁)·g                 (m and v start at 0)
        v ← β₂·v + (1 − β₂)·g²
        if amsgrad:  v_max ← max(v_max, v),  and v_max stands for v below
        m̂ ← m/(1 − β₁ᵗ)
        v̂ ← v/(1 − β₂ᵗ)
        Δ ← lr·m̂/(√v̂ + eps)
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)", "m": "m = β₁·m + (1 − β₁)·g",
                     "v": "v = β₂·v + (1 − β₂)·g²", "v_max": "v_max = max(v_max, v) (None without amsgrad)",
                     "m_hat": "m̂ = m/(1 − β₁ᵗ)", "v_hat": "v̂ = v/(1 − β₂ᵗ)", "delta": "Δ = lr·m̂/(√v̂ + eps)"}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, *,
                 maximize=False, decoupled_weight_decay=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      amsgrad=amsgrad, maximize=maximize,
                                      decoupled_weight_decay=decoupled_weight_decay))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay")
        check_betas(group)


class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter): θ shrinks by lr·weight_decay·θ each step.

    The algorithm is :class:`Adam`'s with, before the moments are updated::

        θ ← θ·(1 − lr·weight_decay)

    and g = grad (no penalty in the gradient), so that the decay is not rescaled by v̂. Defaults as in
    PyTorch: ``weight_decay=0.01``. The decay applies to every parameter of a group, biases included;
    give the biases a group with ``weight_decay=0`` to leave the intercept alone, as the course does.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True

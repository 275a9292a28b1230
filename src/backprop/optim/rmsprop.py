"""RMSprop: steps scaled by a running root mean square of the gradient (PyTorch's ``torch.optim.RMSprop``)."""
import numpy as np

from .optimizer import Optimizer, check_nonnegative, effective_grad, temporary, zeros_state


def rmsprop_update(param, grad, state, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                   centered=False, maximize=False):
    """One RMSprop step on ``param``, in place: PyTorch's algorithm, :attr:`RMSprop.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'``, ``'square_avg'`` (v), ``'grad_avg'`` (ḡ, centered only), ``'momentum_buffer'`` (b,
        momentum only), PyTorch's names; filled on the first step.
    lr, alpha, eps, weight_decay, momentum, centered, maximize
        As in :class:`RMSprop`.

    Returns
    -------
    dict
        The intermediates (:attr:`RMSprop.intermediates`): ``step``, ``g``, ``v``, ``g_avg`` (ḡ, or None),
        ``b`` (or None) and ``delta`` (Δ).
    """
    state["step"] = state.get("step", 0) + 1
    g = effective_grad(param, grad, weight_decay, maximize)
    v = zeros_state(state, "square_avg", param)
    v *= alpha
    a = np.multiply(g, g, out=temporary(param, grad))
    a *= 1 - alpha
    v += a
    g_avg = zeros_state(state, "grad_avg", param) if centered else None
    if g_avg is not None:
        g_avg *= alpha
        g_avg += (1 - alpha) * g
        np.multiply(g_avg, g_avg, out=a)
        np.subtract(v, a, out=a)
        np.sqrt(a, out=a)
    else:
        np.sqrt(v, out=a)
    a += eps
    ratio = np.divide(g, a, out=a)
    b = zeros_state(state, "momentum_buffer", param) if momentum > 0 else None
    if b is not None:
        b *= momentum
        b += ratio
        delta = np.multiply(b, lr, out=ratio)
    else:
        delta = np.multiply(ratio, lr, out=ratio)
    param -= delta
    return {"step": state["step"], "g": g, "v": v, "g_avg": g_avg, "b": b, "delta": delta}


class RMSprop(Optimizer):
    r"""RMSprop: divide each step by a running root mean square of that coordinate's gradient.

    The algorithm, per parameter θ, is :attr:`algorithm` (shown at the end), exactly as
    :func:`rmsprop_update` runs it.

    **The course's RMSprop** writes the same update with the smoothing constant α (``alpha``) and
    η (``lr``). The course uses α = 0.9 while PyTorch's default (kept here) is 0.99, so pass
    ``alpha=0.9`` explicitly to reproduce it. eps sits outside the square root, as in PyTorch.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 0.01
        Learning rate η.
    alpha : float, default 0.99
        Smoothing constant of the running mean of g² (the course's α), in [0, 1].
    eps : float, default 1e-8
        Added to the denominator, so that a zero gradient history does not divide by zero.
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient (biases included, unless put in their own group).
    momentum : float, default 0
        Momentum factor applied to the scaled steps.
    centered : bool, default False
        Divide by an estimate of the gradient's standard deviation instead of its root mean square.
    maximize : bool, default False
        Ascend instead of descend.
    """

    update = staticmethod(rmsprop_update)
    hyperparameters = ("lr", "alpha", "eps", "weight_decay", "momentum", "centered", "maximize")
    algorithm = """
        step ← step + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:  g ← g + weight_decay·θ
        v ← alpha·v + (1 − alpha)·g²                  (v starts at 0)
        if centered:
            ḡ ← alpha·ḡ + (1 − alpha)·g                (ḡ starts at 0)
            a ← √(v − ḡ²) + eps
        else:
            a ← √v + eps
        if momentum > 0:
            b ← momentum·b + g/a                       (b starts at 0)
            Δ ← lr·b
        else:
            Δ ← lr·g/a
        θ ← θ − Δ
    """
    intermediates = {"step": "the step count", "g": "g = ±grad (+ weight_decay·θ)",
                     "v": "v = alpha·v + (1 − alpha)·g²", "g_avg": "ḡ = alpha·ḡ + (1 − alpha)·g (None unless centered)",
                     "b": "b = momentum·b + g/a (None without momentum)", "delta": "Δ = lr·b or lr·g/a"}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False,
                 *, maximize=False):
        super().__init__(params, dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                                      momentum=momentum, centered=centered, maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay")
        check_nonnegative(group, "alpha", "momentum", at_most=1)

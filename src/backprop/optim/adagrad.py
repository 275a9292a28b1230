"""Adagrad: steps scaled by the root of the summed squared gradients (PyTorch's ``torch.optim.Adagrad``)."""
import numpy as np

from .optimizer import Optimizer, check_nonnegative, effective_grad, temporary


def adagrad_update(param, grad, state, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                   eps=1e-10, maximize=False):
    """One Adagrad step on ``param``, in place: PyTorch's algorithm, :attr:`Adagrad.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t) and ``'sum'`` (G), PyTorch's names; filled on the first step.
    lr, lr_decay, weight_decay, initial_accumulator_value, eps, maximize
        As in :class:`Adagrad`.

    Returns
    -------
    dict
        The intermediates (:attr:`Adagrad.intermediates`): ``step`` (t), ``g``, ``clr`` (η_t), ``sum`` (G)
        and ``delta`` (Δ).
    """
    if "sum" not in state:
        state["sum"] = np.full_like(param, initial_accumulator_value)
    t = state["step"] = state.get("step", 0) + 1
    g = effective_grad(param, grad, weight_decay, maximize)
    clr = lr / (1 + (t - 1) * lr_decay)
    G = state["sum"]
    delta = np.multiply(g, g, out=temporary(param, grad))
    G += delta
    np.sqrt(G, out=delta)
    delta += eps
    np.divide(g, delta, out=delta)
    delta *= clr
    param -= delta
    return {"step": t, "g": g, "clr": clr, "sum": G, "delta": delta}


class Adagrad(Optimizer):
    r"""Adagrad: each coordinate's step is divided by the root of the sum of its squared gradients so far.

    The algorithm, per parameter θ at step t = 1, 2, ..., is :attr:`algorithm` (shown at the end),
    exactly as :func:`adagrad_update` runs it.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 0.01
        Learning rate.
    lr_decay : float, default 0
        Learning-rate decay per step.
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient.
    initial_accumulator_value : float, default 0
        Starting value of G.
    eps : float, default 1e-10
        Added to the denominator.
    maximize : bool, default False
        Ascend instead of descend.

    Notes
    -----
    PyTorch creates the state of every parameter when the optimizer is built; here it is created on
    the parameter's first step (as for the other optimizers), which gives the same trajectory.
    """

    update = staticmethod(adagrad_update)
    hyperparameters = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", "maximize")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:  g ← g + weight_decay·θ
        η_t ← lr/(1 + (t − 1)·lr_decay)
        G ← G + g²                           (G starts at initial_accumulator_value)
        Δ ← η_t·g/(√G + eps)
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)",
                     "clr": "η_t = lr/(1 + (t − 1)·lr_decay)", "sum": "G = G + g²", "delta": "Δ = η_t·g/(√G + eps)"}

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10, *, maximize=False):
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, eps=eps,
                                      maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

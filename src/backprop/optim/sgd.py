"""Stochastic gradient descent, with momentum and Nesterov momentum (PyTorch's ``torch.optim.SGD``)."""
import numpy as np

from .optimizer import Optimizer, check_nonnegative, effective_grad, temporary
from .workspace import ACTIVE


def sgd_update(param, grad, state, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0,
               maximize=False):
    """One SGD step on ``param``, in place: PyTorch's algorithm, :attr:`SGD.algorithm` (shown below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ, of θ's shape (left unchanged).
    state : dict
        This parameter's state: ``'momentum_buffer'`` (b) once momentum is used; filled here.
    lr, momentum, dampening, nesterov, weight_decay, maximize
        As in :class:`SGD`.

    Returns
    -------
    dict
        The intermediates (:attr:`SGD.intermediates`): ``g`` (the gradient used, weight decay
        included), ``b`` (the momentum buffer, or None) and ``delta`` (Δ = lr·d, subtracted from θ).
    """
    g = grad if weight_decay == 0 and not maximize else effective_grad(param, grad, weight_decay, maximize)
    b = None
    if momentum != 0:
        b = state.get("momentum_buffer")
        if b is None:
            b = state["momentum_buffer"] = np.array(g, dtype=param.dtype, copy=True)
        else:
            b *= momentum
            b += g if dampening == 0 else (1 - dampening) * g
    if b is not None and nesterov:
        delta = np.multiply(b, momentum, out=temporary(param, grad))
        delta += g
        delta *= lr
    else:
        d = g if b is None else b
        workspace = ACTIVE.get()  # read here, not through temporary(): this line runs for every parameter
        delta = np.multiply(d, lr) if workspace is None else np.multiply(d, lr, out=workspace.like(param, grad))
        if delta.__class__ is not np.ndarray:  # a 0-d θ gives a NumPy scalar
            delta = np.asarray(delta)
    param -= delta
    return {"g": g, "b": b, "delta": delta}


class SGD(Optimizer):
    r"""Gradient descent on the latest ``backward``'s gradients: full-batch, minibatch or one observation.

    The algorithm, per parameter θ with gradient ``grad``, is :attr:`algorithm` (shown at the end),
    exactly as :func:`sgd_update` runs it.

    **Momentum in the course's notation.** The course writes v_t = α·v_{t−1} + η·∇L(w_{t−1}),
    w_t = w_{t−1} − v_t. With a constant learning rate this is the same trajectory: v = lr·b and
    α = ``momentum`` (pass the course's α = 0.9 explicitly; the default momentum is 0).

    **Nesterov momentum** follows PyTorch's form. The course's look-ahead form evaluates the gradient
    at the look-ahead point: v_t = α·v_{t−1} + η·∇L(w_{t−1} − α·v_{t−1}), w_t = w_{t−1} − v_t. The
    parameter that PyTorch's form (and this class) holds is that look-ahead point,
    θ_t = w_t − α·v_t, with b_t = v_t/η: substituting gives θ_t = θ_{t−1} − η·(∇L(θ_{t−1}) + α·b_t),
    the update above, so the gradient is always taken at the parameter itself. The course's iterate
    is recovered as w_t = θ_t + α·η·b_t (``state[p]['momentum_buffer']`` holds b_t).

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups (dicts with ``'params'`` and per-group hyperparameters).
    lr : float
        Learning rate η (required, as in the course: there is no sensible default for plain descent;
        PyTorch ≥ 2.2 defaults it to 1e-3).
    momentum : float, default 0
        Momentum factor α.
    dampening : float, default 0
        Dampening: the new gradient enters the buffer with weight 1 − dampening.
    nesterov : bool, default False
        Nesterov momentum (needs momentum > 0 and dampening = 0).
    weight_decay : float, default 0
        L2 penalty coefficient folded into the gradient: g + weight_decay·θ is the gradient of
        L + (weight_decay/2)·‖θ‖². It applies to every parameter of the group, biases included; put the
        biases in a group with ``weight_decay=0`` to leave the intercept alone, as the course does.
    maximize : bool, default False
        Ascend instead of descend.

    Examples
    --------
    >>> import backprop as bp
    >>> w = bp.tensor([0.0], requires_grad=True)
    >>> opt = bp.optim.SGD([w], lr=0.1)
    >>> ((2 - w * 1) ** 2).sum().backward()      # the course's first observation: x = 1, y = 2
    >>> opt.step(); w
    tensor([0.4], requires_grad=True)
    """

    update = staticmethod(sgd_update)
    hyperparameters = ("lr", "momentum", "dampening", "nesterov", "weight_decay", "maximize")
    algorithm = """
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:  g ← g + weight_decay·θ
        if momentum ≠ 0:
            b ← g                                  on the first step
            b ← momentum·b + (1 − dampening)·g     on later steps
            d ← g + momentum·b    if nesterov  else  b
        else:
            d ← g
        Δ ← lr·d
        θ ← θ − Δ
    """
    intermediates = {"g": "g = ±grad + weight_decay·θ", "b": "b, the momentum buffer (None if momentum = 0)",
                     "delta": "Δ = lr·d"}

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0, *,
                 maximize=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov,
                                      weight_decay=weight_decay, maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "weight_decay")
        check_nonnegative(group, "momentum", "dampening", at_most=1)  # PyTorch lets momentum=2 diverge
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(f"Nesterov momentum requires a momentum and zero dampening, got "
                             f"momentum={group['momentum']}, dampening={group['dampening']}")

"""Whole derivatives of a function: the Jacobian and the Hessian (``torch.autograd.functional``)."""
import numpy as np

from .engine import grad
from .grad_mode import enable_grad
from .tensor import Tensor


def _leaf(x):
    data = x.data if isinstance(x, Tensor) else np.asarray(x, dtype=np.float64)
    return Tensor._make(data.copy(), None).requires_grad_(True)


def _jacobian_of(y, x, create_graph):
    """Stack the gradients of every element of ``y`` with respect to ``x``: shape y.shape + x.shape."""
    rows = []
    for i in range(y.data.size):
        seed = np.zeros(y.data.size, dtype=y.dtype)
        seed[i] = 1
        if y.requires_grad:
            (g,) = grad(y, x, seed.reshape(y.shape), retain_graph=True, create_graph=create_graph,
                        allow_unused=True)
        else:
            g = None
        rows.append(g.data if g is not None else np.zeros_like(x.data))
    return np.stack(rows).reshape(y.shape + x.shape) if rows else np.zeros(y.shape + x.shape, x.dtype)


def jacobian(f, x):
    """J[i…, j…] = ∂f(x)[i…] / ∂x[j…], of shape ``f(x).shape + x.shape``.

    ``x`` need not require grad (a copy that does is used). One backward pass per output element;
    the course's ∇ₓz = J(y, x)ᵀ ∇_y z can be checked with it.
    """
    x = _leaf(x)
    with enable_grad():
        y = f(x)
    return Tensor._make(_jacobian_of(y, x, False), None)


def hessian(f, x):
    """H[i…, j…] = ∂²f(x) / ∂x[i…] ∂x[j…] for a scalar ``f``; shape ``x.shape + x.shape``.

    Computed by differentiating the recorded gradient (``create_graph=True``), so every op's
    backward formula is itself differentiated. For ‖Xw − y‖² it gives 2XᵀX.
    """
    x = _leaf(x)
    with enable_grad():
        y = f(x)
        if y.data.size != 1:
            raise ValueError(f"hessian needs a function with a scalar output; f(x) has shape {y.shape}")
        # f may not depend on x at all: then H = 0, as in PyTorch
        (g,) = grad(y, x, create_graph=True, allow_unused=True) if y.requires_grad else (None,)
        if g is None:
            return Tensor._make(np.zeros(x.shape + x.shape, x.dtype), None)
        return Tensor._make(_jacobian_of(g, x, False), None)

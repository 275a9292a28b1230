"""The engine's own ops: undoing broadcasting and converting dtypes, on arrays and on Tensors.

The engine sums every gradient back to its input's shape and casts it to its input's dtype, in one
place (not in each op). On the first-order path that is plain NumPy; under ``create_graph=True`` the
same step is recorded with :class:`SumTo` and :class:`Cast`, so second derivatives flow through it.
The ops package re-exports these; the engine needs nothing from it.
"""
import numpy as np

from .function import Function
from .tensor import Tensor


def broadcast_axes(from_shape, to_shape):
    """The axes of ``to_shape`` along which an array of ``from_shape`` was broadcast to it."""
    lead = len(to_shape) - len(from_shape)
    if lead < 0:
        raise ValueError(f"cannot sum shape {to_shape} down to the larger shape {from_shape}")
    axes = list(range(lead))
    for i, n in enumerate(from_shape):
        m = to_shape[i + lead]
        if n == 1 and m != 1:
            axes.append(i + lead)
        elif n != m:
            raise ValueError(f"shape {from_shape} does not broadcast to {to_shape}")
    return tuple(axes)


def sum_to_array(g, shape):
    """Sum ``g`` over the broadcast axes so that it has ``shape`` (dL/dx for x broadcast to g's shape)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    axes = broadcast_axes(shape, g.shape)
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)


class BroadcastTo(Function):
    """y = x repeated along broadcast axes.  dx = dy summed over those axes."""

    forward_formula = "y = broadcast(x, shape)"
    backward_formulas = {"x": "dx = Σ_broadcast axes dy"}

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, dy):
        return sum_to(dy, ctx.in_shape)


class SumTo(Function):
    """y = x summed over the axes along which ``shape`` would broadcast to x.  dx = dy broadcast back."""

    forward_formula = "y = Σ_broadcast axes x"
    backward_formulas = {"x": "dx = broadcast(dy, shape(x))"}

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return sum_to_array(x, shape)

    @staticmethod
    def backward(ctx, dy):
        return broadcast_to(dy, ctx.in_shape)


class Cast(Function):
    """y = x converted to another dtype.  dx = dy converted back to x's dtype."""

    forward_formula = "y = dtype(x)"
    backward_formulas = {"x": "dx = dtype_x(dy)"}

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.in_dtype = x.dtype
        return x.astype(dtype)

    @staticmethod
    def backward(ctx, dy):
        return cast(dy, ctx.in_dtype)


def sum_to(x, shape):
    """Sum ``x`` over the axes along which it was broadcast from ``shape`` (array or Tensor)."""
    return SumTo.apply(x, shape=tuple(shape)) if isinstance(x, Tensor) else sum_to_array(x, shape)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (array or Tensor; an array result is a read-only view)."""
    return BroadcastTo.apply(x, shape=tuple(shape)) if isinstance(x, Tensor) else np.broadcast_to(x, shape)


def cast(x, dtype):
    """``x`` converted to ``dtype``; for a Tensor the gradient is converted back.

    A cast to an integer or bool dtype records nothing: such a tensor has no gradient, as in PyTorch.
    """
    dtype = np.dtype(dtype)
    if isinstance(x, Tensor):
        if x.dtype == dtype:
            return x
        if dtype.kind not in "fc":
            return Tensor.wrap(x.data.astype(dtype))
        return Cast.apply(x, dtype=dtype)
    return np.asarray(x).astype(dtype, copy=False)

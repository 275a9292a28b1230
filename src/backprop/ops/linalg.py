"""Matrix products and linear algebra, with the gradients of the matrix-calculus chapter."""
import numpy as np

from ..autograd.function import Function
from ..exceptions import ShapeError
from . import dispatch as D


class MatMul(Function):
    """Z = X @ W (1-D, 2-D or batched operands, as ``np.matmul``).

    The minibatch formulas of the course: dX = dZ @ Wᵀ, dW = Xᵀ @ dZ. Batch axes broadcast; a 1-D
    operand is a row (on the left) or a column (on the right) vector.
    """

    forward_formula = "Z = X @ W"
    backward_formula = "dX = dZ @ Wᵀ,  dW = Xᵀ @ dZ"

    @staticmethod
    def forward(ctx, x, w):
        ctx.save(x=x, w=w)
        return np.matmul(x, w)

    @staticmethod
    def backward(ctx, dz):
        nx, nw = ctx.needs_input_grad
        x, w = ctx.x, ctx.w
        x_vec, w_vec = x.ndim == 1, w.ndim == 1
        if x_vec:
            x, dz = D.reshape(x, (1,) + x.shape), D.expand_dims(dz, -2)
        if w_vec:
            w, dz = D.reshape(w, w.shape + (1,)), D.expand_dims(dz, -1)
        dx = D.matmul(dz, D.swapaxes(w, -1, -2)) if nx else None
        dw = D.matmul(D.swapaxes(x, -1, -2), dz) if nw else None
        if x_vec and dx is not None:
            dx = dx[..., 0, :]
        if w_vec and dw is not None:
            dw = dw[..., 0]
        return dx, dw


def matmul(x, w):
    """The matrix product X @ W; a shape mismatch names both shapes."""
    try:
        return MatMul.apply(x, w)
    except ValueError:
        xs, ws = np.shape(D.raw(x)), np.shape(D.raw(w))
        raise ShapeError(
            f"matmul: X has shape {xs} but W has shape {ws}: X's last axis ({xs[-1] if xs else '-'}) "
            f"must equal W's {'first' if len(ws) == 1 else 'second-to-last'} axis "
            f"({ws[0] if len(ws) == 1 else ws[-2] if ws else '-'})") from None

"""Sine and cosine, each op with its forward and backward formula (x in radians)."""
import numpy as np

from ..autograd.function import Function
from . import dispatch as D
from ._doc import documents


class Sin(Function):
    """y = sin x.  dx = dy · cos x."""

    forward_formula = "y = sin(x)"
    backward_formulas = {"x": "dx = dy · cos(x)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, dy):
        return dy * D.cos(ctx.x)


class Cos(Function):
    """y = cos x.  dx = −dy · sin x."""

    forward_formula = "y = cos(x)"
    backward_formulas = {"x": "dx = −dy · sin(x)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.cos(x)

    @staticmethod
    def backward(ctx, dy):
        return -dy * D.sin(ctx.x)


@documents(Sin, "sin x (x in radians), elementwise.")
def sin(x):
    return Sin.apply(x)


@documents(Cos, "cos x (x in radians), elementwise.")
def cos(x):
    return Cos.apply(x)

"""Reductions over axes: sum, mean, max, min, var (NumPy's ``axis``/``keepdims``; PyTorch's
``dim``/``keepdim`` accepted too).

Every backward formula spreads the upstream gradient back over the reduced axes: reshape dy so the
reduced axes have length 1, broadcast it to x's shape, and weight it by ∂y/∂x.
"""
import math

import numpy as np

from ..autograd.function import Function
from . import dispatch as D
from ._doc import axis_words, documents, subscript
from .shape import _axis_arg


def _norm_axis(axis, ndim):
    """``axis`` as a sorted tuple of non-negative axes (None: all axes)."""
    if axis is None:
        return tuple(range(ndim))
    if type(axis) is int and -ndim <= axis < ndim:
        return (axis % ndim,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    if ndim == 0 and all(a in (0, -1) for a in axes):
        return ()  # as PyTorch: a 0-d tensor accepts dim 0 and -1, and nothing is reduced
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise IndexError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(a % ndim)
    return tuple(sorted(set(out)))


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(dy, ctx):
    """dy, whose reduced axes may have been dropped, broadcast back over x's shape."""
    return D.broadcast_to(D.reshape(dy, ctx.kept_shape), ctx.in_shape)


class _Reduction(Function):
    """A reduction over ``axes``; its formulas at a call name the axes (``y = Σ_axis=1 x``).

    A subclass's forward sets ``ctx.axes`` and ``ctx.kept_shape`` (x's shape with the reduced axes 1).
    """

    symbol = "Σ"  # the reducing symbol of the forward formula, subscripted with the axes at a call

    @classmethod
    def formulas(cls, ctx=None):
        forward, backward = super().formulas(ctx)
        if ctx is None:
            return forward, backward
        sub, along = axis_words(ctx.axes, len(ctx.kept_shape))
        return subscript(forward, cls.symbol, sub), {name: f + along for name, f in backward.items()}

    @staticmethod
    def _setup(ctx, x, axes):
        ctx.axes = axes
        ctx.in_shape = x.shape
        ctx.kept_shape = _kept_shape(x.shape, axes)
        return math.prod([x.shape[a] for a in axes])


class Sum(_Reduction):
    """y = Σᵢ xᵢ over ``axis``.  Each summand gets the gradient whole: dx = broadcast(dy)."""

    forward_formula = "y = Σ x"
    backward_formulas = {"x": "dx = broadcast(dy)"}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        Sum._setup(ctx, x, axes)
        return np.sum(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, dy):
        return _spread(dy, ctx)


class Mean(_Reduction):
    """y = (1/n) Σᵢ xᵢ over ``axis``.  dx = broadcast(dy) / n."""

    forward_formula = "y = (1/n) Σ x"
    backward_formulas = {"x": "dx = broadcast(dy) / n"}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.n = Mean._setup(ctx, x, axes)
        return np.mean(x, axis=axes, keepdims=keepdims)

    @staticmethod
    def backward(ctx, dy):
        return _spread(dy, ctx) * (1.0 / ctx.n)


class _Extremum(_Reduction):
    """max or min over ``axis``: the gradient goes to the extremal elements, shared equally on ties."""

    backward_formulas = {"x": "dx = broadcast(dy) · [x = y] / #{x = y}"}
    pick = None

    @classmethod
    def forward(cls, ctx, x, *, axes, keepdims):
        cls._setup(ctx, x, axes)
        y = cls.pick(x, axis=axes, keepdims=True)
        hit = x == y
        ctx.save(share=hit / hit.sum(axis=axes, keepdims=True).astype(x.dtype))
        return y if keepdims else y.reshape([n for i, n in enumerate(x.shape) if i not in axes])

    @staticmethod
    def backward(ctx, dy):
        return _spread(dy, ctx) * ctx.share


class Max(_Extremum):
    """y = max x over ``axis`` (values only).  dx = dy at the maxima, split equally among ties."""

    forward_formula = "y = max x"
    symbol = "max"
    pick = staticmethod(np.max)


class Min(_Extremum):
    """y = min x over ``axis`` (values only).  dx = dy at the minima, split equally among ties."""

    forward_formula = "y = min x"
    symbol = "min"
    pick = staticmethod(np.min)


class Var(_Reduction):
    """y = Σᵢ (xᵢ − x̄)² / (n − correction) over ``axis``.  dx = dy · 2(x − x̄) / (n − correction).

    ``correction=1`` is the unbiased estimate (PyTorch's default); ``correction=0`` is the
    maximum-likelihood variance the course and batch norm use.
    """

    forward_formula = "y = Σ (x − x̄)² / (n − c)"
    backward_formulas = {"x": "dx = dy · 2(x − x̄) / (n − c)"}

    @classmethod
    def formulas(cls, ctx=None):
        forward, backward = super().formulas(ctx)
        if ctx is None:
            return forward, backward
        denom = "n" if ctx.correction == 0 else f"(n − {ctx.correction:g})"
        return forward.replace("(n − c)", denom), {name: f.replace("(n − c)", denom) for name, f in backward.items()}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims, correction):
        n = Var._setup(ctx, x, axes)
        ctx.correction, ctx.denom = correction, (n - correction if n > correction else 0)
        ctx.save(x=x)
        return np.var(x, axis=axes, keepdims=keepdims, ddof=correction)

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        centred = x - D.mean(x, ctx.axes, keepdims=True)
        scale = 2.0 / ctx.denom if ctx.denom else np.inf  # n ≤ correction: inf/nan, as the forward
        return _spread(dy, ctx) * centred * scale


class ArgExtremum(Function):
    """Index of the maximum or minimum (integers, no gradient)."""

    differentiable = False
    forward_formula = "i = argmax x  (argmin: the index of the minimum)"

    @staticmethod
    def forward(ctx, x, *, axis, keepdims, find):
        return find(x, axis=axis, keepdims=keepdims).astype(np.int64, copy=False)  # PyTorch's index dtype


def _reduce(op, x, axis, keepdims, dim, keepdim, **extra):
    axis = _axis_arg(axis, dim)
    keepdims = keepdims if keepdim is None else keepdim
    return op.apply(x, axes=_norm_axis(axis, x.ndim), keepdims=bool(keepdims), **extra)


@documents(Sum)
def sum(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Sum over ``axis`` (int, negative, tuple or None for all)."""
    return _reduce(Sum, x, axis, keepdims, dim, keepdim)


@documents(Mean)
def mean(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """Mean over ``axis``."""
    return _reduce(Mean, x, axis, keepdims, dim, keepdim)


@documents(Max)
def amax(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Maximum over ``dim`` (an int, a tuple, or None for all), values only (``torch.amax``); tied
    elements share the gradient equally. For the indices too, use :func:`backprop.max` with a dim."""
    return _reduce(Max, x, dim, keepdim, axis, keepdims)


@documents(Min)
def amin(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """Minimum over ``dim``, values only (``torch.amin``); tied elements share the gradient equally."""
    return _reduce(Min, x, dim, keepdim, axis, keepdims)


@documents(Var)
def var(x, axis=None, keepdims=False, *, correction=1, dim=None, keepdim=None):
    """Variance over ``axis`` with n − ``correction`` in the denominator (1: unbiased, 0: biased)."""
    return _reduce(Var, x, axis, keepdims, dim, keepdim, correction=correction)


@documents(ArgExtremum)
def argmax(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The index of the maximum over ``axis`` (of the flattened x by default): integers, no gradient."""
    axis = _axis_arg(axis, dim)
    return ArgExtremum.apply(x, axis=axis, keepdims=keepdims if keepdim is None else keepdim, find=np.argmax)


@documents(ArgExtremum)
def argmin(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The index of the minimum over ``axis`` (of the flattened x by default): integers, no gradient."""
    axis = _axis_arg(axis, dim)
    return ArgExtremum.apply(x, axis=axis, keepdims=keepdims if keepdim is None else keepdim, find=np.argmin)

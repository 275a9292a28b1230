"""Reductions that also say *where*: ``max``/``min`` along a dim with their indices, ``sort``, ``argsort``
and ``topk``, as PyTorch returns them (named pairs ``(values, indices)``, int64 indices).

The values are taken from x at the indices (:class:`TakeAlongAxis`), so the gradient flows back to
exactly those elements: for ``max(x, dim)`` only to the first maximum of each row, as PyTorch. Its
gradient puts dy back at the same indices (:class:`PutAlongAxis`), and each op is the other's gradient,
so second derivatives work. ``amax``/``amin`` (values only, in ``reduce.py``) share the gradient equally
among tied elements instead.
"""
from collections import namedtuple  # (this module defines max and min: the builtins are not used here)

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ._doc import documents
from .reduce import ArgExtremum, Max, Min, _reduce
from .shape import _axis_arg

# PyTorch's torch.return_types: a tuple that unpacks as (values, indices) and names its fields.
max_result = namedtuple("max", ["values", "indices"])
min_result = namedtuple("min", ["values", "indices"])
sort_result = namedtuple("sort", ["values", "indices"])
topk_result = namedtuple("topk", ["values", "indices"])


class TakeAlongAxis(Function):
    """y = x at ``indices`` along ``axis`` (``np.take_along_axis``).  dx = dy put back at those indices."""

    forward_formula = "y = x[i] along axis"
    backward_formulas = {"x": "dx = dy at the indices i, 0 elsewhere"}

    @staticmethod
    def forward(ctx, x, *, indices, axis):
        # its own copy: max and sort return the indices they give here, which their caller may change
        ctx.indices, ctx.axis, ctx.in_shape = indices.copy(), axis, x.shape
        return np.take_along_axis(x, indices, axis)

    @staticmethod
    def backward(ctx, dy):
        return put_along(dy, ctx.indices, ctx.axis, ctx.in_shape)


class PutAlongAxis(Function):
    """y = zeros of ``shape`` with v at ``indices`` along ``axis`` (indices distinct along the axis).
    dv = dy at those indices."""

    forward_formula = "y = 0 with y[i] = v along axis"
    backward_formulas = {"v": "dv = dy[i] along axis"}

    @staticmethod
    def forward(ctx, v, *, indices, axis, shape):
        ctx.indices, ctx.axis = indices, axis
        out = np.zeros(shape, v.dtype)
        np.put_along_axis(out, indices, v, axis)
        return out

    @staticmethod
    def backward(ctx, dy):
        return take_along(dy, ctx.indices, ctx.axis)


class ArgSort(Function):
    """i = the indices that sort x along ``axis``: integers, with no gradient."""

    differentiable = False
    forward_formula = "i = argsort x"

    @staticmethod
    def forward(ctx, x, *, axis, descending, stable):
        return _order(x, axis, descending, stable).astype(np.int64)


def take_along(x, indices, axis):
    return TakeAlongAxis.apply(x, indices=indices, axis=axis) if isinstance(x, Tensor) else \
        np.take_along_axis(x, indices, axis)


def put_along(v, indices, axis, shape):
    if isinstance(v, Tensor):
        return PutAlongAxis.apply(v, indices=indices, axis=axis, shape=shape)
    out = np.zeros(shape, np.result_type(v))
    np.put_along_axis(out, indices, v, axis)
    return out


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor.wrap(np.asarray(x))


def _single_dim(name, dim, ndim):
    if isinstance(dim, (tuple, list)):
        raise TypeError(f"{name} with a dim returns (values, indices) along one dim; for the values over "
                        f"several dims use bp.a{name}(x, dim={tuple(dim)})")
    if not -(ndim or 1) <= dim < (ndim or 1):  # (a 0-d tensor takes dim 0 or -1, as in PyTorch)
        raise IndexError(f"{name}: dim {dim} is out of range for a tensor with {ndim} dimensions")
    return dim % ndim if ndim else 0


def _along(x, indices, dim, keepdim, result):
    """``result(values, indices)``: x at ``indices`` along ``dim``. ``indices`` is the int64 Tensor an op
    computed, and squeezing is an op too, so that a step that returns them (``_, pred = out.max(1)``)
    can be replayed by ``bp.jit``."""
    values = take_along(x, indices.data, dim) if x.ndim else x
    if not keepdim and x.ndim:
        values, indices = values.squeeze(dim), indices.squeeze(dim)
    return result(values, indices)


def _extreme(name, op, find, x, dim, keepdim, axis, keepdims):
    x = _as_tensor(x)
    dim = _axis_arg(axis, dim)
    keepdim = bool(keepdim if keepdims is None else keepdims)
    if dim is None:
        return _reduce(op, x, None, keepdim, None, None)  # the value over all elements: ties share
    dim = _single_dim(name, dim, x.ndim)
    found = (ArgExtremum.apply(x, axis=dim, keepdims=True, find=find) if x.ndim
             else Tensor.wrap(np.zeros((), np.int64)))
    return _along(x, found, dim, keepdim, max_result if name == "max" else min_result)


@documents(TakeAlongAxis)
def max(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The maximum: over all elements without ``dim`` (a tensor; ties share the gradient), or along
    ``dim`` as the pair ``(values, indices)``, indices int64 pointing to the first maximum, which alone
    gets the gradient (as ``torch.max``). ``axis``/``keepdims`` are NumPy's names for ``dim``/``keepdim``.
    For the values over several dims, use :func:`amax`."""
    return _extreme("max", Max, np.argmax, x, dim, keepdim, axis, keepdims)


@documents(TakeAlongAxis)
def min(x, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """The minimum: as :func:`max`, with the first minimum's index."""
    return _extreme("min", Min, np.argmin, x, dim, keepdim, axis, keepdims)


def _order(data, dim, descending, stable):
    """The indices that sort the array ``data`` along ``dim``."""
    if not data.ndim:
        return np.zeros((), np.int64)
    if descending:
        # A stable sort of the negated values: descending, and equal values keep their original order.
        keys = ~data if data.dtype.kind == "b" else -data.astype(np.int64) if data.dtype.kind == "u" else -data
        return np.argsort(keys, axis=dim, kind="stable")
    return np.argsort(data, axis=dim, kind="stable" if stable else "quicksort")


@documents(TakeAlongAxis)
def sort(x, dim=-1, descending=False, stable=False):
    """``(values, indices)`` of x sorted along ``dim`` (``torch.sort``); the gradient flows to the
    elements through the values."""
    x = _as_tensor(x)
    dim = _single_dim("sort", dim, x.ndim)
    return _along(x, ArgSort.apply(x, axis=dim, descending=descending, stable=stable), dim, True, sort_result)


@documents(ArgSort)
def argsort(x, dim=-1, descending=False, stable=False):
    """The int64 indices that sort x along ``dim`` (``torch.argsort``)."""
    x = _as_tensor(x)
    return ArgSort.apply(x, axis=_single_dim("argsort", dim, x.ndim), descending=descending, stable=stable)


@documents(TakeAlongAxis)
def topk(x, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (``largest=False``: smallest) along ``dim``
    (``torch.topk``), largest first; the gradient flows to those elements only."""
    x = _as_tensor(x)
    dim = _single_dim("topk", dim, x.ndim)
    n = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk: k ({k}) is out of range for a dim of size {n}")
    order = ArgSort.apply(x, axis=dim, descending=largest, stable=True)
    return _along(x, order[(slice(None),) * dim + (slice(0, k),)] if x.ndim else order, dim, True, topk_result)

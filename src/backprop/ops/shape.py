"""Ops that move values around without changing them: reshaping, axes, broadcasting, indexing, joining.

Their backward formulas move the gradient back: a reshape's gradient is reshaped back, an index's
gradient is scattered back into zeros (repeated indices add up), a concatenation's gradient is split.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from ..autograd.broadcasting import BroadcastTo, SumTo
from . import dispatch as D
from ._doc import documents


def _shape_arg(shape):
    """Accept ``f(x, 2, 3)`` and ``f(x, (2, 3))`` alike, as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(n) for n in shape)


def _axis_arg(axis, dim, default=None):
    """``axis`` (NumPy's name) or ``dim`` (PyTorch's); never both."""
    if dim is not None:
        if axis is not None and axis != default:
            raise TypeError("pass axis or dim, not both")
        return dim
    return axis


class Reshape(Function):
    """y = x with a new shape (same elements, same order).  dx = dy reshaped back to x's shape."""

    forward_formula = "y = reshape(x, shape)"
    backward_formulas = {"x": "dx = reshape(dy, shape(x))"}

    @staticmethod
    def forward(ctx, x, *, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, dy):
        return D.reshape(dy, ctx.in_shape)


class Permute(Function):
    """y = x with its axes reordered.  dx = dy with the inverse order applied."""

    forward_formula = "y = permute(x, axes)"
    backward_formulas = {"x": "dx = permute(dy, axes⁻¹)"}

    @staticmethod
    def forward(ctx, x, *, axes):
        ctx.inverse = tuple(np.argsort(axes))
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx, dy):
        return D.transpose(dy, ctx.inverse)


def _is_integer_array(i):
    return isinstance(i, np.ndarray) and i.dtype.kind in "iu"


def scatter_add_array(values, index, shape):
    out = np.zeros(shape, dtype=values.dtype)
    parts = index if isinstance(index, tuple) else (index,)
    if any(_is_integer_array(i) for i in parts):
        np.add.at(out, index, values)  # repeated indices must accumulate, which out[index] += does not
    else:
        out[index] = values
    return out


class GetItem(Function):
    """y = x[index] (slices, integers, masks, integer arrays).

    dx = zeros of x's shape with dy added at ``index``; an element picked several times by an
    integer array collects the sum of its gradients.
    """

    forward_formula = "y = x[index]"
    backward_formulas = {"x": "dx = scatter_add(0, index, dy)"}

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.in_shape = x.shape
        ctx.save(index=index)
        return x[index]

    @staticmethod
    def backward(ctx, dy):
        return D.scatter_add(dy, ctx.index, ctx.in_shape)


class ScatterAdd(Function):
    """y = zeros(shape) with x added at ``index`` (the gradient of indexing).  dx = dy[index]."""

    forward_formula = "y = scatter_add(0, index, x)"
    backward_formulas = {"x": "dx = dy[index]"}

    @staticmethod
    def forward(ctx, x, *, index, shape):
        ctx.save(index=index)
        return scatter_add_array(x, index, shape)

    @staticmethod
    def backward(ctx, dy):
        return dy[ctx.index]


class IndexPut(Function):
    """y = x with y[index] = v.  dx = dy with zeros at index;  dv = dy[index]."""

    forward_formula = "y = x;  y[index] = v"
    backward_formulas = {"x": "dx = dy · [not at index]", "v": "dv = dy[index]"}

    @staticmethod
    def forward(ctx, x, v, *, index):
        ctx.save(index=index)
        out = x.copy()
        out[index] = v
        return out

    @staticmethod
    def backward(ctx, dy):
        nx, nv = ctx.needs_input_grad
        index = ctx.index
        return (D.index_put(dy, index, 0.0) if nx else None), (dy[index] if nv else None)


class _Join(Function):
    """Concatenate and stack: one input per tensor joined, each getting its own slice of dy.

    Declared, the gradient is one formula for every input (``*tensors``, PyTorch's name); at a call, input i's formula
    names its slice (``dx₂ = dy[:, 3:5]``).
    """

    each_formula = ""

    @classmethod
    def formulas(cls, ctx=None):
        if ctx is None:
            return cls.forward_formula, {f"*{cls.variadic_input}": cls.each_formula}
        names = cls.input_names_for(len(ctx.edges))
        return cls.forward_formula, {name: f"dx{_sub(i + 1)} = dy[{_index_text(s)}]"
                                     for i, (name, s) in enumerate(zip(names, ctx.slices))}


def _sub(n):
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _index_text(index):
    """A basic index as written in Python: ``(slice(None), slice(3, 5))`` → ``:, 3:5``."""
    return ", ".join(":" if i == slice(None) else f"{i.start}:{i.stop}" if isinstance(i, slice) else str(i)
                     for i in index)


class Concatenate(_Join):
    """y = [x₁, x₂, …] joined along ``axis``.  Each dxᵢ is its own slice of dy."""

    forward_formula = "y = concat(x₁, …, xₙ; axis)"
    each_formula = "dxᵢ = dy[…, offsetᵢ : offsetᵢ + nᵢ, …]"

    @staticmethod
    def forward(ctx, *tensors, axis):
        axis = axis % tensors[0].ndim
        ends = np.cumsum([x.shape[axis] for x in tensors])
        ctx.slices = [(slice(None),) * axis + (slice(int(e) - x.shape[axis], int(e)),)
                      for x, e in zip(tensors, ends)]
        return np.concatenate(tensors, axis)

    @staticmethod
    def backward(ctx, dy):
        return tuple(dy[s] if need else None for s, need in zip(ctx.slices, ctx.needs_input_grad))


class Stack(_Join):
    """y = [x₁, x₂, …] stacked along a new ``axis``.  dxᵢ = dy[…, i, …]."""

    forward_formula = "y = stack(x₁, …, xₙ; axis)"
    each_formula = "dxᵢ = dy[…, i, …]"

    @staticmethod
    def forward(ctx, *tensors, axis):
        axis = axis % (tensors[0].ndim + 1)
        ctx.slices = [(slice(None),) * axis + (i,) for i in range(len(tensors))]
        return np.stack(tensors, axis)

    @staticmethod
    def backward(ctx, dy):
        return tuple(dy[s] if need else None for s, need in zip(ctx.slices, ctx.needs_input_grad))


# -- functions ----------------------------------------------------------------------------------
def raw_index(index):
    """An index with Tensors replaced by their arrays and lists by integer or bool arrays."""
    if isinstance(index, tuple):
        return tuple(raw_index(i) for i in index)
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


@documents(Reshape)
def reshape(x, *shape):
    """``x`` with a new shape; one dimension may be -1 (inferred)."""
    shape = _shape_arg(shape)
    try:
        return Reshape.apply(x, shape=shape)
    except ValueError:
        raise ShapeError(f"reshape: cannot reshape a tensor of shape {x.shape} ({int(np.prod(x.shape))} elements) "
                         f"into shape {shape}") from None


view = reshape


@documents(Permute)
def permute(x, *dims):
    """``x`` with its axes reordered to ``dims`` (``torch.permute``; ``np.transpose`` with axes)."""
    dims = _shape_arg(dims)
    if sorted(d % x.ndim for d in dims) != list(range(x.ndim)):
        raise ShapeError(f"permute: {dims} is not a permutation of the {x.ndim} axes of shape {x.shape}")
    return Permute.apply(x, axes=tuple(d % x.ndim for d in dims))


@documents(Permute)
def transpose(x, dim0, dim1):
    """Swap two axes (``torch.transpose``); ``x.T`` reverses all of them."""
    axes = list(range(x.ndim))
    axes[dim0], axes[dim1] = axes[dim1], axes[dim0]
    return Permute.apply(x, axes=tuple(axes))


@documents(Reshape)
def squeeze(x, axis=None, *, dim=None):
    """Drop axes of length 1 (all of them, or those named; a named axis of another length stays)."""
    axis = _axis_arg(axis, dim)
    if axis is None:
        shape = tuple(n for n in x.shape if n != 1)
    else:
        axes = {a % x.ndim for a in (axis if isinstance(axis, (tuple, list)) else (axis,))}
        shape = tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1))
    return x if shape == x.shape else Reshape.apply(x, shape=shape)


@documents(Reshape)
def unsqueeze(x, axis=None, *, dim=None):
    """Insert an axis of length 1 at position ``axis`` (negative counts from the end, as PyTorch)."""
    axis = _axis_arg(axis, dim)
    if axis is None:
        raise TypeError("unsqueeze needs an axis (dim)")
    return Reshape.apply(x, shape=np.expand_dims(np.empty(x.shape, dtype=bool), axis).shape)


@documents(Reshape)
def flatten(x, start_dim=0, end_dim=-1):
    """Merge axes ``start_dim`` … ``end_dim`` into one (``torch.flatten``).

    As PyTorch, a dim outside [-ndim, ndim - 1] raises IndexError and ``start_dim`` after ``end_dim`` raises
    RuntimeError (a 0-d input counts as 1-d); a dim that is not an int raises TypeError.
    """
    shape = tuple(np.shape(D.raw(x)))
    ndim = max(len(shape), 1)
    for name, dim in (("start_dim", start_dim), ("end_dim", end_dim)):
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"flatten: {name} must be an int, got {dim!r}")
        if not -ndim <= dim < ndim:
            raise IndexError(f"flatten: {name} {dim} is out of range for an input of shape {shape} "
                             f"(expected a dim in [{-ndim}, {ndim - 1}])")
    if start_dim % ndim > end_dim % ndim:
        raise RuntimeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for an input of shape "
                           f"{shape}")
    if not shape:
        return Reshape.apply(x, shape=(1,))
    s, e = start_dim % ndim, end_dim % ndim
    return Reshape.apply(x, shape=shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


@documents(BroadcastTo)
def broadcast_to(x, shape):
    """``x`` repeated along the axes where it broadcasts to ``shape``, as ``np.broadcast_to``."""
    shape = tuple(shape)
    try:
        return BroadcastTo.apply(x, shape=shape)
    except ValueError:
        raise ShapeError(f"broadcast_to: shape {np.shape(D.raw(x))} cannot be broadcast to {shape}") from None


@documents(SumTo)
def sum_to(x, shape):
    """``x`` summed over the axes along which ``shape`` broadcasts to x's shape."""
    return SumTo.apply(x, shape=tuple(shape))


@documents(GetItem)
def getitem(x, index):
    """``x[index]``: slices, integers, masks and integer arrays, as NumPy's indexing."""
    return GetItem.apply(x, index=raw_index(index))


@documents(IndexPut)
def index_put(x, index, value):
    """A copy of ``x`` with ``[index] = value``, differentiable in both ``x`` and ``value``."""
    return IndexPut.apply(x, value, index=raw_index(index))


@documents(Concatenate)
def concatenate(tensors, axis=0, *, dim=None):
    """Join tensors along an existing axis (``torch.cat``)."""
    axis = _axis_arg(axis, dim, 0)
    try:
        return Concatenate.apply(*tensors, axis=axis)
    except ValueError as e:
        shapes = [tuple(np.shape(D.raw(t))) for t in tensors]
        raise ShapeError(f"concatenate along axis {axis}: shapes {shapes} do not fit ({e})") from None


cat = concatenate


@documents(Stack)
def stack(tensors, axis=0, *, dim=None):
    """Join tensors of one shape along a new axis."""
    axis = _axis_arg(axis, dim, 0)
    try:
        return Stack.apply(*tensors, axis=axis)
    except ValueError:
        shapes = [tuple(np.shape(D.raw(t))) for t in tensors]
        raise ShapeError(f"stack: all tensors need one shape, got {shapes}") from None


@documents(GetItem)
def split(x, split_size_or_sections, axis=0, *, dim=None):
    """Split into pieces along ``axis`` (``torch.split``): pieces of size n (the last may be shorter),
    or pieces of the listed sizes, which must add up to the axis's length."""
    axis = _axis_arg(axis, dim, 0) % x.ndim
    n = x.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        sizes = [min(size, n - s) for s in range(0, n, size)]
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ShapeError(f"split: sizes {sizes} add up to {sum(sizes)}, but axis {axis} has length {n}")
    ends = np.cumsum(sizes)
    lead = (slice(None),) * axis
    return tuple(GetItem.apply(x, index=lead + (slice(int(e - s), int(e)),)) for s, e in zip(sizes, ends))

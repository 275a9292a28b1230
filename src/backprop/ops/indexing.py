"""Indexing ops with PyTorch's semantics: ``masked_fill``, ``repeat``, ``gather``, ``scatter_add``,
``index_select``, ``einsum``, ``one_hot``, ``flip``, ``chunk``, ``unbind``.

Gathers pick elements with an integer index, so their gradient adds dy back at the same places
(repeated indices accumulate); that scatter's gradient is the gather again, so second derivatives
work (as :class:`~backprop.ops.shape.GetItem` and :class:`~backprop.ops.shape.ScatterAdd`, which
these ops specialise). An einsum's gradient for each operand is another einsum.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.recording import replayable
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from . import dispatch as D
from ._doc import documents
from .shape import GetItem, ScatterAdd, _sub, split
from .tensor_methods import install_methods


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor.wrap(np.asarray(x))


def _dim(name, dim, ndim):
    if not -(ndim or 1) <= dim < (ndim or 1):
        raise IndexError(f"{name}: dim {dim} is out of range for a tensor with {ndim} dimensions")
    return dim % ndim if ndim else 0


def _index_array(name, index):
    index = np.asarray(D.raw(index))
    if index.dtype.kind not in "iu":
        raise TypeError(f"{name}: index must be an integer tensor (int64), got {index.dtype}")
    return index.astype(np.int64, copy=False)


class MaskedFill(Function):
    """y = value where mask, else x (mask broadcasts to x's shape).  dx = dy where not mask, 0 elsewhere."""

    forward_formula = "y = value if mask else x"
    backward_formulas = {"x": "dx = dy · [not mask]"}

    @staticmethod
    def forward(ctx, x, *, mask, value):
        ctx.save(mask=mask)
        return np.where(mask, np.asarray(value, dtype=x.dtype), x)

    @staticmethod
    def backward(ctx, dy):
        return D.where(ctx.mask, D.zeros_like(dy), dy)


class Repeat(Function):
    """y = x tiled ``reps`` times along each axis (``Tensor.repeat``, ``np.tile``).  dx = Σ of dy over the tiles."""

    forward_formula = "y = tile(x, reps)"
    backward_formulas = {"x": "dx = Σ_tiles dy"}

    @staticmethod
    def forward(ctx, x, *, reps):
        ctx.in_shape = x.shape
        ctx.reps = reps
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx, dy):
        reps = ctx.reps
        shape = (1,) * (len(reps) - len(ctx.in_shape)) + tuple(ctx.in_shape)
        split_shape = tuple(n for pair in zip(reps, shape) for n in pair)  # (r₀, n₀, r₁, n₁, …)
        summed = D.sum(D.reshape(dy, split_shape), axis=tuple(range(0, 2 * len(reps), 2)))
        return D.reshape(summed, ctx.in_shape)


class Gather(GetItem):
    """y[i][j] = x[index[i][j]][j] for dim 0 (``torch.gather``).  dx = dy added back at those places."""

    forward_formula = "y = gather(x, dim, index)"
    backward_formulas = {"x": "dx = scatter_add(0, dim, index, dy)"}


class ScatterAlong(ScatterAdd):
    """y = zeros with src added at ``index`` along ``dim`` (repeated indices add).  dsrc = gather(dy, dim, index)."""

    forward_formula = "y = scatter_add(0, dim, index, src)"
    backward_formulas = {"x": "dsrc = gather(dy, dim, index)"}


class IndexSelect(GetItem):
    """y = the slices of x at ``index`` along ``dim`` (``torch.index_select``).  dx = index_add(0, dim, index, dy)."""

    forward_formula = "y = index_select(x, dim, index)"
    backward_formulas = {"x": "dx = index_add(0, dim, index, dy)"}


class Einsum(Function):
    """y = einsum(equation, x₁, …, xₙ).  dxₖ = einsum of dy with the other operands into xₖ's subscripts."""

    forward_formula = "y = einsum(equation, x₁, …, xₙ)"
    each_formula = "dxₖ = einsum(dy with every xᵢ but xₖ → subscripts of xₖ)"

    @classmethod
    def formulas(cls, ctx=None):
        if ctx is None:
            return cls.forward_formula, {f"*{cls.variadic_input}": cls.each_formula}
        names = cls.input_names_for(len(ctx.edges))
        return (f"y = einsum('{','.join(ctx.inputs)}->{ctx.output}', …)",
                {name: f"dx{_sub(k + 1)} = einsum('{','.join(_others(ctx.inputs, ctx.output, k))}->{s}', dy, …)"
                 for k, (name, s) in enumerate(zip(names, ctx.inputs))})

    @staticmethod
    def forward(ctx, *operands, inputs, output):
        ctx.inputs, ctx.output = inputs, output
        ctx.sizes = {c: n for s, x in zip(inputs, operands) for c, n in zip(s, x.shape)}
        ctx.save(**{f"x{i}": x for i, x in enumerate(operands)})  # each tied to its own graph node
        return np.asarray(np.einsum(",".join(inputs) + "->" + output, *operands))

    @staticmethod
    def backward(ctx, dy):
        grads = []
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [(s, getattr(ctx, f"x{i}")) for i, s in enumerate(ctx.inputs) if i != k]
            target = ctx.inputs[k]
            known = set(ctx.output).union(*(s for s, _ in others))
            reachable = "".join(c for c in target if c in known)
            g = _einsum([ctx.output] + [s for s, _ in others], reachable, [dy] + [x for _, x in others])
            if reachable != target:  # indices summed in xₖ alone: dy does not depend on where along them
                shape = tuple(ctx.sizes[c] if c in known else 1 for c in target)
                g = D.broadcast_to(D.reshape(g, shape), tuple(ctx.sizes[c] for c in target))
            grads.append(g)
        return tuple(grads)


def _others(inputs, output, k):
    return [output] + [s for i, s in enumerate(inputs) if i != k]


def _einsum(inputs, output, operands):
    if D.is_tensor(*operands):
        return Einsum.apply(*(_as_tensor(x) for x in operands), inputs=tuple(inputs), output=output)
    return np.einsum(",".join(inputs) + "->" + output, *operands)


def _parse(equation, n):
    equation = equation.replace(" ", "")
    if "." in equation:
        raise NotImplementedError("einsum: an ellipsis (...) is not supported; write out every index")
    lhs, arrow, output = equation.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != n:
        raise ValueError(f"einsum: the equation {equation!r} names {len(inputs)} operands, got {n}")
    if not arrow:  # implicit mode: the indices that appear once, in alphabetical order
        letters = "".join(inputs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    for s in inputs:
        if len(set(s)) != len(s):
            raise NotImplementedError(f"einsum: a repeated index within one operand ({s!r}, a diagonal or "
                                      "trace) is not supported")
    if len(set(output)) != len(output) or not set(output) <= set("".join(inputs)):
        raise ValueError(f"einsum: invalid output subscripts {output!r} in {equation!r}")
    return tuple(inputs), output


@documents(MaskedFill)
def masked_fill(x, mask, value):
    """``x`` with ``value`` where ``mask`` (a bool tensor broadcastable to x) is true (``torch.masked_fill``)."""
    x = _as_tensor(x)
    mask = np.asarray(D.raw(mask))
    if mask.dtype != np.bool_:
        raise TypeError(f"masked_fill: mask must be a bool tensor, got {mask.dtype}")
    try:
        mask = np.broadcast_to(mask, x.shape)
    except ValueError:
        raise ShapeError(f"masked_fill: mask of shape {mask.shape} does not broadcast to x's {x.shape}") from None
    return MaskedFill.apply(x, mask=mask, value=float(D.raw(value)) if x.dtype.kind == "f" else D.raw(value))


@documents(Repeat)
def repeat(x, *sizes):
    """``x`` repeated ``sizes[i]`` times along axis i (``Tensor.repeat``: ``np.tile``; varargs or a tuple).
    There must be at least as many sizes as x has axes; extra sizes add leading axes."""
    x = _as_tensor(x)
    reps = tuple(int(n) for n in (sizes[0] if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes))
    if len(reps) < x.ndim:
        raise RuntimeError(f"repeat: the number of repeat sizes ({len(reps)}) must be at least the tensor's "
                           f"number of dimensions ({x.ndim})")
    return Repeat.apply(x, reps=reps)


def _along(index, dim):
    """The advanced index that, with ``index`` along ``dim``, picks x[..., index[i, j, k], ...] elementwise."""
    return tuple(index if d == dim else np.arange(n).reshape((-1,) + (1,) * (index.ndim - d - 1))
                 for d, n in enumerate(index.shape))


def _check_gather(name, x, dim, index):
    if index.ndim != x.ndim:
        raise ShapeError(f"{name}: index must have as many dimensions as x ({x.ndim}), got shape {index.shape}")
    if any(i > n for d, (i, n) in enumerate(zip(index.shape, x.shape)) if d != dim):
        raise ShapeError(f"{name}: index of shape {index.shape} is larger than x's {x.shape} outside dim {dim}")
    if index.size and (index.min() < -x.shape[dim] or index.max() >= x.shape[dim]):
        raise IndexError(f"{name}: index out of range for dim {dim} of size {x.shape[dim]}")


@documents(Gather)
def gather(x, dim, index):
    """``y[i][j][k] = x[index[i][j][k]][j][k]`` for dim 0 (``torch.gather``); y has index's shape."""
    x = _as_tensor(x)
    index = _index_array("gather", index)
    dim = _dim("gather", dim, x.ndim)
    _check_gather("gather", x, dim, index)
    return Gather.apply(x, index=_along(index, dim))


@documents(ScatterAlong)
def scatter_add(x, dim, index, src):
    """``x`` with src added at ``index`` along ``dim``: for dim 0, ``y[index[i][j]][j] += src[i][j]``
    (``torch.scatter_add``, out of place; repeated indices add up). dx = dy, dsrc = gather(dy, dim, index)."""
    x, src = _as_tensor(x), _as_tensor(src)
    index = _index_array("scatter_add", index)
    dim = _dim("scatter_add", dim, x.ndim)
    _check_gather("scatter_add", x, dim, index)
    if index.ndim != src.ndim or any(i > n for i, n in zip(index.shape, src.shape)):
        raise ShapeError(f"scatter_add: index of shape {index.shape} is larger than src's {src.shape}")
    if src.shape != index.shape:
        src = src[tuple(slice(0, n) for n in index.shape)]
    return x + ScatterAlong.apply(src, index=_along(index, dim), shape=x.shape)


@documents(IndexSelect)
def index_select(x, dim, index):
    """The slices of x at the 1-D ``index`` along ``dim`` (``torch.index_select``); repeated indices
    repeat the slice, and their gradients add up."""
    x = _as_tensor(x)
    index = _index_array("index_select", index)
    if index.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D, got shape {index.shape}")
    dim = _dim("index_select", dim, x.ndim)
    return IndexSelect.apply(x, index=(slice(None),) * dim + (index.reshape(-1),))


@documents(Einsum)
def einsum(equation, *operands):
    """Einstein summation (``torch.einsum``): ``einsum("ij,jk->ik", a, b)`` is a @ b. Operands may also be
    given as one list. Ellipses and indices repeated within one operand (diagonals) are not supported."""
    if len(operands) == 1 and isinstance(operands[0], (tuple, list)):
        operands = tuple(operands[0])
    operands = tuple(_as_tensor(x) for x in operands)
    inputs, output = _parse(equation, len(operands))
    for s, x in zip(inputs, operands):
        if len(s) != x.ndim:
            raise ShapeError(f"einsum: subscripts {s!r} name {len(s)} dimensions, but the operand has shape {x.shape}")
    try:
        return Einsum.apply(*operands, inputs=inputs, output=output)
    except ValueError as e:
        raise ShapeError(f"einsum {equation!r}: shapes {[x.shape for x in operands]} do not fit ({e})") from None


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding with a new last axis of ``num_classes`` (max + 1 when -1), as ``F.one_hot``."""
    t = _index_array("one_hot", tensor)
    if num_classes != -1:
        return Tensor.wrap(_one_hot_rows(t, num_classes))
    if not t.size:
        raise RuntimeError("one_hot: cannot infer num_classes from an empty tensor")
    # the number of classes from the values: a captured step (bp.jit) cannot replay this shape
    return Tensor.wrap(_one_hot_array(t, int(t.max()) + 1))


@replayable
def _one_hot_rows(t, num_classes):
    """The encoding with a given number of classes (a captured step, bp.jit, checks and builds it again at
    each replay)."""
    return _one_hot_array(t, num_classes)


def _one_hot_array(t, num_classes):
    if t.size and t.min() < 0:
        raise RuntimeError("one_hot: class values must be non-negative")
    if t.size and t.max() >= num_classes:
        raise RuntimeError(f"one_hot: class values must be smaller than num_classes ({num_classes})")
    return (t[..., None] == np.arange(num_classes)).astype(np.int64)


@documents(GetItem)
def flip(x, dims):
    """``x`` reversed along ``dims`` (an int or a tuple, ``torch.flip``).  dx = dy flipped back."""
    x = _as_tensor(x)
    dims = {_dim("flip", d, x.ndim) for d in ((dims,) if isinstance(dims, int) else dims)}
    return GetItem.apply(x, index=tuple(slice(None, None, -1) if d in dims else slice(None) for d in range(x.ndim)))


@documents(GetItem)
def chunk(x, chunks, dim=0):
    """At most ``chunks`` pieces along ``dim`` (``torch.chunk``): each of ceil(n / chunks), the last may be
    smaller, and there may be fewer pieces than asked."""
    x = _as_tensor(x)
    if chunks <= 0:
        raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
    dim = _dim("chunk", dim, x.ndim)
    n = x.shape[dim]
    if not n:  # an empty axis: ``chunks`` empty pieces, as PyTorch
        return tuple(GetItem.apply(x, index=(slice(None),) * dim + (slice(0, 0),)) for _ in range(chunks))
    return split(x, -(-n // chunks), dim=dim)


@documents(GetItem)
def unbind(x, dim=0):
    """The slices of x along ``dim``, each without that axis, as a tuple (``torch.unbind``)."""
    x = _as_tensor(x)
    dim = _dim("unbind", dim, x.ndim)
    lead = (slice(None),) * dim
    return tuple(GetItem.apply(x, index=lead + (i,)) for i in range(x.shape[dim]))


class IndexingMethods:
    """The Tensor methods of this module (``x.gather(0, i)``, ``x.flip(0)``, …), installed on
    :class:`Tensor` from the ops side, as Chainer's ``install_variable_arithmetics``."""

    def masked_fill(self, mask, value):
        return masked_fill(self, mask, value)

    def repeat(self, *sizes):
        return repeat(self, *sizes)

    def gather(self, dim, index):
        return gather(self, dim, index)

    def scatter_add(self, dim, index, src):
        return scatter_add(self, dim, index, src)

    def index_select(self, dim, index):
        return index_select(self, dim, index)

    def flip(self, *dims):
        return flip(self, dims[0] if len(dims) == 1 else dims)

    def chunk(self, chunks, dim=0):
        return chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return unbind(self, dim)


install_methods(IndexingMethods)

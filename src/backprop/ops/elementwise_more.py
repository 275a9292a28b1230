"""More elementwise ops and reductions, as PyTorch names them: clone, log1p, sign, std, norm, prod,
cumsum, floor_divide (``//``), remainder (``%``), all, any, isnan, isinf.

``std`` and ``norm`` are compositions whose parts are the formula (σ = √var, ‖x‖₁ = Σ|x|,
‖x‖∞ = max|x|); the 2-norm reuses :class:`~backprop.ops.linalg.Norm`. ``prod``'s gradient is the
product of the *other* elements, computed without dividing by x, so it is right where x has zeros.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import dispatch as D
from ._doc import documents
from .linalg import Norm
from .reduce import Var, _Reduction, _norm_axis, _spread, amax, sum as _sum, var
from .elementwise import abs as _abs


class Clone(Function):
    """y = x, a copy that shares no memory with x.  dx = dy."""

    forward_formula = "y = x"
    backward_formulas = {"x": "dx = dy"}

    @staticmethod
    def forward(ctx, x):
        return np.array(x, copy=True)

    @staticmethod
    def backward(ctx, dy):
        return dy


class Log1p(Function):
    """y = ln(1 + x), accurate for small x.  dx = dy / (1 + x)."""

    forward_formula = "y = ln(1 + x)"
    backward_formulas = {"x": "dx = dy / (1 + x)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.log1p(x)

    @staticmethod
    def backward(ctx, dy):
        return dy / (1 + ctx.x)


class Sign(Function):
    """y = sign(x) ∈ {−1, 0, 1}.  dx = 0 (the derivative is zero wherever it exists, as PyTorch)."""

    forward_formula = "y = sign(x)"
    backward_formulas = {"x": "dx = 0"}

    @staticmethod
    def forward(ctx, x):
        return np.sign(x)

    @staticmethod
    def backward(ctx, dy):
        return dy * 0.0


def _others_last(x):
    """e with eᵢ = ∏ xⱼ (j ≠ i) along the last axis, without a division (right where x has zeros)."""
    if isinstance(x, Tensor):
        # Row i of the (…, n, n) matrix is x with a 1 in place of xᵢ; its product is eᵢ.
        n = x.shape[-1]
        rows = D.where(np.eye(n, dtype=bool), 1.0, D.expand_dims(x, -2))
        return Prod.apply(rows, axes=(rows.ndim - 1,), keepdims=False)
    ones = np.ones(x.shape[:-1] + (1,), x.dtype)
    left = np.concatenate([ones, np.cumprod(x[..., :-1], -1)], -1)  # ∏_{j<i} xⱼ
    right = np.concatenate([np.cumprod(x[..., :0:-1], -1)[..., ::-1], ones], -1)  # ∏_{j>i} xⱼ
    return left * right


class Prod(_Reduction):
    """y = ∏ x over ``axes`` (all axes, or one).  dx = dy · ∏ xⱼ (j ≠ i), the product of the others."""

    symbol = "∏"
    forward_formula = "y = ∏ x"
    backward_formulas = {"x": "dxᵢ = dy · ∏ xⱼ (j ≠ i)"}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        Prod._setup(ctx, x, axes)
        ctx.save(x=x)
        return np.asarray(np.prod(x, axis=axes, keepdims=keepdims))

    @staticmethod
    def backward(ctx, dy):
        x, axes = ctx.x, ctx.axes
        if not axes:
            return dy * 1.0
        if len(axes) == 1:
            moved = D.swapaxes(x, axes[0], -1)
            others = D.swapaxes(_others_last(moved), axes[0], -1)
        elif len(axes) == len(ctx.in_shape):
            others = D.reshape(_others_last(D.reshape(x, (-1,))), ctx.in_shape)
        else:
            raise NotImplementedError("prod: reduces over one axis or all axes")
        return _spread(dy, ctx) * others


class Cumsum(Function):
    """yᵢ = Σ_{j≤i} xⱼ along ``axis``.  dxᵢ = Σ_{j≥i} dyⱼ, the cumulative sum of dy from the end.

    With ``reverse=True`` the sums run from the end (yᵢ = Σ_{j≥i} xⱼ): that is the gradient's op, and
    each direction is the other's gradient, so second derivatives work.
    """

    forward_formula = "yᵢ = Σ_{j≤i} xⱼ"
    backward_formulas = {"x": "dxᵢ = Σ_{j≥i} dyⱼ"}

    @staticmethod
    def forward(ctx, x, *, axis, reverse=False):
        ctx.axis, ctx.reverse = axis, reverse
        return _cumsum_array(x, axis, reverse)

    @staticmethod
    def backward(ctx, dy):
        if isinstance(dy, Tensor):
            return Cumsum.apply(dy, axis=ctx.axis, reverse=not ctx.reverse)
        return _cumsum_array(dy, ctx.axis, not ctx.reverse)


def _cumsum_array(x, axis, reverse):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis), axis)
    return np.cumsum(x, axis)


class FloorDivide(Function):
    """z = ⌊a / b⌋, rounded toward −∞ as Python's ``//`` (integers, or floats with integer values);
    no gradient."""

    differentiable = False
    forward_formula = "z = ⌊a / b⌋"

    @staticmethod
    def forward(ctx, a, b):
        return np.floor_divide(a, b)


class Remainder(Function):
    """z = a − b·⌊a / b⌋, with the divisor's sign as Python's ``%``; no gradient."""

    differentiable = False
    forward_formula = "z = a − b·⌊a / b⌋"

    @staticmethod
    def forward(ctx, a, b):
        return np.remainder(a, b)


class Test(Function):
    """A test of every element (isnan, isinf) or a logical reduction (all, any): bools, no gradient."""

    differentiable = False
    forward_formula = "z = test(x)"

    @staticmethod
    def forward(ctx, x, *, fn, kwargs):
        return np.asarray(fn(x, **kwargs))


@documents(Clone, "A copy of x that shares no memory with it; the gradient passes through.")
def clone(x):
    return Clone.apply(x)


@documents(Log1p, "ln(1 + x), elementwise, accurate for small x.")
def log1p(x):
    return Log1p.apply(x)


@documents(Sign, "sign(x): −1, 0 or 1, elementwise; the gradient is 0.")
def sign(x):
    return Sign.apply(x)


def std(x, dim=None, correction=1, keepdim=False):
    """The standard deviation σ = √var over ``dim`` (an int, a tuple, or None for all), with
    n − ``correction`` in the denominator, as ``torch.std``.

    Formulas
    --------
    forward:  σ = √y  where y = Σ (x − x̄)² / (n − c)  (the variance, :class:`Var`)
    backward: dx = dσ · (x − x̄) / ((n − c) · σ)   (the chain rule through √ and var)

    >>> import backprop as bp
    >>> bp.std(bp.tensor([1.0, 2.0, 3.0]))
    tensor(1.)
    """
    return var(x, dim=dim, keepdim=keepdim, correction=correction) ** 0.5


std.op = Var  # a composition: the op whose formula its docstring shows


def norm(x, p="fro", dim=None, keepdim=False):
    """The p-norm of x over ``dim`` as ``torch.norm``: with ``dim=None``, of all elements as one vector.

    ``p`` is 'fro' or 2 (√Σx², through :class:`~backprop.ops.linalg.Norm`; gradient 0 at x = 0),
    1 (Σ|x|, gradient sign(x)) or ``inf`` (max|x|, the gradient shared equally by tied maxima).

    Formulas
    --------
    p = 2, 'fro': y = √(Σ x²),  dx = dy · x / y  (0 where y = 0)
    p = 1:        y = Σ |x|,    dx = dy · sign(x)
    p = ∞:        y = max |x|,  dx = dy · sign(x) / k at the k elements where |x| = y, else 0

    >>> import backprop as bp
    >>> bp.norm(bp.tensor([3.0, -4.0])), bp.norm(bp.tensor([3.0, -4.0]), 1)
    (tensor(5.), tensor(7.))
    """
    axes = _norm_axis(dim, x.ndim)
    if p in (2, "fro", None):
        return Norm.apply(x, axes=axes, keepdims=bool(keepdim))
    if p == 1:
        return _sum(_abs(x), axes, bool(keepdim))
    if p == np.inf:
        return amax(_abs(x), axes, bool(keepdim))
    raise ValueError(f"norm: p={p!r} is not supported: use 1, 2, inf or 'fro'")


norm.op = Norm


@documents(Prod)
def prod(x, dim=None, keepdim=False):
    """The product over ``dim`` (an int, or None for all elements), as ``torch.prod``."""
    if dim is not None and not isinstance(dim, (int, np.integer)):
        raise TypeError(f"prod: dim must be an int or None, got {dim!r}")
    return Prod.apply(x, axes=_norm_axis(dim, x.ndim), keepdims=bool(keepdim) and dim is not None)


@documents(Cumsum)
def cumsum(x, dim):
    """The cumulative sum along ``dim``, as ``torch.cumsum``."""
    if x.ndim == 0:
        _norm_axis(dim, 0)  # a 0-d tensor accepts dim 0 and -1, as PyTorch, and is its own sum
        return Clone.apply(x)
    return Cumsum.apply(x, axis=_norm_axis(dim, x.ndim)[0])


@documents(FloorDivide)
def floor_divide(a, b):
    """a // b, elementwise (rounded toward −∞, as Python and ``torch.floor_divide``)."""
    return FloorDivide.apply(a, b)


@documents(Remainder)
def remainder(a, b):
    """a % b, elementwise, with the sign of b (as Python and ``torch.remainder``)."""
    return Remainder.apply(a, b)


def _logical(fn, x, dim, keepdim):
    kwargs = {} if dim is None else {"axis": _norm_axis(dim, x.ndim), "keepdims": bool(keepdim)}
    return Test.apply(x, fn=fn, kwargs=kwargs)


@documents(Test)
def all(x, dim=None, keepdim=False):
    """True where every element (over ``dim``, or all) is nonzero, as ``torch.all``."""
    return _logical(np.all, x, dim, keepdim)


@documents(Test)
def any(x, dim=None, keepdim=False):
    """True where some element (over ``dim``, or all) is nonzero, as ``torch.any``."""
    return _logical(np.any, x, dim, keepdim)


@documents(Test)
def isnan(x):
    """True where x is NaN."""
    return Test.apply(x, fn=np.isnan, kwargs={})


@documents(Test)
def isinf(x):
    """True where x is +∞ or −∞."""
    return Test.apply(x, fn=np.isinf, kwargs={})

"""Elementwise arithmetic, each op with its forward and backward formula.

Binary ops broadcast like NumPy; the engine sums each gradient back to its input's shape, so the
formulas below are written for equal shapes.
"""
import numpy as np

from ..autograd.broadcasting import cast as cast  # re-exported: the ops family of dtype casting
from ..autograd.function import Function
from . import dispatch as D
from ._doc import document, documents


class Add(Function):
    """z = a + b.  Both inputs receive the upstream gradient unchanged: da = dz, db = dz."""

    forward_formula = "z = a + b"
    backward_formulas = {"a": "da = dz", "b": "db = dz"}

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, dz):
        return dz, dz


class Sub(Function):
    """z = a − b.  da = dz, db = −dz."""

    forward_formula = "z = a − b"
    backward_formulas = {"a": "da = dz", "b": "db = −dz"}

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, dz):
        return dz, (-dz if ctx.needs_input_grad[1] else None)


class Mul(Function):
    """z = a · b (elementwise).  Each factor's gradient is the other factor: da = dz·b, db = dz·a."""

    forward_formula = "z = a · b"
    backward_formulas = {"a": "da = dz · b", "b": "db = dz · a"}

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(a=a, b=b)
        return a * b

    @staticmethod
    def backward(ctx, dz):
        na, nb = ctx.needs_input_grad
        return (dz * ctx.b if na else None), (dz * ctx.a if nb else None)


class Div(Function):
    """z = a / b.  da = dz / b, db = −dz · a / b²."""

    forward_formula = "z = a / b"
    backward_formulas = {"a": "da = dz / b", "b": "db = −dz · a / b²"}

    @staticmethod
    def forward(ctx, a, b):
        ctx.save(a=a, b=b)
        return a / b

    @staticmethod
    def backward(ctx, dz):
        na, nb = ctx.needs_input_grad
        b = ctx.b
        return (dz / b if na else None), (-dz * ctx.a / (b * b) if nb else None)


class Pow(Function):
    """z = aᵇ.  da = dz · b · aᵇ⁻¹, db = dz · aᵇ · ln a (for a > 0; 0 where a = 0)."""

    forward_formula = "z = a^b"
    backward_formulas = {"a": "da = dz · b · a^(b−1)", "b": "db = dz · a^b · ln a"}

    @staticmethod
    def forward(ctx, a, b):
        z = a ** b
        ctx.save(a=a, b=b, z=z)
        return z

    @staticmethod
    def backward(ctx, dz):
        na, nb = ctx.needs_input_grad
        a, b = ctx.a, ctx.b
        da = dz * b * a ** (b - 1) if na else None
        db = None
        if nb:
            positive = np.asarray(D.raw(a)) > 0
            db = dz * ctx.z * D.log(D.where(positive, a, 1.0))
        return da, db


class Neg(Function):
    """z = −x.  dx = −dz."""

    forward_formula = "z = −x"
    backward_formulas = {"x": "dx = −dz"}

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, dz):
        return -dz


class Exp(Function):
    """y = eˣ.  The exponential is its own derivative: dx = dy · y."""

    forward_formula = "y = exp(x)"
    backward_formulas = {"x": "dx = dy · y"}

    @staticmethod
    def forward(ctx, x):
        y = np.exp(x)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.y


class Log(Function):
    """y = ln x.  dx = dy / x."""

    forward_formula = "y = ln(x)"
    backward_formulas = {"x": "dx = dy / x"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return np.log(x)

    @staticmethod
    def backward(ctx, dy):
        return dy / ctx.x


class Sqrt(Function):
    """y = √x.  dx = dy / (2y)."""

    forward_formula = "y = √x"
    backward_formulas = {"x": "dx = dy / (2y)"}

    @staticmethod
    def forward(ctx, x):
        y = np.sqrt(x)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        return dy / (2 * ctx.y)


class Abs(Function):
    """y = |x|.  dx = dy · sign(x) (0 at x = 0, as PyTorch)."""

    forward_formula = "y = |x|"
    backward_formulas = {"x": "dx = dy · sign(x)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(sign=np.sign(x))
        return np.abs(x)

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.sign


class Clip(Function):
    """y = min(max(x, lo), hi).  dx = dy where lo ≤ x ≤ hi, else 0 (PyTorch's clamp)."""

    forward_formula = "y = min(max(x, lo), hi)"
    backward_formulas = {"x": "dx = dy · [lo ≤ x ≤ hi]"}

    @staticmethod
    def forward(ctx, x, *, lo=None, hi=None):
        inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            inside &= x >= lo
        if hi is not None:
            inside &= x <= hi
        ctx.save(inside=inside)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx, dy):
        return D.where(ctx.inside, dy, 0.0)


class _Pick(Function):
    """z = pick(a, b) elementwise: the picked input gets dz, and on ties each gets dz/2 (as PyTorch).

    ``wa`` = [a wins] + ½[a = b] is a constant weight (the derivative is piecewise constant), so the
    same formula serves second derivatives.
    """

    pick = wins = None

    @classmethod
    def forward(cls, ctx, a, b):
        # float64 weights would up-cast float32 gradients: keep the inputs' float type
        ctx.save(wa=(cls.wins(a, b) + 0.5 * (a == b)).astype(np.result_type(a, b, np.float32), copy=False))
        return cls.pick(a, b)

    @staticmethod
    def backward(ctx, dz):
        wa = ctx.wa
        return dz * wa, dz * (1.0 - wa)


class Maximum(_Pick):
    """z = max(a, b) elementwise.  The larger input gets dz; on ties each gets dz/2 (as PyTorch)."""

    forward_formula = "z = max(a, b)"
    backward_formulas = {"a": "da = dz · ([a > b] + ½[a = b])", "b": "db = dz · ([b > a] + ½[a = b])"}
    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)


class Minimum(_Pick):
    """z = min(a, b) elementwise.  The smaller input gets dz; on ties each gets dz/2 (as PyTorch)."""

    forward_formula = "z = min(a, b)"
    backward_formulas = {"a": "da = dz · ([a < b] + ½[a = b])", "b": "db = dz · ([b < a] + ½[a = b])"}
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


class Where(Function):
    """z = a where cond else b.  da = dz · cond, db = dz · (1 − cond); cond gets no gradient."""

    forward_formula = "z = cond ? a : b"
    backward_formulas = {"a": "da = cond ? dz : 0", "b": "db = cond ? 0 : dz"}

    @staticmethod
    def forward(ctx, cond, a, b):
        cond = np.asarray(cond, dtype=bool)
        ctx.save(cond=cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, dz):
        _, na, nb = ctx.needs_input_grad
        cond = ctx.cond
        return None, (D.where(cond, dz, 0.0) if na else None), (D.where(cond, 0.0, dz) if nb else None)


class Compare(Function):
    """A comparison (==, !=, <, <=, >, >=): a bool tensor, with no gradient."""

    differentiable = False
    forward_formula = "z = a ⋚ b"

    @staticmethod
    def forward(ctx, a, b, ufunc):
        return ufunc(a, b)


@documents(Add, "a + b, elementwise (broadcast as NumPy).")
def add(a, b):
    return Add.apply(a, b)


@documents(Sub, "a − b, elementwise (broadcast as NumPy).")
def sub(a, b):
    return Sub.apply(a, b)


@documents(Mul, "a · b, elementwise (broadcast as NumPy).")
def mul(a, b):
    return Mul.apply(a, b)


@documents(Div, "a / b, elementwise (broadcast as NumPy).")
def div(a, b):
    return Div.apply(a, b)


@documents(Pow, "a to the power b, elementwise (broadcast as NumPy).")
def pow(a, b):
    return Pow.apply(a, b)


@documents(Neg, "−x, elementwise.")
def neg(x):
    return Neg.apply(x)


@documents(Exp, "eˣ, elementwise.")
def exp(x):
    return Exp.apply(x)


@documents(Log, "The natural logarithm ln x, elementwise.")
def log(x):
    return Log.apply(x)


@documents(Sqrt, "√x, elementwise.")
def sqrt(x):
    return Sqrt.apply(x)


@documents(Abs, "|x|, elementwise (the gradient at 0 is 0, as PyTorch).")
def abs(x):
    return Abs.apply(x)


@documents(Clip)
def clip(x, min=None, max=None):
    """Limit values to [min, max]; either bound may be None (PyTorch's ``clamp``)."""
    return Clip.apply(x, lo=D.raw(min), hi=D.raw(max))


clamp = clip


@documents(Maximum, "The larger of a and b, elementwise; on ties each gets half the gradient.")
def maximum(a, b):
    return Maximum.apply(a, b)


@documents(Minimum, "The smaller of a and b, elementwise; on ties each gets half the gradient.")
def minimum(a, b):
    return Minimum.apply(a, b)


@documents(Where)
def where(cond, a, b):
    """Elements of ``a`` where ``cond`` is true, else of ``b`` (broadcast together)."""
    return Where.apply(D.raw(cond), a, b)


def _comparison(ufunc):
    def compare(a, b):
        return Compare.apply(a, b, ufunc=ufunc)

    compare.__name__ = ufunc.__name__
    compare.__doc__ = f"Elementwise ``{ufunc.__name__}``: a bool tensor, no gradient."
    return document(compare, Compare)


eq = _comparison(np.equal)
ne = _comparison(np.not_equal)
lt = _comparison(np.less)
le = _comparison(np.less_equal)
gt = _comparison(np.greater)
ge = _comparison(np.greater_equal)

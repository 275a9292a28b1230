"""Activation functions and the softmax family, each with its closed-form derivative.

All are numerically stable: no overflow or NumPy warning for inputs of ±1000.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import dispatch as D
from . import elementwise as _ew
from ._doc import axis_words, documents, subscript
from .reduce import _Reduction, _kept_shape, _norm_axis
from .shape import _axis_arg


def sigmoid_array(x):
    """σ(x) = 1 / (1 + e⁻ˣ) on an array, without overflow: e^(−|x|) never exceeds 1."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def softmax_array(x, axis=-1):
    """softmax(x) = eˣ / Σ eˣ along ``axis``; subtracting the maximum first avoids overflow."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


class Sigmoid(Function):
    """y = σ(x) = 1 / (1 + e⁻ˣ).  dx = dy · y · (1 − y)."""

    forward_formula = "y = 1 / (1 + exp(−x))"
    backward_formulas = {"x": "dx = dy · y · (1 − y)"}

    @staticmethod
    def forward(ctx, x):
        y = sigmoid_array(x).astype(x.dtype, copy=False)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        y = ctx.y
        return dy * y * (1 - y)


class Tanh(Function):
    """y = tanh x.  dx = dy · (1 − y²)."""

    forward_formula = "y = tanh(x)"
    backward_formulas = {"x": "dx = dy · (1 − y²)"}

    writes_into_buffers = may_overwrite_input = True  # the backward reads y only

    @staticmethod
    def forward(ctx, x):
        y = np.tanh(x, ctx.out_buffer)  # out, positionally (a keyword costs more to parse)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        y = ctx.y
        return dy * (1 - y * y)


class ReLU(Function):
    """y = max(x, 0).  dx = dy · [x > 0] (the derivative at 0 is taken as 0, as PyTorch)."""

    forward_formula = "y = max(x, 0)"
    backward_formulas = {"x": "dx = dy · [x > 0]"}
    writes_into_buffers = may_overwrite_input = True  # the mask [x > 0] is taken before y is written

    @staticmethod
    def forward(ctx, x):
        positive = x > 0
        ctx.save(positive=positive)
        # Not x·[x > 0], which gives −0 for negative x (PyTorch gives +0). Against an array of zeros, not the
        # number 0: NumPy's maximum runs its vector loop only for two arrays (3× faster on 128×256 floats,
        # making the zeros included); the values are the same, −0 and NaN included.
        return np.maximum(x, np.zeros(x.shape, x.dtype), out=ctx.out_buffer)

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.positive


class Softplus(Function):
    """y = ln(1 + e^(βx)) / β.  dx = dy · σ(βx).

    With a ``threshold``, y = x where βx > threshold (as PyTorch, which uses 20), and there dx = dy.
    """

    forward_formula = "y = ln(1 + exp(β·x)) / β"
    backward_formulas = {"x": "dx = dy · σ(β·x)"}

    @staticmethod
    def forward(ctx, x, *, beta=1.0, threshold=None):
        ctx.save(x=x)
        ctx.beta, ctx.threshold = beta, threshold
        bx = x * beta if beta != 1 else x
        y = np.logaddexp(0, bx) / beta if beta != 1 else np.logaddexp(0, bx)
        if threshold is not None:
            linear = bx > threshold
            ctx.save(linear=linear)
            y = np.where(linear, x, y)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        beta = ctx.beta
        dx = dy * D.sigmoid(ctx.x * beta if beta != 1 else ctx.x)
        return dx if ctx.threshold is None else D.where(ctx.linear, dy, dx)


class LogSigmoid(Function):
    """y = ln σ(x) = −ln(1 + e⁻ˣ) = −softplus(−x).  dx = dy · (1 − σ(x)) = dy · σ(−x)."""

    forward_formula = "y = −ln(1 + exp(−x))"
    backward_formulas = {"x": "dx = dy · σ(−x)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return -np.logaddexp(0, -x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        return dy * D.sigmoid(-ctx.x)


class Logit(Function):
    """y = ln(x / (1 − x)), the inverse of σ.  dx = dy / (x (1 − x)).

    With ``eps``, x is first clamped to [eps, 1 − eps] and the gradient is 0 outside (as PyTorch).
    """

    forward_formula = "y = ln(x / (1 − x))"
    backward_formulas = {"x": "dx = dy / (x · (1 − x))"}

    @staticmethod
    def forward(ctx, x, *, eps):
        ctx.save(x=x)
        ctx.clamped = eps is not None
        if ctx.clamped:
            ctx.save(inside=(x >= eps) & (x <= 1 - eps))
            x = np.clip(x, eps, 1 - eps)
        return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx, dy):
        if not ctx.clamped:
            x = ctx.x
            return dy / (x * (1 - x))
        x = D.where(ctx.inside, ctx.x, 0.5)  # the clamped points get no gradient
        return D.where(ctx.inside, dy / (x * (1 - x)), 0.0)


class _SoftmaxFamily(Function):
    """Softmax and log-softmax: their formulas at a call name the axis and the temperature's value."""

    @classmethod
    def formulas(cls, ctx=None):
        forward, backward = super().formulas(ctx)
        if ctx is None:
            return forward, backward
        ndim = len(ctx.shape)
        sub, _ = axis_words((ctx.axis % ndim,) if ndim else (), ndim)
        t = 1.0 / ctx.inv_t

        def at_call(f):
            f = subscript(f, "Σ", sub)
            return f.replace("/T", "").replace(" / T", "") if t == 1 else f.replace("T", f"{t:g}")
        return at_call(forward), {name: at_call(f) for name, f in backward.items()}


class Softmax(_SoftmaxFamily):
    """y = softmax(x / T) along ``axis``: yᵢ = e^(xᵢ/T) / Σⱼ e^(xⱼ/T).

    dx = y · (dy − Σ(dy · y)) / T  (the Jacobian diag(y) − y yᵀ, scaled by 1/T, applied to dy).
    """

    forward_formula = "y = exp(x/T) / Σ exp(x/T)"
    backward_formulas = {"x": "dx = y · (dy − Σ dy·y) / T"}

    @staticmethod
    def forward(ctx, x, *, axis, temperature):
        ctx.axis, ctx.inv_t = axis, 1.0 / temperature
        y = softmax_array(x * ctx.inv_t if temperature != 1 else x, axis)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        y = ctx.y
        return y * (dy - D.sum(dy * y, ctx.axis, keepdims=True)) * ctx.inv_t


def log_softmax_array(z, axis):
    """log softmax(z) along ``axis`` of an array, as :class:`LogSoftmax` computes it: z − max − ln Σ exp(z − max)."""
    # The methods, not np.max/np.sum: their Python wrappers cost as much as a small reduction
    shifted = z - z.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class LogSoftmax(_SoftmaxFamily):
    """y = log softmax(x / T) = x/T − logsumexp(x/T) along ``axis``.

    dx = (dy − softmax(x/T) · Σ dy) / T, with softmax(x/T) = exp(y).
    """

    forward_formula = "y = x/T − ln Σ exp(x/T)"
    backward_formulas = {"x": "dx = (dy − exp(y) · Σ dy) / T"}

    @staticmethod
    def forward(ctx, x, *, axis, temperature):
        ctx.axis, ctx.inv_t = axis, 1.0 / temperature
        y = log_softmax_array(x * ctx.inv_t if temperature != 1 else x, axis)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        return (dy - D.exp(ctx.y) * D.sum(dy, ctx.axis, keepdims=True)) * ctx.inv_t


class LogSumExp(_Reduction):
    """y = ln Σ eˣ over ``axis`` (computed as m + ln Σ e^(x−m), m = max x).  dx = dy · e^(x − y)."""

    forward_formula = "y = ln Σ exp(x)"
    backward_formulas = {"x": "dx = dy · exp(x − y)"}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.axes = axes
        ctx.in_shape, ctx.kept_shape = x.shape, _kept_shape(x.shape, axes)
        m = np.max(x, axis=axes, keepdims=True) if x.size else np.zeros(ctx.kept_shape, x.dtype)
        m = np.where(np.isfinite(m), m, 0)
        y = m + np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True))
        y = y if keepdims else y.reshape(
            [n for i, n in enumerate(x.shape) if i not in axes])
        ctx.save(x=x, y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        kept = ctx.kept_shape
        return D.reshape(dy, kept) * D.exp(ctx.x - D.reshape(ctx.y, kept))


@documents(Sigmoid, "The logistic sigmoid σ(x) = 1 / (1 + e⁻ˣ), elementwise, without overflow.")
def sigmoid(x):
    return Sigmoid.apply(x)


@documents(Tanh, "The hyperbolic tangent, elementwise.")
def tanh(x):
    return Tanh.apply(x)


@documents(ReLU, "The rectifier max(x, 0), elementwise (the gradient at 0 is 0, as PyTorch).")
def relu(x):
    return ReLU.apply(x)


@documents(Softplus, "softplus(x) = ln(1 + e^(βx)) / β, elementwise, without overflow; x itself where βx > threshold.")
def softplus(x, beta=1.0, threshold=None):
    if beta == 1 and threshold is None:
        return Softplus.apply(x)
    return Softplus.apply(x, beta=float(beta), threshold=None if threshold is None else float(threshold))


@documents(LogSigmoid, "ln σ(x) = −softplus(−x), elementwise, without overflow.")
def logsigmoid(x):
    return LogSigmoid.apply(x)


@documents(Logit, "The inverse of σ: ln(x / (1 − x)); with ``eps``, x is clamped to [eps, 1 − eps] first.")
def logit(x, eps=None):
    return Logit.apply(x, eps=eps)


def _softmax_call(op, x, axis, temperature, dim):
    """``op`` applied to x / T. A temperature that requires grad is divided in with the Div op, so
    that T gets its gradient (and a trace shows the division); any other T is a constant option."""
    axis = _axis_arg(axis, dim, -1)
    if isinstance(temperature, Tensor):
        if np.any(temperature.data <= 0):
            raise ValueError(f"softmax temperature must be positive, got {temperature.data}")
        if temperature.requires_grad:
            return op.apply(_ew.div(x, temperature), axis=axis, temperature=1.0)
        temperature = temperature.data
    elif temperature <= 0:
        raise ValueError(f"softmax temperature must be positive, got {temperature}")
    return op.apply(x, axis=axis, temperature=float(temperature))


@documents(Softmax)
def softmax(x, axis=-1, temperature=1.0, *, dim=None):
    """softmax(x / T) along ``axis`` (default the last): probabilities that sum to 1.

    A high temperature T flattens the distribution towards uniform; T → 0 approaches argmax.
    A Tensor T that requires grad is learned: it gets the gradient of softmax(x / T).
    """
    return _softmax_call(Softmax, x, axis, temperature, dim)


@documents(LogSoftmax)
def log_softmax(x, axis=-1, temperature=1.0, *, dim=None):
    """log softmax(x / T) along ``axis``, computed stably (never log of 0); T may be learned, as in
    :func:`softmax`."""
    return _softmax_call(LogSoftmax, x, axis, temperature, dim)


@documents(LogSumExp)
def logsumexp(x, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """ln Σ exp(x) over ``axis`` (all axes by default), without overflow."""
    axis = _axis_arg(axis, dim)
    keepdims = keepdims if keepdim is None else keepdim
    return LogSumExp.apply(x, axes=_norm_axis(axis, x.ndim), keepdims=bool(keepdims))

"""More activations, with PyTorch's names and defaults: GELU (exact and tanh), ELU, SiLU, Mish, Hardtanh.

Each is one op with its closed-form derivative, written with ``dispatch`` functions so that the same
line records a graph under ``create_graph=True``. The exact GELU's derivative needs Φ (the normal
CDF, through erf), which has no Tensor form: its companion op :class:`GELUGrad` computes
Φ(x) + x·φ(x) and has its own derivative, so second (and higher) derivatives work.
"""
import math

import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import activations as _act
from . import dispatch as D
from ._args import real_arg
from ._doc import documents

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_KAPPA = 0.044715  # the cubic term of the tanh approximation (Hendrycks & Gimpel)


def erf_array(x):
    """erf elementwise: SciPy's when it is installed (fast), else ``math.erf`` on each element."""
    try:
        from scipy.special import erf
    except ImportError:
        return np.frompyfunc(math.erf, 1, 1)(x).astype(x.dtype)
    return erf(x).astype(x.dtype, copy=False)


def normal_cdf_array(x):
    """Φ(x) = ½(1 + erf(x/√2)), the standard normal CDF, on an array."""
    return 0.5 * (1.0 + erf_array(x / math.sqrt(2.0)))


class GELU(Function):
    """The exact GELU: y = x·Φ(x), Φ the standard normal CDF.  dx = dy · (Φ(x) + x·φ(x))."""

    forward_formula = "y = x·Φ(x)"
    backward_formulas = {"x": "dx = dy · (Φ(x) + x·φ(x))"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * normal_cdf_array(x)

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        return dy * (GELUGrad.apply(x) if isinstance(x, Tensor) else gelu_derivative_array(x))


def gelu_derivative_array(x):
    """GELU'(x) = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π)."""
    return normal_cdf_array(x) + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI


class GELUGrad(Function):
    """GELU's derivative as an op: y = Φ(x) + x·φ(x).  dx = dy · φ(x)·(2 − x²)."""

    forward_formula = "y = Φ(x) + x·φ(x)"
    backward_formulas = {"x": "dx = dy · φ(x)·(2 − x²)"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return gelu_derivative_array(x)

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        return dy * D.exp(-0.5 * x * x) * _INV_SQRT_2PI * (2 - x * x)


class GELUTanh(Function):
    """GELU's tanh approximation: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).

    dx = dy · (½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 3·0.044715x²)), t = tanh u.
    """

    forward_formula = "y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))"
    backward_formulas = {"x": "dx = dy · (½(1 + t) + ½x(1 − t²)·√(2/π)(1 + 0.134145x²))"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return 0.5 * x * (1.0 + np.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x * x * x)))

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        t = D.tanh(_SQRT_2_OVER_PI * (x + _KAPPA * x * x * x))
        return dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _KAPPA * x * x))


class ELU(Function):
    """y = x where x > 0, else α(eˣ − 1).  dx = dy · (1 if x > 0 else α·eˣ)."""

    forward_formula = "y = x if x > 0 else α(exp(x) − 1)"
    backward_formulas = {"x": "dx = dy · (x > 0 ? 1 : α·exp(x))"}

    @staticmethod
    def forward(ctx, x, *, alpha):
        positive = x > 0
        ctx.save(x=x, positive=positive)
        ctx.alpha = alpha
        return np.where(positive, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        return D.where(ctx.positive, dy, dy * ctx.alpha * D.exp(D.minimum(x, 0.0)))


class SiLU(Function):
    """SiLU (swish): y = x·σ(x).  dx = dy · σ(x)(1 + x(1 − σ(x)))."""

    forward_formula = "y = x·σ(x)"
    backward_formulas = {"x": "dx = dy · σ(x)·(1 + x·(1 − σ(x)))"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * _act.sigmoid_array(x).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        s = D.sigmoid(x)
        return dy * s * (1 + x * (1 - s))


def _softplus(x):
    return _act.softplus(x) if isinstance(x, Tensor) else np.logaddexp(0, x)


class Mish(Function):
    """y = x·tanh(softplus(x)).  dx = dy · (t + x·σ(x)·(1 − t²)), t = tanh(softplus(x))."""

    forward_formula = "y = x·tanh(ln(1 + exp(x)))"
    backward_formulas = {"x": "dx = dy · (t + x·σ(x)·(1 − t²)),  t = tanh(softplus(x))"}

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * np.tanh(np.logaddexp(0, x))

    @staticmethod
    def backward(ctx, dy):
        x = ctx.x
        t = D.tanh(_softplus(x))
        return dy * (t + x * D.sigmoid(x) * (1 - t * t))


class Hardtanh(Function):
    """y = min(max(x, a), b), a = ``min_val``, b = ``max_val``.  dx = dy · [a < x < b] (0 at the edges, as PyTorch)."""

    forward_formula = "y = min(max(x, a), b)"
    backward_formulas = {"x": "dx = dy · [a < x < b]"}

    @staticmethod
    def forward(ctx, x, *, min_val, max_val):
        ctx.save(inside=(x > min_val) & (x < max_val))
        return np.clip(x, min_val, max_val)

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.inside


@documents(GELU)
def gelu(input, approximate="none"):
    """GELU, PyTorch's ``F.gelu``: x·Φ(x) exactly (``approximate='none'``), or its tanh
    approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (``approximate='tanh'``)."""
    if approximate == "none":
        return GELU.apply(input)
    if approximate == "tanh":
        return GELUTanh.apply(input)
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


@documents(ELU)
def elu(input, alpha=1.0):
    """ELU, PyTorch's ``F.elu``: x where x > 0, else α(eˣ − 1)."""
    return ELU.apply(input, alpha=float(real_arg("elu", "alpha", alpha)))


@documents(SiLU)
def silu(input):
    """SiLU (swish), PyTorch's ``F.silu``: x·σ(x)."""
    return SiLU.apply(input)


@documents(Mish)
def mish(input):
    """Mish, PyTorch's ``F.mish``: x·tanh(softplus(x))."""
    return Mish.apply(input)


@documents(Hardtanh)
def hardtanh(input, min_val=-1.0, max_val=1.0):
    """Hardtanh, PyTorch's ``F.hardtanh``: x clipped to [min_val, max_val]."""
    real_arg("hardtanh", "min_val", min_val)
    real_arg("hardtanh", "max_val", max_val)
    if min_val > max_val:  # PyTorch's functional allows min_val == max_val (its module does not)
        raise ValueError(f"hardtanh: min_val ({min_val}) must not be greater than max_val ({max_val})")
    return Hardtanh.apply(input, min_val=float(min_val), max_val=float(max_val))

"""The fused ops behind the ``nn`` layers: each computes a layer in one step, with its textbook gradient.

A fused op shows the layer's own formula in traces (``dW = dZᵀ·X``) and keeps the first-order path
to a few NumPy calls. Each backward is written with ``dispatch`` functions, so it also records the
graph needed for second derivatives.
"""
import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.function import Function
from ..exceptions import ShapeError
from . import _gemm
from . import dispatch as D
from ._operands import check_same_float_dtype

_NEW_ARRAYS = (None, None, None)  # no buffers to write dX, dW, db into (eagerly): NumPy allocates


class Linear(Function):
    """The fully connected layer: Z = X·Wᵀ + b, with W of shape (out_features, in_features) as in PyTorch.

    For a minibatch X (N, in) and upstream gradient dZ (N, out)::

        dX = dZ·W          (N, in)
        dW = dZᵀ·X         (out, in)   — the lecture's Xᵀ·dZ, transposed with W
        db = Σₙ dZₙ        (out,)

    Leading batch axes are allowed, X (..., in): dW and db then sum over all of them.
    """

    forward_formula = "Z = X·Wᵀ + b"
    backward_formulas = {"x": "dX = dZ·W", "weight": "dW = dZᵀ·X", "bias": "db = Σ dZ"}
    writes_into_buffers = True

    @classmethod
    def formulas(cls, ctx=None):
        """Without a bias (``bias=None`` at the call): Z = X·Wᵀ, and no db."""
        if ctx is None or ctx.has_bias:
            return super().formulas(ctx)
        return "Z = X·Wᵀ", {"x": cls.backward_formulas["x"], "weight": cls.backward_formulas["weight"]}

    @staticmethod
    def forward(ctx, x, weight, bias):
        # One combined test on the hot path (integers, not slices of shapes); the message is worked out
        # only when it fails: a weight that is not 2-D, or a 0-d x, raises inside the test.
        try:
            out_features, in_features = weight.shape
            bad = x.shape[-1] != in_features or (bias is not None and bias.shape != (out_features,))
        except (ValueError, IndexError):
            bad = True
        if bad:
            _raise_linear_shape_error(x.shape, weight.shape, bias)
        if x.dtype is not weight.dtype:
            check_same_float_dtype("linear", x, weight)
        ctx.save(x=x, weight=weight)
        ctx.has_bias = bias is not None
        z = _gemm.matmul(x, weight.T, ctx.out_buffer)
        if bias is None:
            return z
        if bias.dtype == z.dtype:
            z += bias  # z is a fresh array: adding in place saves a pass over memory
            return z
        return z + bias

    @staticmethod
    def backward(ctx, dz):
        nx, nw, nb = ctx.needs_input_grad
        x, w = ctx.x, ctx.weight
        if dz.ndim != 2:  # every leading axis counts as an observation
            dz2, x = dz.reshape(-1, w.shape[0]), x.reshape(-1, w.shape[1])
        else:
            dz2 = dz
        # Operators and methods that arrays and Tensors share: one formula for both modes.
        bx, bw, bb = ctx.grad_buffers or _NEW_ARRAYS
        dx = D.matmul(dz, w, bx) if nx else None
        dw = D.matmul(dz2.T, x, bw) if nw else None
        db = D.sum(dz2, 0, out=bb) if nb else None
        return dx, dw, db


def _raise_linear_shape_error(x_shape, w_shape, bias):
    if len(w_shape) != 2:
        raise ShapeError(f"Linear: weight must have shape (out_features, in_features), got {w_shape}")
    if not x_shape or x_shape[-1] != w_shape[1]:
        n = x_shape[-1] if x_shape else "no"
        raise ShapeError(f"Linear: input has {n} features but the layer expects {w_shape[1]} "
                         f"(input shape {x_shape}, weight shape {w_shape})")
    raise ShapeError(f"Linear: bias has shape {bias.shape} but the layer has {w_shape[0]} outputs")


class LeakyReLU(Function):
    """y = x where x > 0, else a·x (a = ``negative_slope``).  dx = dy · (1 if x > 0 else a)."""

    forward_formula = "y = x if x > 0 else a·x"
    backward_formulas = {"x": "dx = dy · (x > 0 ? 1 : a)"}

    @staticmethod
    def forward(ctx, x, *, negative_slope):
        positive = x > 0
        ctx.save(positive=positive)
        ctx.slope = negative_slope
        return np.where(positive, x, x * negative_slope).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        return D.where(ctx.positive, dy, dy * ctx.slope)


class PReLU(Function):
    """Parametric ReLU: y = max(0, x) + a·min(0, x), with a learnable slope a per channel.

    ``a`` has one value, shared by all of x, or one per channel (x's axis 1).
    The course's exercise, backprop through the slope: ∂y/∂a = min(0, x), so ::

        dx = dy · (1 if x > 0 else a)
        da = Σ dy · min(0, x)      (summed over every axis but the channel)
    """

    forward_formula = "y = max(0, x) + a·min(0, x)"
    backward_formulas = {"x": "dx = dy · (x > 0 ? 1 : a)", "weight": "da = Σ dy · min(0, x)"}

    @staticmethod
    def forward(ctx, x, weight):
        # One slope per channel sits on axis 1: shape (C, 1, …, 1) broadcasts against (N, C, …).
        ctx.slope_shape = weight.shape + (1,) * (x.ndim - 2) if weight.size > 1 else ()
        positive = x > 0
        ctx.save(x=x, weight=weight, positive=positive)
        return np.where(positive, x, x * weight.reshape(ctx.slope_shape))

    @staticmethod
    def backward(ctx, dy):
        nx, na = ctx.needs_input_grad
        x, positive = ctx.x, ctx.positive
        dx = D.where(positive, dy, dy * D.reshape(ctx.weight, ctx.slope_shape)) if nx else None
        da = None
        if na:
            a_shape = ctx.weight.shape
            da = D.reshape(D.sum_to(D.where(positive, 0.0, dy * x), ctx.slope_shape), a_shape)
        return dx, da


class Heaviside(Function):
    """The unit step H(x) = [x > 0]: 1 where x > 0, 0 where x ≤ 0 (H(0) = 0, as the course defines it).

    The output has x's float dtype (the default float dtype for integer or bool x). The derivative
    is 0 wherever it exists, so the gradient is zero: a network of steps cannot be trained by
    gradient descent, which is why the course moves on to the sigmoid, its smooth analogue.
    (PyTorch's ``torch.heaviside`` takes a second argument for H(0) and has no gradient at all.)
    """

    forward_formula = "y = [x > 0]"
    backward_formulas = {"x": "dx = 0"}

    @staticmethod
    def forward(ctx, x):
        dtype = x.dtype if x.dtype.kind == "f" else get_default_dtype()
        return (x > 0).astype(dtype)

    @staticmethod
    def backward(ctx, dy):
        return D.zeros_like(dy)


class Dropout(Function):
    """Inverted dropout: y = x · m / (1 − p), with m ~ Bernoulli(1 − p) drawn once per element.

    Dividing by 1 − p in training keeps E[y] = x, so evaluation needs no rescaling.
    The mask is a constant of the graph: dx = dy · m / (1 − p).
    """

    forward_formula = "y = x · m / (1 − p)"
    backward_formulas = {"x": "dx = dy · m / (1 − p)"}

    @staticmethod
    def forward(ctx, x, mask):
        ctx.save(mask=mask)
        return x * mask

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.mask, None


class BatchNorm(Function):
    """Batch normalisation over the channel axis 1 of x (N, C) or (N, C, L)::

        x̂ = (x − μ) / √(σ² + ε),    y = γ·x̂ + β

    Training (``training=True``): μ and σ² are the batch mean and biased variance per channel, so
    they depend on x, and the gradient goes through them too (m = number of values per channel)::

        dγ = Σ dy·x̂,   dβ = Σ dy,   dx̂ = dy·γ
        dx = (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)) / √(σ² + ε)

    Evaluation: μ and σ² are the running statistics, constants, so dx = dx̂ / √(σ² + ε).

    ``mean`` and ``var`` (shape (C,)) are passed in because the caller needs them anyway to update
    the running statistics. The fast path reuses the forward's x̂; when the backward is recorded
    (``create_graph=True``) x̂ is recomputed from x so that second derivatives see its dependence on x.
    """

    forward_formula = "x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β"
    backward_formulas = {"x": "dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε),  dx̂ = dy·γ",
                         "weight": "dγ = Σ dy·x̂", "bias": "dβ = Σ dy"}
    intermediates = {"x_hat": "x̂ = (x − μ) / √(σ² + ε)",
                     "mean": "μ = the mean of x per channel (running_mean in eval mode)",
                     "var": "σ² = the biased variance of x per channel (running_var in eval mode)"}
    eval_formulas = ("y = γ·(x − running_mean) / √(running_var + ε) + β",
                     {"x": "dx = dy·γ / √(running_var + ε)",
                      "weight": "dγ = Σ dy·x̂,  x̂ = (x − running_mean) / √(running_var + ε)",
                      "bias": "dβ = Σ dy"})

    @classmethod
    def formulas(cls, ctx=None):
        """In eval mode μ and σ² are the running statistics, constants: dx = dy·γ / √(running_var + ε).
        Without γ or β (``weight``/``bias`` None at the call) their terms and formulas drop out."""
        if ctx is None:
            return super().formulas(ctx)
        forward, backward = super().formulas(ctx) if ctx.training else cls.eval_formulas
        has_weight, has_bias = ctx.affine
        if not has_weight:
            forward = forward.replace("γ·", "")
            backward = {k: f.replace("·γ", "") for k, f in backward.items() if k != "weight"}
        if not has_bias:
            forward = forward.replace(" + β", "")
            backward = {k: f for k, f in backward.items() if k != "bias"}
        return forward, dict(backward)

    @staticmethod
    def forward(ctx, x, weight, bias, *, mean, var, eps, training):
        ctx.axes = (0,) + tuple(range(2, x.ndim))
        ctx.channel_shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        ctx.eps, ctx.training, ctx.mean = eps, training, mean.reshape(ctx.channel_shape)
        ctx.affine = (weight is not None, bias is not None)
        inv_std = (1.0 / np.sqrt(var.reshape(ctx.channel_shape) + eps)).astype(x.dtype, copy=False)
        x_hat = (x - ctx.mean) * inv_std
        ctx.show(x_hat=x_hat, mean=mean, var=var)
        ctx.save(x=x, weight=weight, x_hat=x_hat, inv_std=inv_std)
        y = x_hat if weight is None else x_hat * weight.reshape(ctx.channel_shape)
        return y if bias is None else y + bias.reshape(ctx.channel_shape)

    @staticmethod
    def _normalised(ctx):
        """x̂ and 1/√(σ² + ε): the forward's arrays, or recomputed from x when the backward is recorded."""
        if not ctx.create_graph:
            return ctx.x_hat, ctx.inv_std
        x = ctx.x
        if not ctx.training:
            return (x - ctx.mean) * ctx.inv_std, ctx.inv_std
        centred = x - D.mean(x, ctx.axes, keepdims=True)
        inv_std = 1.0 / D.sqrt(D.mean(centred * centred, ctx.axes, keepdims=True) + ctx.eps)
        return centred * inv_std, inv_std

    @staticmethod
    def backward(ctx, dy):
        nx, nw, nb = ctx.needs_input_grad
        axes = ctx.axes
        x_hat, inv_std = BatchNorm._normalised(ctx)
        dw = D.sum(dy * x_hat, axes) if nw else None
        db = D.sum(dy, axes) if nb else None
        dx = None
        if nx:
            weight = ctx.weight
            dx_hat = dy if weight is None else dy * D.reshape(weight, ctx.channel_shape)
            if ctx.training:
                dx_hat = (dx_hat - D.mean(dx_hat, axes, keepdims=True)
                          - x_hat * D.mean(dx_hat * x_hat, axes, keepdims=True))
            dx = dx_hat * inv_std
        return dx, dw, db

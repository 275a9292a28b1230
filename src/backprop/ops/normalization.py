"""Layer and group normalisation: one fused op with batch norm's textbook gradient, per sample.

Layer norm standardises each sample over its last axes (``normalized_shape``); group norm splits the
channels of each sample into groups and standardises each group the same way. Both are
:class:`LayerNorm` on a view of x: (N, …, *normalized_shape) as it is, or (N, G, C/G·…) for groups.
The affine γ and β broadcast against x (elementwise for layer norm, one per channel for group norm),
and the engine sums their gradients down to their shapes.
"""
import numpy as np

from ..autograd.function import Function
from ..exceptions import ShapeError
from . import dispatch as D
from ._doc import documents


class LayerNorm(Function):
    """Standardise x over ``axes`` of its ``view`` (per sample, or per group), then scale and shift::

        x̂ = (x − μ) / √(σ² + ε),    y = γ·x̂ + β

    μ and σ² (biased) are taken over the normalised axes, so they depend on x, and the gradient goes
    through them (m = number of values normalised together)::

        dx̂ = dy·γ,   dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε)
        dγ = Σ dy·x̂,   dβ = Σ dy   (summed over what γ and β are shared by)

    The fast path reuses the forward's x̂; when the backward is recorded (``create_graph=True``) x̂ is
    recomputed from x, so second derivatives see its dependence on x.
    """

    forward_formula = "x̂ = (x − μ) / √(σ² + ε),  y = γ·x̂ + β"
    backward_formulas = {"x": "dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε),  dx̂ = dy·γ",
                         "weight": "dγ = Σ dy·x̂", "bias": "dβ = Σ dy"}

    @classmethod
    def formulas(cls, ctx=None):
        """Without γ or β (``weight``/``bias`` None at the call) their terms and formulas drop out."""
        forward, backward = super().formulas(ctx)
        if ctx is None:
            return forward, backward
        has_weight, has_bias = ctx.affine
        if not has_weight:
            forward = forward.replace("γ·", "")
            backward = {k: f.replace(",  dx̂ = dy·γ", ",  dx̂ = dy") for k, f in backward.items() if k != "weight"}
        if not has_bias:
            forward = forward.replace(" + β", "")
            backward = {k: f for k, f in backward.items() if k != "bias"}
        return forward, backward

    @staticmethod
    def forward(ctx, x, weight, bias, *, view, axes, eps):
        ctx.view, ctx.axes, ctx.eps, ctx.in_shape = view, axes, eps, x.shape
        ctx.affine = (weight is not None, bias is not None)
        grouped = x.reshape(view)
        centred = grouped - grouped.mean(axis=axes, keepdims=True)
        inv_std = 1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
        x_hat = (centred * inv_std).reshape(x.shape)
        ctx.save(x=x, weight=weight, x_hat=x_hat, inv_std=inv_std)
        y = x_hat if weight is None else x_hat * weight
        return y if bias is None else y + bias

    @staticmethod
    def _normalised(ctx):
        """x̂ (x's shape) and 1/√(σ² + ε) (the view's): the forward's, or recomputed from x in graph mode."""
        if not ctx.create_graph:
            return ctx.x_hat, ctx.inv_std
        grouped = D.reshape(ctx.x, ctx.view)
        centred = grouped - D.mean(grouped, ctx.axes, keepdims=True)
        inv_std = 1.0 / D.sqrt(D.mean(centred * centred, ctx.axes, keepdims=True) + ctx.eps)
        return D.reshape(centred * inv_std, ctx.in_shape), inv_std

    @staticmethod
    def backward(ctx, dy):
        nx, nw, nb = ctx.needs_input_grad
        x_hat, inv_std = LayerNorm._normalised(ctx)
        dw = dy * x_hat if nw else None
        db = dy if nb else None
        dx = None
        if nx:
            axes, weight = ctx.axes, ctx.weight
            dx_hat = D.reshape(dy if weight is None else dy * weight, ctx.view)
            xh = D.reshape(x_hat, ctx.view)
            dx = (dx_hat - D.mean(dx_hat, axes, keepdims=True) - xh * D.mean(dx_hat * xh, axes, keepdims=True))
            dx = D.reshape(dx * inv_std, ctx.in_shape)
        return dx, dw, db


def _shape_of(t):
    return np.shape(D.raw(t))


@documents(LayerNorm)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalisation, PyTorch's ``F.layer_norm``: each sample standardised over its last
    ``len(normalized_shape)`` axes, then y = γ·x̂ + β elementwise.

    Parameters
    ----------
    input : Tensor, shape (..., *normalized_shape)
    normalized_shape : int or tuple of int
    weight, bias : Tensor, shape normalized_shape, optional
    eps : float, default 1e-5

    Raises
    ------
    ShapeError
        When the input's trailing axes are not ``normalized_shape``, or γ/β have another shape.
    """
    shape = _shape_of(input)
    normalized = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(normalized_shape)
    k = len(normalized)
    if k == 0 or tuple(shape[len(shape) - k:]) != normalized or len(shape) < k:
        raise ShapeError(f"layer_norm: input of shape {shape} does not end in normalized_shape {normalized}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and _shape_of(t) != normalized:
            raise ShapeError(f"layer_norm: {name} has shape {_shape_of(t)} but normalized_shape is {normalized}")
    axes = tuple(range(len(shape) - k, len(shape)))
    return LayerNorm.apply(input, weight, bias, view=shape, axes=axes, eps=float(eps))


@documents(LayerNorm)
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Group normalisation, PyTorch's ``F.group_norm``: the C channels of each sample split into
    ``num_groups`` groups, each group standardised over its channels and positions, then
    y = γ_c·x̂ + β_c per channel.

    Parameters
    ----------
    input : Tensor, shape (N, C, *)
    num_groups : int, dividing C
    weight, bias : Tensor, shape (C,), optional
    eps : float, default 1e-5
    """
    shape = _shape_of(input)
    if len(shape) < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, *), got {shape}")
    c = shape[1]
    if num_groups <= 0 or c % num_groups:
        raise ShapeError(f"group_norm: the input's {c} channels (shape {shape}) do not divide into "
                         f"num_groups={num_groups}")
    channel_shape = (c,) + (1,) * (len(shape) - 2)
    affine = []
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and _shape_of(t) != (c,):
            raise ShapeError(f"group_norm: {name} has shape {_shape_of(t)} but the input has {c} channels")
        affine.append(None if t is None else D.reshape(t, channel_shape))
    view = (shape[0], num_groups, int(np.prod(shape[1:], dtype=np.int64)) // num_groups)
    return LayerNorm.apply(input, *affine, view=view, axes=(2,), eps=float(eps))

"""The 1-D convolution (the 2-D one on a unit-height image) and the transposed 2-D convolution.

A transposed convolution is the gradient of a convolution with respect to its input: each input
pixel scatters a copy of the kernel, weighted by its value, onto the output, and overlapping copies
add. With X_col (C_in, H·W) per image and the weight (C_in, C_out/G, kh, kw) flattened to
W_col (C_in, C_out/G·kh·kw), per group g::

    Y = fold(W_colᵀ · X) + b          (the convolution's dX = fold(W_colᵀ · dY), applied to X)
    dX = W_col · unfold(dY),   dW = Σₙ X · unfold(dY)ᵀ,   db = Σ dY

``unfold`` and ``fold`` are each other's gradient (:mod:`.conv`), so the backward is recorded like
any formula under ``create_graph=True`` and second derivatives follow.
"""
from functools import lru_cache

import numpy as np

from ..autograd.function import Function
from ..exceptions import ShapeError
from . import dispatch as D
from ._doc import documents
from ._window import Window, fold_array, pair
from .conv import _spatial, batched, conv2d, unfold_cols
from .shape import reshape


class ConvTranspose2d(Function):
    """The transposed 2-D convolution (PyTorch's ``conv_transpose2d``): the convolution's input-gradient
    map applied to x, one matrix product per image and group, then col2im (fold)."""

    forward_formula = "Y = fold(W_colᵀ · X) + b"
    backward_formulas = {"x": "dX = W_col · unfold(dY)", "weight": "dW = Σₙ X · unfold(dY)ᵀ",
                         "bias": "db = Σ dY"}

    @classmethod
    def formulas(cls, ctx=None):
        """Without a bias (``bias=None`` at the call): Y = fold(W_colᵀ · X), and no db."""
        if ctx is None or ctx.has_bias:
            return super().formulas(ctx)
        return "Y = fold(W_colᵀ · X)", {k: f for k, f in cls.backward_formulas.items() if k != "bias"}

    @staticmethod
    def forward(ctx, x, weight, bias, *, win, groups):
        n, c_in, h, w = x.shape
        g = groups
        ctx.win, ctx.groups, ctx.has_bias = win, groups, bias is not None
        ctx.save(x=x, weight=weight)
        w_col = weight.reshape(g, c_in // g, -1)
        cols = np.matmul(np.swapaxes(w_col, -1, -2), x.reshape(n, g, c_in // g, h * w))
        c_out = weight.shape[1] * g
        y = fold_array(cols.reshape(win.cols_shape(n, c_out)), win)
        if bias is not None:
            y += bias.reshape(1, c_out, 1, 1).astype(y.dtype, copy=False)
        return y

    @staticmethod
    def backward(ctx, dy):
        nx, nw, nb = ctx.needs_input_grad
        win, g = ctx.win, ctx.groups
        x, weight = ctx.x, ctx.weight
        n, c_in = x.shape[:2]
        positions = win.out_size[0] * win.out_size[1]
        dcols = D.reshape(unfold_cols(dy, win), (n, g, -1, positions))
        dx = dw = db = None
        if nx:
            w_col = D.reshape(weight, (g, c_in // g, -1))
            dx = D.reshape(D.matmul(w_col, dcols), x.shape)
        if nw:
            x_col = D.reshape(x, (n, g, c_in // g, positions))
            dw = D.reshape(D.sum(D.matmul(x_col, D.swapaxes(dcols, -1, -2)), 0), weight.shape)
        if nb:
            db = D.sum(dy, (0, 2, 3))
        return dx, dw, db


@lru_cache(maxsize=128)
def _transpose_window(in_size, kernel, stride, padding, dilation, output_padding):
    """The window of the convolution whose input gradient this transposed convolution is: it reads
    the output (size OH = (H − 1)·s − 2p + d·(k − 1) + output_padding + 1) and gives the input's size."""
    out = tuple((n - 1) * s - 2 * p + d * (k - 1) + op + 1
                for n, k, s, p, d, op in zip(in_size, kernel, stride, padding, dilation, output_padding))
    if min(out) <= 0:
        raise ShapeError(f"conv_transpose2d: the output size {out} of an input of spatial size {in_size} "
                         "is not positive (padding too large)")
    return Window(kernel, stride, dilation, tuple((p, p) for p in padding), out, tuple(in_size))


@documents(ConvTranspose2d)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """PyTorch's ``F.conv_transpose2d`` (the gradient of ``conv2d`` with respect to its input).

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or unbatched (C_in, H, W)
    weight : Tensor, shape (C_in, C_out / groups, kh, kw)
    bias : Tensor, shape (C_out,), optional
    stride, padding, output_padding, dilation : int or (int, int)
        ``output_padding`` (smaller than the stride or the dilation) adds rows/columns at the
        bottom/right, choosing among the output sizes a strided convolution maps to one input size.
    groups : int, default 1

    Returns
    -------
    Tensor, shape (N, C_out, OH, OW), OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1.
    """
    return batched("conv_transpose2d", _conv_transpose2d, input, weight, bias, stride, padding, output_padding,
                   groups, dilation)


def _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation):
    _, c, h, w = _spatial(input, "conv_transpose2d")
    w_shape = np.shape(D.raw(weight))
    if len(w_shape) != 4:
        raise ShapeError(f"conv_transpose2d: weight must have shape (C_in, C_out / groups, kh, kw), got {w_shape}")
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise ValueError(f"conv_transpose2d: groups must be a positive integer, got {groups!r}")
    if c != w_shape[0] or c % groups:
        raise ShapeError(f"conv_transpose2d: input has {c} channels (shape {np.shape(D.raw(input))}) but the "
                         f"weight (shape {w_shape}) expects {w_shape[0]}, divisible by groups={groups}")
    c_out = w_shape[1] * groups
    if bias is not None and np.shape(D.raw(bias)) != (c_out,):
        raise ShapeError(f"conv_transpose2d: bias has shape {np.shape(D.raw(bias))} but the weight "
                         f"(shape {w_shape}) with groups={groups} has {c_out} output channels")
    stride, padding = pair(stride, "stride"), pair(padding, "padding")
    dilation, output_padding = pair(dilation, "dilation"), pair(output_padding, "output_padding")
    for name, value in (("stride", stride), ("dilation", dilation)):
        if min(value) <= 0:
            raise ValueError(f"conv_transpose2d: {name} must be positive, got {value}")
    if min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"conv_transpose2d: padding and output_padding must be non-negative, got "
                         f"{padding} and {output_padding}")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"conv_transpose2d: output_padding {output_padding} must be smaller than either "
                         f"stride {stride} or dilation {dilation}")
    win = _transpose_window((h, w), tuple(w_shape[2:]), stride, padding, dilation, output_padding)
    return ConvTranspose2d.apply(input, weight, bias, win=win, groups=int(groups))


def single(value, name):
    """A 1-D size argument (``3`` or ``(3,)``) as an int, as PyTorch's ``_single``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a 1-tuple of ints, got {value!r}")
        value = value[0]
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int or a 1-tuple of ints, got {value!r}")
    return int(value)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The 1-D convolution of PyTorch's ``F.conv1d``, computed as :func:`~backprop.ops.conv.conv2d`
    on a unit-height image: x (N, C_in, L) → (N, C_in, 1, L), weight (C_out, C_in/G, k) → (…, 1, k).

    Parameters
    ----------
    input : Tensor, shape (N, C_in, L) or unbatched (C_in, L)
    weight : Tensor, shape (C_out, C_in / groups, k)
    bias : Tensor, shape (C_out,), optional
    stride, dilation : int or (int,), default 1
    padding : int, (int,), 'valid' or 'same', default 0
    groups : int, default 1

    Returns
    -------
    Tensor, shape (N, C_out, L_out), L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1) / stride⌋ + 1.
    """
    shape, w_shape = np.shape(D.raw(input)), np.shape(D.raw(weight))
    if len(shape) not in (2, 3):
        raise ShapeError(f"conv1d: expected a 2-D (C, L) or 3-D (N, C, L) input, got shape {shape}")
    if len(w_shape) != 3:
        raise ShapeError(f"conv1d: weight must have shape (C_out, C_in / groups, k), got {w_shape}")
    pad = padding if isinstance(padding, str) else (0, single(padding, "padding"))
    x4 = reshape(input, shape[:-1] + (1, shape[-1]))
    w4 = reshape(weight, w_shape[:2] + (1, w_shape[2]))
    y = conv2d(x4, w4, bias, (1, single(stride, "stride")), pad, (1, single(dilation, "dilation")), groups)
    return reshape(y, y.shape[:-2] + y.shape[-1:])


conv1d.op = conv2d.op

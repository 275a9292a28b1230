"""Convolution as a matrix product (im2col), with the ``Unfold``/``Fold`` pair it is built on.

Unfolding lays every receptive field of x out as a column: X_col, (C·kh·kw) rows, one column per
output position (``unfold``, im2col). A convolution is then one matrix product per image with the
weight flattened to W_col, (C_out, C·kh·kw)::

    Y = W_col · X_col + b                      (C_out, OH·OW) per image
    dW = Σₙ dY · X_colᵀ,   db = Σ dY,   dX = col2im(W_colᵀ · dY)

``fold`` (col2im) is the transpose of ``unfold``: it adds every column entry back onto the pixel it
was read from, so a pixel inside several windows collects the sum of their gradients. The two are
each other's gradient, and the convolution's backward is written with them and matrix products, so
it is recorded like any formula under ``create_graph=True``: second derivatives come for free.

With ``groups`` = G the channels split into G independent convolutions (G = C: depthwise): the
columns of group g meet only the rows of W_col that belong to it, one batched product per group.
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from . import dispatch as D
from ._window import fold_array, make_window, pair, unfold_array
from ._operands import check_same_float_dtype
from ._doc import documents
from .shape import reshape


class Unfold(Function):
    """im2col: cols[n, c, p, q, i, j] = x[n, c, i·s + p·d − pad, j·s + q·d − pad] (0 in the padding).

    x (N, C, H, W) → cols (N, C, kh, kw, OH, OW). A linear map whose transpose is :class:`Fold`,
    so dx = fold(dcols).
    """

    forward_formula = "X_col = unfold(X)"
    backward_formulas = {"x": "dX = fold(dX_col)"}

    @staticmethod
    def forward(ctx, x, *, win):
        ctx.win = win
        return unfold_array(x, win)

    @staticmethod
    def backward(ctx, dcols):
        return fold_cols(dcols, ctx.win)


class Fold(Function):
    """col2im: y[n, c, h, w] = Σ of the cols entries read from pixel (h, w) (the transpose of unfold).

    cols (N, C, kh, kw, OH, OW) → y (N, C, H, W); dcols = unfold(dy).
    """

    forward_formula = "X = fold(X_col)"
    backward_formulas = {"cols": "dX_col = unfold(dX)"}

    @staticmethod
    def forward(ctx, cols, *, win):
        ctx.win = win
        return fold_array(cols, win)

    @staticmethod
    def backward(ctx, dy):
        return unfold_cols(dy, ctx.win)


def unfold_cols(x, win):
    """im2col of x (N, C, H, W) for the :class:`~backprop.ops._window.Window` ``win``, on arrays or Tensors."""
    return Unfold.apply(x, win=win) if isinstance(x, Tensor) else unfold_array(x, win)


def fold_cols(cols, win):
    """col2im of cols (N, C, kh, kw, OH, OW) for ``win``, on arrays or Tensors."""
    return Fold.apply(cols, win=win) if isinstance(cols, Tensor) else fold_array(cols, win)


class Conv2d(Function):
    """The 2-D convolution (PyTorch's cross-correlation): one matrix product per image and group.

    For an image x (C, H, W), X_col = unfold(x) has shape (C·kh·kw, OH·OW), the weight
    (C_out, C/G, kh, kw) flattens to W_col (C_out, C/G·kh·kw), and per group g::

        Y_g = W_col,g · X_col,g + b_g
        dW_g = Σₙ dY_g · X_col,gᵀ      dX_col,g = W_col,gᵀ · dY_g      dX = fold(dX_col)
        db = Σ over N, OH, OW of dY

    The fast path keeps X_col from the forward pass for dW; when the backward is recorded
    (``create_graph=True``) X_col is unfolded again from x, so second derivatives see that it depends on x.
    """

    forward_formula = "Y = W_col · X_col + b,  X_col = unfold(X)"
    backward_formulas = {"x": "dX = fold(W_colᵀ · dY)", "weight": "dW = Σₙ dY · X_colᵀ", "bias": "db = Σ dY"}

    @classmethod
    def formulas(cls, ctx=None):
        """Without a bias (``bias=None`` at the call): Y = W_col · X_col, and no db."""
        if ctx is None or ctx.has_bias:
            return super().formulas(ctx)
        return ("Y = W_col · X_col,  X_col = unfold(X)",
                {"x": cls.backward_formulas["x"], "weight": cls.backward_formulas["weight"]})

    @staticmethod
    def forward(ctx, x, weight, bias, *, win, groups):
        n, c_out = x.shape[0], weight.shape[0]
        ctx.win, ctx.groups, ctx.has_bias = win, groups, bias is not None
        cols = unfold_array(x, win).reshape(n, groups, -1, win.out_size[0] * win.out_size[1])
        y = np.matmul(weight.reshape(groups, c_out // groups, -1), cols)
        needs = ctx.needs_input_grad
        ctx.save(x=x, weight=weight, **({"cols": cols} if needs and needs[1] else {}))
        if bias is not None:
            b = bias.reshape(groups, c_out // groups, 1)
            if b.dtype == y.dtype:
                y += b  # y is a fresh array: adding in place saves a pass over memory
            else:
                y = y + b
        return y.reshape((n, c_out) + win.out_size)

    @staticmethod
    def backward(ctx, dy):
        nx, nw, nb = ctx.needs_input_grad
        win, g = ctx.win, ctx.groups
        x, w = ctx.x, ctx.weight
        n, c_out = dy.shape[:2]
        dy_col = D.reshape(dy, (n, g, c_out // g, -1))
        dx = dw = db = None
        if nw:
            cols = (D.reshape(unfold_cols(x, win), (n, g, -1, dy_col.shape[-1])) if ctx.create_graph
                    else ctx.cols)
            dw = D.reshape(D.sum(D.matmul(dy_col, D.swapaxes(cols, -1, -2)), 0), w.shape)
        if nx:
            w_col = D.reshape(w, (g, c_out // g, -1))
            dcols = D.matmul(D.swapaxes(w_col, -1, -2), dy_col)
            dx = fold_cols(D.reshape(dcols, win.cols_shape(n, x.shape[1])), win)
        if nb:
            db = D.sum(dy, (0, 2, 3))
        return dx, dw, db


# -- public functions -----------------------------------------------------------------------------------
def _conv_padding(padding, kernel, dilation):
    """Conv padding as ((top, bottom), (left, right)); 'same' splits d·(k − 1) with the extra on the far side."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0), (0, 0))
        if padding == "same":
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            return tuple((t // 2, t - t // 2) for t in totals)
        raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
    return tuple((p, p) for p in pair(padding, "padding"))


def _spatial(x, op):
    """The (N, C, H, W) shape of a 4-D input or of a 3-D unbatched (C, H, W) one (N = 1)."""
    shape = np.shape(D.raw(x))
    if len(shape) not in (3, 4):
        raise ShapeError(f"{op}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {shape}")
    return shape if len(shape) == 4 else (1,) + shape


def batched(op, fn, x, *args, **kwargs):
    """Run ``fn`` on x as a batch: an unbatched (C, H, W) input gets a batch axis of 1, removed after."""
    _spatial(x, op)  # 3-D or 4-D, or a ShapeError naming the op
    if np.ndim(D.raw(x)) == 4:
        return fn(x, *args, **kwargs)
    out = fn(reshape(x, (1,) + np.shape(D.raw(x))), *args, **kwargs)
    if isinstance(out, tuple):
        return tuple(reshape(o, o.shape[1:]) for o in out)
    return reshape(out, out.shape[1:])


@documents(Conv2d)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """The 2-D convolution of PyTorch's ``F.conv2d`` (a cross-correlation, as in every DL library).

    Parameters
    ----------
    input : Tensor, shape (N, C_in, H, W) or unbatched (C_in, H, W)
    weight : Tensor, shape (C_out, C_in / groups, kh, kw)
    bias : Tensor, shape (C_out,), optional
    stride : int or (int, int), default 1
    padding : int, (int, int), 'valid' or 'same', default 0
        Zeros added on every side. 'same' keeps the spatial size (stride 1 only); when the dilated
        kernel's d·(k − 1) is odd the extra row/column goes to the bottom/right, as in PyTorch.
    dilation : int or (int, int), default 1
        Spacing between kernel taps.
    groups : int, default 1
        Split the channels into ``groups`` independent convolutions (``groups = C_in``: depthwise).

    Returns
    -------
    Tensor, shape (N, C_out, OH, OW) (or (C_out, OH, OW)), with
    OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1, and the same for OW.

    Raises
    ------
    ShapeError
        When the input's channels do not match the weight's (both shapes named), when the
        channels do not divide into the groups, or when the padded input is smaller than the kernel.
    """
    return batched("conv2d", _conv2d, input, weight, bias, stride, padding, dilation, groups)


def _conv2d(input, weight, bias, stride, padding, dilation, groups):
    _, c, h, w = _spatial(input, "conv2d")
    w_shape = np.shape(D.raw(weight))
    if len(w_shape) != 4:
        raise ShapeError(f"conv2d: weight must have shape (C_out, C_in / groups, kh, kw), got {w_shape}")
    if groups <= 0 or int(groups) != groups:
        raise ValueError(f"conv2d: groups must be a positive integer, got {groups!r}")
    check_same_float_dtype("conv2d", D.raw(input), D.raw(weight))
    c_out = w_shape[0]
    if c_out % groups:
        raise ShapeError(f"conv2d: the weight's {c_out} output channels (shape {w_shape}) do not divide "
                         f"into groups={groups}")
    if c != w_shape[1] * groups:
        raise ShapeError(f"conv2d: input has {c} channels (shape {np.shape(D.raw(input))}) but the weight "
                         f"(shape {w_shape}) with groups={groups} expects {w_shape[1] * groups}")
    if bias is not None and np.shape(D.raw(bias)) != (c_out,):
        raise ShapeError(f"conv2d: bias has shape {np.shape(D.raw(bias))} but the weight "
                         f"(shape {w_shape}) has {c_out} output channels")
    kernel, stride, dilation = w_shape[2:], pair(stride, "stride"), pair(dilation, "dilation")
    if padding == "same" and stride != (1, 1):
        raise ValueError("conv2d: padding='same' is not supported for strided convolutions")
    win = make_window("conv2d", (h, w), kernel, stride, _conv_padding(padding, kernel, dilation), dilation)
    return Conv2d.apply(input, weight, bias, win=win, groups=int(groups))


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad2d(input, padding, mode):
    """Pad the last two axes by ((top, bottom), (left, right)) with PyTorch's 'reflect', 'replicate'
    or 'circular' rule (``F.pad``'s modes; zero padding is part of :func:`conv2d` itself).

    Each padded pixel is a copy of an input pixel, so the result is x indexed by the padded row and
    column index maps (``np.pad`` applied to ``arange``): an indexing op, whose gradient adds each
    copy's gradient back onto its source pixel.
    """
    shape = np.shape(D.raw(input))
    for (lo, hi), n in zip(padding, shape[-2:]):
        if mode == "reflect" and max(lo, hi) >= n:
            raise ValueError(f"pad2d: reflect padding {(lo, hi)} must be smaller than the input size {n}")
    rows, cols = (np.pad(np.arange(n), pads, mode=_PAD_MODES[mode]) for pads, n in zip(padding, shape[-2:]))
    return input[..., rows[:, None], cols]


@documents(Unfold)
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """PyTorch's ``F.unfold`` (im2col): (N, C, H, W) → (N, C·kh·kw, L), one column per window position.

    Column l = i·OW + j holds the window at output position (i, j), channel-major and then row-major
    over the kernel, with zeros where it covers padding. Its gradient is :func:`fold`. An unbatched
    (C, H, W) input gives (C·kh·kw, L).
    """
    def run(x):
        n, _, h, w = _spatial(x, "unfold")
        win = make_window("unfold", (h, w), kernel_size, stride, padding, dilation)
        return reshape(Unfold.apply(x, win=win), (n, -1, win.out_size[0] * win.out_size[1]))
    return batched("unfold", run, input)


@documents(Fold)
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """PyTorch's ``F.fold`` (col2im): (N, C·kh·kw, L) → (N, C, H, W), (H, W) = ``output_size``.

    Adds each column entry onto the pixel :func:`unfold` reads it from (entries in the padding are
    dropped), so overlapping windows sum. An unbatched (C·kh·kw, L) input gives (C, H, W).
    """
    shape = np.shape(D.raw(input))
    if len(shape) not in (2, 3):
        raise ShapeError(f"fold: expected a 2-D (C·kh·kw, L) or 3-D (N, C·kh·kw, L) input, got shape {shape}")
    n, rows, length = shape if len(shape) == 3 else (1,) + shape
    win = make_window("fold", pair(output_size, "output_size"), kernel_size, stride, padding, dilation)
    kernel = win.kernel[0] * win.kernel[1]
    if rows % kernel or length != win.out_size[0] * win.out_size[1]:
        raise ShapeError(f"fold: input of shape {shape} does not fit: axis -2 must be a multiple of "
                         f"kh·kw = {kernel} and axis -1 must be the {win.out_size[0]}×{win.out_size[1]} = "
                         f"{win.out_size[0] * win.out_size[1]} window positions of output_size "
                         f"{win.in_size}")
    out = Fold.apply(reshape(input, win.cols_shape(n, rows // kernel)), win=win)
    return out if len(shape) == 3 else reshape(out, out.shape[1:])

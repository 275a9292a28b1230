"""Max- and average-pooling over 2-D windows, with PyTorch's arguments, output sizes and ``ceil_mode``.

Both loop over the kh·kw kernel offsets and combine whole strided slices of the input (see
``_window``): no padded copy and no window array is made in the forward pass, except that max-pooling
over windows that tile the input first copies each offset's pixels into a contiguous plane. Max-pooling
routes dy to the argmax of each window (``MaxUnpool2d``, a scatter); average-pooling spreads
dy / |window| over it (a fold, col2im). Both gradients are linear in dy, so they are differentiable again (the
argmax is a constant of the graph, as in PyTorch).
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import dispatch as D
from ._doc import documents
from ._window import make_window, pair
from .conv import _spatial, batched, fold_cols


class MaxPool2d(Function):
    """y[n, c, i, j] = max of x over window (i, j); padding never wins (it acts as −∞).

    The gradient goes whole to the first maximum of each window (row-major over the kernel), as in
    PyTorch; windows that overlap add up at a shared maximum::

        dx = unpool(dy)      (dy placed at each window's argmax, zeros elsewhere)

    With the argmax held fixed, pooling is the linear map "take x at the argmax", and
    :class:`MaxUnpool2d` is its transpose: each op is the other's gradient, so second derivatives
    follow (the argmax is a constant of the graph, as in PyTorch). Given ``argmax``, the op takes x
    there instead of searching. A NaN in a window is its maximum (it propagates, as in PyTorch).
    """

    forward_formula = "y = max over the window of x"
    backward_formulas = {"x": "dx = unpool(dy) at each window's argmax"}

    @staticmethod
    def forward(ctx, x, *, win, argmax=None):
        ctx.win = win
        if argmax is None:
            y, argmax = max_pool_array(x, win)
        else:
            y = take_array(x, argmax, win)
        ctx.save(argmax=argmax)
        return y

    @staticmethod
    def backward(ctx, dy):
        return unpool(dy, ctx.argmax, ctx.win)


class MaxUnpool2d(Function):
    """The transpose of max-pooling with a fixed argmax: y (N, C, H, W) is zero except that each
    window's dx lands on its argmax (adding up where windows share it).  dx = take(dy at the argmax)."""

    forward_formula = "y = x placed at each window's argmax, 0 elsewhere"
    backward_formulas = {"x": "dx = dy taken at each window's argmax"}

    @staticmethod
    def forward(ctx, x, *, argmax, win):
        ctx.win = win
        ctx.save(argmax=argmax)
        return unpool_array(x, argmax, win)

    @staticmethod
    def backward(ctx, dy):
        return MaxPool2d.apply(dy, win=ctx.win, argmax=ctx.argmax) if isinstance(dy, Tensor) else \
            take_array(dy, ctx.argmax, ctx.win)


def unpool(dy, argmax, win):
    """:class:`MaxUnpool2d` on arrays or Tensors."""
    if isinstance(dy, Tensor):
        return MaxUnpool2d.apply(dy, argmax=argmax, win=win)
    return unpool_array(dy, argmax, win)


def max_pool_array(x, win):
    """The window maxima y (N, C, OH, OW) and, per window, the kernel offset p·kw + q of its first maximum.

    Offsets are visited in row-major order and a later one takes over only where it is strictly
    greater than the running maximum, so the first maximum wins; the argmax is then the largest
    offset that took over: a running ``np.maximum`` of offset·[took over], no masked writes.
    """
    spans = win.spans
    kernel = win.kernel[0] * win.kernel[1]
    shape = x.shape[:2] + win.out_size
    reads = _tile_planes(x, win) if win.tiles else [x[src] for _, _, src in spans]
    argmax = np.zeros(shape, dtype=np.int8 if kernel <= 127 else np.int32)
    took, scaled = np.empty(shape, bool), np.empty(shape, argmax.dtype)
    if win.covers:
        y = reads[0].copy()
        seen = None
        steps = zip(spans[1:], reads[1:])
    else:  # padding: each output's first real pixel starts its maximum, whatever its value
        y, seen = np.full(shape, -np.inf, dtype=x.dtype), np.zeros(shape, bool)
        steps = zip(spans, reads)
    for (k, out, _), read in steps:
        m = took[out]
        np.greater(read, y[out], out=m)
        if seen is not None:
            m |= ~seen[out]
            seen[out] = True
        np.multiply(m, argmax.dtype.type(k), out=scaled[out])
        np.maximum(argmax[out], scaled[out], out=argmax[out])
        np.maximum(y[out], read, out=y[out])
    if y.dtype.kind == "f" and np.isnan(y).any():  # NaN > y is False: point at a NaN (the last, as PyTorch)
        for (k, out, _), read in zip(spans, reads):
            np.copyto(argmax[out], k, where=np.isnan(read))
    return y, argmax


def _tile_planes(x, win):
    """For windows that tile x: per kernel offset, the pixels it reads as one contiguous (N, C, OH, OW)
    plane. One strided copy, after which every pass of the search runs on contiguous memory (NumPy's
    comparisons and maxima on strided views of short rows are several times slower)."""
    (kh, kw), (oh, ow) = win.kernel, win.out_size
    n, c = x.shape[:2]
    planes = np.empty((kh, kw, n, c, oh, ow), x.dtype)
    np.copyto(planes, x.reshape(n, c, oh, kh, ow, kw).transpose(3, 5, 0, 1, 2, 4))
    return planes.reshape(kh * kw, n, c, oh, ow)


def take_array(x, argmax, win):
    """x at each window's argmax: (N, C, H, W) → (N, C, OH, OW)."""
    y = np.zeros(x.shape[:2] + win.out_size, dtype=x.dtype)
    for k, out, src in win.spans:
        np.copyto(y[out], x[src], where=argmax[out] == k)
    return y


def unpool_array(dy, argmax, win):
    """dy (N, C, OH, OW) placed at each window's argmax of an (N, C, H, W) zero array."""
    dx = (np.empty if win.tiles else np.zeros)(dy.shape[:2] + win.in_size, dtype=dy.dtype)
    for k, out, src in win.spans:
        hit = argmax[out] == k
        if win.disjoint:  # every pixel is in one window at most: write instead of add
            np.multiply(hit, dy[out], out=dx[src])
        else:
            dx[src] += hit * dy[out]
    return dx


def _flat_indices(argmax, win):
    """PyTorch's ``return_indices``: the argmax as h·W + w in each (H, W) input plane."""
    (sh, sw), (dh, dw), ((top, _), (left, _)) = win.stride, win.dilation, win.padding
    rows = np.arange(win.out_size[0])[:, None] * sh - top
    cols = np.arange(win.out_size[1]) * sw - left
    p, q = np.divmod(argmax.astype(np.int64), win.kernel[1])
    return (rows + p * dh) * win.in_size[1] + cols + q * dw


class AvgPool2d(Function):
    """y[n, c, i, j] = (Σ of x over window (i, j)) / divisor[i, j].

    The divisor is the window's size, counting the padding (``count_include_pad=True``) or not, or a
    fixed ``divisor_override``; windows that ``ceil_mode`` lets run past the padding count only up to
    it, as in PyTorch. The map is linear, so dx = fold(dy / divisor), spread over each window.
    """

    forward_formula = "y = Σ_window x / divisor"
    backward_formulas = {"x": "dx = fold(broadcast(dy / divisor))"}

    @staticmethod
    def forward(ctx, x, *, win, divisor):
        ctx.win = win
        ctx.divisor = divisor = np.asarray(divisor, dtype=x.dtype)
        spans = win.spans
        if win.covers:
            y = x[spans[0][2]].copy()
            spans = spans[1:]
        else:
            y = np.zeros(x.shape[:2] + win.out_size, dtype=x.dtype)
        for _, out, src in spans:
            y[out] += x[src]
        y /= divisor
        return y

    @staticmethod
    def backward(ctx, dy):
        win = ctx.win
        n, c = dy.shape[:2]
        g = D.reshape(dy / ctx.divisor, (n, c, 1, 1) + win.out_size)
        return fold_cols(D.broadcast_to(g, win.cols_shape(n, c)), win)


def _avg_divisor(win, count_include_pad):
    """Per output position, the number of pixels a window sums: PyTorch's rule, axis by axis."""
    sizes = []
    for k, s, (pad, _), n, m in zip(win.kernel, win.stride, win.padding, win.in_size, win.out_size):
        start = np.arange(m) * s - pad
        end = np.minimum(start + k, n + pad)  # ceil_mode's overhang past the padding is not counted
        sizes.append(end - start if count_include_pad else np.minimum(end, n) - np.maximum(start, 0))
    return np.outer(*sizes)


# -- public functions -----------------------------------------------------------------------------------
def _pool_window(op, x, kernel_size, stride, padding, dilation, ceil_mode):
    _, _, h, w = _spatial(x, op)
    kernel = pair(kernel_size, "kernel_size")
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else stride
    pad = pair(padding, "padding")
    if any(p > k // 2 for p, k in zip(pad, kernel)):
        raise ValueError(f"{op}: pad should be at most half of the kernel size, but got padding={pad} and "
                         f"kernel_size={kernel}")
    return make_window(op, (h, w), kernel, stride, pad, dilation, ceil_mode)


@documents(MaxPool2d)
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """The maximum over each window (PyTorch's ``F.max_pool2d``).

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size`` (non-overlapping windows).
    padding : int or (int, int), default 0
        Implicit −∞ on every side; at most half the kernel size.
    dilation : int or (int, int), default 1
        Spacing between the window's taps.
    ceil_mode : bool, default False
        Round the output size up, keeping a last partial window when it starts inside the input or the
        left padding: OH = ⌈(H + 2·padding − dilation·(kh − 1) − 1) / stride⌉ + 1 (⌊⌋ without it).
    return_indices : bool, default False
        Also return the position of each maximum, as h·W + w in its input plane (an int64 Tensor).

    Returns
    -------
    Tensor, shape (N, C, OH, OW), or (output, indices)
    """
    def run(x):
        win = _pool_window("max_pool2d", x, kernel_size, stride, padding, dilation, ceil_mode)
        if not return_indices:
            return MaxPool2d.apply(x, win=win)
        _, argmax = max_pool_array(D.raw(x), win)  # computed once, here: the op only takes x at the argmax
        return MaxPool2d.apply(x, win=win, argmax=argmax), Tensor(_flat_indices(argmax, win))
    return batched("max_pool2d", run, input)


@documents(AvgPool2d)
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """The mean over each window (PyTorch's ``F.avg_pool2d``).

    Parameters
    ----------
    input : Tensor, shape (N, C, H, W) or unbatched (C, H, W)
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
        Implicit zeros on every side; at most half the kernel size.
    ceil_mode : bool, default False
        Round the output size up (see :func:`max_pool2d`).
    count_include_pad : bool, default True
        Divide by the window's size including the zero padding; False: by the number of real pixels.
    divisor_override : int, optional
        Divide every window's sum by this number instead.

    Returns
    -------
    Tensor, shape (N, C, OH, OW)
    """
    if divisor_override is not None and divisor_override == 0:
        raise ValueError("avg_pool2d: divisor_override must not be zero")

    def run(x):
        win = _pool_window("avg_pool2d", x, kernel_size, stride, padding, 1, ceil_mode)
        divisor = divisor_override if divisor_override is not None else _avg_divisor(win, count_include_pad)
        return AvgPool2d.apply(x, win=win, divisor=divisor)
    return batched("avg_pool2d", run, input)

"""Sliding windows over the last two axes of (N, C, H, W) arrays: the geometry shared by convolution
and pooling, and the array kernels im2col (``unfold_array``) and col2im (``fold_array``).

A window op is described by a :class:`Window`: kernel (kh, kw), stride, dilation, padding and the
input and output sizes. Output position (i, j) and kernel offset (p, q) read the input pixel

    row = i·stride_h − pad_top + p·dilation_h,    col = j·stride_w − pad_left + q·dilation_w

and a pixel outside the input is padding (a zero for convolution, −∞ for max-pooling). For each
kernel offset the output positions that read real pixels form a rectangle, and the pixels they read
form a strided rectangle of the input, so every kernel here is a loop over the kh·kw offsets that
moves whole strided slices: no padded copy of the input, no per-pixel Python, no ``np.add.at``.

A window that keeps the input's size at stride 1 (a 'same' convolution) has a faster form: offset (p, q)
moves every read by one constant s in the flattened batch, so im2col and col2im move one contiguous
block per offset (from a flat copy of the input with margins, into a flat sum) and then mend the entries
whose read wrapped into a neighbouring row or image (see ``flat_shifts``). NumPy's loops over strided
slices of short rows cost up to twice as much per element.
"""
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from ..exceptions import ShapeError


def pair(value, name):
    """An int-or-pair argument (``3`` or ``(3, 2)``) as a pair of ints, as PyTorch's ``_pair``.

    Raises ``TypeError`` naming ``name`` for a non-integer (2.5 must not silently become 2).
    """
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    return int(values[0]), int(values[1])


@dataclass(frozen=True)
class Window:
    """Where the windows of a 2-D sliding-window op lie on an input of spatial size ``in_size``.

    ``padding`` is ((top, bottom), (left, right)): the nominal padding, which may be asymmetric
    (``padding='same'`` with an even kernel). ``out_size`` is given, not derived, because pooling's
    ``ceil_mode`` lets the last window run past the bottom/right padding.
    """

    kernel: tuple
    stride: tuple
    dilation: tuple
    padding: tuple
    in_size: tuple
    out_size: tuple

    @cached_property
    def spans(self):
        """Per kernel offset (p, q), in row-major order: (index of the offset, slices of the output
        rectangle that reads real pixels, strided slices of the input pixels it reads)."""
        per_axis = [[_span(o, s, d, pad[0], n, m) for o in range(k)]
                    for k, s, d, pad, n, m in zip(self.kernel, self.stride, self.dilation, self.padding,
                                                  self.in_size, self.out_size)]
        return [(p * self.kernel[1] + q, (..., oh, ow), (..., ih, iw))
                for p, (oh, ih) in enumerate(per_axis[0]) for q, (ow, iw) in enumerate(per_axis[1])
                if oh.start < oh.stop and ow.start < ow.stop]

    @cached_property
    def covers(self):
        """True when every output position reads a real pixel at every offset (no padding is read)."""
        return all(o[1] == slice(0, self.out_size[0]) and o[2] == slice(0, self.out_size[1])
                   for _, o, _ in self.spans) and len(self.spans) == self.kernel[0] * self.kernel[1]

    @property
    def disjoint(self):
        """True when no input pixel is read twice: the windows do not overlap and have no gaps (dilation 1)."""
        return self.dilation == (1, 1) and all(s >= k for s, k in zip(self.stride, self.kernel))

    @property
    def tiles(self):
        """True when every input pixel is read exactly once (disjoint windows that cover the input)."""
        return self.disjoint and self.covers and all(
            s == k and m * s == n for s, k, m, n in zip(self.stride, self.kernel, self.out_size, self.in_size))

    @cached_property
    def flat_shifts(self):
        """For a window that keeps the input's size at stride 1, per entry of ``spans``: (k, s, wrapped,
        missed). At offset k, output n·H·W + i·W + j of the flattened batch reads input n·H·W + i·W + j + s:
        one bijection, so the offset's reads of padding, which wrap into a neighbouring row or image,
        land exactly on the pixels its real reads miss. ``wrapped`` indexes those reads in cols
        (N, C, kh, kw, OH, OW) and ``missed`` those pixels in x (N, C, H, W). None for any other window."""
        if self.stride != (1, 1) or self.out_size != self.in_size:
            return None
        kw, width = self.kernel[1], self.in_size[1]
        return [(k, (ih.start - oh.start) * width + iw.start - ow.start,
                 [(slice(None), slice(None), k // kw, k % kw) + strip for strip in _outside(oh, ow, self.out_size)],
                 [(...,) + strip for strip in _outside(ih, iw, self.in_size)])
                for k, (_, oh, ow), (_, ih, iw) in self.spans]

    def cols_shape(self, n, c):
        """The shape of the unfolded input: (N, C, kh, kw, OH, OW)."""
        return (n, c) + self.kernel + self.out_size


def _span(offset, stride, dilation, pad, size, out):
    """Along one axis, for one kernel offset: the outputs that read real pixels, and those pixels."""
    shift = offset * dilation - pad  # the input index that output 0 reads
    lo = max(0, -(shift // stride))  # the first output with shift + o·stride ≥ 0
    hi = max(lo, min(out, (size - 1 - shift) // stride + 1))  # past the last one with it ≤ size − 1
    start = shift + lo * stride
    return slice(lo, hi), slice(start, start + (hi - lo - 1) * stride + 1, stride)


def output_size(size, kernel, stride, dilation, pad_lo, pad_hi, ceil_mode=False):
    """PyTorch's output length along one axis: ⌊(size + pads − dilation·(kernel − 1) − 1) / stride⌋ + 1.

    With ``ceil_mode`` the division rounds up, but the last window must start inside the input or
    the left padding (otherwise it is dropped), as in PyTorch's pooling.
    """
    span = size + pad_lo + pad_hi - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad_lo:
        out -= 1
    return out


def _frozen(value):
    """Lists as tuples, so that the arguments can key a cache."""
    return tuple(_frozen(v) for v in value) if isinstance(value, (tuple, list)) else value


def make_window(op, in_size, kernel_size, stride, padding, dilation, ceil_mode=False):
    """Validate the arguments of a window op and return its :class:`Window`.

    ``padding`` is an int, a pair, or ((top, bottom), (left, right)). Raises ``ValueError`` for a
    non-positive kernel, stride or dilation or a negative padding, and :class:`ShapeError` when the
    padded input is smaller than the dilated kernel. Windows are cached: a layer called on batches of
    one shape reuses its :class:`Window` and the slices it computed once.
    """
    return _make_window(op, *map(_frozen, (in_size, kernel_size, stride, padding, dilation)), bool(ceil_mode))


@lru_cache(maxsize=256)
def _make_window(op, in_size, kernel_size, stride, padding, dilation, ceil_mode):
    kernel, stride, dilation = pair(kernel_size, "kernel_size"), pair(stride, "stride"), pair(dilation, "dilation")
    if not (isinstance(padding, (tuple, list)) and all(isinstance(p, (tuple, list)) for p in padding)):
        padding = tuple((p, p) for p in pair(padding, "padding"))
    padding = tuple((int(a), int(b)) for a, b in padding)
    for name, value in (("kernel_size", kernel), ("stride", stride), ("dilation", dilation)):
        if min(value) <= 0:
            raise ValueError(f"{op}: {name} must be positive, got {value}")
    if min(min(p) for p in padding) < 0:
        raise ValueError(f"{op}: padding must be non-negative, got {padding}")
    out = tuple(output_size(n, k, s, d, lo, hi, ceil_mode)
                for n, k, s, d, (lo, hi) in zip(in_size, kernel, stride, dilation, padding))
    if min(out) <= 0:
        padded = tuple(n + lo + hi for n, (lo, hi) in zip(in_size, padding))
        dilated = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        raise ShapeError(f"{op}: the input's spatial size {tuple(in_size)} (padded: {padded}) is smaller than "
                         f"the kernel {kernel} (dilated: {dilated}), so there is no output position")
    return Window(kernel, stride, dilation, padding, tuple(in_size), out)


# -- array kernels --------------------------------------------------------------------------------------
def unfold_array(x, win):
    """im2col: x (N, C, H, W) → cols (N, C, kh, kw, OH, OW), cols[n, c, p, q, i, j] = the pixel that
    output (i, j) reads at kernel offset (p, q), 0 where it is padding."""
    n, c = x.shape[:2]
    kw, shifts = win.kernel[1], win.flat_shifts
    written = win.covers or (shifts is not None and len(win.spans) == win.kernel[0] * kw)
    cols = (np.empty if written else np.zeros)(win.cols_shape(n, c), dtype=x.dtype)
    if shifts is None:
        for k, out, src in win.spans:
            cols[:, :, k // kw, k % kw][out] = x[src]
        return cols
    planes, area = n * c, win.in_size[0] * win.in_size[1]
    margin = max((abs(s) for _, s, _, _ in shifts), default=0)
    flat = np.empty(x.size + 2 * margin, x.dtype)  # the margins feed only reads of padding
    np.copyto(flat[margin:margin + x.size].reshape(x.shape), x)
    blocks = cols.reshape(planes, win.kernel[0] * kw, area)
    for k, s, wrapped, _ in shifts:
        blocks[:, k] = flat[margin + s:margin + s + x.size].reshape(planes, area)
        for strip in wrapped:
            cols[strip] = 0
    return cols


def fold_array(cols, win):
    """col2im, the transpose of :func:`unfold_array`: each cols entry is added to the pixel it was read
    from (entries at padding are dropped). cols (N, C, kh, kw, OH, OW) → (N, C, H, W).

    Each pixel receives its entries in the offsets' row-major order, so every path sums alike.
    """
    n, c = cols.shape[:2]
    kw, shifts = win.kernel[1], win.flat_shifts
    if shifts is None:
        x = np.zeros((n, c) + win.in_size, dtype=cols.dtype)
        for k, out, src in win.spans:
            x[src] += cols[:, :, k // kw, k % kw][out]
        return x
    planes, area = n * c, win.in_size[0] * win.in_size[1]
    margin, size = max((abs(s) for _, s, _, _ in shifts), default=0), planes * area
    total = np.zeros(size + 2 * margin, dtype=cols.dtype)  # the margins take entries wrapped off the ends
    x = total[margin:margin + size].reshape((n, c) + win.in_size)
    blocks = cols.reshape(planes, win.kernel[0] * kw, area)
    for k, s, _, missed in shifts:
        kept = [(strip, x[strip].copy()) for strip in missed]
        target = total[margin + s:margin + s + size].reshape(planes, area)
        target += blocks[:, k]
        for strip, pixels in kept:  # the offset's entries at padding wrapped onto exactly these: put them back
            x[strip] = pixels
    return x


def _outside(rows, cols, size):
    """(rows, cols) index pairs of the strips of an (H, W) plane outside the rectangle ``rows`` × ``cols``."""
    every = slice(None)
    strips = [((0, rows.start), (slice(0, rows.start), every)),
              ((rows.stop, size[0]), (slice(rows.stop, size[0]), every)),
              ((0, cols.start), (rows, slice(0, cols.start))),
              ((cols.stop, size[1]), (rows, slice(cols.stop, size[1])))]
    return [strip for (lo, hi), strip in strips if lo < hi]

"""Adaptive pooling and resizing (``interpolate``): PyTorch's windows and sampling points.

Adaptive average pooling and bilinear or nearest resizing are linear maps that act on the rows and
the columns separately, so each is one op, :class:`Resample2d`, with two small matrices::

    Y = A · X · Bᵀ      (A: (OH, H) over the rows, B: (OW, W) over the columns)
    dX = Aᵀ · dY · B

Row i of A holds the weights output row i takes from the input rows: 1/k over its window for
adaptive averaging, the two linear-interpolation weights (1 − λ, λ) for bilinear, a single 1 for
nearest. Adaptive max pooling takes x at each window's argmax (a gather, whose gradient adds dy
back at the argmax).
"""
import numpy as np

from ..autograd.function import Function
from ..exceptions import ShapeError
from . import dispatch as D
from ._doc import documents
from .indexing import gather
from .shape import reshape


class Resample2d(Function):
    """y = A·x·Bᵀ on the last two axes: a separable linear map (adaptive average pooling, resizing).

    A (OH, H) and B (OW, W) are constants of the call; the gradient is their transpose applied to dy.
    """

    forward_formula = "Y = A · X · Bᵀ"
    backward_formulas = {"x": "dX = Aᵀ · dY · B"}

    @staticmethod
    def forward(ctx, x, *, rows, cols):
        ctx.rows, ctx.cols = rows.astype(x.dtype, copy=False), cols.astype(x.dtype, copy=False)
        return np.matmul(np.matmul(ctx.rows, x), ctx.cols.T)

    @staticmethod
    def backward(ctx, dy):
        return D.matmul(D.matmul(ctx.rows.T, dy), ctx.cols)


def _windows(size, out):
    """PyTorch's adaptive windows along one axis: [⌊i·size/out⌋, ⌈(i + 1)·size/out⌉) for each output i."""
    i = np.arange(out)
    return (i * size) // out, -((-(i + 1) * size) // out)


def _average_matrix(size, out):
    a = np.zeros((out, size))
    for i, (start, end) in enumerate(zip(*_windows(size, out))):
        a[i, start:end] = 1.0 / (end - start)
    return a


def _output_size(name, output_size, in_size):
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise ValueError(f"{name}: output_size must be an int or a pair, got {output_size!r}")
    out = []
    for s, n in zip(sizes, in_size):
        if s is None:
            s = n
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s <= 0:
            raise TypeError(f"{name}: output_size must hold positive ints (or None), got {output_size!r}")
        out.append(int(s))
    return tuple(out)


def _image(name, input):
    shape = np.shape(D.raw(input))
    if len(shape) not in (3, 4):
        raise ShapeError(f"{name}: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape {shape}")
    return shape


@documents(Resample2d)
def adaptive_avg_pool2d(input, output_size):
    """PyTorch's ``F.adaptive_avg_pool2d``: the mean over window (i, j), rows ⌊i·H/OH⌋ … ⌈(i+1)·H/OH⌉ − 1
    and likewise for the columns, so any H, W give (OH, OW). ``output_size``: int, pair, None keeps a size."""
    shape = _image("adaptive_avg_pool2d", input)
    oh, ow = _output_size("adaptive_avg_pool2d", output_size, shape[-2:])
    return Resample2d.apply(input, rows=_average_matrix(shape[-2], oh), cols=_average_matrix(shape[-1], ow))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """PyTorch's ``F.adaptive_max_pool2d``: the maximum over the windows of :func:`adaptive_avg_pool2d`.

    The gradient goes to each window's first maximum. With ``return_indices`` also returns the argmax
    as h·W + w (int64), as PyTorch.
    """
    shape = _image("adaptive_max_pool2d", input)
    h, w = shape[-2:]
    oh, ow = _output_size("adaptive_max_pool2d", output_size, (h, w))
    x = D.raw(input)
    index = np.empty(shape[:-2] + (oh, ow), dtype=np.int64)
    for i, (r0, r1) in enumerate(zip(*_windows(h, oh))):
        for j, (c0, c1) in enumerate(zip(*_windows(w, ow))):
            window = x[..., r0:r1, c0:c1].reshape(shape[:-2] + (-1,))
            p, q = np.divmod(np.argmax(window, axis=-1), c1 - c0)
            index[..., i, j] = (r0 + p) * w + c0 + q
    flat = reshape(input, shape[:-2] + (h * w,))
    out = reshape(gather(flat, -1, index.reshape(shape[:-2] + (oh * ow,))), shape[:-2] + (oh, ow))
    return (out, index) if return_indices else out


adaptive_max_pool2d.op = gather.op


# -- interpolate --------------------------------------------------------------------------------------
def _nearest_matrix(size, out, scale):
    """PyTorch's nearest source index ⌊dst·s⌋ (s = 1/scale_factor or size/out, in float32, as PyTorch)."""
    dst = np.arange(out)
    if out == size:
        src = dst
    elif out == 2 * size:
        src = dst // 2
    else:
        s = np.float32(1.0 / scale) if scale else np.float32(size) / np.float32(out)
        src = np.minimum(np.floor(dst.astype(np.float32) * s).astype(np.int64), size - 1)
    a = np.zeros((out, size))
    a[dst, src] = 1.0
    return a


def _linear_matrix(size, out, scale, align_corners):
    """PyTorch's linear interpolation weights: output i reads source position s·(i + ½) − ½ (≥ 0), or
    s·i with ``align_corners``, between its two neighbouring input pixels."""
    if align_corners:
        s = (size - 1) / (out - 1) if out > 1 else 0.0
        src = s * np.arange(out)
    else:
        s = 1.0 / scale if scale else size / out
        src = np.maximum(s * (np.arange(out) + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), size - 1)
    i1 = i0 + (i0 < size - 1)
    lam1 = np.clip(src - i0, 0.0, 1.0)
    a = np.zeros((out, size))
    np.add.at(a, (np.arange(out), i0), 1.0 - lam1)
    np.add.at(a, (np.arange(out), i1), lam1)
    return a


_SPATIAL_DIMS = {"nearest": (1, 2), "linear": (1,), "bilinear": (2,)}


def _spatial_args(name, value, k, kind):
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * k
    if len(values) != k:
        raise ValueError(f"interpolate: {name} must be a {kind} or {k} of them for this input, got {value!r}")
    return values


@documents(Resample2d)
def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, L) or (N, C, H, W) inputs, PyTorch's ``F.interpolate``.

    Parameters
    ----------
    input : Tensor, shape (N, C, L) ('nearest', 'linear') or (N, C, H, W) ('nearest', 'bilinear')
    size : int or tuple of int, optional
        The output's spatial size; give this or ``scale_factor``.
    scale_factor : float or tuple of float, optional
        Output size ⌊input size · scale_factor⌋. Unless ``recompute_scale_factor`` is True, the
        sampling positions use this factor (1/scale_factor), as PyTorch.
    mode : {'nearest', 'linear', 'bilinear'}, default 'nearest'
    align_corners : bool, optional
        Linear modes only: map the corner pixels' centres onto each other (scale (in − 1)/(out − 1))
        instead of their outer edges (the default, False).
    recompute_scale_factor : bool, optional
    antialias : bool, default False
        Must be False (no antialiasing filter here).
    """
    if mode not in _SPATIAL_DIMS:
        raise NotImplementedError(f"interpolate: mode={mode!r} is not supported; use 'nearest', 'linear' or "
                                  "'bilinear'")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear")
    shape = np.shape(D.raw(input))
    k = len(shape) - 2
    if k not in _SPATIAL_DIMS[mode]:
        raise ShapeError(f"interpolate: mode={mode!r} needs a {' or '.join(str(d + 2) for d in _SPATIAL_DIMS[mode])}"
                         f"-D input, got shape {shape}")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    in_size = shape[2:]
    if size is not None:
        out = _spatial_args("size", size, k, "int")
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in out):
            raise TypeError(f"interpolate: size must hold positive ints, got {size!r}")
        scales = (None,) * k
    else:
        factors = _spatial_args("scale_factor", scale_factor, k, "number")
        out = tuple(int(np.floor(n * float(f))) for n, f in zip(in_size, factors))
        if min(out) <= 0:
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} gives an empty output {out}")
        scales = (None,) * k if recompute_scale_factor else tuple(float(f) for f in factors)
    if mode == "nearest":
        mats = [_nearest_matrix(n, m, s) for n, m, s in zip(in_size, out, scales)]
    else:
        mats = [_linear_matrix(n, m, s, bool(align_corners)) for n, m, s in zip(in_size, out, scales)]
    if k == 1:
        mats = [np.ones((1, 1))] + mats  # (N, C, L) as (N, C, 1, L)
        y = Resample2d.apply(reshape(input, shape[:2] + (1, shape[2])), rows=mats[0], cols=mats[1])
        return reshape(y, shape[:2] + (out[0],))
    return Resample2d.apply(input, rows=mats[0], cols=mats[1])

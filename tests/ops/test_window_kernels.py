"""The sliding-window array kernels (im2col, col2im, max-pooling) against plain references, bit for bit.

The kernels take shortcuts (a 'same' convolution moves one flat block per kernel offset and mends the
reads that wrapped; windows that tile the input are searched on contiguous copies), so each is
compared here with the textbook form: a zero-padded copy of the input and one strided slice per
offset, or a loop over the windows. Inputs hold NaN (two payloads), ±inf, ±0 and ties, so that the
sign of a zero sum, which NaN propagates and which maximum wins must all agree.
"""
import zlib

import numpy as np
import pytest

from backprop.exceptions import ShapeError
from backprop.ops._window import fold_array, make_window, unfold_array
from backprop.ops.pooling import max_pool_array

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # inf − inf
UINT = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}


def assert_bitwise(actual, expected):
    assert actual.shape == expected.shape and actual.dtype == expected.dtype
    np.testing.assert_array_equal(actual.view(UINT[actual.dtype]), expected.view(UINT[expected.dtype]))


def seeded(*parts):
    """A generator seeded by the test's parameters (hash() of a str changes between runs)."""
    return np.random.default_rng(zlib.crc32(repr(parts).encode()))


def special_values(rng, shape, dtype, share=0.1):
    """Normal values with NaN, −NaN, ±inf and ±0 mixed in."""
    x = rng.standard_normal(shape).astype(dtype)
    specials = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0], dtype)
    where = rng.random(shape) < share
    x[where] = rng.choice(specials, where.sum())
    return x


# -- references ---------------------------------------------------------------------------------------
def _padded_geometry(win):
    """Per axis: the leading padding and a padded length that holds every window."""
    return [(lo, max(lo + n + hi, (m - 1) * s + (k - 1) * d + 1))
            for (lo, hi), n, m, s, k, d in zip(win.padding, win.in_size, win.out_size, win.stride, win.kernel,
                                              win.dilation)]


def _offset_slices(win, p, q):
    (oh, ow), (sh, sw), (dh, dw) = win.out_size, win.stride, win.dilation
    return (..., slice(p * dh, p * dh + (oh - 1) * sh + 1, sh), slice(q * dw, q * dw + (ow - 1) * sw + 1, sw))


def reference_unfold(x, win):
    (top, ph), (left, pw) = _padded_geometry(win)
    padded = np.zeros(x.shape[:2] + (ph, pw), x.dtype)
    padded[..., top:top + x.shape[2], left:left + x.shape[3]] = x
    cols = np.empty(win.cols_shape(*x.shape[:2]), x.dtype)
    for p in range(win.kernel[0]):
        for q in range(win.kernel[1]):
            cols[:, :, p, q] = padded[_offset_slices(win, p, q)]
    return cols


def reference_fold(cols, win):
    """Every offset's slice added, in row-major order, onto a zero-padded image; then the interior."""
    (top, ph), (left, pw) = _padded_geometry(win)
    padded = np.zeros(cols.shape[:2] + (ph, pw), cols.dtype)
    for p in range(win.kernel[0]):
        for q in range(win.kernel[1]):
            padded[_offset_slices(win, p, q)] += cols[:, :, p, q]
    return padded[..., top:top + win.in_size[0], left:left + win.in_size[1]].copy()


def reference_max_pool(x, win):
    """Per window: the running np.maximum of its real pixels in row-major order; the argmax is the first
    strict maximum, or the last NaN when the window holds one (PyTorch's rule)."""
    (kh, kw), (sh, sw), (dh, dw), ((top, _), (left, _)) = win.kernel, win.stride, win.dilation, win.padding
    y = np.empty(x.shape[:2] + win.out_size, x.dtype)
    argmax = np.empty(y.shape, np.int64)
    for i in range(win.out_size[0]):
        for j in range(win.out_size[1]):
            best = first = last_nan = None
            for k in range(kh * kw):
                r, c = i * sh - top + k // kw * dh, j * sw - left + k % kw * dw
                if not (0 <= r < win.in_size[0] and 0 <= c < win.in_size[1]):
                    continue
                v = x[:, :, r, c]
                if best is None:
                    best, first, last_nan = v.copy(), np.full(v.shape, k), np.full(v.shape, -1)
                else:
                    first[v > best] = k
                    best = np.maximum(best, v)
                last_nan[np.isnan(v)] = k
            y[:, :, i, j] = best
            argmax[:, :, i, j] = np.where(last_nan >= 0, last_nan, first)
    return y, argmax


# -- geometries ---------------------------------------------------------------------------------------
def _conv_cases():
    """(N, C, H, W, kernel, stride, ((top, bottom), (left, right)), dilation): 'same' windows (the
    flat-shift path), asymmetric ones, strided and dilated ones, and inputs so small that some
    offsets read only padding."""
    cases = [
        (2, 3, 7, 7, (3, 3), 1, ((1, 1), (1, 1)), 1),
        (3, 2, 6, 5, (2, 2), 1, ((0, 1), (0, 1)), 1),  # padding='same' with an even kernel
        (2, 2, 9, 8, (3, 3), 1, ((2, 2), (2, 2)), 2),
        (1, 2, 1, 1, (3, 3), 1, ((1, 1), (1, 1)), 1),  # eight offsets read only padding
        (2, 1, 2, 5, (1, 5), 1, ((0, 0), (2, 2)), 1),
        (1, 2, 3, 4, (4, 1), 1, ((2, 1), (0, 0)), 1),
        (1, 1, 1, 1, (2, 2), 1, ((1, 2), (1, 2)), 3),  # every offset reads only padding
        (2, 3, 8, 8, (3, 3), 2, ((1, 1), (1, 1)), 1),
        (2, 3, 8, 7, (3, 2), (2, 1), ((2, 2), (0, 0)), (1, 2)),
        (2, 1, 5, 5, (5, 5), 1, ((0, 0), (0, 0)), 1),
        (2, 2, 6, 6, (3, 3), 1, ((0, 0), (0, 0)), 1),
        (1, 2, 4, 4, (3, 3), 1, ((2, 2), (2, 2)), 1),  # padding 2: output larger than the input
    ]
    rng = np.random.default_rng(7)
    while len(cases) < 60:
        kernel = tuple(int(k) for k in rng.integers(1, 5, 2))
        dilation = tuple(int(d) for d in rng.integers(1, 3, 2))
        if rng.random() < 0.5:  # a 'same' window, its padding split at random
            stride = 1
            totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
            padding = tuple((lo, t - lo) for t in totals for lo in [int(rng.integers(0, t + 1))])
        else:
            stride = tuple(int(s) for s in rng.integers(1, 4, 2))
            padding = tuple(tuple(int(p) for p in rng.integers(0, 3, 2)) for _ in range(2))
        n, c, h, w = (int(v) for v in (rng.integers(1, 3), rng.integers(1, 4), *rng.integers(1, 10, 2)))
        try:
            make_window("conv2d", (h, w), kernel, stride, padding, dilation)
        except ShapeError:
            continue
        cases.append((n, c, h, w, kernel, stride, padding, dilation))
    return cases


CONV_CASES = _conv_cases()


def _conv_window(case):
    _, _, h, w, kernel, stride, padding, dilation = case
    return make_window("conv2d", (h, w), kernel, stride, padding, dilation)


def test_the_cases_take_both_paths():
    shifted = [_conv_window(case).flat_shifts is not None for case in CONV_CASES]
    assert sum(shifted) >= 20 and len(shifted) - sum(shifted) >= 20


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV_CASES)
def test_unfold_matches_the_padded_reference(case, dtype):
    rng = seeded(case, dtype)
    win = _conv_window(case)
    x = special_values(rng, case[:4], dtype)
    assert_bitwise(unfold_array(x, win), reference_unfold(x, win))
    flipped = np.ascontiguousarray(x[..., ::-1, :])[..., ::-1, :]  # the same values, not C-contiguous
    assert_bitwise(unfold_array(flipped, win), reference_unfold(x, win))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CONV_CASES)
def test_fold_matches_the_padded_reference(case, dtype):
    rng = seeded(case, dtype)
    win = _conv_window(case)
    cols = special_values(rng, win.cols_shape(*case[:2]), dtype)
    folded = fold_array(cols, win)
    assert_bitwise(folded, reference_fold(cols, win))
    assert folded.flags.c_contiguous and folded.flags.writeable
    # a broadcast cols (average pooling's gradient passes one): zero strides over the kernel offsets
    spread = np.broadcast_to(cols[:, :, :1, :1], cols.shape)
    assert_bitwise(fold_array(spread, win), reference_fold(np.ascontiguousarray(spread), win))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fold_keeps_the_sign_of_zero_sums(dtype):
    """Entries of −0 only: a pixel's sum starts at +0, so it is +0 on every path (wrapped entries included)."""
    win = make_window("conv2d", (5, 6), (3, 3), 1, ((1, 1), (1, 1)), 1)
    cols = np.full(win.cols_shape(2, 2), -0.0, dtype)
    assert_bitwise(fold_array(cols, win), reference_fold(cols, win))
    assert not np.signbit(fold_array(cols, win)).any()


# -- max-pooling --------------------------------------------------------------------------------------
POOL_CASES = [  # (H, W, kernel, stride, padding, dilation, ceil_mode)
    (8, 8, 2, 2, 0, 1, False),  # tiles
    (9, 6, 3, 3, 0, 1, False),  # tiles
    (4, 9, (2, 3), (2, 3), 0, 1, False),  # tiles
    (7, 7, 2, 2, 0, 1, False),  # disjoint, the last row and column unread
    (7, 7, 2, 2, 0, 1, True),  # ceil_mode: the last windows run past the input
    (8, 8, 2, 3, 0, 1, False),  # gaps between windows
    (6, 7, 3, 1, 1, 1, False),  # overlapping, padded
    (8, 8, 3, 2, 1, 2, False),  # dilated
    (5, 6, (3, 2), (1, 2), (1, 1), 1, True),
]


def _pool_window(case):
    h, w, kernel, stride, padding, dilation, ceil_mode = case
    return make_window("max_pool2d", (h, w), kernel, stride, padding, dilation, ceil_mode)


def test_some_pool_cases_tile():
    assert [_pool_window(case).tiles for case in POOL_CASES[:4]] == [True, True, True, False]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("values", ["specials", "ties"])
@pytest.mark.parametrize("case", POOL_CASES)
def test_max_pool_matches_the_window_loop(case, values, dtype):
    rng = seeded(case, values, dtype)
    shape = (3, 2) + case[:2]
    if values == "specials":  # mostly ±inf, ±0 and NaNs: ties everywhere, NaNs in many windows
        pool = np.array([-np.inf, -1, -0.0, 0.0, 1, np.inf, np.nan, -np.nan], dtype)
        x = rng.choice(pool, shape)
    else:  # no NaN (the NaN pass stays off): few distinct values and both zeros
        x = rng.choice(np.array([-2, -0.0, 0.0, 0.5, 3], dtype), shape)
    win = _pool_window(case)
    y, argmax = max_pool_array(x, win)
    expected_y, expected_argmax = reference_max_pool(x, win)
    assert_bitwise(y, expected_y)
    assert argmax.dtype == np.int8
    np.testing.assert_array_equal(argmax, expected_argmax)


@pytest.mark.parametrize("case", [CONV_CASES[0], CONV_CASES[6]])
def test_an_empty_batch_unfolds_and_folds(case):
    win = _conv_window(case)
    x = np.zeros((0,) + case[1:4], np.float32)
    assert unfold_array(x, win).shape == win.cols_shape(0, case[1])
    assert fold_array(np.zeros(win.cols_shape(0, case[1]), np.float32), win).shape == x.shape

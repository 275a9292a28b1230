"""conv2d, max_pool2d, avg_pool2d, unfold and fold: values (by hand and against direct loops),
first and second derivatives, PyTorch agreement in float64, dtypes and errors."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ShapeError
from tests.ops._harness import arrays, case, check_op

F = bp.F
# PyTorch warns that it copies the input for 'same' padding with an even kernel; we compare, not time.
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


# -- direct references: loops over output positions, the definitions as written ----------------------
def _pairs(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def conv_reference(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """y[n, o, i, j] = b[o] + Σ_{c, p, q} w[o, c, p, q] · x_pad[n, g·C/G + c, i·s + p·d, j·s + q·d]."""
    (sh, sw), (dh, dw) = _pairs(stride), _pairs(dilation)
    kh, kw = w.shape[2:]
    if padding == "same":
        pads = [(t // 2, t - t // 2) for t in (dh * (kh - 1), dw * (kw - 1))]
    elif padding == "valid":
        pads = [(0, 0), (0, 0)]
    else:
        pads = [(p, p) for p in _pairs(padding)]
    xp = np.pad(x, [(0, 0), (0, 0)] + pads)
    oh = (xp.shape[2] - dh * (kh - 1) - 1) // sh + 1
    ow = (xp.shape[3] - dw * (kw - 1) - 1) // sw + 1
    c_in, c_out = w.shape[1], w.shape[0]
    y = np.zeros((x.shape[0], c_out, oh, ow))
    for o in range(c_out):
        g = o // (c_out // groups)
        for i in range(oh):
            for j in range(ow):
                patch = xp[:, g * c_in:(g + 1) * c_in, i * sh:i * sh + dh * (kh - 1) + 1:dh,
                           j * sw:j * sw + dw * (kw - 1) + 1:dw]
                y[:, o, i, j] = np.sum(patch * w[o], axis=(1, 2, 3)) + (0 if b is None else b[o])
    return y


def distinct(*shape, seed=0):
    """Values with no ties, spaced 0.05 apart: finite differences never move a window's maximum."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(np.prod(shape)) * 0.05 - 1.0).reshape(shape)


# -- by hand ------------------------------------------------------------------------------------------
def test_conv2d_by_hand_sums_each_window():
    x = bp.tensor(np.arange(16.0).reshape(1, 1, 4, 4), dtype=bp.float32)
    y = F.conv2d(x, bp.ones(1, 1, 2, 2))
    np.testing.assert_array_equal(y.data[0, 0], [[10, 14, 18], [26, 30, 34], [42, 46, 50]])


def test_conv2d_gradient_by_hand():
    # dW = Σ dY · X_col: with dY = 1 each weight tap collects the sum of the pixels it touched;
    # dX counts how many windows cover each pixel.
    x = bp.tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    w = bp.tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.conv2d(x, w).sum().backward()
    np.testing.assert_array_equal(w.grad[0, 0], [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]])
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_pools_by_hand():
    x = bp.tensor(np.array([[[[1.0, 5, 2, 0], [3, 4, 8, 1], [0, 0, 1, 1], [9, 2, 1, 6]]]]), requires_grad=True)
    y = F.max_pool2d(x, 2)
    np.testing.assert_array_equal(y.data[0, 0], [[5, 8], [9, 6]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 0, 1]])
    np.testing.assert_array_equal(F.avg_pool2d(x, 2).data[0, 0], [[13 / 4, 11 / 4], [11 / 4, 9 / 4]])


# -- gradients and second derivatives ------------------------------------------------------------------
CONV_ARGS = [  # id, input shape, weight shape, bias, keyword arguments
    ("plain", (2, 3, 5, 6), (4, 3, 3, 3), True, {}),
    ("stride 2, padding 1", (2, 2, 6, 5), (3, 2, 3, 3), True, dict(stride=2, padding=1)),
    ("non-square kernel, stride and padding", (1, 2, 6, 7), (2, 2, 3, 2), True, dict(stride=(2, 1), padding=(1, 2))),
    ("dilation 2", (1, 2, 7, 7), (2, 2, 3, 3), True, dict(dilation=2, padding=1)),
    ("same, even kernel, dilated", (1, 2, 5, 6), (3, 2, 2, 4), True, dict(padding="same", dilation=(2, 1))),
    ("valid", (1, 2, 5, 5), (2, 2, 2, 2), True, dict(padding="valid")),
    ("groups 2", (2, 4, 5, 5), (6, 2, 3, 3), True, dict(groups=2, padding=1)),
    ("depthwise, no bias", (2, 3, 5, 5), (3, 1, 3, 3), False, dict(groups=3, stride=2)),
    ("unbatched", (2, 5, 5), (3, 2, 3, 3), True, dict(padding=1)),
    ("1x1", (2, 3, 4, 4), (5, 3, 1, 1), True, {}),
]


def _conv_inputs(x_shape, w_shape, bias):
    return arrays(x_shape, w_shape, *([(w_shape[0],)] if bias else []))


def _with_bias(conv, kw):
    """conv(x, w, b, **kw) as a function of the inputs, with or without a bias input."""
    return lambda x, w, b=None: conv(x, w, b, **kw)


@pytest.mark.parametrize("x_shape, w_shape, bias, kw", [pytest.param(*a[1:], id=a[0]) for a in CONV_ARGS])
def test_conv2d_gradients(x_shape, w_shape, bias, kw):
    ref = _with_bias(conv_reference, kw)
    if len(x_shape) == 3:  # unbatched: the reference works on a batch of one
        ref = lambda x, *a, _ref=ref: _ref(x[None], *a)[0]
    check_op(_with_bias(F.conv2d, kw), _conv_inputs(x_shape, w_shape, bias), ref)


@pytest.mark.parametrize("x_shape, w_shape, bias, kw", [pytest.param(*a[1:], id=a[0]) for a in CONV_ARGS])
def test_conv2d_matches_torch(x_shape, w_shape, bias, kw):
    torch = pytest.importorskip("torch")
    _against_torch(_with_bias(F.conv2d, kw), _with_bias(torch.nn.functional.conv2d, kw),
                   _conv_inputs(x_shape, w_shape, bias))


def _pool_case(id, fn, x, **kw):
    return case(id, lambda t: fn(t, **kw), [x])


POOL_CASES = [
    _pool_case("max 2", F.max_pool2d, distinct(2, 2, 6, 6), kernel_size=2),
    _pool_case("max 3 stride 2 padding 1", F.max_pool2d, distinct(1, 2, 7, 6), kernel_size=3, stride=2, padding=1),
    _pool_case("max ceil_mode", F.max_pool2d, distinct(1, 2, 7, 7), kernel_size=2, ceil_mode=True),
    _pool_case("max dilated, non-square", F.max_pool2d, distinct(1, 1, 7, 8), kernel_size=(2, 3), stride=1,
               dilation=(2, 1), padding=(1, 1)),
    _pool_case("max unbatched", F.max_pool2d, distinct(2, 5, 5), kernel_size=2, stride=1),
    _pool_case("avg 2", F.avg_pool2d, arrays((2, 2, 6, 6))[0], kernel_size=2),
    _pool_case("avg padding, counting the padding", F.avg_pool2d, arrays((1, 2, 5, 6))[0], kernel_size=3,
               stride=2, padding=1),
    _pool_case("avg padding, not counting it, ceil_mode", F.avg_pool2d, arrays((1, 2, 6, 7))[0], kernel_size=3,
               stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    _pool_case("avg divisor_override", F.avg_pool2d, arrays((1, 1, 5, 5))[0], kernel_size=(2, 3), stride=(1, 2),
               divisor_override=4),
]


@pytest.mark.parametrize("case", POOL_CASES)
def test_pool_gradients(case):
    case.check()


def test_unfold_fold_gradients():
    check_op(lambda x: F.unfold(x, (2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), arrays((2, 2, 5, 6)))
    check_op(lambda c: F.fold(c, (4, 5), 2, padding=1, stride=2), arrays((2, 3 * 4, 9)))


# -- PyTorch, float64 --------------------------------------------------------------------------------
def _against_torch(ours, theirs, inputs, seed=0):
    """Forward values and the gradients of every input for the same upstream gradient."""
    torch = pytest.importorskip("torch")
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    bs = [bp.tensor(a, dtype=np.float64, requires_grad=True) for a in inputs]
    t_out, b_out = theirs(*ts), ours(*bs)
    np.testing.assert_allclose(b_out.data, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = np.random.default_rng(seed).standard_normal(b_out.shape)
    t_out.backward(torch.tensor(v))
    b_out.backward(v)
    for b, t in zip(bs, ts):
        np.testing.assert_allclose(b.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


MAX_POOL_ARGS = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 1), ceil_mode=True),
    dict(kernel_size=2, stride=1, dilation=2, padding=1),
]


@pytest.mark.parametrize("kw", MAX_POOL_ARGS)
@pytest.mark.parametrize("values", ["distinct", "ties", "nan and -inf"])
def test_max_pool2d_matches_torch(kw, values):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    x = distinct(2, 3, 7, 8)
    if values == "ties":  # the gradient goes to the first maximum of each window
        x = rng.integers(-2, 3, x.shape).astype(float)
    elif values == "nan and -inf":  # NaN propagates; a window of -inf points at its first real pixel
        x[0, 0, :3, :3] = -np.inf
        x[1, 1, 2, 2:4] = np.nan
    y, idx = F.max_pool2d(bp.tensor(x, dtype=np.float64), return_indices=True, **kw)
    ty, tidx = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(y.data, ty.numpy())
    np.testing.assert_array_equal(idx.data, tidx.numpy())
    assert idx.dtype == np.int64 and not idx.requires_grad
    _against_torch(lambda t: F.max_pool2d(t, **kw), lambda t: torch.nn.functional.max_pool2d(t, **kw), [x])


@pytest.mark.parametrize("kw", [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
    dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True),
    dict(kernel_size=3, stride=2, ceil_mode=True, divisor_override=5),
    dict(kernel_size=3, stride=1, padding=1, count_include_pad=False),
])
def test_avg_pool2d_matches_torch(kw):
    torch = pytest.importorskip("torch")
    x = arrays((2, 3, 7, 8))[0]
    _against_torch(lambda t: F.avg_pool2d(t, **kw), lambda t: torch.nn.functional.avg_pool2d(t, **kw), [x])


def test_unfold_fold_match_torch():
    torch = pytest.importorskip("torch")
    kw = dict(kernel_size=(2, 3), dilation=(2, 1), padding=(1, 2), stride=(1, 2))
    _against_torch(lambda t: F.unfold(t, **kw), lambda t: torch.nn.functional.unfold(t, **kw),
                   arrays((2, 3, 6, 7)))
    cols = torch.nn.functional.unfold(torch.zeros(2, 3, 6, 7), **kw)
    _against_torch(lambda t: F.fold(t, (6, 7), **kw), lambda t: torch.nn.functional.fold(t, (6, 7), **kw),
                   arrays(tuple(cols.shape)))


# -- dtypes, modes ----------------------------------------------------------------------------------
def test_float32_stays_float32():
    x = bp.randn(2, 3, 8, 8, requires_grad=True)
    w = bp.randn(4, 3, 3, 3, requires_grad=True)
    b = bp.randn(4, requires_grad=True)
    y = F.avg_pool2d(F.max_pool2d(F.conv2d(x, w, b, padding=1), 2), 2)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_no_graph_under_no_grad():
    x = bp.randn(1, 1, 6, 6, requires_grad=True)
    with bp.no_grad():
        y = F.max_pool2d(F.conv2d(x, bp.randn(2, 1, 3, 3, requires_grad=True)), 2, return_indices=True)[0]
    assert not y.requires_grad


# -- errors -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("call, error, message", [
    (lambda: F.conv2d(bp.zeros(2, 3, 8, 8), bp.zeros(4, 2, 3, 3)), ShapeError,
     (r"input has 3 channels \(shape \(2, 3, 8, 8\)\) but the weight \(shape \(4, 2, 3, 3\)\) with groups=1 "
      r"expects 2")),
    (lambda: F.conv2d(bp.zeros(2, 3, 2, 2), bp.zeros(4, 3, 3, 3)), ShapeError,
     r"spatial size \(2, 2\) \(padded: \(2, 2\)\) is smaller than the kernel \(3, 3\)"),
    (lambda: F.conv2d(bp.zeros(1, 3, 5, 5), bp.zeros(4, 3, 2, 2), dilation=5), ShapeError, r"dilated: \(6, 6\)"),
    (lambda: F.conv2d(bp.zeros(1, 4, 5, 5), bp.zeros(3, 2, 3, 3), groups=2), ShapeError,
     "3 output channels .* do not divide into groups=2"),
    (lambda: F.conv2d(bp.zeros(1, 2, 5, 5), bp.zeros(3, 2, 3, 3), bp.zeros(4)), ShapeError,
     r"bias has shape \(4,\) but the weight .* has 3 output channels"),
    (lambda: F.conv2d(bp.zeros(5, 5), bp.zeros(3, 2, 3, 3)), ShapeError, r"4-D \(N, C, H, W\) input"),
    (lambda: F.conv2d(bp.zeros(1, 2, 5, 5), bp.zeros(3, 2, 3)), ShapeError, r"weight must have shape"),
    (lambda: F.conv2d(bp.zeros(1, 2, 5, 5), bp.zeros(3, 2, 3, 3), padding="full"), ValueError,
     "Invalid padding string 'full'"),
    (lambda: F.conv2d(bp.zeros(1, 2, 5, 5), bp.zeros(3, 2, 3, 3), padding="same", stride=2), ValueError,
     "not supported for strided"),
    (lambda: F.conv2d(bp.zeros(1, 2, 5, 5), bp.zeros(3, 2, 3, 3), stride=0), ValueError,
     r"stride must be positive, got \(0, 0\)"),
    (lambda: F.max_pool2d(bp.zeros(1, 1, 5, 5), 2, padding=2), ValueError, "at most half of the kernel size"),
    (lambda: F.max_pool2d(bp.zeros(1, 1, 2, 2), 3), ShapeError, "smaller than the kernel"),
    (lambda: F.avg_pool2d(bp.zeros(1, 1, 4, 4), 2, divisor_override=0), ValueError, "must not be zero"),
    (lambda: F.fold(bp.zeros(1, 12, 8), (4, 5), 2, padding=1, stride=2), ShapeError, "does not fit"),
])
def test_errors_name_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()

"""The fused layer ops (backprop.ops.layers): forward, gradcheck, gradgradcheck, array == Tensor mode."""
import numpy as np
import pytest

import backprop as bp
import backprop.nn.functional as F
from backprop.ops import layers
from tests.ops._harness import arrays, case, check_op


def _linear_ref(x, w, b=None):
    return x @ w.T + (0 if b is None else b)


def _prelu_ref(x, a):
    a = a.reshape((-1,) + (1,) * (x.ndim - 2)) if a.size > 1 else a.reshape(())
    return np.where(x > 0, x, a * x)


def _bn_ref(x, w=None, b=None, mean=None, var=None, eps=1e-5):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes) if mean is None else mean
    var = x.var(axis=axes) if var is None else var
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = y if w is None else y * w.reshape(shape)
    return y if b is None else y + b.reshape(shape)


_RUNNING = arrays((4,), (4,), domain="positive", seed=7)


@pytest.mark.parametrize("case", [
    case("linear", F.linear, arrays((5, 3), (4, 3), (4,)), _linear_ref),
    case("linear-no-bias", F.linear, arrays((5, 3), (4, 3)), _linear_ref),
    case("linear-1d-input", F.linear, arrays((3,), (2, 3), (2,)), _linear_ref),
    case("linear-batched-3d", F.linear, arrays((2, 4, 3), (5, 3), (5,)), _linear_ref),
    case("leaky_relu", lambda x: F.leaky_relu(x, 0.1), arrays((4, 5), domain="nonzero"),
         lambda x: np.where(x > 0, x, 0.1 * x)),
    case("prelu-shared-slope", F.prelu, [*arrays((4, 3), domain="nonzero"), np.array([0.25])], _prelu_ref),
    case("prelu-per-channel-2d", F.prelu, [*arrays((4, 3), domain="nonzero"), np.array([0.1, 0.2, 0.3])],
         _prelu_ref),
    case("prelu-per-channel-3d", F.prelu, [*arrays((2, 3, 4), domain="nonzero"), np.array([0.1, -0.2, 0.3])],
         _prelu_ref),
    case("heaviside", F.heaviside, arrays((3, 4), domain="nonzero"), lambda x: (x > 0).astype(float)),
    case("batch_norm-train-2d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         arrays((6, 4), (4,), (4,)), _bn_ref),
    case("batch_norm-train-3d", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         arrays((3, 4, 5), (4,), (4,)), _bn_ref),
    case("batch_norm-train-no-affine", lambda x: F.batch_norm(x, None, None, training=True),
         arrays((5, 3)), _bn_ref),
    case("batch_norm-eval", lambda x, w, b: F.batch_norm(x, *_RUNNING, w, b, training=False),
         arrays((6, 4), (4,), (4,)), lambda x, w, b: _bn_ref(x, w, b, *_RUNNING)),
    case("batch_norm-eval-3d", lambda x, w, b: F.batch_norm(x, *_RUNNING, w, b, training=False),
         arrays((2, 4, 3), (4,), (4,)), lambda x, w, b: _bn_ref(x, w, b, *_RUNNING)),
])
def test_layer_op(case):
    case.check()


def test_dropout_op_with_a_fixed_mask():
    mask = np.array([[0.0, 2.0, 2.0], [2.0, 0.0, 2.0]])
    check_op(lambda x: layers.Dropout.apply(x, mask), arrays((2, 3)), lambda x: x * mask)


def test_prelu_slope_gradient_is_sum_of_dy_times_negative_part():
    x = bp.tensor([[-2.0, 1.0], [3.0, -0.5]], dtype=np.float64)
    a = bp.nn.Parameter(np.array([0.25, 0.5]))
    F.prelu(x, a).sum().backward()
    np.testing.assert_allclose(a.grad, [-2.0, -0.5])  # Σ min(0, x) per channel


def test_heaviside_has_zero_gradient_and_steps_at_zero():
    x = bp.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    y = F.heaviside(x)
    np.testing.assert_array_equal(y.data, [0.0, 0.0, 1.0])  # H(0) = 0, the course's unit step
    assert y.dtype == x.dtype
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])


def test_heaviside_of_integers_gives_default_float():
    assert F.heaviside(bp.tensor([-1, 0, 3])).dtype == bp.get_default_dtype()
    assert F.heaviside(bp.tensor([-1.0], dtype=np.float64)).dtype == np.float64


def test_linear_trace_shows_course_formulas():
    x = bp.randn(2, 3)
    w = bp.randn(4, 3, requires_grad=True)
    z = F.linear(x, w)
    assert z.grad_fn.op is layers.Linear
    forward, backward = layers.Linear.formulas()  # the declared formulas, keyed by input name
    assert "dW = dZᵀ·X" in backward["weight"]
    assert forward == "Z = X·Wᵀ + b"


def test_linear_weight_gradient_is_dz_transpose_times_x():
    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    w = bp.tensor(np.array([[1.0, -1.0]]), dtype=np.float64, requires_grad=True)
    b = bp.tensor(np.array([0.5]), dtype=np.float64, requires_grad=True)
    dz = np.array([[1.0], [0.0], [-2.0]])
    F.linear(bp.tensor(x, dtype=np.float64), w, b).backward(dz)
    np.testing.assert_allclose(w.grad, dz.T @ x)  # the lecture's Xᵀ·dZ, transposed
    np.testing.assert_allclose(b.grad, [-1.0])


def test_batch_norm_weight_second_derivative_matches_torch():
    torch = pytest.importorskip("torch")
    x, w, b = arrays((5, 3), (3,), (3,), seed=3)
    xs = bp.tensor(x, dtype=np.float64, requires_grad=True)
    ws = bp.tensor(w, dtype=np.float64, requires_grad=True)
    y = F.batch_norm(xs, None, None, ws, bp.tensor(b, dtype=np.float64), training=True)
    (gx,) = bp.grad((y ** 3).sum(), xs, create_graph=True)
    (gw,) = bp.grad((gx ** 2).sum(), ws)

    xt, wt = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    yt = torch.nn.functional.batch_norm(xt, None, None, wt, torch.tensor(b), training=True)
    (gxt,) = torch.autograd.grad((yt ** 3).sum(), xt, create_graph=True)
    (gwt,) = torch.autograd.grad((gxt ** 2).sum(), wt)
    np.testing.assert_allclose(gx.data, gxt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw.data, gwt.numpy(), rtol=1e-9, atol=1e-11)

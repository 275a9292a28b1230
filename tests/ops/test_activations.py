"""Activations and the softmax family (src/backprop/ops/activations.py): values, gradients, second
derivatives against closed forms, and stability at ±1000."""
import warnings

import numpy as np
import pytest

import backprop as bp
from tests.ops._harness import arrays, case, closed_form_second_derivative


def np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_softmax(x, axis=-1, temperature=1.0):
    e = np.exp(x / temperature)
    return e / e.sum(axis=axis, keepdims=True)


def np_logit(x, eps=None):
    if eps is not None:
        x = np.clip(x, eps, 1 - eps)
    return np.log(x / (1 - x))


X34, = arrays((3, 4))
NZ34, = arrays((3, 4), domain="nonzero", seed=1)
U34, = arrays((3, 4), domain="unit", seed=2)
X235, = arrays((2, 3, 5), seed=3)


@pytest.mark.parametrize("case", [
    case("sigmoid", bp.sigmoid, [X34], np_sigmoid),
    case("tanh", bp.tanh, [X34], np.tanh),
    case("relu", bp.relu, [NZ34], lambda x: np.maximum(x, 0)),
    case("softplus", bp.softplus, [X34], lambda x: np.log1p(np.exp(x))),
    case("logsigmoid", bp.logsigmoid, [X34], lambda x: np.log(np_sigmoid(x))),
    case("logit", bp.logit, [U34], np_logit),
    case("logit-eps", lambda x: bp.logit(x, eps=0.25), [U34], lambda x: np_logit(x, 0.25)),
    case("methods", lambda x: x.sigmoid() + x.tanh() + x.relu() + x.softplus() + x.logsigmoid(), [NZ34],
         lambda x: np_sigmoid(x) + np.tanh(x) + np.maximum(x, 0) + np.log1p(np.exp(x)) + np.log(np_sigmoid(x))),
    case("softmax", bp.softmax, [X34], np_softmax),
    case("softmax-axis0", lambda x: bp.softmax(x, 0), [X34], lambda x: np_softmax(x, 0)),
    case("softmax-dim", lambda x: bp.softmax(x, dim=1), [X235], lambda x: np_softmax(x, 1)),
    case("softmax-T0.5", lambda x: bp.softmax(x, temperature=0.5), [X34], lambda x: np_softmax(x, -1, 0.5)),
    case("softmax-T3-axis0", lambda x: bp.softmax(x, 0, 3.0), [X34], lambda x: np_softmax(x, 0, 3.0)),
    case("softmax-method", lambda x: x.softmax(dim=-2, temperature=2.0), [X235],
         lambda x: np_softmax(x, -2, 2.0)),
    case("log_softmax", bp.log_softmax, [X34], lambda x: np.log(np_softmax(x))),
    case("log_softmax-axis0-T2", lambda x: bp.log_softmax(x, 0, temperature=2.0), [X34],
         lambda x: np.log(np_softmax(x, 0, 2.0))),
    case("log_softmax-dim", lambda x: x.log_softmax(dim=1, temperature=0.3), [X235],
         lambda x: np.log(np_softmax(x, 1, 0.3))),
    case("logsumexp", bp.logsumexp, [X34], lambda x: np.log(np.exp(x).sum())),
    case("logsumexp-axis1", lambda x: bp.logsumexp(x, 1), [X34], lambda x: np.log(np.exp(x).sum(1))),
    case("logsumexp-tuple-keepdims", lambda x: bp.logsumexp(x, (0, -1), keepdims=True), [X235],
         lambda x: np.log(np.exp(x).sum((0, 2), keepdims=True))),
    case("logsumexp-dim-keepdim", lambda x: x.logsumexp(dim=-2, keepdim=True), [X235],
         lambda x: np.log(np.exp(x).sum(-2, keepdims=True))),
])
def test_activation(case):
    case.check()


def test_softmax_rows_sum_to_one_and_temperature_flattens():
    x = bp.tensor([[1.0, 2.0, 3.0]], dtype=np.float64)
    np.testing.assert_allclose(bp.softmax(x).data.sum(), 1.0)
    cold, hot = bp.softmax(x, temperature=0.1).data, bp.softmax(x, temperature=100.0).data
    assert cold[0, 2] > 0.999 and np.ptp(hot) < 0.01
    np.testing.assert_allclose(bp.softmax(x, temperature=2.0).data, bp.softmax(x / 2.0).data, rtol=1e-14)


def test_logsigmoid_is_minus_softplus_of_minus_x():
    x = bp.tensor(X34, dtype=np.float64)
    np.testing.assert_allclose(bp.logsigmoid(x).data, -bp.softplus(-x).data, rtol=1e-14)


def test_logit_eps_clamps_and_stops_the_gradient_outside():
    x = bp.tensor([0.0, 0.1, 0.5, 0.95, 1.0], dtype=np.float64, requires_grad=True)
    y = bp.logit(x, eps=0.1)
    np.testing.assert_allclose(y.data, np_logit(np.array([0.1, 0.1, 0.5, 0.9, 0.9])))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 1 / 0.09, 4.0, 0.0, 0.0])


@pytest.mark.parametrize("kwargs", [{"temperature": 0.0}, {"temperature": -1.0}])
def test_softmax_rejects_nonpositive_temperature(kwargs):
    with pytest.raises(ValueError, match="temperature"):
        bp.softmax(bp.tensor(X34), **kwargs)


def test_softmax_axis_and_dim_together_is_an_error():
    with pytest.raises(TypeError, match="axis or dim"):
        bp.softmax(bp.tensor(X34), 0, dim=1)


# -- second derivatives against closed forms -------------------------------------------------------------
X = np.linspace(-4.0, 4.0, 17)


@pytest.mark.parametrize("fn, expected", [
    (bp.sigmoid, lambda x: np_sigmoid(x) * (1 - np_sigmoid(x)) * (1 - 2 * np_sigmoid(x))),
    (bp.tanh, lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2)),
    (bp.softplus, lambda x: np_sigmoid(x) * (1 - np_sigmoid(x))),
    (bp.logsigmoid, lambda x: -np_sigmoid(x) * (1 - np_sigmoid(x))),
], ids=["sigmoid", "tanh", "softplus", "logsigmoid"])
def test_second_derivative_closed_form(fn, expected):
    closed_form_second_derivative(fn, X, expected)


def test_second_derivative_of_logit():
    u = np.linspace(0.05, 0.95, 10)
    closed_form_second_derivative(bp.logit, u, lambda x: (2 * x - 1) / (x * (1 - x)) ** 2)


def test_hessian_of_logsumexp_is_diag_p_minus_ppT():
    x = np.array([0.3, -1.2, 2.0])
    p = np_softmax(x)
    np.testing.assert_allclose(bp.hessian(bp.logsumexp, x).data, np.diag(p) - np.outer(p, p), atol=1e-12)


# -- stability at ±1000 ---------------------------------------------------------------------------------
BIG = np.array([-1000.0, 0.0, 1000.0])
LN2 = np.log(2.0)
STABLE = {
    # name: (fn, expected value, expected gradient of sum(fn(x)))
    "sigmoid": (bp.sigmoid, [0.0, 0.5, 1.0], [0.0, 0.25, 0.0]),
    "tanh": (bp.tanh, [-1.0, 0.0, 1.0], [0.0, 1.0, 0.0]),
    "softplus": (bp.softplus, [0.0, LN2, 1000.0], [0.0, 0.5, 1.0]),
    "logsigmoid": (bp.logsigmoid, [-1000.0, -LN2, 0.0], [1.0, 0.5, 0.0]),
    "softmax": (bp.softmax, [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
    "log_softmax": (bp.log_softmax, [-2000.0, -1000.0, 0.0], [1.0, 1.0, -2.0]),
    "logsumexp": (bp.logsumexp, 1000.0, [0.0, 0.0, 1.0]),
}


@pytest.mark.parametrize("name", STABLE)
def test_stable_at_plus_minus_1000(name):
    fn, value, gradient = STABLE[name]
    x = bp.tensor(BIG, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow or a division by zero in NumPy fails the test
        y = fn(x)
        y.sum().backward()
        (g,) = bp.grad(fn(x).sum(), x, create_graph=True)
        (gg,) = bp.grad(g.sum(), x)
    np.testing.assert_allclose(y.data, value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad, gradient, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g.data, gradient, rtol=1e-12, atol=1e-12)
    assert np.all(np.isfinite(gg.data))


def test_logsumexp_of_equal_large_values():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for v in (1000.0, -1000.0):
            x = bp.tensor([v, v], dtype=np.float64, requires_grad=True)
            y = bp.logsumexp(x)
            y.backward()
            np.testing.assert_allclose(y.item(), v + LN2, rtol=1e-15)
            np.testing.assert_allclose(x.grad, [0.5, 0.5])


def test_float32_sigmoid_stays_float32_and_stable():
    x = bp.tensor(BIG, dtype=np.float32, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = bp.sigmoid(x)
        y.sum().backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(y.data, [0.0, 0.5, 1.0])

"""Elementwise arithmetic (src/backprop/ops/elementwise.py) through the shared op test case."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ShapeError
from tests.ops._harness import arrays, case, check_op, closed_form_second_derivative

A34, B34 = arrays((3, 4), (3, 4))
P34, Q34 = arrays((3, 4), (3, 4), domain="positive", seed=1)
NZ34 = arrays((3, 4), domain="nonzero", seed=2)[0]
COND = arrays((3, 4), seed=3)[0] > 0

BROADCAST_PAIRS = {
    "same": ((3, 4), (3, 4)),
    "col+row": ((3, 1), (1, 4)),
    "3d*vector": ((2, 3, 4), (4,)),
    "vector*matrix": ((3,), (2, 3)),
    "scalar": ((), (2, 3)),
}
BINARY = {
    "add": (bp.add, np.add),
    "sub": (bp.sub, np.subtract),
    "mul": (bp.mul, np.multiply),
    "maximum": (bp.maximum, np.maximum),
    "minimum": (bp.minimum, np.minimum),
}


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS.values(), ids=BROADCAST_PAIRS.keys())
@pytest.mark.parametrize("name", BINARY)
def test_binary_broadcasting(name, shapes):
    fn, ref = BINARY[name]
    check_op(fn, arrays(*shapes, seed=4), ref)


@pytest.mark.parametrize("shapes", BROADCAST_PAIRS.values(), ids=BROADCAST_PAIRS.keys())
def test_div_broadcasting(shapes):
    a, = arrays(shapes[0], seed=5)
    b, = arrays(shapes[1], domain="nonzero", seed=6)
    check_op(bp.div, [a, b], np.divide)


@pytest.mark.parametrize("case", [
    case("neg", bp.neg, [A34], np.negative),
    case("exp", bp.exp, [A34], np.exp),
    case("log", bp.log, [P34], np.log),
    case("sqrt", bp.sqrt, [P34], np.sqrt),
    case("sin", bp.sin, [A34 * 3], np.sin),
    case("cos", bp.cos, [A34 * 3], np.cos),
    case("abs", bp.abs, [NZ34], np.abs),
    case("pow-int", lambda x: x ** 3, [A34], lambda x: x ** 3),
    case("pow-float", lambda x: x ** 2.5, [P34], lambda x: x ** 2.5),
    case("pow-negative", lambda x: x ** -1.5, [P34], lambda x: x ** -1.5),
    case("pow-tensor-exponent", bp.pow, [P34, B34], np.power),
    case("pow-broadcast-exponent", bp.pow, [P34, arrays((4,), seed=7)[0]], np.power),
    case("rpow", lambda x: 2.0 ** x, [A34], lambda x: 2.0 ** x),
    case("clip", lambda x: bp.clip(x, -0.5, 0.5), [A34], lambda x: np.clip(x, -0.5, 0.5)),
    case("clip-min-only", lambda x: bp.clip(x, -0.5, None), [A34], lambda x: np.maximum(x, -0.5)),
    case("clip-max-only", lambda x: bp.clip(x, None, 0.5), [A34], lambda x: np.minimum(x, 0.5)),
    case("clamp-method", lambda x: x.clamp(max=0.5), [A34], lambda x: np.minimum(x, 0.5)),
    case("where", lambda a, b: bp.where(COND, a, b), [A34, B34], lambda a, b: np.where(COND, a, b)),
    case("where-broadcast", lambda a, b: bp.where(COND, a, b), arrays((3, 1), (4,)),
         lambda a, b: np.where(COND, a, b)),
    case("where-constant", lambda a: bp.where(COND, a, 0.0), [A34], lambda a: np.where(COND, a, 0.0)),
    case("operators", lambda a, b: (a - 2 * b) / (1.5 + b * b) + -a, [A34, B34],
         lambda a, b: (a - 2 * b) / (1.5 + b * b) + -a),
    case("ndarray-on-left", lambda a: B34 * a - B34 + 1.0 / (2.0 + a * a), [A34],
         lambda a: B34 * a - B34 + 1.0 / (2.0 + a * a)),
])
def test_unary_and_mixed(case):
    case.check()


def test_ndarray_operand_gives_tensor():
    x = bp.tensor(A34, requires_grad=True)
    for result in (B34 + x, B34 - x, B34 * x, B34 / (x * x + 1), B34 ** bp.tensor(1.0)):
        assert isinstance(result, bp.Tensor)


def test_cast_gradient_comes_back_in_input_dtype():
    x = bp.tensor(A34, dtype=np.float32, requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, 2 * A34.astype(np.float32), rtol=1e-6)
    check_op(lambda t: t.float().double() * t, [A34], lambda t: t.astype(np.float32) * t,
             forward_rtol=1e-6, eps=1e-2, atol=1e-4)


@pytest.mark.parametrize("fn", [bp.maximum, bp.minimum])
def test_maximum_minimum_ties_share_the_gradient(fn):
    a = bp.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    b = bp.tensor([1.0, 0.0, 5.0], dtype=np.float64, requires_grad=True)
    fn(a, b).sum().backward()
    winner_a = [0.5, 1.0, 0.0] if fn is bp.maximum else [0.5, 0.0, 1.0]
    np.testing.assert_array_equal(a.grad, winner_a)
    np.testing.assert_array_equal(b.grad, 1.0 - np.array(winner_a))


def test_clip_passes_gradient_at_the_bounds():
    x = bp.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], dtype=np.float64, requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])  # as torch.clamp


def test_abs_gradient_is_zero_at_zero():
    x = bp.tensor([-2.0, 0.0, 3.0], dtype=np.float64, requires_grad=True)
    bp.abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [-1.0, 0.0, 1.0])


def test_pow_exponent_gradient_at_zero_base_is_zero():
    a = bp.tensor([0.0, 2.0], dtype=np.float64)
    b = bp.tensor([2.0, 3.0], dtype=np.float64, requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad, [0.0, 8.0 * np.log(2.0)])


COMPARISONS = {"eq": (bp.eq, np.equal, "__eq__"), "ne": (bp.ne, np.not_equal, "__ne__"),
               "lt": (bp.lt, np.less, "__lt__"), "le": (bp.le, np.less_equal, "__le__"),
               "gt": (bp.gt, np.greater, "__gt__"), "ge": (bp.ge, np.greater_equal, "__ge__")}


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons_are_bool_without_gradient(name):
    fn, ref, dunder = COMPARISONS[name]
    a = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = bp.tensor([[2.0], [1.0]], requires_grad=True)
    for result in (fn(a, b), getattr(a, dunder)(b)):
        assert result.dtype == np.bool_ and not result.requires_grad and result.grad_fn is None
        np.testing.assert_array_equal(result.data, ref(a.data, b.data))


def test_broadcast_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"\(3, 4\).*\(5,\)"):
        bp.add(bp.tensor(A34), bp.tensor(np.zeros(5)))


# -- second derivatives against closed forms -------------------------------------------------------------
X = np.linspace(-2.0, 2.0, 9)


def test_second_derivative_of_cube_is_6x():
    closed_form_second_derivative(lambda x: x ** 3, X, lambda x: 6 * x)
    closed_form_second_derivative(lambda x: x * x * x, X, lambda x: 6 * x)


@pytest.mark.parametrize("fn, expected", [
    (bp.exp, np.exp),
    (lambda x: bp.log(x + 3.0), lambda x: -1.0 / (x + 3.0) ** 2),
    (lambda x: bp.sqrt(x + 3.0), lambda x: -0.25 * (x + 3.0) ** -1.5),
    (lambda x: 1.0 / (x + 3.0), lambda x: 2.0 / (x + 3.0) ** 3),
    (lambda x: 2.0 ** x, lambda x: np.log(2.0) ** 2 * 2.0 ** x),
], ids=["exp", "log", "sqrt", "reciprocal", "rpow"])
def test_second_derivatives_closed_form(fn, expected):
    closed_form_second_derivative(fn, X, expected)


def test_no_runtime_warning_from_gradients_on_the_fast_path():
    x = bp.tensor(P34, dtype=np.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (bp.log(x) + bp.sqrt(x) + x ** 0.5).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))


# -- the shared harness catches what it is meant to catch ---------------------------------------------------
class _Cube(bp.Function):
    """y = x³ with a choice of backward formulas, right and wrong."""

    mode = "right"

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x, x2=x * x)  # x2 is an intermediate: a constant in graph mode
        return x ** 3

    @staticmethod
    def backward(ctx, dy):
        if _Cube.mode == "wrong-first":
            return dy * 2 * ctx.x ** 2
        if _Cube.mode == "constant-intermediate":
            return dy * 3 * ctx.x2  # right value, wrong second derivative
        return dy * 3 * ctx.x ** 2


class _CubeNoDouble(_Cube):
    supports_double_backward = False


@pytest.fixture
def cube_mode():
    yield lambda mode: setattr(_Cube, "mode", mode)
    _Cube.mode = "right"


def test_harness_passes_a_right_op_and_catches_wrong_ones(cube_mode):
    check_op(_Cube.apply, [A34], lambda x: x ** 3)
    with pytest.raises(AssertionError, match="forward"):
        check_op(_Cube.apply, [A34], lambda x: x ** 3 + 1e-6)
    cube_mode("wrong-first")
    with pytest.raises(AssertionError, match="gradcheck failed"):
        check_op(_Cube.apply, [A34])
    cube_mode("constant-intermediate")
    with pytest.raises(AssertionError, match="gradgradcheck failed"):
        check_op(_Cube.apply, [A34])


def test_harness_checks_that_an_op_without_second_derivative_raises(cube_mode):
    cube_mode("constant-intermediate")
    check_op(_CubeNoDouble.apply, [A34], lambda x: x ** 3, double_backward=False)
    with pytest.raises(bp.DoubleBackwardError, match="_CubeNoDouble"):
        check_op(_CubeNoDouble.apply, [A34])
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        check_op(_Cube.apply, [A34], double_backward=False)

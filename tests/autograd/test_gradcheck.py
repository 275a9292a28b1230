"""bp.gradcheck and bp.gradgradcheck: backpropagated derivatives against central finite differences."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import GradcheckError
from tests.autograd.test_custom_function import WrongSquare  # y = x², with a backward that says 3x


class SlightlyWrongSquare(WrongSquare):
    """Off by half a percent: above the default rtol of 1e-3."""

    @staticmethod
    def backward(ctx, dy):
        return dy * 2.01 * ctx.x


class SquareWithWrongSecondDerivative(bp.Function):
    """y = x²: right first derivative, but its backward treats 2x as a constant (saves a non-input)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(two_x=2 * x)
        return x ** 2

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.two_x


X = np.array([0.5, -1.0, 2.0])


def test_report_is_truthy_with_per_input_errors():
    a, b = np.array([1.0, -2.0]), np.array([[0.5], [3.0]])
    report = bp.gradcheck(lambda a, b: (a * b).tanh(), [a, b])
    assert report and report.ok
    assert len(report.rows) == 2
    (name0, shape0, abs0, rel0, ok0), (name1, shape1, abs1, rel1, ok1) = report.rows
    assert (name0, shape0, name1, shape1) == ("input 0", (2,), "input 1", (2, 1))
    assert ok0 and ok1
    assert 0 <= abs0 < 1e-8 and 0 <= rel0 < 1e-6 and 0 <= abs1 < 1e-8 and 0 <= rel1 < 1e-6
    text = str(report)
    assert "max abs err" in text and "max rel err" in text and "input 1" in text


def test_a_wrong_backward_gives_a_falsy_report_with_its_error():
    report = bp.gradcheck(WrongSquare.apply, [X])
    assert not report and not report.ok
    (_, _, max_abs, max_rel, ok), = report.rows
    assert not ok
    np.testing.assert_allclose(max_rel, 0.5, rtol=1e-6)   # 3x against 2x
    assert max_abs > 0.1
    assert "NO" in str(report)


def test_half_a_percent_off_is_caught():
    assert not bp.gradcheck(SlightlyWrongSquare.apply, [X])


def test_raise_exception_names_the_failing_input():
    ok = np.array([1.0, 2.0, -0.5])
    with pytest.raises(GradcheckError, match="input 1") as err:
        bp.gradcheck(lambda a, x: a * WrongSquare.apply(x), [ok, X], raise_exception=True)
    assert isinstance(err.value, RuntimeError)
    lines = str(err.value).splitlines()
    assert any(line.startswith("input 1") and line.endswith("NO") for line in lines)
    assert any(line.startswith("input 0") and line.endswith("yes") for line in lines)


def test_raise_exception_returns_the_report_when_passing():
    report = bp.gradcheck(lambda x: x.exp(), [X], raise_exception=True)
    assert report.ok


def test_inputs_are_checked_in_float64():
    seen = []

    def f(x):
        seen.append(x.dtype)
        return x * x

    assert bp.gradcheck(f, [bp.tensor([1.0, 2.0], requires_grad=True)])   # float32 tensor in
    assert set(seen) == {np.dtype(np.float64)}


def test_constants_pass_through_unchecked():
    idx = np.array([2, 0])
    const = bp.tensor([10.0, 20.0])       # a Tensor that does not require grad is a constant
    report = bp.gradcheck(lambda x, i, c, k: x[i] * c * k, [X, idx, const, 3.0])
    assert report and [r[0] for r in report.rows] == ["input 0"]


def test_single_array_input_and_scalar_output():
    report = bp.gradcheck(lambda x: (x ** 3).sum(), X)
    assert report and len(report.rows) == 1


def test_tolerances_are_parameters():
    assert bp.gradcheck(SlightlyWrongSquare.apply, [X], rtol=1e-2, atol=1e-2)
    # WrongSquare is off by exactly 50 %: the verdict follows rtol
    assert not bp.gradcheck(WrongSquare.apply, [X], atol=0.0, rtol=0.45)
    assert bp.gradcheck(WrongSquare.apply, [X], atol=0.0, rtol=0.55)


def test_gradgradcheck_passes_on_correct_second_derivatives():
    inputs = [np.ones((2, 3)) * 0.3, np.eye(3)[:, :2]]
    assert bp.gradgradcheck(lambda x, w: (x @ w).sigmoid() * x.sum(), inputs, raise_exception=True)


def test_gradgradcheck_catches_wrong_second_derivatives():
    assert bp.gradcheck(SquareWithWrongSecondDerivative.apply, [X])
    report = bp.gradgradcheck(SquareWithWrongSecondDerivative.apply, [X])
    assert not report
    with pytest.raises(GradcheckError):
        bp.gradgradcheck(SquareWithWrongSecondDerivative.apply, [X], raise_exception=True)


def test_gradcheck_leaves_the_callers_arrays_alone():
    x = X.copy()
    t = bp.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    bp.gradcheck(lambda a, b: a.sum() * b, [x, t])
    np.testing.assert_array_equal(x, X)
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    assert t.grad is None

"""Bad input gets a clear error naming what was wrong: shape mismatches give both shapes."""
import re

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import DoubleBackwardError, GradcheckError, ShapeError


def _shapes_in(message, *shapes):
    return all(str(tuple(s)) in message for s in shapes)


def test_exception_hierarchy():
    assert issubclass(ShapeError, ValueError)
    assert issubclass(DoubleBackwardError, RuntimeError)
    assert issubclass(GradcheckError, RuntimeError)
    assert bp.ShapeError is ShapeError and bp.DoubleBackwardError is DoubleBackwardError


@pytest.mark.parametrize("x_shape, w_shape", [
    ((2, 3), (4, 5)),
    ((3,), (4,)),
    ((3,), (4, 2)),
    ((2, 3), (4,)),
    ((5, 2, 3), (5, 4, 2)),
])
def test_matmul_mismatch_names_both_shapes(x_shape, w_shape):
    x, w = bp.zeros(*x_shape), bp.zeros(*w_shape)
    with pytest.raises(ShapeError) as err:
        x @ w
    assert _shapes_in(str(err.value), x_shape, w_shape) and "matmul" in str(err.value)
    with pytest.raises(ShapeError):
        bp.matmul(x, w)


def test_matmul_mismatch_with_an_ndarray_on_the_left():
    with pytest.raises(ShapeError) as err:
        np.zeros((5, 4), np.float32) @ bp.zeros(2, 3)
    assert _shapes_in(str(err.value), (5, 4), (2, 3))


def test_matmul_mismatch_says_which_axes_disagree():
    with pytest.raises(ShapeError, match=re.escape("(32, 10)") + ".*" + re.escape("(12, 4)") + ".*10.*12"):
        bp.zeros(32, 10) @ bp.zeros(12, 4)


@pytest.mark.parametrize("op", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a ** b,
    bp.maximum, bp.minimum, lambda a, b: bp.where(a > 0, a, b), lambda a, b: a < b, lambda a, b: a == b,
], ids=["add", "sub", "mul", "div", "pow", "maximum", "minimum", "where", "lt", "eq"])
def test_broadcast_mismatch_names_both_shapes(op):
    a, b = bp.ones(2, 3), bp.ones(4)
    with pytest.raises(ShapeError) as err:
        op(a, b)
    assert _shapes_in(str(err.value), (2, 3), (4,))
    with pytest.raises(ShapeError) as err:
        op(np.ones(4), a)   # an ndarray on either side
    assert _shapes_in(str(err.value), (2, 3), (4,))


def test_in_place_result_that_does_not_fit_names_both_shapes():
    t = bp.zeros(3)
    with pytest.raises(ShapeError) as err:
        t += bp.ones(2, 3)
    assert _shapes_in(str(err.value), (2, 3), (3,))
    np.testing.assert_array_equal(t.data, np.zeros(3))
    with pytest.raises(ShapeError):
        t += bp.ones(4)


def test_backward_errors():
    x = bp.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape("(2, 2)")):
        (x * 2).backward()
    with pytest.raises(ShapeError, match=re.escape("(2,)") + ".*" + re.escape("(2, 2)")):
        (x * 2).backward(np.ones(2))
    with pytest.raises(RuntimeError, match="does not require grad"):
        bp.ones(2).sum().backward()


def test_tensor_of_bad_data_raises_type_error():
    with pytest.raises(TypeError, match="non-numeric"):
        bp.tensor(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="object"):
        bp.tensor(np.array([object()]))


def test_item_of_a_tensor_with_several_elements_names_the_shape():
    with pytest.raises(ValueError, match=re.escape("(2, 2)")):
        bp.ones(2, 2).item()
    with pytest.raises(RuntimeError, match="4 elements"):
        bool(bp.ones(2, 2))

"""Reductions (src/backprop/ops/reduce.py): NumPy's axis/keepdims, PyTorch's dim/keepdim, ties, var's correction."""
import numpy as np
import pytest

import backprop as bp
from tests.ops._harness import arrays, check_op

X, = arrays((2, 3, 4))
REDUCTIONS = {
    "sum": (bp.sum, np.sum),
    "mean": (bp.mean, np.mean),
    "max": (bp.amax, np.max),
    "min": (bp.amin, np.min),
    "var": (bp.var, lambda x, **kw: np.var(x, ddof=1, **kw)),
}
AXES = {
    "all": {"axis": None},
    "axis0": {"axis": 0},
    "axis-1": {"axis": -1},
    "tuple": {"axis": (0, 2)},
    "negative-tuple": {"axis": (-1, -2)},
    "keepdims": {"axis": 1, "keepdims": True},
    "all-keepdims": {"axis": None, "keepdims": True},
    "tuple-keepdims": {"axis": (0, -1), "keepdims": True},
}


@pytest.mark.parametrize("axes", AXES.values(), ids=AXES.keys())
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction(name, axes):
    fn, ref = REDUCTIONS[name]
    check_op(lambda x: fn(x, **axes), [X], lambda x: ref(x, **axes))


@pytest.mark.parametrize("name", REDUCTIONS)
def test_dim_keepdim_aliases_and_methods(name):
    fn, ref = REDUCTIONS[name]
    check_op(lambda x: fn(x, dim=-2, keepdim=True), [X], lambda x: ref(x, axis=-2, keepdims=True))
    method = {"max": "amax", "min": "amin"}.get(name, name)  # (max(dim)/min(dim) give (values, indices))
    check_op(lambda x: getattr(x, method)(dim=(0, 1)), [X], lambda x: ref(x, axis=(0, 1)))
    check_op(lambda x: getattr(x, method)(1, True), [X], lambda x: ref(x, axis=1, keepdims=True))


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("axes", [{}, {"axis": 2}, {"axis": (1, 2), "keepdims": True}], ids=str)
def test_var_correction(correction, axes):
    check_op(lambda x: bp.var(x, correction=correction, **axes), [X],
             lambda x: np.var(x, ddof=correction, **axes))


def test_var_pinned_values():
    # the course's maximum-likelihood variance of 1, 2, 3, 4 is 1.25; the unbiased estimate is 5/3
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], dtype=np.float64, requires_grad=True)
    assert bp.var(x, correction=0).item() == pytest.approx(1.25)
    assert x.var().item() == pytest.approx(5 / 3)
    bp.var(x, correction=0).backward()
    np.testing.assert_allclose(x.grad, 2 * (x.data - 2.5) / 4)


def test_reduction_of_0d_tensor():
    check_op(bp.sum, [np.array(2.5)], np.sum)
    check_op(bp.mean, [np.array(2.5)], np.mean)


@pytest.mark.parametrize("fn", [bp.amax, bp.amin])
def test_amax_amin_ties_share_the_gradient_equally(fn):
    data = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    data = data if fn is bp.amax else -data
    x = bp.tensor(data, dtype=np.float64, requires_grad=True)
    fn(x, axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    fn(x).backward()  # over all elements: the two 3s tie
    np.testing.assert_allclose(x.grad, [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]])


def test_amax_returns_values_only_like_numpy_and_max_with_an_axis_the_pair():
    x = bp.tensor(X, dtype=np.float64)
    y = x.amax(axis=1)
    assert isinstance(y, bp.Tensor) and y.shape == (2, 4)
    np.testing.assert_array_equal(y.data, X.max(axis=1))
    values, indices = x.max(axis=1)
    np.testing.assert_array_equal(values.data, X.max(axis=1))
    np.testing.assert_array_equal(indices.data, X.argmax(axis=1))


@pytest.mark.parametrize("name, ref", [("argmax", np.argmax), ("argmin", np.argmin)])
def test_argmax_argmin_are_integer_without_gradient(name, ref):
    x = bp.tensor(X, requires_grad=True)
    for result, expected in [(getattr(bp, name)(x), ref(X)), (getattr(x, name)(dim=1), ref(X, axis=1)),
                             (getattr(bp, name)(x, -1, keepdims=True), ref(X, axis=-1, keepdims=True))]:
        assert result.dtype.kind == "i" and not result.requires_grad
        np.testing.assert_array_equal(result.data, expected)


def test_axis_out_of_range():
    with pytest.raises(IndexError, match="axis 3"):
        bp.sum(bp.tensor(X), axis=(0, 3))


def test_axis_and_dim_together_is_an_error():
    with pytest.raises(TypeError, match="axis or dim"):
        bp.sum(bp.tensor(X), axis=0, dim=1)


def test_float32_reduction_gradients_keep_dtype():
    x = bp.tensor(X, dtype=np.float32, requires_grad=True)
    (x.sum(0) + x.mean((1, 2), keepdims=True) + x.amax(-1, keepdims=True) + x.var(1, keepdims=True)).sum().backward()
    assert x.grad.dtype == np.float32 and x.grad.shape == X.shape

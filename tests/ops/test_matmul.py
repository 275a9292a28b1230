"""MatMul (src/backprop/ops/linalg.py): 1-D, 2-D and batched operands with broadcast batch axes."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ShapeError
from tests.ops._harness import arrays, check_op

SHAPES = {
    "2d@2d": ((3, 4), (4, 2)),
    "1d@2d": ((4,), (4, 2)),
    "2d@1d": ((3, 4), (4,)),
    "1d@1d": ((4,), (4,)),
    "batched@2d": ((2, 3, 4), (4, 5)),
    "batched@batched": ((2, 3, 4), (2, 4, 5)),
    "broadcast-batch": ((2, 1, 3, 4), (3, 4, 2)),
    "2d@batched": ((3, 4), (2, 4, 5)),
    "1d@batched": ((4,), (2, 4, 5)),
    "batched@1d": ((2, 3, 4), (4,)),
}


@pytest.mark.parametrize("shapes", SHAPES.values(), ids=SHAPES.keys())
def test_matmul(shapes):
    check_op(bp.matmul, arrays(*shapes), np.matmul)



@pytest.mark.parametrize("shapes", [SHAPES["2d@2d"], SHAPES["1d@2d"], SHAPES["broadcast-batch"]], ids=str)
def test_matmul_operator_and_method(shapes):
    check_op(lambda x, w: x @ w + x.matmul(w), arrays(*shapes), lambda x, w: 2 * (x @ w))


def test_matmul_with_a_constant_operand():
    x, w = arrays((3, 4), (4, 2))
    check_op(lambda t: w.T @ t.T, [x], lambda t: w.T @ t.T)  # ndarray @ Tensor gives a Tensor
    check_op(lambda t: t @ bp.tensor(w, dtype=np.float64), [x], lambda t: t @ w)


def test_course_formulas_dX_and_dW():
    # Z = X W; with upstream dZ: dX = dZ Wᵀ and dW = Xᵀ dZ (the lecture's minibatch formulas)
    x, w, dz = arrays((5, 3), (3, 2), (5, 2), seed=1)
    X = bp.tensor(x, dtype=np.float64, requires_grad=True)
    W = bp.tensor(w, dtype=np.float64, requires_grad=True)
    (X @ W).backward(dz)
    np.testing.assert_allclose(X.grad, dz @ w.T, rtol=1e-14)
    np.testing.assert_allclose(W.grad, x.T @ dz, rtol=1e-14)


def test_batched_weight_gradient_sums_over_the_batch():
    x, w = arrays((4, 3, 2), (2, 5), seed=2)
    W = bp.tensor(w, dtype=np.float64, requires_grad=True)
    (bp.tensor(x, dtype=np.float64) @ W).sum().backward()
    np.testing.assert_allclose(W.grad, sum(xb.T @ np.ones((3, 5)) for xb in x), rtol=1e-13)


def test_hessian_of_least_squares_is_2XtX():
    x, y = arrays((6, 3), (6,), seed=3)
    X = bp.tensor(x, dtype=np.float64)
    hessian = bp.hessian(lambda w: ((X @ w - y) ** 2).sum(), np.zeros(3))
    np.testing.assert_allclose(hessian.data, 2 * x.T @ x, rtol=1e-12)


@pytest.mark.parametrize("xs, ws, pattern", [
    ((32, 10), (12, 4), r"\(32, 10\).*\(12, 4\).*10.*12"),
    ((3,), (4,), r"\(3,\).*\(4,\)"),
    ((2, 3, 4), (2, 5, 6), r"\(2, 3, 4\).*\(2, 5, 6\)"),
])
def test_shape_mismatch_names_both_shapes(xs, ws, pattern):
    with pytest.raises(ShapeError, match=pattern):
        bp.matmul(bp.tensor(np.zeros(xs)), bp.tensor(np.zeros(ws)))

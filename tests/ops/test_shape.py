"""Shape ops, indexing and joining (src/backprop/ops/shape.py): values, gradients, second derivatives."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ShapeError
from backprop.ops.shape import index_put
from tests.ops._harness import arrays, case, check_op

X, = arrays((2, 3, 4))
M, = arrays((4, 5), seed=1)
MASK = arrays((4, 5), seed=2)[0] > 0
ROWS = np.array([0, 2, 0, 3, 0])  # row 0 picked three times: its gradient must add up


@pytest.mark.parametrize("case", [
    case("reshape", lambda x: x.reshape(6, 4), [X], lambda x: x.reshape(6, 4)),
    case("reshape-tuple-infer", lambda x: bp.reshape(x, (4, -1)), [X], lambda x: x.reshape(4, -1)),
    case("view", lambda x: x.view(-1), [X], lambda x: x.reshape(-1)),
    case("permute", lambda x: x.permute(2, 0, 1), [X], lambda x: x.transpose(2, 0, 1)),
    case("permute-tuple-negative", lambda x: bp.permute(x, (-1, 1, 0)), [X], lambda x: x.transpose(2, 1, 0)),
    case("transpose", lambda x: x.transpose(0, 2), [X], lambda x: x.swapaxes(0, 2)),
    case("transpose-negative", lambda x: bp.transpose(x, -1, -2), [X], lambda x: x.swapaxes(-1, -2)),
    case("T", lambda x: x.T, [X], lambda x: x.T),
    case("T-matrix", lambda x: x.T * 2.0, [M], lambda x: x.T * 2.0),
    case("squeeze-all", lambda x: x.squeeze(), [X.reshape(2, 1, 3, 1, 4)], lambda x: x.squeeze()),
    case("squeeze-axis", lambda x: bp.squeeze(x, 1), [X.reshape(2, 1, 3, 1, 4)], lambda x: x.squeeze(1)),
    case("squeeze-dim-negative", lambda x: x.squeeze(dim=-2), [X.reshape(2, 1, 3, 1, 4)],
         lambda x: x.squeeze(-2)),
    case("squeeze-non-unit-axis-stays", lambda x: x.squeeze(0), [X], lambda x: x),
    case("unsqueeze", lambda x: x.unsqueeze(1), [X], lambda x: x[:, None]),
    case("unsqueeze-negative", lambda x: bp.unsqueeze(x, dim=-1), [X], lambda x: x[..., None]),
    case("flatten", bp.flatten, [X], lambda x: x.reshape(-1)),
    case("flatten-start", lambda x: x.flatten(1), [X], lambda x: x.reshape(2, 12)),
    case("flatten-range", lambda x: bp.flatten(x, 0, 1), [X], lambda x: x.reshape(6, 4)),
    case("broadcast_to", lambda x: bp.broadcast_to(x, (2, 3, 4)), arrays((3, 1)),
         lambda x: np.broadcast_to(x, (2, 3, 4))),
    case("expand", lambda x: x.expand((5, 3)), arrays((3,)), lambda x: np.broadcast_to(x, (5, 3))),
])
def test_shape_op(case):
    case.check()


@pytest.mark.parametrize("case", [
    case("int", lambda x: x[1], [X], lambda x: x[1]),
    case("negative-int", lambda x: x[-1, 2], [X], lambda x: x[-1, 2]),
    case("slices", lambda x: x[:, 1:, ::2], [X], lambda x: x[:, 1:, ::2]),
    case("negative-step", lambda x: x[::-1, :, 3:0:-2], [X], lambda x: x[::-1, :, 3:0:-2]),
    case("ellipsis-newaxis", lambda x: x[..., None, 1], [X], lambda x: x[..., None, 1]),
    case("bool-mask", lambda m: m[MASK], [M], lambda m: m[MASK]),
    case("bool-mask-rows", lambda m: m[MASK[:, 0]], [M], lambda m: m[MASK[:, 0]]),
    case("bool-tensor-mask", lambda m: m[bp.tensor(MASK)], [M], lambda m: m[MASK]),
    case("fancy-repeated", lambda m: m[ROWS], [M], lambda m: m[ROWS]),
    case("fancy-list", lambda m: m[[1, 1, 3]], [M], lambda m: m[[1, 1, 3]]),
    case("fancy-tensor", lambda m: m[bp.tensor(ROWS)], [M], lambda m: m[ROWS]),
    case("fancy-2d-index", lambda m: m[ROWS.reshape(5, 1), ROWS[:3]], [M], lambda m: m[ROWS.reshape(5, 1), ROWS[:3]]),
    case("fancy-pairs-repeated", lambda m: m[ROWS, [1, 1, 1, 4, 1]], [M], lambda m: m[ROWS, [1, 1, 1, 4, 1]]),
    case("fancy-and-slice", lambda x: x[:, [2, 0, 2], 1:], [X], lambda x: x[:, [2, 0, 2], 1:]),
])
def test_getitem(case):
    case.check()


def test_repeated_indices_accumulate_gradient():
    m = bp.tensor(M, dtype=np.float64, requires_grad=True)
    m[ROWS].sum().backward()
    np.testing.assert_array_equal(m.grad[:, 0], [3.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(m.grad, np.broadcast_to(m.grad[:, :1], M.shape))


def _set(index, value_is_tensor=True):
    """y = x · 1 with y[index] = v, then y²: gradients through the written and the kept elements."""
    def f(x, v):
        y = x * 1.0
        y[index] = v if value_is_tensor else 7.0
        return y * y
    return f


def _np_set(index):
    def ref(x, v):
        y = x.copy()
        y[index] = v
        return y * y
    return ref


@pytest.mark.parametrize("case", [
    case("slice", _set((slice(1, None), 0)), [M, arrays((3,), seed=3)[0]], _np_set((slice(1, None), 0))),
    case("broadcast-value", _set(1), [M, arrays((1,), seed=4)[0]], _np_set(1)),
    case("bool-mask", _set(MASK), [M, arrays((int(MASK.sum()),), seed=5)[0]], _np_set(MASK)),
    case("fancy", _set(([0, 2], [1, 3])), [M, arrays((2,), seed=6)[0]], _np_set(([0, 2], [1, 3]))),
    case("index_put", lambda x, v: index_put(x, (slice(None), 2), v) ** 2, [M, arrays((4,), seed=7)[0]],
         _np_set((slice(None), 2))),
])
def test_setitem_through_the_graph(case):
    case.check()


def test_setitem_gradients_by_hand():
    x = bp.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    v = bp.tensor(5.0, dtype=np.float64, requires_grad=True)
    y = x * 1.0
    y[1] = v
    (y * bp.tensor([1.0, 10.0, 100.0], dtype=np.float64)).sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 5.0, 3.0])
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 100.0])  # the overwritten element gets nothing
    assert v.grad == 10.0


def test_setitem_with_a_constant_value():
    x = bp.tensor([1.0, 2.0, 3.0], dtype=np.float64, requires_grad=True)
    y = x * 2.0
    y[0] = 0.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 2.0])


def test_setitem_on_a_value_saved_for_backward_is_detected():
    x = bp.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = x * 1.0
    z = y * y  # saves y
    y[0] = 3.0
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()


def test_setitem_on_a_leaf_that_requires_grad_is_refused():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        x[0] = 0.0
    with bp.no_grad():
        x[0] = 0.0
    assert x.data[0] == 0.0


# -- joining and splitting -----------------------------------------------------------------------------
A, B, C = arrays((2, 3), (2, 1), (2, 4), seed=8)


@pytest.mark.parametrize("case", [
    case("concatenate", lambda a, b, c: bp.concatenate([a, b, c], axis=1), [A, B, C],
         lambda a, b, c: np.concatenate([a, b, c], axis=1)),
    case("cat-dim-negative", lambda a, c: bp.cat((a, c), dim=-1), [A, C], lambda a, c: np.concatenate([a, c], -1)),
    case("concatenate-axis0", lambda a, b: bp.concatenate([a, b.T, a]), [A, arrays((3, 1))[0]],
         lambda a, b: np.concatenate([a, b.T, a])),
    case("concatenate-with-constant", lambda a: bp.concatenate([a, bp.tensor(A)], 0), [A],
         lambda a: np.concatenate([a, A])),  # bp.tensor keeps the array's float64
    case("stack", lambda a, b: bp.stack([a, b, a]), arrays((2, 3), (2, 3), seed=9),
         lambda a, b: np.stack([a, b, a])),
    case("stack-axis-last", lambda a, b: bp.stack([a, b], axis=-1), arrays((2, 3), (2, 3), seed=10),
         lambda a, b: np.stack([a, b], axis=-1)),
    case("stack-dim1", lambda a, b: bp.stack((a, b), dim=1), arrays((2, 3), (2, 3), seed=11),
         lambda a, b: np.stack([a, b], axis=1)),
])
def test_join(case):
    case.check()


def _weighted_join(pieces):
    """Join pieces back, each scaled differently, so every piece's gradient is distinguishable."""
    return bp.concatenate([p.reshape(-1) * (i + 1.0) for i, p in enumerate(pieces)])


def _np_weighted_join(pieces):
    return np.concatenate([p.reshape(-1) * (i + 1.0) for i, p in enumerate(pieces)])


@pytest.mark.parametrize("split_arg, axis, expected_sizes", [
    (2, 1, [2, 2, 1]),  # int size: the last piece is shorter
    (5, 1, [5]),
    ([1, 3, 1], 1, [1, 3, 1]),  # list of sizes
    ((1, 1), 0, [1, 1]),
    ([2, 0, 3], -1, [2, 0, 3]),
])
def test_split(split_arg, axis, expected_sizes):
    x, = arrays((2, 5), seed=12)
    pieces = bp.split(bp.tensor(x, dtype=np.float64), split_arg, axis)
    assert [p.shape[axis] for p in pieces] == expected_sizes
    np_pieces = np.split(x, np.cumsum(expected_sizes)[:-1], axis=axis)
    for p, q in zip(pieces, np_pieces):
        np.testing.assert_array_equal(p.data, q)
    check_op(lambda t: _weighted_join(bp.split(t, split_arg, axis)), [x],
             lambda t: _np_weighted_join(np.split(t, np.cumsum(expected_sizes)[:-1], axis=axis)))


def test_split_method_with_dim():
    x = bp.tensor(np.arange(12.0).reshape(3, 4), dtype=np.float64, requires_grad=True)
    first, second = x.split([1, 2], dim=0)
    assert first.shape == (1, 4) and second.shape == (2, 4)
    (first.sum() * 2 + second.sum() * 3).backward()
    np.testing.assert_array_equal(x.grad[:, 0], [2.0, 3.0, 3.0])


# -- errors name the shapes ------------------------------------------------------------------------------
def test_reshape_error_names_both_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 3, 4\).*\(5, 5\)"):
        bp.tensor(X).reshape(5, 5)


def test_split_sizes_must_add_up():
    with pytest.raises(ShapeError, match=r"add up to 4.*length 5"):
        bp.split(bp.tensor(np.zeros((2, 5))), [1, 3], 1)


def test_concatenate_and_stack_errors_name_shapes():
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(3, 1\)"):
        bp.concatenate([bp.tensor(A), bp.tensor(np.zeros((3, 1)))], axis=1)
    with pytest.raises(ShapeError, match=r"\(2, 3\).*\(2, 1\)"):
        bp.stack([bp.tensor(A), bp.tensor(B)])


def test_permute_rejects_a_non_permutation():
    with pytest.raises(ShapeError, match="permutation"):
        bp.tensor(X).permute(0, 0, 1)


def test_broadcast_to_error_names_shapes():
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2, 4\)"):
        bp.broadcast_to(bp.tensor(np.zeros(3)), (2, 4))

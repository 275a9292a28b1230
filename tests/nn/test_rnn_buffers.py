"""The LSTM's whole-sequence loop on buffers (``ops/recurrent_lstm_buffers.py``) against the step-by-step
reference of ``ops/recurrent.py``, which the op runs for a packed batch: a batch packed with every
sequence at full length is the same computation."""
import numpy as np
import pytest

import backprop as bp
from backprop.autograd.gradcheck import gradcheck
from backprop.autograd.graph import register_op_observer
from backprop.ops.recurrent_sequence import LSTMSequence

L, N, H = 5, 4, 6


def _inputs(rng, dtype, proj):
    size = proj or H
    shapes = [(L, N, 4 * H), (N, size), (N, H), (4 * H, size), (4 * H,)] + ([(proj, H)] if proj else [])
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return arrays + ([] if proj else [None])


def _run(arrays, weights, reverse, batch_sizes):
    leaves = [None if a is None else bp.tensor(a, requires_grad=True) for a in arrays]
    y = LSTMSequence.apply(*leaves, batch_sizes=batch_sizes, reverse=reverse)
    (y * bp.tensor(weights)).sum().backward()
    return y.data, [None if t is None else t.grad.data for t in leaves]


@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-13), (np.float32, 2e-5)])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("proj", [0, 3])
def test_buffered_loop_matches_the_step_by_step_reference(dtype, tol, reverse, proj):
    rng = np.random.default_rng(proj + 2 * reverse)
    arrays = _inputs(rng, dtype, proj)
    weights = rng.standard_normal((L + 1, N, (proj or H) + H)).astype(dtype)
    y, grads = _run(arrays, weights, reverse, None)
    y_ref, grads_ref = _run(arrays, weights, reverse, np.full(L, N))
    np.testing.assert_allclose(y, y_ref, rtol=tol, atol=tol)
    for name, g, g_ref in zip(LSTMSequence.input_names, grads, grads_ref):
        if g_ref is not None:
            np.testing.assert_allclose(g, g_ref, rtol=tol, atol=tol, err_msg=name)


def test_buffered_loop_first_derivatives_against_finite_differences():
    rng = np.random.default_rng(7)
    leaves = [bp.tensor(a, requires_grad=True) for a in _inputs(rng, np.float64, 2)]
    assert gradcheck(lambda *xs: LSTMSequence.apply(*xs, reverse=True), leaves, raise_exception=True)


def test_saturated_gates_give_zero_and_one_without_warnings():
    rng = np.random.default_rng(8)
    arrays = _inputs(rng, np.float32, 0)
    arrays[0] = arrays[0] * 1e4  # e^x overflows to inf inside σ
    with np.errstate(all="raise"):
        y = LSTMSequence.apply(*arrays).data
    assert np.isfinite(y).all() and np.abs(y).max() <= L + 1


def test_a_trace_sees_the_same_gates_as_from_the_reference():
    rng = np.random.default_rng(9)
    arrays = _inputs(rng, np.float64, 0)

    def shown(batch_sizes):
        seen = []
        with register_op_observer(on_forward=lambda op, inputs, options, out, node, depth: seen.append(node)):
            LSTMSequence.apply(*[bp.tensor(a, requires_grad=True) for a in arrays[:-1]], None,
                               batch_sizes=batch_sizes, reverse=True)
        return next(n for n in seen if n is not None).intermediates

    got, expected = shown(None), shown(np.full(L, N))
    assert list(got) == list(expected) == ["i", "f", "g", "o", "c", "h"]
    for name in got:
        np.testing.assert_allclose(got[name][1], expected[name][1], rtol=1e-13, atol=1e-13, err_msg=name)

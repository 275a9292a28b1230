"""The fused recurrent ops: first and second derivatives against finite differences (float64), the gates
they show to a trace, and the layers' errors for the classic confusions."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from backprop.autograd.graph import register_op_observer
from backprop.autograd.gradcheck import gradcheck, gradgradcheck
from backprop.ops.recurrent import GRUCell, LSTMCell
from backprop.ops.recurrent_sequence import GRUSequence, LSTMSequence, RNNSequence

N, IN, H, L = 2, 3, 2, 3


def _leaf(rng, *shape):
    return bp.tensor(rng.standard_normal(shape), requires_grad=True)


def _check(f, inputs):
    assert gradcheck(f, inputs, raise_exception=True)
    assert gradgradcheck(f, inputs, raise_exception=True)


def test_lstm_cell_op_first_and_second_derivatives():
    rng = np.random.default_rng(0)
    inputs = (_leaf(rng, N, IN), _leaf(rng, N, H), _leaf(rng, N, H), _leaf(rng, 4 * H, IN), _leaf(rng, 4 * H, H),
              _leaf(rng, 4 * H), _leaf(rng, 4 * H))
    _check(LSTMCell.apply, inputs)


def test_gru_cell_op_first_and_second_derivatives():
    rng = np.random.default_rng(1)
    inputs = (_leaf(rng, N, IN), _leaf(rng, N, H), _leaf(rng, 3 * H, IN), _leaf(rng, 3 * H, H), _leaf(rng, 3 * H),
              _leaf(rng, 3 * H))
    _check(GRUCell.apply, inputs)


def test_lstm_sequence_op_with_projection_packed_and_reversed():
    rng = np.random.default_rng(2)
    p = 1
    sizes = np.array([2, 2, 1])

    def f(gx, h0, c0, w_hh, b_hh, w_hr):
        return LSTMSequence.apply(gx, h0, c0, w_hh, b_hh, w_hr, batch_sizes=sizes, reverse=True)

    _check(f, (_leaf(rng, L, N, 4 * H), _leaf(rng, N, p), _leaf(rng, N, H), _leaf(rng, 4 * H, p),
               _leaf(rng, 4 * H), _leaf(rng, p, H)))


def test_gru_and_rnn_sequence_ops():
    rng = np.random.default_rng(3)
    _check(lambda gx, h0, w, b: GRUSequence.apply(gx, h0, None, w, b, None),
           (_leaf(rng, L, N, 3 * H), _leaf(rng, N, H), _leaf(rng, 3 * H, H), _leaf(rng, 3 * H)))
    _check(lambda gx, h0, w, b: RNNSequence.apply(gx, h0, None, w, b, None, nonlinearity="tanh",
                                                  batch_sizes=np.array([2, 1, 1])),
           (_leaf(rng, L, N, H), _leaf(rng, N, H), _leaf(rng, H, H), _leaf(rng, H)))


def test_layers_second_derivatives_through_the_modules():
    rng = np.random.default_rng(4)
    bp.manual_seed(0)
    lstm = nn.LSTM(IN, H, bidirectional=True).double()
    assert gradgradcheck(lambda x: lstm(x)[0], (_leaf(rng, L, N, IN),), raise_exception=True)
    cell = nn.GRUCell(IN, H).double()
    assert gradgradcheck(lambda x, h: cell(x, h), (_leaf(rng, N, IN), _leaf(rng, N, H)), raise_exception=True)


def test_the_cell_shows_its_gates_to_an_observer():
    bp.manual_seed(0)
    cell = nn.LSTMCell(IN, H)
    seen = []
    with register_op_observer(on_forward=lambda op, inputs, options, out, node, depth: seen.append(node)):
        cell(bp.randn(N, IN, requires_grad=True))
    node = next(n for n in seen if n is not None and n.name() == "LSTMCellBackward")
    gates = node.intermediates
    assert list(gates) == ["i", "f", "g", "o", "c", "h"]
    i, f, g, o, c = (gates[k][1] for k in "ifgoc")
    np.testing.assert_allclose(gates["h"][1], o * np.tanh(c), rtol=1e-6)
    np.testing.assert_allclose(c, i * g, rtol=1e-6)  # c₀ = 0, so c = f·0 + i·g
    assert "forget gate" in gates["f"][0]


def test_the_layer_shows_every_step_gates_to_an_observer():
    bp.manual_seed(0)
    lstm = nn.LSTM(IN, H)
    seen = []
    with register_op_observer(on_forward=lambda op, inputs, options, out, node, depth: seen.append(node)):
        out, _ = lstm(bp.randn(L, N, IN))
    node = next(n for n in seen if n is not None and n.name() == "LSTMSequenceBackward")
    assert node.intermediates["i"][1].shape == (L, N, H)
    np.testing.assert_allclose(node.intermediates["h"][1], out.data, rtol=1e-6)


# -- the classic confusions ------------------------------------------------------------------------
def test_h0_given_batch_first_names_both_shapes_and_says_what_to_do():
    gru = nn.GRU(IN, H, num_layers=2, batch_first=True)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(2, 4, 2\), got \[4, 2, 2\].*batch_first"):
        gru(bp.randn(4, L, IN), bp.zeros(4, 2, H))


def test_wrong_h0_and_c0_sizes_name_expected_and_received():
    lstm = nn.LSTM(IN, 5, num_layers=2)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 4, 5\), got \[1, 4, 5\]"):
        lstm(bp.randn(L, 4, IN), (bp.zeros(1, 4, 5), bp.zeros(2, 4, 5)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(2, 4, 5\), got \[2, 4, 3\]"):
        lstm(bp.randn(L, 4, IN), (bp.zeros(2, 4, 5), bp.zeros(2, 4, 3)))
    with pytest.raises(TypeError, match=r"tuple \(h_0, c_0\)"):
        lstm(bp.randn(L, 4, IN), bp.zeros(2, 4, 5))


def test_input_with_the_wrong_feature_size():
    with pytest.raises(RuntimeError, match=r"input_size. Expected 3, got 5 \(input shape \(7, 2, 5\)"):
        nn.LSTM(3, 4)(bp.randn(7, 2, 5))
    with pytest.raises(RuntimeError, match="Expected input to be 2D or 3D, got 4D"):
        nn.GRU(3, 4)(bp.randn(7, 2, 3, 1))
    with pytest.raises(RuntimeError, match="input has inconsistent input_size: got 5 expected 3"):
        nn.LSTMCell(3, 4)(bp.randn(2, 5))


def test_packed_data_with_the_wrong_feature_size():
    packed = nn.utils.rnn.pack_sequence([bp.randn(3, 5), bp.randn(2, 5)])
    with pytest.raises(RuntimeError, match=r"packed data has shape \(5, 5\).*input_size=3"):
        nn.RNN(3, 4)(packed)


def test_dropout_with_one_layer_warns_as_torch_and_bad_arguments_raise():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.LSTM(3, 4, dropout=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.LSTM(3, 4, num_layers=2, dropout=0.5)
    with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
        nn.LSTM(3, 4, proj_size=4)
    with pytest.raises(ValueError, match="dropout should be a number in range"):
        nn.GRU(3, 4, dropout=1.5)


def test_dropout_between_layers_only_in_training():
    bp.manual_seed(0)
    lstm = nn.LSTM(IN, H, num_layers=2, dropout=0.5)
    x = bp.randn(L, N, IN)
    lstm.eval()
    a, b = lstm(x)[0].data, lstm(x)[0].data
    np.testing.assert_array_equal(a, b)
    lstm.train()
    assert not np.allclose(lstm(x)[0].data, a)


@pytest.mark.parametrize("name", ["LSTM", "GRU", "LSTMCell", "GRUCell", "RNNCell"])
def test_forgetting_to_detach_the_state_between_batches_says_what_to_do(name):
    bp.manual_seed(0)
    layer = getattr(nn, name)(IN, H)
    x = bp.randn(L, N, IN) if "Cell" not in name else bp.randn(N, IN)
    out = layer(x)
    state = out[1] if "Cell" not in name else out
    (out[0] if isinstance(out, tuple) else out).sum().backward()
    with pytest.raises(RuntimeError, match=r"backward through the graph a second time.*h = h\.detach\(\)"):
        layer(x, state)
    detached = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
    layer(x, detached)  # the fix

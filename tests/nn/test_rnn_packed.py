"""bp.nn.utils.rnn (padding and packing) against PyTorch, and packed input to RNN/LSTM/GRU: each sequence's
h_n at its own last step, outputs in the caller's order, the same as running each sequence alone."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn
from backprop.nn.utils.rnn import (PackedSequence, pack_padded_sequence, pack_sequence, pad_packed_sequence,
                                   pad_sequence)

torch = pytest.importorskip("torch")
tu = torch.nn.utils.rnn

LENGTHS = [3, 5, 1, 4]


def _padded(rng, lengths=LENGTHS, features=2):
    x = rng.standard_normal((max(lengths), len(lengths), features))
    for n, length in enumerate(lengths):
        x[length:, n] = 0.0
    return x


@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_match_torch(batch_first):
    x = _padded(np.random.default_rng(0))
    if batch_first:
        x = x.transpose(1, 0, 2).copy()
    ours = pack_padded_sequence(bp.tensor(x), LENGTHS, batch_first=batch_first, enforce_sorted=False)
    theirs = tu.pack_padded_sequence(torch.tensor(x), LENGTHS, batch_first=batch_first, enforce_sorted=False)
    assert isinstance(ours, PackedSequence) and ours._fields == theirs._fields
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(np.asarray(a.data), b.numpy())
    padded, lengths = pad_packed_sequence(ours, batch_first=batch_first, total_length=6, padding_value=-1.0)
    tpadded, tlengths = tu.pad_packed_sequence(theirs, batch_first=batch_first, total_length=6, padding_value=-1.0)
    np.testing.assert_array_equal(padded.data, tpadded.numpy())
    np.testing.assert_array_equal(lengths.data, tlengths.numpy())


def test_pad_sequence_and_pack_sequence_match_torch():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 3)) for n in (4, 2, 3)]
    for kwargs in ({}, {"batch_first": True, "padding_value": 7.0}, {"padding_side": "left"}):
        np.testing.assert_array_equal(pad_sequence([bp.tensor(s) for s in seqs], **kwargs).data,
                                      tu.pad_sequence([torch.tensor(s) for s in seqs], **kwargs).numpy())
    ours = pack_sequence([bp.tensor(s) for s in seqs], enforce_sorted=False)
    theirs = tu.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False)
    np.testing.assert_array_equal(ours.data.data, theirs.data.numpy())
    np.testing.assert_array_equal(ours.batch_sizes.data, theirs.batch_sizes.numpy())


def test_gradients_flow_through_packing():
    x = bp.tensor(_padded(np.random.default_rng(2)), requires_grad=True)
    packed = pack_padded_sequence(x, LENGTHS, enforce_sorted=False)
    padded, _ = pad_packed_sequence(packed)
    (padded * padded).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), 2 * x.data)


def test_unsorted_lengths_with_enforce_sorted_raise_with_the_hint():
    with pytest.raises(RuntimeError, match="enforce_sorted=False"):
        pack_padded_sequence(bp.zeros(5, 4, 2), LENGTHS)


def test_lengths_of_the_wrong_batch_size_name_both():
    with pytest.raises(ValueError, match=r"got 3 \(batch_size=4"):
        pack_padded_sequence(bp.zeros(5, 4, 2), [5, 3, 1])


@pytest.mark.parametrize("name,kwargs", [("LSTM", {"bidirectional": True, "num_layers": 2}),
                                         ("GRU", {"bidirectional": True}), ("RNN", {"num_layers": 2}),
                                         ("LSTM", {"proj_size": 2, "batch_first": True})])
def test_packed_input_matches_torch_and_each_sequence_alone(name, kwargs):
    rng = np.random.default_rng(3)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(2, 4, **kwargs).double()
    ours = getattr(nn, name)(2, 4, **kwargs).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    batch_first = kwargs.get("batch_first", False)
    x = _padded(rng)
    if batch_first:
        x = x.transpose(1, 0, 2).copy()
    xb = bp.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    out, state = ours(pack_padded_sequence(xb, LENGTHS, batch_first=batch_first, enforce_sorted=False))
    tout, tstate = theirs(tu.pack_padded_sequence(xt, LENGTHS, batch_first=batch_first, enforce_sorted=False))
    np.testing.assert_allclose(out.data.data, tout.data.detach().numpy(), rtol=1e-10, atol=1e-12)
    h_n = state[0] if name == "LSTM" else state
    th_n = tstate[0] if name == "LSTM" else tstate
    np.testing.assert_allclose(h_n.data, th_n.detach().numpy(), rtol=1e-10, atol=1e-12)
    (out.data.sum() + (h_n * h_n).sum()).backward()
    (tout.data.sum() + (th_n * th_n).sum()).backward()
    np.testing.assert_allclose(np.asarray(xb.grad), xt.grad.numpy(), rtol=1e-9, atol=1e-11)
    for (k, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(np.asarray(p.grad), tp.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=k)
    # packed against padded-and-truncated: each sequence run alone up to its length
    padded, _ = pad_packed_sequence(out, batch_first=batch_first)
    for n, length in enumerate(LENGTHS):
        alone = x[n:n + 1, :length] if batch_first else x[:length, n:n + 1]
        a_out, a_state = ours(bp.tensor(alone))
        a_h = a_state[0] if name == "LSTM" else a_state
        np.testing.assert_allclose(a_h.data[:, 0], h_n.data[:, n], rtol=1e-10, atol=1e-12)
        mine = padded.data[n, :length] if batch_first else padded.data[:length, n]
        np.testing.assert_allclose(a_out.data[0] if batch_first else a_out.data[:, 0], mine, rtol=1e-10, atol=1e-12)


def test_packed_input_with_given_initial_state_in_callers_order():
    rng = np.random.default_rng(4)
    torch.manual_seed(1)
    theirs = torch.nn.GRU(2, 3, num_layers=2).double()
    ours = nn.GRU(2, 3, num_layers=2).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x, h0 = _padded(rng), rng.standard_normal((2, 4, 3))
    _, h = ours(pack_padded_sequence(bp.tensor(x), LENGTHS, enforce_sorted=False), bp.tensor(h0))
    _, th = theirs(tu.pack_padded_sequence(torch.tensor(x), LENGTHS, enforce_sorted=False), torch.tensor(h0))
    np.testing.assert_allclose(h.data, th.detach().numpy(), rtol=1e-10, atol=1e-12)

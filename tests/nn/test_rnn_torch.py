"""RNN, LSTM and GRU against PyTorch in float64 with the same weights: outputs, final states and every
parameter's gradient; single and stacked, bidirectional, zero and given initial states, batch-first and
unbatched, projections; state dicts both ways."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn

torch = pytest.importorskip("torch")

L, N, IN, H = 5, 3, 4, 6
CASES = [  # (class name, keyword arguments)
    ("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}), ("RNN", {"bidirectional": True}),
    ("LSTM", {}), ("LSTM", {"num_layers": 2, "bidirectional": True}), ("LSTM", {"proj_size": 3, "num_layers": 2}),
    ("LSTM", {"bias": False, "batch_first": True}), ("LSTM", {"proj_size": 2, "bidirectional": True}),
    ("GRU", {}), ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}), ("GRU", {"bias": False}),
]


def _pair(name, kwargs, seed=0):
    torch.manual_seed(seed)
    theirs = getattr(torch.nn, name)(IN, H, **kwargs).double()
    ours = getattr(nn, name)(IN, H, **kwargs).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _states(name, kwargs, batch, rng):
    d = 2 if kwargs.get("bidirectional") else 1
    k = d * kwargs.get("num_layers", 1)
    h = rng.standard_normal((k, batch, kwargs.get("proj_size") or H))
    if name != "LSTM":
        return h
    return h, rng.standard_normal((k, batch, H))


def _leaves(arrays):
    if isinstance(arrays, tuple):
        pairs = [_leaves(a) for a in arrays]
        return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
    return bp.tensor(arrays, requires_grad=True), torch.tensor(arrays, requires_grad=True)


def _flat(state):
    return state if isinstance(state, tuple) else (state,)


@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("name,kwargs", CASES)
def test_outputs_states_and_gradients_match_torch(name, kwargs, given_state):
    rng = np.random.default_rng(1)
    ours, theirs = _pair(name, kwargs)
    shape = (N, L, IN) if kwargs.get("batch_first") else (L, N, IN)
    x, tx = _leaves(rng.standard_normal(shape))
    args, targs = (x,), (tx,)
    if given_state:
        s, ts = _leaves(_states(name, kwargs, N, rng))
        args, targs = (x, s), (tx, ts)
    out, state = ours(*args)
    tout, tstate = theirs(*targs)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, b in zip(_flat(state), _flat(tstate)):
        assert a.shape == tuple(b.shape)
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    # a loss that reaches every output: out, h_n (and c_n), with weights so no symmetry hides an error
    w = rng.standard_normal(tout.shape)
    extra = [rng.standard_normal(tuple(t.shape)) for t in _flat(tstate)]
    loss = (out * bp.tensor(w)).sum() + sum((a * bp.tensor(e)).sum() for a, e in zip(_flat(state), extra))
    tloss = (tout * torch.tensor(w)).sum() + sum((a * torch.tensor(e)).sum() for a, e in zip(_flat(tstate), extra))
    loss.backward()
    tloss.backward()
    np.testing.assert_allclose(np.asarray(x.grad), tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    for (pname, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(np.asarray(p.grad), tp.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=pname)
    if given_state:
        for a, b in zip(_flat(s), _flat(ts)):
            np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name,kwargs", [("LSTM", {"bidirectional": True}), ("GRU", {"num_layers": 2}),
                                         ("RNN", {})])
def test_unbatched_input_matches_torch(name, kwargs):
    rng = np.random.default_rng(2)
    ours, theirs = _pair(name, kwargs)
    x = rng.standard_normal((L, IN))
    state = _states(name, kwargs, 1, rng)
    state = tuple(s[:, 0] for s in state) if isinstance(state, tuple) else state[:, 0]
    out, s = ours(bp.tensor(x), _leaves(state)[0])
    tout, ts = theirs(torch.tensor(x), _leaves(state)[1])
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    for a, b in zip(_flat(s), _flat(ts)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(name):
    rng = np.random.default_rng(3)
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(IN, H).double()
    ours = getattr(nn, name)(IN, H).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x, tx = _leaves(rng.standard_normal((N, IN)))
    state = (rng.standard_normal((N, H)), rng.standard_normal((N, H))) if name == "LSTMCell" \
        else rng.standard_normal((N, H))
    s, ts = _leaves(state)
    out, tout = ours(x, s), theirs(tx, ts)
    loss = sum((o * (k + 1.5)).sum() for k, o in enumerate(_flat(out)))
    tloss = sum((o * (k + 1.5)).sum() for k, o in enumerate(_flat(tout)))
    for a, b in zip(_flat(out), _flat(tout)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)
    loss.backward()
    tloss.backward()
    for (pname, p), (_, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(np.asarray(p.grad), tp.grad.numpy(), rtol=1e-9, atol=1e-11, err_msg=pname)
    np.testing.assert_allclose(np.asarray(x.grad), tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    for a, b in zip(_flat(s), _flat(ts)):
        np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=1e-9, atol=1e-11)
    # unbatched, default state
    np.testing.assert_allclose(_flat(ours(x[0].detach()))[0].data, _flat(theirs(tx[0].detach()))[0].detach().numpy(),
                               rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name,kwargs", [("LSTM", {"num_layers": 2, "bidirectional": True, "proj_size": 3}),
                                         ("GRU", {"bidirectional": True}), ("RNN", {"nonlinearity": "relu"}),
                                         ("LSTMCell", {}), ("GRUCell", {})])
def test_state_dict_round_trips_with_torch(name, kwargs):
    bp.manual_seed(5)
    ours = getattr(nn, name)(IN, H, **kwargs).double()
    theirs = getattr(torch.nn, name)(IN, H, **kwargs).double()
    state = ours.state_dict()
    assert list(state) == list(theirs.state_dict())
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.data)) for k, v in state.items()})
    back = getattr(nn, name)(IN, H, **kwargs).double()
    back.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    for k, v in back.state_dict().items():
        np.testing.assert_array_equal(v.data, state[k].data)
    x = np.random.default_rng(0).standard_normal((L, N, IN) if "Cell" not in name else (N, IN))
    a, b = ours(bp.tensor(x)), theirs(torch.tensor(x))
    a, b = (a[0], b[0]) if isinstance(a, tuple) else (a, b)
    np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_parameter_names_shapes_and_init_bounds():
    lstm = nn.LSTM(4, 6, num_layers=2, bidirectional=True, proj_size=3)
    theirs = torch.nn.LSTM(4, 6, num_layers=2, bidirectional=True, proj_size=3)
    assert [(k, tuple(p.shape)) for k, p in lstm.named_parameters()] == \
        [(k, tuple(p.shape)) for k, p in theirs.named_parameters()]
    bound = 1 / np.sqrt(6)
    assert all(np.abs(p.data).max() <= bound for p in lstm.parameters())
    assert max(np.abs(p.data).max() for p in lstm.parameters()) > 0.9 * bound

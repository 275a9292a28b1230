"""``bp.nn.sequence_model`` and ``bp.nn.LastStep``: recurrent layer → last step → Linear, as torch computes it."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn


@pytest.mark.parametrize("mode", ["rnn", "lstm", "gru"])
def test_sequence_model_matches_torch(mode):
    torch = pytest.importorskip("torch")
    bp.manual_seed(0)
    model = nn.sequence_model(mode, hidden_size=3, num_layers=2, out_features=2).double()
    layer = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[mode](1, 3, 2, batch_first=True)
    head = torch.nn.Linear(3, 2)
    state = {k: torch.from_numpy(np.asarray(v.data)) for k, v in model.state_dict().items()}
    layer.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("1.")})
    head.load_state_dict({k[2:]: v for k, v in state.items() if k.startswith("3.")})
    layer, head = layer.double(), head.double()
    x = np.random.default_rng(0).standard_normal((4, 5))
    out = model(bp.tensor(x, requires_grad=True))
    out.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    expected = head(layer(tx.unsqueeze(-1))[0][:, -1])
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(np.asarray(model[3].weight.grad), head.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_last_step_and_errors():
    out = bp.tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(nn.LastStep()((out, None)).data, out.data[:, -1])
    np.testing.assert_array_equal(nn.LastStep(batch_first=False)(out).data, out.data[-1])
    with pytest.raises(ValueError, match=r"3 dimensions, got shape \(3, 4\)"):
        nn.LastStep()(bp.tensor(np.zeros((3, 4))))
    with pytest.raises(ValueError, match="unknown mode 'transformer'"):
        nn.sequence_model("transformer", 4)
    model = nn.sequence_model("gru", 4, input_size=2)
    assert tuple(model(np.zeros((5, 6), dtype=np.float32)).shape) == (5, 1)  # 3 steps of 2 values

"""State dicts exchanged with PyTorch: the same keys, shapes and layout, so both models compute the same."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn

torch = pytest.importorskip("torch")


def _pair(lib):
    return lib.Sequential(lib.Linear(4, 8), lib.BatchNorm1d(8), lib.ReLU(), lib.Dropout(0.3),
                          lib.Linear(8, 8), lib.PReLU(), lib.Linear(8, 3), lib.LogSoftmax(dim=1))


def _trained_torch_model():
    torch.manual_seed(0)
    model = _pair(torch.nn).double()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(3):  # move the running statistics and the weights away from their initial values
        x = torch.randn(16, 4, dtype=torch.float64) * 3 + 1
        loss = model(x).logsumexp(dim=1).mean() + model(x)[:, 0].mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def test_torch_state_dict_as_numpy_loads_and_gives_the_same_outputs():
    theirs = _trained_torch_model()
    ours = _pair(nn).double()
    state = {k: v.numpy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    assert ours.load_state_dict(state).missing_keys == []
    assert int(ours[1].num_batches_tracked.data) == 6
    ours.eval()
    x = np.random.default_rng(0).standard_normal((10, 4))
    np.testing.assert_allclose(ours(bp.tensor(x, dtype=np.float64)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-14)


def test_torch_tensors_load_directly():
    theirs = torch.nn.Linear(3, 2).double()
    ours = nn.Linear(3, 2).double()
    ours.load_state_dict(theirs.state_dict())  # CPU tensors convert through np.asarray
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())


def test_our_state_dict_loads_into_torch():
    bp.manual_seed(1)
    ours = _pair(nn).double()
    ours(bp.randn(8, 4, dtype=np.float64) * 2)  # one training step of batch norm
    ours.eval()
    theirs = _pair(torch.nn).double()
    theirs.load_state_dict({k: torch.from_numpy(np.array(v.data)) for k, v in ours.state_dict().items()})
    theirs.eval()
    x = np.random.default_rng(1).standard_normal((6, 4))
    np.testing.assert_allclose(ours(bp.tensor(x, dtype=np.float64)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-14)


def test_custom_module_keys_match():
    def build(lib):
        class Net(lib.Module):
            def __init__(self):
                super().__init__()
                self.hidden = lib.Linear(2, 3)
                self.blocks = lib.ModuleList([lib.Linear(3, 3), lib.BatchNorm1d(3)])
                self.out = lib.Linear(3, 1, bias=False)

        return Net()

    ours, theirs = build(nn), build(torch.nn)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
           {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]

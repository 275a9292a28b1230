"""bp.nn.Embedding and F.embedding against PyTorch: lookups, repeated indices summing their gradients,
the padding row, max_norm's in-place renormalisation, from_pretrained; second derivatives."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn
from backprop.autograd.gradcheck import gradcheck, gradgradcheck

torch = pytest.importorskip("torch")

INDICES = np.array([[1, 2, 4, 1], [4, 3, 0, 1]])


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 1}, {"padding_idx": -1, "scale_grad_by_freq": True},
                                    {"max_norm": 1.0}, {"max_norm": 0.5, "norm_type": 1.0, "padding_idx": 0}])
def test_embedding_matches_torch(kwargs):
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(6, 3, **kwargs).double()
    ours = nn.Embedding(6, 3, **kwargs).double()
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    w = np.random.default_rng(0).standard_normal((2, 4, 3))
    y = ours(bp.tensor(INDICES))
    ty = theirs(torch.tensor(INDICES))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    (y * bp.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(np.asarray(ours.weight.grad), theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)  # max_norm's renorm


def test_init_padding_row_and_from_pretrained():
    bp.manual_seed(0)
    emb = nn.Embedding(1000, 8, padding_idx=3)
    assert np.all(emb.weight.data[3] == 0)
    assert abs(emb.weight.data.std() - 1) < 0.05 and abs(emb.weight.data.mean()) < 0.05
    table = np.arange(6.0).reshape(3, 2)
    frozen = nn.Embedding.from_pretrained(bp.tensor(table))
    assert not frozen.weight.requires_grad
    np.testing.assert_array_equal(frozen(bp.tensor([2, 0])).data, table[[2, 0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


def test_max_norm_renormalises_in_place_and_bumps_the_version():
    emb = nn.Embedding.from_pretrained(np.array([[3.0, 4.0], [0.3, 0.4]]), freeze=False, max_norm=1.0)
    before = emb.weight._version
    emb(bp.tensor([0, 1]))
    np.testing.assert_allclose(emb.weight.data, [[0.6, 0.8], [0.3, 0.4]], rtol=1e-6)
    assert emb.weight._version == before + 1


def test_functional_embedding_and_errors():
    w = bp.tensor(np.random.default_rng(1).standard_normal((5, 2)), requires_grad=True)
    assert gradcheck(lambda w: bp.F.embedding(bp.tensor(INDICES), w), (w,))
    assert gradgradcheck(lambda w: bp.F.embedding(bp.tensor(INDICES), w) ** 2, (w,))
    with pytest.raises(IndexError, match="index 5 is out of range for a table of 5 rows"):
        bp.F.embedding(bp.tensor([5]), w)
    with pytest.raises(TypeError, match="integers"):
        bp.F.embedding(bp.tensor([1.0]), w)
    with pytest.raises(ValueError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)

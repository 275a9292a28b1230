"""SmoothL1Loss, KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss and TripletMarginLoss modules against
PyTorch's (values and input gradients in float64), their defaults and argument checks."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from tests.ops._torch_oracle import assert_matches_torch

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(6)
A, B, C = RNG.standard_normal((3, 4, 3))
Y = np.array([1.0, -1.0, -1.0, 1.0])

CASES = {
    "SmoothL1Loss": (dict(beta=0.5), lambda m: lambda a, b: m(a, b)),
    "KLDivLoss": (dict(reduction="batchmean", log_target=True), lambda m: lambda a, b: m(a, b)),
    "CosineEmbeddingLoss": (dict(margin=0.2, reduction="sum"),
                            lambda m: lambda a, b: m(a, b, Y if isinstance(a, bp.Tensor) else torch.tensor(Y))),
    "MarginRankingLoss": (dict(margin=0.5), lambda m: lambda a, b: m(
        a[:, 0], b[:, 0], bp.tensor(Y, dtype=np.float64) if isinstance(a, bp.Tensor) else torch.tensor(Y))),
    "TripletMarginLoss": (dict(margin=2.0, p=1.0, swap=True), lambda m: lambda a, b: m(a, b, a.flip(0) * 0.5)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_loss_modules_match_torch(name):
    kwargs, call = CASES[name]
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert_matches_torch(call(ours), call(theirs), A, B)


def test_defaults_follow_torch():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = [(nn.SmoothL1Loss(), torch.nn.SmoothL1Loss(), ("reduction", "beta")),
                 (nn.KLDivLoss(), torch.nn.KLDivLoss(), ("reduction", "log_target")),
                 (nn.CosineEmbeddingLoss(), torch.nn.CosineEmbeddingLoss(), ("reduction", "margin")),
                 (nn.MarginRankingLoss(), torch.nn.MarginRankingLoss(), ("reduction", "margin")),
                 (nn.TripletMarginLoss(), torch.nn.TripletMarginLoss(), ("reduction", "margin", "p", "eps", "swap"))]
    for ours, theirs, names in pairs:
        assert [getattr(ours, n) for n in names] == [getattr(theirs, n) for n in names]
        assert "ℓ" in type(ours).__doc__


def test_argument_errors_name_the_value():
    with pytest.raises(ValueError, match="beta"):
        nn.SmoothL1Loss(beta=-0.1)
    with pytest.raises(ValueError, match="'average'"):
        nn.KLDivLoss(reduction="average")
    with pytest.raises(ValueError, match="margin"):
        nn.TripletMarginLoss(margin=0)
    with pytest.raises(ValueError, match="'batchmean'"):
        nn.SmoothL1Loss(reduction="batchmean")

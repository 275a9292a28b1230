"""smooth_l1_loss, kl_div, cosine_embedding_loss, margin_ranking_loss, triplet_margin_loss: PyTorch's values
and gradients (inputs and differentiable targets) in float64 for every reduction; gradchecks to second order."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.ops import losses_more as L
from tests.ops._torch_oracle import assert_matches_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(3)
A, B, C = RNG.standard_normal((3, 4, 3))
PROBS = np.abs(RNG.standard_normal((4, 3))) + 0.1
Y = np.array([1.0, -1.0, 1.0, -1.0])
REDUCTIONS = ["mean", "sum", "none"]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("beta", [1.0, 0.5, 0.0])
def test_smooth_l1_loss(reduction, beta):
    assert_matches_torch(lambda x, y: L.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
                         lambda x, y: TF.smooth_l1_loss(x, y, reduction=reduction, beta=beta), A, B)


@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    target = B if log_target else PROBS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that 'mean' is not the KL divergence per observation
        assert_matches_torch(lambda x, y: L.kl_div(x, y, reduction, log_target),
                             lambda x, y: TF.kl_div(x, y, reduction=reduction, log_target=log_target), A, target)


def test_kl_div_with_zero_probabilities_gives_zero_terms():
    p = PROBS.copy()
    p[0, 1] = 0.0
    assert_matches_torch(lambda x: L.kl_div(x, bp.tensor(p, dtype=np.float64), "sum"),
                         lambda x: TF.kl_div(x, torch.tensor(p), reduction="sum"), A)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_pair_losses(reduction):
    assert_matches_torch(lambda a, b: L.cosine_embedding_loss(a, b, Y, 0.1, reduction),
                         lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor(Y), 0.1, reduction=reduction), A, B)
    assert_matches_torch(lambda a, b: L.margin_ranking_loss(a[:, 0], b[:, 0], Y, 0.3, reduction),
                         lambda a, b: TF.margin_ranking_loss(a[:, 0], b[:, 0], torch.tensor(Y), 0.3,
                                                             reduction=reduction), A, B)


def test_cosine_embedding_loss_of_one_pair():
    assert_matches_torch(lambda a, b: L.cosine_embedding_loss(a[0], b[0], 1.0),
                         lambda a, b: TF.cosine_embedding_loss(a[0], b[0], torch.tensor(1.0)), A, B)


@pytest.mark.parametrize("p", [2, 1, 3])
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_loss(p, swap):
    for reduction in REDUCTIONS:
        assert_matches_torch(
            lambda a, b, c, r=reduction: L.triplet_margin_loss(a, b, c, 1.5, p, swap=swap, reduction=r),
            lambda a, b, c, r=reduction: TF.triplet_margin_loss(a, b, c, 1.5, p, swap=swap, reduction=r), A, B, C)


def test_pairwise_distance():
    for p in (1, 2, 3, float("inf")):
        assert_matches_torch(lambda a, b, p=p: L.pairwise_distance(a, b, p),
                             lambda a, b, p=p: TF.pairwise_distance(a, b, p), A, B)


CALLS = {
    "smooth_l1": lambda a, b, c: L.smooth_l1_loss(a, b, beta=0.7),
    "kl_div": lambda a, b, c: L.kl_div(a, b * b + 0.1, "batchmean"),
    "kl_div log_target": lambda a, b, c: L.kl_div(a, b, "sum", log_target=True),
    "cosine_embedding": lambda a, b, c: L.cosine_embedding_loss(a, b, Y, -0.5),
    "margin_ranking": lambda a, b, c: L.margin_ranking_loss(a, b, np.sign(C), 0.1, "sum"),
    "triplet_margin": lambda a, b, c: L.triplet_margin_loss(a, b, c, 2.0, swap=True),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_gradcheck_to_second_order(name):
    assert bp.gradcheck(CALLS[name], [A, B, C])
    assert bp.gradgradcheck(CALLS[name], [A, B, C])


def test_bad_arguments_are_named():
    a, b = bp.tensor(A), bp.tensor(B)
    with pytest.raises(ValueError, match="beta"):
        L.smooth_l1_loss(a, b, beta=-1.0)
    with pytest.raises(ValueError, match="'batchmean'"):
        L.smooth_l1_loss(a, b, reduction="batchmean")
    with pytest.raises(bp.ShapeError, match=r"target has shape \(3,\)"):
        L.cosine_embedding_loss(a, b, Y[:3])
    with pytest.raises(bp.ShapeError, match="input2"):
        L.margin_ranking_loss(a, b[:2], Y)
    with pytest.raises(ValueError, match="margin"):
        L.triplet_margin_loss(a, b, a, margin=0.0)

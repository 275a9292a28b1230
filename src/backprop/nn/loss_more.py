"""More of PyTorch's loss modules: ``SmoothL1Loss``, ``KLDivLoss`` and the losses on pairs and triplets
(``CosineEmbeddingLoss``, ``MarginRankingLoss``, ``TripletMarginLoss``). Each calls the functional of
the same name in :mod:`backprop.ops.losses_more`, where the formulas are documented.
"""
from ..ops import losses_more as LM
import math

from ._args import flag_arg, real_arg
from .loss import _Loss

__all__ = ["SmoothL1Loss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "TripletMarginLoss"]


class SmoothL1Loss(_Loss):
    """Smooth L1: ℓᵢ = ½ dᵢ²/β where |dᵢ| < β, else |dᵢ| − ½β (d = ŷ − y); β = 0 is the L1 loss.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    beta : float, default 1.0
    """

    def __init__(self, *, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = real_arg("SmoothL1Loss", "beta", beta, 0)

    def forward(self, input, target):
        return LM.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class KLDivLoss(_Loss):
    """KL divergence from log-probabilities x to a target distribution y: ℓᵢ = yᵢ (ln yᵢ − xᵢ)
    (with ``log_target``, y given as ln y). 'batchmean' gives the KL divergence per observation.

    Parameters
    ----------
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
    log_target : bool, default False
    """

    def __init__(self, *, reduction="mean", log_target=False):
        super().__init__("mean" if reduction == "batchmean" else reduction)
        self.reduction, self.log_target = reduction, flag_arg("KLDivLoss", "log_target", log_target)

    def forward(self, input, target):
        return LM.kl_div(input, target, self.reduction, self.log_target)


class _PairMarginLoss(_Loss):
    """A loss on pairs (x₁, x₂) labelled y = ±1, with a margin in ``margin_range``."""

    margin_range = (-math.inf, math.inf)

    def __init__(self, margin=0.0, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = real_arg(type(self).__name__, "margin", margin, *self.margin_range)


class CosineEmbeddingLoss(_PairMarginLoss):
    """ℓ = 1 − cos(x₁, x₂) for pairs that should be similar (y = 1), max(0, cos(x₁, x₂) − margin) for
    pairs that should not (y = −1).

    Parameters
    ----------
    margin : float in [-1, 1], default 0.0
        A cosine, so a margin outside [-1, 1] would make every or no dissimilar pair count.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    margin_range = (-1.0, 1.0)

    def forward(self, input1, input2, target):
        return LM.cosine_embedding_loss(input1, input2, target, self.margin, self.reduction)


class MarginRankingLoss(_PairMarginLoss):
    """ℓ = max(0, −y·(x₁ − x₂) + margin): x₁ should exceed x₂ by the margin where y = 1, and the
    reverse where y = −1.

    Parameters
    ----------
    margin : float, default 0.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def forward(self, input1, input2, target):
        return LM.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class TripletMarginLoss(_Loss):
    """ℓ = max(0, d(a, p) − d(a, n) + margin), d(u, v) = ‖u − v + ε‖_p: an anchor should be nearer its
    positive than its negative by the margin. ``swap`` uses min(d(a, n), d(p, n)) for the negative.

    Parameters
    ----------
    margin : float, default 1.0
    p : float, default 2.0
    eps : float, default 1e-6
    swap : bool, default False
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, margin=1.0, p=2.0, eps=1e-6, swap=False, *, reduction="mean"):
        super().__init__(reduction)
        self.margin = real_arg("TripletMarginLoss", "margin", margin, 0, open_low=True)
        self.p = real_arg("TripletMarginLoss", "p", p, 0, open_low=True)
        self.eps = real_arg("TripletMarginLoss", "eps", eps, 0)
        self.swap = flag_arg("TripletMarginLoss", "swap", swap)

    def forward(self, anchor, positive, negative):
        return LM.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
                                      self.reduction)

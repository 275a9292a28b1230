"""More of PyTorch's losses: smooth L1, KL divergence, and the losses on pairs and triplets
(cosine embedding, margin ranking, triplet margin), with ``pairwise_distance``.

Each is a composition of elementwise ops and reductions, written as PyTorch computes it, since that
composition is its formula; the gradients follow from the parts. A hinge max(0, v) is written as
where(v ≥ 0, v, 0), so at v = 0 it passes the gradient as PyTorch's ``clamp_min`` does.
"""
import numpy as np

from ..exceptions import ShapeError
from . import dispatch as D
from . import elementwise as _ew
from . import reduce as _red
from ._args import flag_arg, real_arg
from ._loss_utils import as_input, check_reduction, float_target, reduce
from .elementwise_more import norm

__all__ = ["smooth_l1_loss", "kl_div", "cosine_embedding_loss", "margin_ranking_loss", "triplet_margin_loss",
           "pairwise_distance"]


def _hinge(v):
    """max(v, 0) with the gradient 1 at v = 0 (PyTorch's ``clamp_min``)."""
    return _ew.where(D.raw(v) >= 0, v, 0.0)


def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    """Smooth L1 loss, PyTorch's ``F.smooth_l1_loss``: with d = ŷ − y,
    ℓᵢ = ½ dᵢ² / β where |dᵢ| < β, else |dᵢ| − ½β; β = 0 gives the L1 loss.

    Its gradient is d/β inside (−β, β) and sign(d) outside: Huber's loss divided by β.

    Parameters
    ----------
    input, target : Tensor, same shape
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    beta : float, default 1.0
        Non-negative.
    """
    check_reduction("smooth_l1_loss", reduction)
    real_arg("smooth_l1_loss", "beta", beta, 0)
    input = as_input("smooth_l1_loss", input)
    diff = input - float_target("smooth_l1_loss", input, target)
    size = _ew.abs(diff)
    if beta == 0:
        return reduce(size, reduction)
    return reduce(_ew.where(size.data < beta, 0.5 * diff * diff / beta, size - 0.5 * beta), reduction)


def kl_div(input, target, reduction="mean", log_target=False):
    """KL divergence of the distribution ``target`` from log-probabilities ``input``, PyTorch's ``F.kl_div``.

    ℓᵢ = yᵢ (ln yᵢ − xᵢ) (0 where yᵢ = 0), or with ``log_target`` (y given as ln y)
    ℓᵢ = e^{yᵢ} (yᵢ − xᵢ). dx = −y (−e^y with log_target), divided as the reduction divides.

    Parameters
    ----------
    input : Tensor
        Log-probabilities x (e.g. ``log_softmax`` output).
    target : Tensor, same shape
        Probabilities y (or log-probabilities with ``log_target=True``).
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'batchmean' divides the sum by the batch size (input.shape[0]), which is the true KL
        divergence per observation; 'mean' divides by the number of elements, as PyTorch's default.
    log_target : bool, default False
    """
    if reduction != "batchmean":
        check_reduction("kl_div", reduction)
    flag_arg("kl_div", "log_target", log_target)
    input = as_input("kl_div", input)
    y = float_target("kl_div", input, target)
    if log_target:
        loss = _ew.exp(y) * (y - input)
    else:
        present = D.raw(y) > 0
        safe = _ew.where(present, y, 1.0)  # y·ln y is 0 at y = 0; ln of 1 keeps it finite there
        loss = y * _ew.log(safe) - y * input
    if reduction == "batchmean":
        n = input.shape[0] if input.ndim else 1
        return _red.sum(loss) / n
    return reduce(loss, reduction)


def _pair_inputs(name, input1, input2, target):
    input1, input2 = as_input(name, input1), as_input(name, input2)
    if input1.shape != input2.shape:
        raise ShapeError(f"{name}: input1 has shape {input1.shape} but input2 has shape {input2.shape}")
    return input1, input2


def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """Cosine embedding loss, PyTorch's ``F.cosine_embedding_loss``: with the cosine similarity
    cos = x₁·x₂ / √((‖x₁‖² + ε)(‖x₂‖² + ε)), ε = 1e-12, ℓ = 1 − cos where y = 1 and
    max(0, cos − margin) where y = −1.

    Parameters
    ----------
    input1, input2 : Tensor, shape (N, D) or (D,)
    target : Tensor or array_like, shape (N,) or (), values 1 or −1
    margin : float, default 0.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """
    check_reduction("cosine_embedding_loss", reduction)
    real_arg("cosine_embedding_loss", "margin", margin, -1.0, 1.0)
    input1, input2 = _pair_inputs("cosine_embedding_loss", input1, input2, target)
    if input1.ndim not in (1, 2):
        raise ShapeError(f"cosine_embedding_loss: expected 1-D (D,) or 2-D (N, D) inputs, got shape {input1.shape}")
    y = np.asarray(D.raw(target))
    if y.shape != input1.shape[:-1]:
        raise ShapeError(f"cosine_embedding_loss: target has shape {y.shape} but the inputs (shape "
                         f"{input1.shape}) need {input1.shape[:-1]}")
    eps = 1e-12
    dot = _red.sum(input1 * input2, -1)
    denom = _ew.sqrt((_red.sum(input1 * input1, -1) + eps) * (_red.sum(input2 * input2, -1) + eps))
    cos = dot / denom
    loss = _ew.where(y == 1, 1 - cos, 0.0) + _ew.where(y == -1, _hinge(cos - margin), 0.0)
    return reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, reduction="mean"):
    """Margin ranking loss, PyTorch's ``F.margin_ranking_loss``: ℓ = max(0, −y·(x₁ − x₂) + margin),
    y = 1 when x₁ should rank higher, −1 when x₂ should.

    Parameters
    ----------
    input1, input2 : Tensor, same shape
    target : Tensor or array_like, same shape, values 1 or −1
    margin : float, default 0.0
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """
    check_reduction("margin_ranking_loss", reduction)
    real_arg("margin_ranking_loss", "margin", margin)
    input1, input2 = _pair_inputs("margin_ranking_loss", input1, input2, target)
    y = float_target("margin_ranking_loss", input1, target)
    return reduce(_hinge(-y * (input1 - input2) + margin), reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """‖x₁ − x₂ + ε‖_p along the last axis, PyTorch's ``F.pairwise_distance`` (ε keeps the gradient
    finite where x₁ = x₂)."""
    diff = x1 - x2 + eps
    if p in (1, 2, np.inf):
        return norm(diff, p, dim=-1, keepdim=keepdim)
    if not p > 0:
        raise ValueError(f"pairwise_distance: p must be positive, got {p}")
    return _red.sum(_ew.abs(diff) ** p, -1, keepdims=keepdim) ** (1.0 / p)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction="mean"):
    """Triplet margin loss, PyTorch's ``F.triplet_margin_loss``: ℓ = max(0, d(a, p) − d(a, n) + margin),
    d the :func:`pairwise_distance` (‖a − p + ε‖_p). With ``swap``, d(a, n) is replaced by
    min(d(a, n), d(p, n)) (the harder negative distance).

    Parameters
    ----------
    anchor, positive, negative : Tensor, shape (N, D) or (D,)
    margin : float, default 1.0
    p : float, default 2.0
    eps : float, default 1e-6
    swap : bool, default False
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """
    check_reduction("triplet_margin_loss", reduction)
    anchor = as_input("triplet_margin_loss", anchor)
    positive, negative = as_input("triplet_margin_loss", positive), as_input("triplet_margin_loss", negative)
    if not anchor.shape == positive.shape == negative.shape or anchor.ndim not in (1, 2):
        raise ShapeError(f"triplet_margin_loss: anchor, positive and negative must have one shape, (N, D) or "
                         f"(D,), got {anchor.shape}, {positive.shape} and {negative.shape}")
    real_arg("triplet_margin_loss", "margin", margin, 0, open_low=True)
    real_arg("triplet_margin_loss", "p", p, 0, open_low=True)
    real_arg("triplet_margin_loss", "eps", eps, 0)
    flag_arg("triplet_margin_loss", "swap", swap)
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _ew.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return reduce(_hinge(margin + d_pos - d_neg), reduction)

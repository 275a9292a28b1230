"""Loss functions: regression losses and the margin losses of linear classification.

Each loss takes ``(input, target)`` in PyTorch's order and ``reduction='mean'|'sum'|'none'``.
PyTorch averages over observations by default; the course usually writes the sum (pass
``reduction='sum'``). The options that follow PyTorch's deprecated ``size_average``/``reduce``
arguments are keyword-only here, so a positional call cannot bind them to the wrong parameter.

Where the course teaches a closed-form gradient the loss is one fused op that applies it
(:class:`MSE`: dŷ = 2(ŷ − y)/N; the margin losses: dz = −y at the misclassified points); the
other losses are compositions of elementwise ops, since that composition is their formula.
The classification losses on probabilities and logits live in :mod:`.losses_classification`
and are re-exported here.
"""
import math

import numpy as np

from ..autograd.function import Function
from . import activations as _act
from . import dispatch as D
from . import elementwise as _ew
from ._args import flag_arg, real_arg
from ._doc import documents
from ._loss_utils import (as_input, check_reduction, check_target_range, float_target, loss_grad, reduce, reduced,
                          sign_target)
from .losses_classification import (binary_cross_entropy, binary_cross_entropy_with_logits, cross_entropy,
                                    nll_loss)

__all__ = ["mse_loss", "l1_loss", "huber_loss", "mape_loss", "poisson_nll_loss", "hinge_loss", "perceptron_loss",
           "soft_margin_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
           "nll_loss"]

# MAPE's floor for |y|, as scikit-learn's mean_absolute_percentage_error.
MAPE_EPSILON = float(np.finfo(np.float64).eps)


class MSE(Function):
    """Squared error ℓᵢ = (ŷᵢ − yᵢ)², reduced over the observations.

    The gradient is the one the course derives for least squares: dŷ = 2(ŷ − y)/N for the mean
    (2(ŷ − y) for the sum), and dy = −dŷ.
    """

    forward_formula = "ℓ = mean((ŷ − y)²)"
    backward_formulas = {"input": "dŷ = 2(ŷ − y)/N · dℓ", "target": "dy = −2(ŷ − y)/N · dℓ"}

    @staticmethod
    def forward(ctx, input, target, *, reduction):
        ctx.save(input=input, target=target)
        diff = input - target
        return reduced(ctx, diff * diff, reduction)

    @staticmethod
    def backward(ctx, dy):
        # 2·dℓ first: a scalar product (exact, a power of two) instead of a pass over the array
        dinput = (ctx.input - ctx.target) * (2 * loss_grad(ctx, dy))
        return dinput, (-dinput if ctx.needs_input_grad[1] else None)


class MarginLoss(Function):
    """ℓᵢ = max(0, m − Mᵢ) with the margin Mᵢ = yᵢ·zᵢ, yᵢ ∈ {−1, +1}: the perceptron loss (m = 0)
    and the hinge loss of the SVM (m = 1).

    A point counts as misclassified when M ≤ m, so at M = m exactly the gradient is −y, as the
    course defines the perceptron update (a perceptron started from zero weights has M = 0
    everywhere and must still move). dz = −y·[M ≤ m]/N for the mean; the labels get no gradient.
    """

    forward_formula = "ℓ = mean(max(0, m − y·z))"
    backward_formulas = {"input": "dz = −y · [y·z ≤ m] / N · dℓ"}

    @staticmethod
    def forward(ctx, input, target, *, margin, reduction):
        margins = target * input
        wrong = margins <= margin
        ctx.save(target=target, wrong=wrong)
        return reduced(ctx, np.where(wrong, margin - margins, 0), reduction)

    @staticmethod
    def backward(ctx, dy):
        return -ctx.target * ctx.wrong * loss_grad(ctx, dy), None


@documents(MSE)
def mse_loss(input, target, *, reduction="mean"):
    """Mean squared error: mean((ŷ − y)²) (the course writes the sum Σ(ŷᵢ − yᵢ)²: ``reduction='sum'``).

    A fused op with the closed-form gradient dŷ = 2(ŷ − y)/N.

    Parameters
    ----------
    input : Tensor, any shape
        Predictions ŷ.
    target : Tensor or array_like, same shape
        True values y (a Tensor that requires grad gets dy = −dŷ).
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Returns
    -------
    Tensor
        A scalar, or the squared errors of input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import backprop as bp
    >>> bp.F.mse_loss(bp.tensor([1.0, 2.0]), bp.tensor([2.0, 4.0])).item()
    2.5
    """
    check_reduction("mse_loss", reduction)
    input = as_input("mse_loss", input)
    return MSE.apply(input, float_target("mse_loss", input, target), reduction=reduction)


def l1_loss(input, target, *, reduction="mean"):
    """Mean absolute error (MAE): mean |ŷ − y|. Its gradient sign(ŷ − y)/N is 0 where ŷ = y, as PyTorch.

    Parameters and returns as :func:`mse_loss`.
    """
    check_reduction("l1_loss", reduction)
    input = as_input("l1_loss", input)
    return reduce(_ew.abs(input - float_target("l1_loss", input, target)), reduction)


def huber_loss(input, target, reduction="mean", delta=1.0):
    """Huber loss: quadratic for small errors, linear for large ones (robust to outliers).

    ℓᵢ = ½ dᵢ² where |dᵢ| < δ, else δ(|dᵢ| − ½δ), with d = ŷ − y; its gradient is d, clipped to [−δ, δ].

    Parameters
    ----------
    input, target : Tensor, same shape
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    delta : float, default 1.0
        Where the loss turns from quadratic to linear; must be positive.
    """
    check_reduction("huber_loss", reduction)
    real_arg("huber_loss", "delta", delta, 0, open_low=True)
    input = as_input("huber_loss", input)
    diff = input - float_target("huber_loss", input, target)
    size = _ew.abs(diff)
    return reduce(_ew.where(size.data < delta, 0.5 * diff * diff, delta * (size - 0.5 * delta)), reduction)


def mape_loss(input, target, reduction="mean"):
    """Mean absolute percentage error: mean |ŷ − y| / max(|y|, ε), a fraction (0.1 means 10 %).

    ε = ``np.finfo(np.float64).eps`` keeps targets of 0 finite, as scikit-learn's
    ``mean_absolute_percentage_error``, which this matches. The course writes (1/N) Σ |(ŷᵢ − yᵢ)/yᵢ|.
    PyTorch has no such loss.

    Parameters and returns as :func:`mse_loss`.
    """
    check_reduction("mape_loss", reduction)
    input = as_input("mape_loss", input)
    target = float_target("mape_loss", input, target)
    return reduce(_ew.abs(input - target) / _ew.maximum(_ew.abs(target), MAPE_EPSILON), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, *, eps=1e-8, reduction="mean"):
    """Negative log-likelihood of counts y under a Poisson distribution with rate λ (the course's
    output for counts), without the constant ln y!.

    With ``log_input=True`` the input is z = ln λ and ℓ = eᶻ − y·z; otherwise it is λ itself and
    ℓ = λ − y·ln(λ + eps). ``full=True`` adds Stirling's approximation of ln y!,
    y ln y − y + ½ ln(2πy), for y > 1.

    Parameters
    ----------
    input : Tensor
        ln λ (``log_input=True``) or λ.
    target : Tensor or array_like, same shape
        Observed counts y ≥ 0.
    log_input : bool, default True
    full : bool, default False
    eps : float, default 1e-8
        Keeps ln λ finite at λ = 0 when ``log_input=False``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """
    check_reduction("poisson_nll_loss", reduction)
    flag_arg("poisson_nll_loss", "log_input", log_input)
    flag_arg("poisson_nll_loss", "full", full)
    real_arg("poisson_nll_loss", "eps", eps, 0, open_low=True)
    input = as_input("poisson_nll_loss", input)
    y = float_target("poisson_nll_loss", input, target)
    check_target_range("poisson_nll_loss", y, 0, np.inf, "counts y >= 0")  # PyTorch returns a number for -1
    loss = _ew.exp(input) - y * input if log_input else input - y * _ew.log(input + eps)
    if full:
        counted = D.raw(y) > 1
        safe = _ew.where(counted, y, 2.0)  # keeps y ln y finite where the term is masked out
        stirling = safe * _ew.log(safe) - safe + 0.5 * _ew.log(2 * math.pi * safe)
        loss = loss + _ew.where(counted, stirling, 0.0)
    return reduce(loss, reduction)


def soft_margin_loss(input, target, *, reduction="mean"):
    """Logistic loss in the ±1 form: mean ln(1 + e^(−y·z)) for labels y ∈ {−1, +1} and scores z.

    The course's logloss of logistic regression written with the margin M = y·z; computed as
    softplus(−y·z), which stays finite and warning-free for scores of ±1000.
    """
    check_reduction("soft_margin_loss", reduction)
    input = as_input("soft_margin_loss", input)
    return reduce(_act.softplus(-(float_target("soft_margin_loss", input, target) * input)), reduction)


@documents(MarginLoss)
def hinge_loss(input, target, reduction="mean"):
    """Hinge loss of the SVM: mean max(0, 1 − y·z), labels y ∈ {−1, +1}, scores z.

    A point with margin y·z ≤ 1 (1 included) gets the gradient −y/N; the course sums over points
    (``reduction='sum'``). PyTorch has no such loss (its ``hinge_embedding_loss`` is another one).

    Raises
    ------
    ValueError
        If a target is not −1 or +1 (the message names the bad values).
    """
    check_reduction("hinge_loss", reduction)
    input = as_input("hinge_loss", input)
    return MarginLoss.apply(input, sign_target("hinge_loss", input, target), margin=1.0, reduction=reduction)


@documents(MarginLoss)
def perceptron_loss(input, target, reduction="mean"):
    """Perceptron loss: mean max(0, −y·z), labels y ∈ {−1, +1}, scores z.

    A point with margin y·z ≤ 0 (0 included) gets the gradient −y/N, so gradient descent on this
    loss is the course's perceptron update and moves from zero weights. PyTorch has no such loss.

    Raises
    ------
    ValueError
        If a target is not −1 or +1 (the message names the bad values).
    """
    check_reduction("perceptron_loss", reduction)
    input = as_input("perceptron_loss", input)
    return MarginLoss.apply(input, sign_target("perceptron_loss", input, target), margin=0.0, reduction=reduction)

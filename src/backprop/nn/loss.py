"""Loss modules (``torch.nn``'s ``MSELoss``, ``CrossEntropyLoss`` …): a loss function with its options fixed.

``loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)`` then ``loss = loss_fn(logits, y)``; each module
calls the functional of the same name in :mod:`backprop.nn.functional`, where the formulas, gradients and
shapes are documented. ``reduction='mean'`` averages over the observations (PyTorch's default);
the course usually writes sums, which ``reduction='sum'`` gives; ``'none'`` keeps one loss per term.
Class weights and ``pos_weight`` are buffers (in the state dict, as PyTorch), never learned.
"""
from ..autograd.tensor import Tensor
from ..ops import losses as L
from ..ops._loss_utils import check_reduction
from ._args import flag_arg, int_arg, real_arg
from .module import Module

__all__ = ["MSELoss", "L1Loss", "MAPELoss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss",
           "NLLLoss", "HingeLoss", "PerceptronLoss", "PoissonNLLLoss", "SoftMarginLoss"]


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", _as_buffer(weight))


def _as_buffer(value):
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class MSELoss(_Loss):
    """Mean squared error: ℓ = (1/N) Σᵢ (ŷᵢ − yᵢ)²; the course writes the sum (``reduction='sum'``).

    A fused op with the closed-form gradient dŷ = 2(ŷ − y)/N; see :func:`~backprop.nn.functional.mse_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'

    Shape: input and target of one shape (any); a scalar out, or input's shape for 'none'.
    """

    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return L.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error (MAE): ℓ = (1/N) Σᵢ |ŷᵢ − yᵢ|.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return L.l1_loss(input, target, reduction=self.reduction)


class MAPELoss(_Loss):
    """Mean absolute percentage error: ℓ = (1/N) Σᵢ |ŷᵢ − yᵢ| / max(|yᵢ|, ε), a fraction (not a percentage).

    ε = ``np.finfo(np.float64).eps``, as scikit-learn's ``mean_absolute_percentage_error``; the course
    writes (1/N) Σᵢ |(ŷᵢ − yᵢ)/yᵢ|. Not in PyTorch; see :func:`~backprop.nn.functional.mape_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def forward(self, input, target):
        return L.mape_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: ℓᵢ = ½ dᵢ² where |dᵢ| < δ, else δ (|dᵢ| − ½ δ), with d = ŷ − y; averaged by default.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    delta : float, default 1.0
    """

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = real_arg("HuberLoss", "delta", delta, 0, open_low=True)

    def forward(self, input, target):
        return L.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class BCELoss(_WeightedLoss):
    """Logloss on probabilities: ℓ = −(1/N) Σᵢ wᵢ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)], logs floored at −100.

    The course's logloss, averaged (the course sums). Applied after a sigmoid; on logits use
    :class:`BCEWithLogitsLoss`, which is exact and stable where σ rounds to 0 or 1.

    Parameters
    ----------
    weight : array_like, optional
        Per-element weights broadcast to the input's shape (a buffer).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return L.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + logloss on logits: ℓ = −(1/N) Σᵢ wᵢ [r yᵢ ln σ(zᵢ) + (1 − yᵢ) ln(1 − σ(zᵢ))].

    One fused op with the course's gradient dz = (σ(z) − y)/N, finite for any logits. (N, K) targets
    in {0, 1} give K independent labels per observation (multi-label classification).

    Parameters
    ----------
    weight : array_like, optional
        Per-element weights w (a buffer).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    pos_weight : array_like, optional
        r, the positive term's weight per class (along the last axis; a buffer). Default 1.
    """

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", _as_buffer(pos_weight))

    def forward(self, input, target):
        return L.binary_cross_entropy_with_logits(input, target, self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class CrossEntropyLoss(_WeightedLoss):
    """Softmax cross-entropy on logits: ℓ = −(1/N) Σᵢ ln softmax(zᵢ)_{yᵢ} (the course's multiclass logloss).

    One fused op with the course's gradient dz = (softmax(z) − y)/N, finite for logits of ±1000.
    Targets are class indices (N,) in [0, C) or class probabilities (N, C); input (N, C) or
    (N, C, d₁, …). See :func:`~backprop.nn.functional.cross_entropy`.

    Parameters
    ----------
    weight : array_like of shape (C,), optional
        Class weights (a buffer); with indices the mean divides by Σᵢ w_{yᵢ}, as PyTorch.
    ignore_index : int, default -100
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index = int_arg("CrossEntropyLoss", "ignore_index", ignore_index, minimum=None)
        self.label_smoothing = real_arg("CrossEntropyLoss", "label_smoothing", label_smoothing, 0, 1)

    def forward(self, input, target):
        return L.cross_entropy(input, target, self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: ℓ = −(1/N) Σᵢ w_{yᵢ} xᵢ,yᵢ (after ``LogSoftmax``).

    Parameters
    ----------
    weight : array_like of shape (C,), optional
    ignore_index : int, default -100
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = int_arg("NLLLoss", "ignore_index", ignore_index, minimum=None)

    def forward(self, input, target):
        return L.nll_loss(input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction)


class HingeLoss(_Loss):
    """Hinge loss of the SVM: ℓ = (1/N) Σᵢ max(0, 1 − yᵢ zᵢ), labels yᵢ ∈ {−1, +1}.

    The course sums (``reduction='sum'``) and adds the L2 penalty separately. A point with margin
    M = y·z ≤ 1 (1 included) gets the gradient −y/N. Not in PyTorch.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def forward(self, input, target):
        return L.hinge_loss(input, target, reduction=self.reduction)


class PerceptronLoss(_Loss):
    """Perceptron loss: ℓ = (1/N) Σᵢ max(0, −yᵢ zᵢ), labels yᵢ ∈ {−1, +1}.

    A point with margin M = y·z ≤ 0 (0 included) gets the gradient −y/N: the course's perceptron
    update, which moves a perceptron started from zero weights. Not in PyTorch.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def forward(self, input, target):
        return L.perceptron_loss(input, target, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood for counts (the course's count output): ℓ = (1/N) Σᵢ (e^{zᵢ} − yᵢ zᵢ)
    for log-rates z (``log_input=True``), or λᵢ − yᵢ ln(λᵢ + eps) for rates λ.

    Parameters
    ----------
    log_input : bool, default True
    full : bool, default False
        Add Stirling's approximation of ln y! (for y > 1).
    eps : float, default 1e-8
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, log_input=True, full=False, *, eps=1e-8, reduction="mean"):
        super().__init__(reduction)
        self.log_input = flag_arg("PoissonNLLLoss", "log_input", log_input)
        self.full = flag_arg("PoissonNLLLoss", "full", full)
        self.eps = real_arg("PoissonNLLLoss", "eps", eps, 0, open_low=True)

    def forward(self, input, target):
        return L.poisson_nll_loss(input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Logistic loss in the ±1 form: ℓ = (1/N) Σᵢ ln(1 + e^{−yᵢ zᵢ}), labels yᵢ ∈ {−1, +1}.

    The course's logloss of logistic regression written with the margin M = y·z; stable for ±1000.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    """

    def __init__(self, *, reduction="mean"):
        super().__init__(reduction)

    def forward(self, input, target):
        return L.soft_margin_loss(input, target, reduction=self.reduction)

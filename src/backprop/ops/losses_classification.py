"""Classification losses: logloss on probabilities and on logits, softmax cross-entropy, NLL.

The two the course derives by hand are fused ops whose backward is the closed form it teaches:
sigmoid + logloss (:class:`BCEWithLogits`, dz = (σ(z) − y)/N) and softmax + cross-entropy
(:class:`SoftmaxCrossEntropy`, dz = (softmax(z) − y)/N). Both work from the logits with
log-sum-exp and softplus, so logits of ±1000 give finite values and gradients.
"""
import math
from contextvars import ContextVar

import numpy as np

from ..autograd.function import Function
from ..autograd.recording import replayable
from ..exceptions import ShapeError
from . import activations as _act
from . import dispatch as D
from . import reduce as _red
from ._args import int_arg, real_arg
from ._doc import documents
from ._loss_utils import (as_input, check_reduction, check_target_range, float_target, loss_grad, on_array_or_tensor,
                          reduce, reduced)

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss"]


def _clamped_log(x):
    """ln x, floored at −100 as PyTorch's binary_cross_entropy, so p = 0 or 1 gives a finite loss."""
    with np.errstate(divide="ignore"):
        return D.maximum(D.log(x), -100.0)


class BinaryCrossEntropy(Function):
    """Logloss on probabilities: ℓᵢ = −wᵢ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)], each ln floored at −100.

    dp = w (p − y) / (p (1 − p)) / N, the course's −(y/p − (1 − y)/(1 − p)), with the denominator
    kept at least 1e-12 as PyTorch; dy = w [ln(1 − p) − ln p] / N.
    """

    forward_formula = "ℓ = −mean(w·[y·ln p + (1 − y)·ln(1 − p)])"
    backward_formulas = {"input": "dp = w·(p − y) / (p·(1 − p)) / N · dℓ",
                         "target": "dy = w·(ln(1 − p) − ln p) / N · dℓ"}

    @staticmethod
    def forward(ctx, input, target, *, weight, reduction):
        ctx.save(input=input, target=target)
        ctx.weight = 1.0 if weight is None else weight
        loss = -ctx.weight * (target * _clamped_log(input) + (1 - target) * _clamped_log(1 - input))
        return reduced(ctx, loss, reduction)

    @staticmethod
    def backward(ctx, dy):
        p, y = ctx.input, ctx.target
        g = ctx.weight * loss_grad(ctx, dy)
        dp = g * (p - y) / D.maximum(p * (1 - p), 1e-12) if ctx.needs_input_grad[0] else None
        dt = g * (_clamped_log(1 - p) - _clamped_log(p)) if ctx.needs_input_grad[1] else None
        return dp, dt


class BCEWithLogits(Function):
    """Sigmoid and logloss in one: ℓᵢ = −wᵢ [r yᵢ ln σ(zᵢ) + (1 − yᵢ) ln(1 − σ(zᵢ))] for logits z.

    r is ``pos_weight`` (1 unless given). Computed as w [(1 − y) z + (1 + (r − 1) y) softplus(−z)],
    since ln σ(z) = −softplus(−z) and ln(1 − σ(z)) = −z − softplus(−z): no exponential overflows.
    Backward, the course's dz = w (σ(z) − y)/N (with r: w [σ(z)(1 + (r − 1) y) − r y]/N) and
    dy = −w z/N (with r: w [(r − 1) softplus(−z) − z]/N).
    """

    forward_formula = "ℓ = mean(w·[(1 − y)·z + (1 + (r − 1)·y)·softplus(−z)])"
    backward_formulas = {"input": "dz = w·(σ(z) − y) / N · dℓ", "target": "dy = −w·z / N · dℓ"}
    intermediates = {"p": "p = σ(z)"}
    pos_weight_formulas = {"input": "dz = w·(σ(z)·(1 + (r − 1)·y) − r·y) / N · dℓ",
                           "target": "dy = w·((r − 1)·softplus(−z) − z) / N · dℓ"}

    @classmethod
    def formulas(cls, ctx=None):
        """With ``pos_weight`` r at the call, the gradients carry r (without it, r = 1)."""
        if ctx is None or ctx.pos_weight is None:
            return super().formulas(ctx)
        return cls.forward_formula, dict(cls.pos_weight_formulas)

    @staticmethod
    def forward(ctx, input, target, *, weight, pos_weight, reduction):
        ctx.save(input=input, target=target)
        ctx.weight = 1.0 if weight is None else weight
        ctx.pos_weight = pos_weight
        if ctx.observed:  # σ(z) costs a pass over z: computed only for an observer (a trace)
            ctx.show(p=_act.sigmoid_array(input))
        scale = 1 if pos_weight is None else 1 + (pos_weight - 1) * target
        loss = ctx.weight * ((1 - target) * input + scale * np.logaddexp(0, -input))
        return reduced(ctx, loss, reduction)

    @staticmethod
    def backward(ctx, dy):
        z, y, r = ctx.input, ctx.target, ctx.pos_weight
        g = ctx.weight * loss_grad(ctx, dy)
        # σ(z) is recomputed from the logits, so it is a graph node when the backward is recorded.
        sigma = D.sigmoid(z)
        if r is None:
            dz = g * (sigma - y) if ctx.needs_input_grad[0] else None
            dt = -g * z if ctx.needs_input_grad[1] else None
        else:
            dz = g * (sigma * (1 + (r - 1) * y) - r * y) if ctx.needs_input_grad[0] else None
            dt = g * ((r - 1) * on_array_or_tensor(_act.softplus, -z) - z) if ctx.needs_input_grad[1] else None
        return dz, dt


class SoftmaxCrossEntropy(Function):
    """Softmax and cross-entropy in one: ℓᵢ = −Σ_c qᵢc ln softmax(zᵢ)_c along the class axis.

    q is the target distribution: one-hot rows for class indices (times the class weights; zero rows
    for ignored observations), or the given class probabilities; label smoothing mixes in ε/C.
    The mean divides by ``divisor`` (N, or the summed weights of the observations as PyTorch).
    Backward: dz = (softmax(z) · Σ_c q_c − q)/N, which for one-hot or probability rows is the
    course's (softmax(z) − y)/N; dq = −ln softmax(z)/N.
    """

    forward_formula = "ℓ = −mean(Σ_c y_c · ln softmax(z)_c)"
    backward_formulas = {"input": "dz = (softmax(z) − y) / N · dℓ", "target": "dy = −ln softmax(z) / N · dℓ"}
    intermediates = {"g": "g = softmax(z)"}

    @staticmethod
    def forward(ctx, input, target, *, axis, reduction, divisor):
        log_p = _act.log_softmax_array(input, axis)  # the op's own formula, without an op call inside this one
        if ctx.observed:  # softmax costs a pass over z: computed only for an observer (a trace)
            ctx.show(g=np.exp(log_p))
        ctx.save(input=input, target=target, log_p=log_p)
        ctx.axis = axis
        return reduced(ctx, -(target * log_p).sum(axis=axis), reduction, divisor)

    @staticmethod
    def backward(ctx, dy):
        q, axis = ctx.target, ctx.axis
        # The saved ln softmax is a float intermediate: recompute it as a graph node for second derivatives.
        log_p = on_array_or_tensor(_act.log_softmax, ctx.input, axis) if ctx.create_graph else ctx.log_p
        g = loss_grad(ctx, dy)
        g = D.expand_dims(g, axis) if ctx.reduction == "none" else g
        dz = (D.exp(log_p) * D.sum(q, axis, keepdims=True) - q) * g if ctx.needs_input_grad[0] else None
        dq = -log_p * g if ctx.needs_input_grad[1] else None
        return dz, dq


def _constant(value, dtype):
    """An optional weight as a constant array of the input's dtype (weights get no gradient)."""
    return None if value is None else np.asarray(D.raw(value), dtype=dtype)


def _broadcastable(name, what, value, shape):
    try:
        fits = value is None or np.broadcast_shapes(value.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{name}: {what} of shape {value.shape} does not broadcast to the input's shape {shape}")
    return value


@documents(BinaryCrossEntropy)
def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    """Logloss on probabilities: −mean(w [y ln p + (1 − y) ln(1 − p)]) (the course's logloss).

    Each logarithm is floored at −100 as in PyTorch, so p = 0 or 1 gives a finite loss. Prefer
    :func:`binary_cross_entropy_with_logits` on logits: it is exact where σ(z) rounds to 0 or 1.

    Parameters
    ----------
    input : Tensor, any shape
        Probabilities p ∈ [0, 1].
    target : Tensor or array_like, same shape
        Labels y ∈ {0, 1} (or soft labels in [0, 1]).
    weight : array_like, optional
        Per-element weights broadcast to the input's shape (a constant: no gradient).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean divides by the number of elements.
    """
    check_reduction("binary_cross_entropy", reduction)
    p = as_input("binary_cross_entropy", input)
    if p.data.size and not (p.data.min() >= 0 and p.data.max() <= 1):
        raise ValueError(f"binary_cross_entropy: input must hold probabilities in [0, 1], got values from "
                         f"{p.data.min()} to {p.data.max()} (for logits use binary_cross_entropy_with_logits)")
    y = float_target("binary_cross_entropy", p, target)
    check_target_range("binary_cross_entropy", y, 0, 1, "probabilities in [0, 1]")
    weight = _broadcastable("binary_cross_entropy", "weight", _constant(weight, p.dtype), p.shape)
    return BinaryCrossEntropy.apply(p, y, weight=weight, reduction=reduction)


@documents(BCEWithLogits)
def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction="mean", pos_weight=None):
    """Sigmoid + logloss on logits z: −mean(w [r y ln σ(z) + (1 − y) ln(1 − σ(z))]).

    One fused op with the course's gradient dz = (σ(z) − y)/N, stable for logits of any size. Each
    element is its own binary problem, so (N, K) targets in {0, 1} are K labels per observation
    (multi-label classification).

    Parameters
    ----------
    input : Tensor, any shape
        Logits z.
    target : Tensor or array_like, same shape
        Labels y ∈ {0, 1} or probabilities.
    weight : array_like, optional
        Per-element weights w, broadcast to the input's shape (constant).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    pos_weight : array_like, optional
        r, the weight of the positive term, per class (broadcast along the last axis, constant):
        r > 1 favours recall. Default 1.
    """
    name = "binary_cross_entropy_with_logits"
    check_reduction(name, reduction)
    z = as_input(name, input)
    y = float_target(name, z, target)
    weight = _broadcastable(name, "weight", _constant(weight, z.dtype), z.shape)
    pos_weight = _broadcastable(name, "pos_weight", _constant(pos_weight, z.dtype), z.shape)
    return BCEWithLogits.apply(z, y, weight=weight, pos_weight=pos_weight, reduction=reduction)


def _class_axis(input):
    """The class axis: 1 for (N, C, d₁, …), 0 for a single observation of shape (C,)."""
    return 0 if input.ndim == 1 else 1


def _class_weight(name, weight, input, axis):
    """The class weights (C,) as a constant array shaped to broadcast along the class axis (1 if None)."""
    if weight is None:
        return 1.0
    n_classes = input.shape[axis]
    weight = _constant(weight, input.dtype)
    if weight.shape != (n_classes,):
        raise ShapeError(f"{name}: weight must have shape ({n_classes},), one per class, got {weight.shape}")
    return weight.reshape((n_classes,) + (1,) * (input.ndim - axis - 1))


def _picked_classes(name, input, target, axis, class_weight, ignore_index, probabilities_ok=False):
    """For class-index targets: w_{yᵢ} at (i, yᵢ) and 0 elsewhere (the weighted one-hot rows; zero rows
    where yᵢ = ``ignore_index``), and the mask of the kept observations, both along the class axis."""
    n_classes = input.shape[axis]
    expected = input.shape[:axis] + input.shape[axis + 1:]
    t = target if type(target) is np.ndarray else np.asarray(D.raw(target))
    if t.shape != expected or t.dtype.kind not in "iu":
        alternative = f" (class probabilities need the input's shape {input.shape})" if probabilities_ok else ""
        if t.shape != expected:
            raise ShapeError(f"{name}: input has shape {input.shape}, so target must hold class indices of "
                             f"shape {expected}{alternative}; got target of shape {t.shape}")
        raise TypeError(f"{name}: a target of shape {t.shape} holds class indices and must be integers, "
                        f"got dtype {t.dtype}{alternative}")
    kept = t != ignore_index
    # Two reductions settle the common case (every index valid, none ignored) without masking.
    if t.size and not (0 <= t.min() and t.max() < n_classes and not 0 <= ignore_index < n_classes):
        bad = t[kept & ((t < 0) | (t >= n_classes))]
        if bad.size:
            raise IndexError(f"{name}: class index {bad.flat[0]} is out of range [0, {n_classes}) "
                             f"for an input with C = {n_classes} classes")
    along_axis = t.shape[:axis] + (1,) + t.shape[axis:]  # the targets with the class axis put back
    classes = np.arange(n_classes).reshape((n_classes,) + (1,) * (input.ndim - axis - 1))
    kept = kept.reshape(along_axis)
    one_hot = (t.reshape(along_axis) == classes) & kept
    return (one_hot * class_weight).astype(input.dtype, copy=False), kept


@documents(SoftmaxCrossEntropy)
def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy of logits: −mean ln softmax(z)_y (the course's multiclass logloss).

    One fused op with the course's gradient dz = (softmax(z) − y)/N, computed with log-sum-exp so
    logits of ±1000 give finite values and gradients.

    Parameters
    ----------
    input : Tensor of shape (N, C), (N, C, d₁, …) or (C,)
        Logits z; the classes are along axis 1 (axis 0 for a single observation).
    target : array_like
        Either class indices, integers of shape (N,) (or (N, d₁, …), or ()) in [0, C), or class
        probabilities of the input's shape (a Tensor of them may require grad).
    weight : array_like of shape (C,), optional
        Class weights w_c (constant). With class indices, ℓᵢ = −w_{yᵢ} ln pᵢ,yᵢ and the mean divides
        by Σᵢ w_{yᵢ}, as PyTorch; with probabilities, ℓᵢ = −Σ_c w_c yᵢc ln pᵢc and the mean divides by N.
    ignore_index : int, default -100
        Observations with this class index add nothing to the loss nor to the mean's divisor.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
    label_smoothing : float in [0, 1], default 0.0
        ε: the target becomes (1 − ε)·y + ε/C, as PyTorch.

    Returns
    -------
    Tensor
        A scalar, or the losses of shape (N, d₁, …) for ``reduction='none'``.

    Raises
    ------
    ShapeError, TypeError, IndexError
        A target of neither accepted shape, float targets of the class-index shape, or a class
        index outside [0, C) (the message names the value and C).

    Examples
    --------
    >>> import backprop as bp
    >>> round(bp.F.cross_entropy(bp.tensor([[1.0, -2.0, 0.0]]), [0]).item(), 3)   # −ln softmax(z)₀
    0.349
    """
    name = "cross_entropy"
    check_reduction(name, reduction)
    real_arg(name, "label_smoothing", label_smoothing, 0, 1)
    int_arg(name, "ignore_index", ignore_index, minimum=None)
    z = as_input(name, input)
    axis = _class_axis(z)
    n_classes = z.shape[axis]
    class_weight = _class_weight(name, weight, z, axis)
    given = np.asarray(D.raw(target))
    if given.shape == z.shape:
        if given.dtype.kind != "f":
            raise TypeError(f"{name}: class-probability targets (of the input's shape {z.shape}) must be "
                            f"floats, got dtype {given.dtype}")
        q = float_target(name, z, target)
        if label_smoothing:
            q = (1 - label_smoothing) * q + label_smoothing / n_classes
        if weight is not None:
            q = q * class_weight
        divisor = math.prod(z.shape[:axis] + z.shape[axis + 1:])  # the number of observations
    else:
        q, divisor = _class_targets(name, z.shape, z.dtype, given, axis, class_weight, ignore_index, label_smoothing)
    return SoftmaxCrossEntropy.apply(z, q, axis=axis, reduction=reduction, divisor=divisor)


# Per thread: the last unweighted class targets, a copy of their indices and (q, divisor) built from them.
_LAST_CLASS_TARGETS = ContextVar("last_class_targets", default=None)


@replayable
def _class_targets(name, shape, dtype, target, axis, class_weight, ignore_index, label_smoothing):
    """q, the weighted one-hot rows of class-index targets (label smoothing mixed in), and the mean's divisor
    Σᵢ w_{yᵢ}; a captured step (bp.jit) builds them again from each replay's targets.

    Without class weights, the last call's result is given again when the indices and settings are the same
    (compared by value: a batch refilled in place is seen): a step on the same batch (full-batch descent, the
    benchmarks) builds them once. Nothing writes into q: it is a constant input of the loss's op."""
    settings = (shape, dtype, axis, ignore_index, label_smoothing)
    unweighted = class_weight.__class__ is float
    last = _LAST_CLASS_TARGETS.get() if unweighted else None
    if last is not None and last[0] == settings and _same_indices(last[1], target):
        return last[2]
    like = np.broadcast_to(np.zeros((), dtype), shape)  # _picked_classes reads only its shape and dtype
    q, kept = _picked_classes(name, like, target, axis, class_weight, ignore_index, probabilities_ok=True)
    divisor = float(q.sum())
    if label_smoothing:
        q = ((1 - label_smoothing) * q + (label_smoothing / shape[axis]) * class_weight * kept).astype(dtype)
    if unweighted:
        _LAST_CLASS_TARGETS.set((settings, target.copy(), (q, divisor)))
    return q, divisor


def _same_indices(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and bool((a == b).all())


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of log-probabilities: −mean w_{yᵢ} · input[i, yᵢ].

    ``nll_loss(log_softmax(z, 1), y)`` equals ``cross_entropy(z, y)``, by two ops instead of one.

    Parameters
    ----------
    input : Tensor of shape (N, C), (N, C, d₁, …) or (C,)
        Log-probabilities, classes along axis 1.
    target : array_like of integers, shape (N,) (or (N, d₁, …), or ())
        Class indices in [0, C).
    weight, ignore_index, reduction
        As :func:`cross_entropy`: the mean divides by Σᵢ w_{yᵢ} over the kept observations.
    """
    name = "nll_loss"
    check_reduction(name, reduction)
    int_arg(name, "ignore_index", ignore_index, minimum=None)
    logp = as_input(name, input)
    axis = _class_axis(logp)
    picked, divisor = _weighted_one_hot(name, logp.shape, logp.dtype, np.asarray(D.raw(target)), axis,
                                        _class_weight(name, weight, logp, axis), ignore_index)
    return reduce(-_red.sum(logp * picked, axis), reduction, divisor=divisor)


@replayable
def _weighted_one_hot(name, shape, dtype, target, axis, class_weight, ignore_index):
    """nll_loss's picked classes (w_{yᵢ} at (i, yᵢ), 0 elsewhere) and the mean's divisor Σᵢ w_{yᵢ}; a captured
    step (bp.jit) builds them again from each replay's targets."""
    like = np.broadcast_to(np.zeros((), dtype), shape)  # _picked_classes reads only its shape and dtype
    picked, _ = _picked_classes(name, like, target, axis, class_weight, ignore_index)
    return picked, float(picked.sum())

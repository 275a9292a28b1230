"""What every loss shares: argument checks, target conversion and the reduction over observations.

A loss first computes one value ℓᵢ per observation (or per element), then reduces them:
``reduction='mean'`` gives Σℓᵢ / N (N the number of terms, or the sum of the class weights where the
loss is weighted, as PyTorch), ``'sum'`` gives Σℓᵢ (the course's convention) and ``'none'`` keeps ℓ.
The fused loss ops do the reduction inside their forward and start their backward from
:func:`loss_grad`; the losses composed of other ops use :func:`reduce`.
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from . import elementwise as _ew
from . import reduce as _red

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(name, reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def as_input(name, x):
    """The prediction as a float Tensor (an array becomes a constant Tensor of its own dtype)."""
    if not isinstance(x, Tensor):
        x = Tensor.wrap(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating-point tensor, got dtype {x.dtype}")
    return x


def float_target(name, input, target):
    """A real-valued target of the input's shape and dtype (a Tensor stays differentiable).

    Shapes must match exactly: broadcasting (N, 1) predictions against (N,) targets would silently
    compare every prediction with every target. A target of strings, objects or complex numbers raises TypeError.
    """
    shape = np.shape(target.data if isinstance(target, Tensor) else target)
    if shape != input.shape:
        raise ShapeError(
            f"{name}: input has shape {input.shape} but target has shape {shape}; they must be the same "
            "(reshape one of them, e.g. target.reshape(input.shape))")
    if isinstance(target, Tensor):
        return _ew.cast(target, input.dtype)
    target = np.asarray(target)
    if target.dtype.kind not in "biuf":  # an object array of None would become NaN, complex lose its imaginary part
        raise TypeError(f"{name}: target must hold real numbers, got dtype {target.dtype}")
    return target.astype(input.dtype, copy=False)


def check_target_range(name, target, low, high, meaning):
    """Raise ``ValueError`` naming the first target outside [low, high] (NaN included) and where it is: a target
    out of its range gives a finite but meaningless loss (a BCE target of 1.5, a Poisson count of −1)."""
    y = np.asarray(target.data if isinstance(target, Tensor) else target)
    inside = (y >= low) & (y <= high)
    if not inside.all():
        index = tuple(int(i) for i in np.unravel_index(np.flatnonzero(~inside)[0], y.shape))
        where = f" at index {index[0] if len(index) == 1 else index}" if index else ""
        raise ValueError(f"{name}: target must hold {meaning}, got {y[index].item()!r}{where}")


def sign_target(name, input, target):
    """Labels in {−1, +1} (the course's margin convention), as a constant array of the input's dtype."""
    y = float_target(name, input, target.data if isinstance(target, Tensor) else target)
    bad = np.unique(y[(y != 1) & (y != -1)])
    if bad.size:
        raise ValueError(
            f"{name}: targets must be -1 or +1, got {', '.join(map(str, bad[:5].tolist()))}"
            f"{' …' if bad.size > 5 else ''} (labels in {{0, 1}} convert with 2·y − 1)")
    return y


def on_array_or_tensor(op, x, *args):
    """Apply the Tensor op ``op`` to a Tensor (recorded in the graph) or to an array (an array back).

    Lets a fused loss reuse a stable primitive (log-softmax, softplus) in its forward on arrays and
    recompute it as a graph node when its backward is being recorded.
    """
    return op(x, *args) if isinstance(x, Tensor) else op(Tensor.wrap(x), *args).data


def reduced(ctx, loss, reduction, divisor=None):
    """Reduce the per-term losses inside a fused op's forward; remember how, for :func:`loss_grad`."""
    ctx.reduction = reduction
    ctx.divisor = loss.size if divisor is None else divisor
    if reduction == "none":
        return loss
    total = np.add.reduce(loss, None)  # what loss.sum() runs, without the wrappers that cost as much here
    # the divisor as a NumPy scalar of the loss's dtype: a scalar by a scalar is NumPy's quick path
    return total / loss.dtype.type(ctx.divisor) if reduction == "mean" else total


def loss_grad(ctx, dy):
    """dℓᵢ, the gradient reaching each term ℓᵢ: dy for 'sum' and 'none', dy / N for 'mean'."""
    return dy / ctx.divisor if ctx.reduction == "mean" else dy


def reduce(loss, reduction, divisor=None):
    """Reduce a Tensor of per-term losses: mean (Σℓ / divisor when given), sum, or none."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return _red.sum(loss)
    return _red.mean(loss) if divisor is None else _red.sum(loss) / divisor

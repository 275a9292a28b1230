"""Gradient clipping (PyTorch's ``torch.nn.utils``), the course's L1/L2 penalties, which spare biases, and
``rnn``: padding and packing batches of sequences (``torch.nn.utils.rnn``)."""
import warnings

import numpy as np

from ...autograd.recording import replayable
from ...autograd.tensor import Tensor
from ...ops.elementwise import abs as _abs
from ...ops.reduce import sum as _sum


def _gradients(parameters):
    """The gradient arrays (a Tensor gradient's own array) of the parameters that have one."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad.data if isinstance(p.grad, Tensor) else p.grad for p in parameters if p.grad is not None]


def _vector_norm(x, norm_type):
    """‖x‖_q of all entries of x: (Σ|xᵢ|^q)^(1/q); max |xᵢ| for q = inf; the number of non-zeros for q = 0."""
    return np.linalg.norm(np.ravel(x), ord=norm_type)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients, in place, so that their joint norm is at most ``max_norm``; returns that norm.

    All gradients are treated as one vector (PyTorch's algorithm)::

        total ← ‖(‖g₁‖_q, ‖g₂‖_q, ...)‖_q       = (Σ_p Σ_i |g_p,i|^q)^(1/q);  max |g| for q = inf
        c ← min(1, max_norm/(total + 1e-6))
        g_p ← c·g_p                              for every parameter p

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Parameters whose ``.grad`` is clipped; those without a gradient are skipped.
    max_norm : float
        The largest norm allowed.
    norm_type : float, default 2.0
        q; ``float('inf')`` for the largest absolute value.
    error_if_nonfinite : bool, default False
        Raise ``RuntimeError`` when the total norm is NaN or infinite (otherwise the gradients become
        NaN, as in PyTorch).

    Returns
    -------
    Tensor
        The total norm of the gradients before clipping (0-d, the gradients' dtype).
    """
    grads = _gradients(parameters)
    if not grads:
        return Tensor(0.0)
    total = _clip_norm(grads, float(max_norm), float(norm_type), error_if_nonfinite)
    return Tensor(total, dtype=grads[0].dtype)


@replayable
def _clip_norm(grads, max_norm, norm_type, error_if_nonfinite):
    """clip_grad_norm_'s work on the gradient arrays (a captured step, bp.jit, repeats it at each replay)."""
    total = _vector_norm([_vector_norm(g, norm_type) for g in grads], norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} of the gradients is {total}, so they cannot "
                           f"be clipped: pass error_if_nonfinite=False to go on anyway")
    coef = max_norm / (total + 1e-6)
    if not coef >= 1.0:  # NaN included, as in PyTorch: the gradients then become NaN
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters, clip_value):
    """Clip every gradient entry to [−clip_value, clip_value], in place (PyTorch's function).

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Parameters whose ``.grad`` is clipped; those without a gradient are skipped.
    clip_value : float
        The largest absolute value allowed (≥ 0).
    """
    clip_value = float(clip_value)
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be non-negative, got {clip_value}")
    _clip_values(_gradients(parameters), clip_value)


@replayable
def _clip_values(grads, clip_value):
    """clip_grad_value_'s work on the gradient arrays (a captured step, bp.jit, repeats it at each replay)."""
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


def _is_bias(name, param):
    """A bias, in the sense of "not regularised": 0-d or 1-d, or named ``*bias*`` (the last part of the name).

    1-d parameters are biases and the scales and shifts of normalisation layers, which a weight penalty
    should leave alone (the rule of common PyTorch practice, e.g. timm's weight-decay groups).
    """
    return param.ndim <= 1 or (name is not None and "bias" in name.rsplit(".", 1)[-1])


def _penalised(module_or_params, include_bias, penalty):
    if hasattr(module_or_params, "named_parameters"):
        named = list(module_or_params.named_parameters())
    elif isinstance(module_or_params, Tensor):
        named = [(None, module_or_params)]
    elif isinstance(module_or_params, dict):
        named = list(module_or_params.items())
    else:
        named = [item if isinstance(item, tuple) else (None, item) for item in module_or_params]
    kept = [p for name, p in named if include_bias or not _is_bias(name, p)]
    if named and not kept:
        warnings.warn(f"{penalty}: every parameter given counts as a bias (0-d or 1-d, or named '*bias*'), "
                      f"so the penalty is 0; pass include_bias=True to penalise them", UserWarning,
                      stacklevel=3)
    return kept


def _total(terms):
    return sum(terms[1:], start=terms[0]) if terms else Tensor(0.0)


def l1_penalty(module_or_params, include_bias=False):
    """The L1 penalty Σ|w| over the weights (no factor, no mean): add ``λ·l1_penalty(model)`` to the loss.

    Its (sub)gradient is sign(w) (0 at w = 0), which drives small weights to exactly zero: the
    sparsity of L1 regularisation (lasso) in the course.

    Parameters
    ----------
    module_or_params : Module, Tensor, iterable of Tensor or of (name, Tensor), or dict name → Tensor
        The parameters; a Module's come from ``named_parameters()``.
    include_bias : bool, default False
        Also penalise the biases. By default they are left out, as the course leaves out the
        intercept: a bias is a 0-d or 1-d parameter or one whose name contains ``bias``. Pass True to
        penalise every parameter given (e.g. a hand-made 1-d weight vector, with the intercept kept out
        of the list).

    Returns
    -------
    Tensor
        A 0-d tensor in the graph, so that ``backward`` adds λ·sign(w) to each weight's gradient.

    Examples
    --------
    >>> import backprop as bp
    >>> W = bp.tensor([[1.0, -2.0]], requires_grad=True); b = bp.tensor([3.0], requires_grad=True)
    >>> bp.nn.utils.l1_penalty([W, b]).item()
    3.0
    """
    return _total([_sum(_abs(p)) for p in _penalised(module_or_params, include_bias, "l1_penalty")])


def l2_penalty(module_or_params, include_bias=False):
    """The L2 penalty Σw² over the weights (no ½, no mean): add ``λ·l2_penalty(model)`` to the loss.

    Its gradient is 2w, so the loss L + λ·Σw² is the course's ridge regression, and gradient descent on
    it equals ``SGD(..., weight_decay=2λ)`` on L (weight decay adds weight_decay·w to the gradient).

    Parameters
    ----------
    module_or_params : Module, Tensor, iterable of Tensor or of (name, Tensor), or dict name → Tensor
        The parameters; a Module's come from ``named_parameters()``.
    include_bias : bool, default False
        Also penalise the biases (0-d or 1-d parameters, or named ``*bias*``); see :func:`l1_penalty`.

    Returns
    -------
    Tensor
        A 0-d tensor in the graph, so that ``backward`` adds 2λ·w to each weight's gradient.

    Examples
    --------
    >>> import backprop as bp
    >>> W = bp.tensor([[1.0, -2.0]], requires_grad=True); b = bp.tensor([3.0], requires_grad=True)
    >>> bp.nn.utils.l2_penalty([W, b]).item(), bp.nn.utils.l2_penalty([W, b], include_bias=True).item()
    (5.0, 14.0)
    """
    return _total([_sum(p * p) for p in _penalised(module_or_params, include_bias, "l2_penalty")])

from . import rnn as rnn  # noqa: E402  (torch.nn.utils.rnn: pad_sequence, pack_padded_sequence, PackedSequence, …)

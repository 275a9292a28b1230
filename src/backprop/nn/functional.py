"""The layers as functions (``bp.F``, PyTorch's ``torch.nn.functional``): thin calls into the ops.

>>> import backprop as bp
>>> x = bp.tensor([[1.0, 2.0, 5.0]])
>>> bp.F.softmax(x, temperature=10.0)   # the course's temperature exercise: close to uniform
tensor([[0.278 , 0.3072, 0.4147]])
"""
import numbers

import numpy as np

from .. import random as _random
from ..autograd.graph import increment_version
from ..autograd.recording import replayable
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from ..ops import activations as _act
from ..ops import layers as _layers
from ..ops import losses as _losses
from ..ops.activations import logsigmoid, relu, sigmoid, tanh
from ..ops.activations_more import elu, gelu, hardtanh, mish, silu
from ..ops.conv_transpose import conv1d, conv_transpose2d
from ..ops.losses_more import (cosine_embedding_loss, kl_div, margin_ranking_loss, pairwise_distance, smooth_l1_loss,
                               triplet_margin_loss)
from ..ops.normalization import group_norm, layer_norm
from ..ops.resample import adaptive_avg_pool2d, adaptive_max_pool2d, interpolate
from ..ops.conv import conv2d, fold, unfold
from ..ops.indexing import one_hot
from ..ops.dispatch import raw as _raw
from ..ops.losses import *  # noqa: F403  (the loss functionals: mse_loss, cross_entropy, …)
from ..ops.pooling import avg_pool2d, max_pool2d
from ._args import real_arg
from .sparse import embedding

__all__ = ["batch_norm", "dropout", "heaviside", "leaky_relu", "linear", "log_softmax",
           "logsigmoid", "prelu", "relu", "sigmoid", "softmax", "softplus", "tanh"]
__all__ += _losses.__all__
__all__ += ["avg_pool2d", "conv2d", "fold", "max_pool2d", "unfold"]
__all__ += ["one_hot"]
__all__ += ["elu", "gelu", "hardtanh", "mish", "silu", "conv1d", "conv_transpose2d", "cosine_embedding_loss",
            "kl_div", "margin_ranking_loss", "pairwise_distance", "smooth_l1_loss", "triplet_margin_loss",
            "group_norm", "layer_norm", "adaptive_avg_pool2d", "adaptive_max_pool2d", "interpolate", "dropout2d"]
__all__ += ["embedding"]


def linear(input, weight, bias=None):
    """Z = X·Wᵀ + b, PyTorch's ``F.linear``; see :class:`backprop.nn.Linear` for the shapes and gradients.

    Parameters
    ----------
    input : Tensor, shape (..., in_features)
    weight : Tensor, shape (out_features, in_features)
    bias : Tensor, shape (out_features,), optional

    Returns
    -------
    Tensor, shape (..., out_features)

    Raises
    ------
    ShapeError
        When the input's last axis is not ``in_features``, naming both sizes.
    """
    return _layers.Linear.apply(input, weight, bias)


def leaky_relu(input, negative_slope=0.01):
    """y = x where x > 0, else ``negative_slope``·x."""
    negative_slope = real_arg("leaky_relu", "negative_slope", negative_slope)
    return _layers.LeakyReLU.apply(input, negative_slope=float(negative_slope))


def prelu(input, weight):
    """y = max(0, x) + a·min(0, x) with the slope ``weight`` (one value, or one per channel: x's axis 1)."""
    a_shape, x_shape = np.shape(_raw(weight)), np.shape(_raw(input))
    if len(a_shape) != 1:
        raise ShapeError(f"prelu: weight must be 1-D (one slope or one per channel), got shape {a_shape}")
    n = a_shape[0]
    if n > 1 and (len(x_shape) < 2 or x_shape[1] != n):
        channels = x_shape[1] if len(x_shape) >= 2 else "no"
        raise ShapeError(f"prelu: {n} slopes but the input (shape {x_shape}) has {channels} channels "
                         "on axis 1")
    return _layers.PReLU.apply(input, weight)


def softmax(input, dim=-1, temperature=1.0):
    """softmax(x / T) along ``dim``: yᵢ = e^(xᵢ/T) / Σⱼ e^(xⱼ/T); a high T flattens it, T → 0 gives argmax."""
    return _act.softmax(input, dim, temperature)


def log_softmax(input, dim=-1, temperature=1.0):
    """log softmax(x / T) along ``dim``, computed stably (finite for logits of ±1000)."""
    return _act.log_softmax(input, dim, temperature)


def heaviside(input):
    """The unit step [x > 0], H(0) = 0, in x's float dtype, zero gradient (:class:`backprop.nn.Heaviside`)."""
    return _layers.Heaviside.apply(input)


def _check_probability(p):
    if not isinstance(p, numbers.Real) or isinstance(p, (bool, np.bool_)):  # PyTorch takes True as p = 1
        raise TypeError(f"dropout probability p must be a number, got {p!r}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got p={p}")


def dropout(input, p=0.5, training=True):
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1/(1 − p).

    Identity when ``training`` is False (or p = 0); p = 1 zeroes everything, as in PyTorch.
    The mask is drawn from ``backprop.random.generator()``, so ``bp.manual_seed`` repeats it.
    """
    _check_probability(p)
    if not training or p == 0:
        return input
    x = _raw(input)
    return _layers.Dropout.apply(input, _dropout_mask(np.shape(x), p, x.dtype))


@replayable
def _dropout_mask(shape, p, dtype):
    """m/(1 − p): each element kept with probability 1 − p, drawn from the library's generator (a
    captured step, bp.jit, draws again at each replay, in the same order as eager mode)."""
    keep = _random.generator().random(shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return (keep * scale).astype(dtype)


def _update_running(stat, batch_value, momentum):
    """stat ← (1 − momentum)·stat + momentum·batch_value, in place (a buffer, outside the graph)."""
    data = stat.data if isinstance(stat, Tensor) else stat
    data *= 1 - momentum
    data += momentum * batch_value
    if isinstance(stat, Tensor):
        increment_version(stat)


@replayable
def _batch_statistics(x, axes, running_mean, running_var, momentum, count):
    """The batch's mean and biased variance per channel; the running statistics, if any, updated in place
    (a captured step, bp.jit, repeats this at each replay)."""
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    if running_mean is not None:
        _update_running(running_mean, mean, momentum)
        _update_running(running_var, var * (count / (count - 1)), momentum)
    return mean, var


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Batch normalisation of x (N, C, *) per channel (axis 1); see :class:`backprop.nn.BatchNorm1d`.

    ``training=True`` normalises with the batch mean and biased variance and, when the running
    statistics are given, updates them in place: running_mean ← (1 − momentum)·running_mean +
    momentum·μ, and the same for running_var with the *unbiased* batch variance (× m/(m − 1)),
    as PyTorch does. ``training=False`` normalises with the running statistics.
    """
    x = _raw(input)
    if x.ndim < 2:
        raise ShapeError(f"batch_norm: expected an (N, C, *) input, got shape {x.shape}")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and np.shape(_raw(t)) != (x.shape[1],):
            raise ShapeError(f"batch_norm: input (shape {x.shape}) has {x.shape[1]} channels on axis 1 "
                             f"but {name} has shape {np.shape(_raw(t))}")
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        count = int(np.prod(x.shape)) // x.shape[1]
        if count <= 1:
            raise ValueError("Expected more than 1 value per channel when training, "
                             f"got input shape {x.shape}")
        mean, var = _batch_statistics(x, axes, running_mean, running_var, momentum, count)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("batch_norm: running_mean and running_var are needed when training=False")
        mean, var = _raw(running_mean), _raw(running_var)
    return _layers.BatchNorm.apply(input, weight, bias, mean=mean, var=var, eps=eps, training=training)


def softplus(input, beta=1.0, threshold=20.0):
    """softplus(x) = ln(1 + e^(βx)) / β, and x itself where βx > ``threshold``, as PyTorch's ``F.softplus``."""
    beta = real_arg("softplus", "beta", beta, 0, open_low=True)
    return _act.softplus(input, beta, real_arg("softplus", "threshold", threshold))


def dropout2d(input, p=0.5, training=True):
    """Channel dropout, PyTorch's ``F.dropout2d``: each channel of each sample (axis 1 of (N, C, H, W))
    is zeroed whole with probability ``p``, the others scaled by 1/(1 − p).

    Neighbouring pixels of a feature map are strongly correlated, so dropping single pixels hardly
    regularises a convolution; dropping whole maps does. A 3-D input is read as (N, C, L), as PyTorch
    does (with a warning there). The mask is drawn from ``backprop.random.generator()``.
    """
    _check_probability(p)
    x = _raw(input)
    if x.ndim not in (3, 4):
        raise ShapeError(f"dropout2d: expected a 3-D (N, C, L) or 4-D (N, C, H, W) input, got shape {x.shape}")
    if not training or p == 0:
        return input
    return _layers.Dropout.apply(input, _dropout_mask(x.shape[:2] + (1,) * (x.ndim - 2), p, x.dtype))

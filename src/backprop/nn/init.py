"""Weight initialisation, with PyTorch's names, gains and fan conventions (``torch.nn.init``).

Every function fills a tensor in place (its ``.data``, outside the graph) and returns it. Random
draws come from ``backprop.random.generator()``, so ``bp.manual_seed(n)`` makes them repeatable.

The course's exercise on initialisation: with U(±1/√n_in) the variance of a layer's output shrinks
from layer to layer (Var w = 1/(3 n_in), so n_in · Var w = 1/3 < 1). Keeping it constant needs
Var w = 1/n_in for a symmetric activation such as tanh (LeCun) — Xavier/Glorot's 2/(n_in + n_out)
balances the forward and the backward pass — and Var w = 2/n_in for ReLU, which zeroes half its
inputs (He/Kaiming). A uniform U(±b) has variance b²/3, hence the √3 in the uniform bounds below.

>>> import backprop as bp
>>> w = bp.nn.init.kaiming_normal_(bp.zeros(256, 128), nonlinearity="relu")  # std √(2/128) = 0.125
"""
import math

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import no_grad
from ..autograd.graph import increment_version

_LINEAR_GAIN = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The gain g that scales a layer's std for a given activation (PyTorch's table).

    ==================  ===========================
    nonlinearity        gain
    ==================  ===========================
    linear, conv, sigmoid  1
    tanh                5/3
    relu                √2
    leaky_relu          √(2 / (1 + a²)), a = ``param`` (default 0.01)
    selu                3/4
    ==================  ===========================
    """
    if nonlinearity in _LINEAR_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight of shape (out, in, *kernel): in·k and out·k, k = kernel size."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(shape {tensor.shape})")
    receptive_field = int(np.prod(tensor.shape[2:]))
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    """Write ``values`` into ``tensor.data`` in place (a version bump, no graph)."""
    with no_grad():
        tensor.data[...] = values
        increment_version(tensor)
    return tensor


def uniform_(tensor, a=0.0, b=1.0):
    """Fill with draws from U(a, b)."""
    return _fill(tensor, _random.generator().uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0):
    """Fill with draws from N(mean, std²)."""
    return _fill(tensor, _random.generator().normal(mean, std, tensor.shape))


def constant_(tensor, val):
    """Fill with ``val``."""
    return _fill(tensor, val)


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, 1)


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, 0)


def xavier_uniform_(tensor, gain=1.0):
    """Glorot/Xavier uniform: U(−b, b), b = gain · √(6 / (fan_in + fan_out)).

    Its std is gain · √(2 / (fan_in + fan_out)), the same as :func:`xavier_normal_`'s.
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0):
    """Glorot/Xavier normal: N(0, std²), std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def _kaiming_std(tensor, a, mode, nonlinearity):
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan) if fan else 0.0  # an empty weight: no draw


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He/Kaiming uniform: U(−b, b), b = gain · √(3 / fan), gain = ``calculate_gain(nonlinearity, a)``.

    ``mode='fan_in'`` keeps the forward variance, ``'fan_out'`` the backward one. With PyTorch's
    defaults (leaky_relu, a = 0) the gain is √2: b = √(6 / fan_in). ``nn.Linear`` uses a = √5,
    which gives b = 1/√fan_in, the course's U(±1/√n_in).
    """
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu"):
    """He/Kaiming normal: N(0, std²), std = gain / √fan, gain = ``calculate_gain(nonlinearity, a)``."""
    return normal_(tensor, 0.0, _kaiming_std(tensor, a, mode, nonlinearity))

"""Checks of layer constructor arguments, in one place: sizes and kernels must be positive integers, numeric
hyperparameters finite numbers in their range, flags bools; each error names the layer, the argument and the
value (``Conv2d(3, 4, 2.5)`` must not silently use a kernel of 2, nor ``LeakyReLU('a')`` fail at the first call).

A value of the wrong type raises ``TypeError``, a value of the right type out of range ``ValueError``.
"""
import math
import numbers

import numpy as np

from ..ops._window import pair


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_minimum(owner, name, value, values, minimum):
    if minimum is not None and min(values) < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{owner}: {name} must be {what}, got {value!r}")


def int_arg(owner, name, value, minimum=1):
    """``value`` as an int, or a TypeError (not an integer) / ValueError (below ``minimum``, None: no bound)
    naming it. The default bound makes it a size: a layer of 0 features is refused."""
    if not _is_int(value):
        raise TypeError(f"{owner}: {name} must be an int, got {value!r}")
    _check_minimum(owner, name, value, (value,), minimum)
    return int(value)


def int_pair(owner, name, value, minimum=1):
    """An int-or-pair argument (a kernel size, stride, ...) as a pair of ints ≥ ``minimum``; the error names
    ``owner`` and ``name``."""
    try:
        values = pair(value, name)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{owner}: {e}") from None
    _check_minimum(owner, name, value, values, minimum)
    return values


def int_sizes(owner, name, value, minimum=1):
    """An int or a tuple of ints ≥ ``minimum`` (a shape argument such as ``normalized_shape``) as a tuple."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(_is_int(v) for v in values):
        raise TypeError(f"{owner}: {name} must be an int or a tuple of ints, got {value!r}")
    if values:
        _check_minimum(owner, name, value, values, minimum)
    return tuple(int(v) for v in values)


def int_single(owner, name, value, minimum=1):
    """A 1-D size argument (``3`` or ``(3,)``) as a 1-tuple of ints ≥ ``minimum``, as PyTorch's ``_single``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != 1 or not _is_int(values[0]):
        raise TypeError(f"{owner}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    _check_minimum(owner, name, value, values, minimum)
    return (int(values[0]),)


def real_arg(owner, name, value, low=-math.inf, high=math.inf, *, open_low=False, open_high=False):
    """``value`` unchanged if it is a finite real number in [low, high] (open at an end when asked), else a
    TypeError (not a number: ``'a'``, None, True) or ValueError (NaN, infinite, out of range) naming it."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be a number, got {value!r}")
    below = value <= low if open_low else value < low
    above = value >= high if open_high else value > high
    if not math.isfinite(value) or below or above:
        raise ValueError(f"{owner}: {name} must be {_describe(low, high, open_low, open_high)}, got {value!r}")
    return value


def _describe(low, high, open_low, open_high):
    if high == math.inf and low == 0:
        return "positive" if open_low else "non-negative"
    if high == math.inf and low == -math.inf:
        return "a finite number"
    return "in " + ("(" if open_low else "[") + f"{low:g}, {high:g}" + (")" if open_high else "]")


def flag_arg(owner, name, value):
    """``value`` if it is a bool (NumPy's included), else a TypeError naming it (``'no'`` would count as true)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return value

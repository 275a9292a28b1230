"""Checks of scalar arguments shared by the ops and the layers (``bp.nn`` builds on these): an int, a finite real
number in a range, a bool. Each error names the function or layer, the argument and the value; a value of the wrong
type raises ``TypeError``, a value of the right type out of range ``ValueError``."""
import math
import numbers

import numpy as np


def is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_minimum(owner, name, value, values, minimum):
    if minimum is not None and min(values) < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{owner}: {name} must be {what}, got {value!r}")


def int_arg(owner, name, value, minimum=1):
    """``value`` as an int, or a TypeError (not an integer) / ValueError (below ``minimum``, None: no bound)
    naming it. The default bound makes it a size: a layer of 0 features is refused."""
    if not is_int(value):
        raise TypeError(f"{owner}: {name} must be an int, got {value!r}")
    check_minimum(owner, name, value, (value,), minimum)
    return int(value)


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

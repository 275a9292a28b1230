"""Checks of layer constructor arguments: sizes and kernels must be integers, and the error names the
layer and the argument (``Conv2d(3, 4, 2.5)`` must not silently use a kernel of 2)."""
import numpy as np

from ..ops._window import pair


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def int_arg(owner, name, value, minimum=0):
    """``value`` as an int, or a TypeError (not an integer) / ValueError (below ``minimum``) naming it."""
    if not _is_int(value):
        raise TypeError(f"{owner}: {name} must be an int, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{owner}: {name} must be at least {minimum}, got {value}")
    return int(value)


def int_pair(owner, name, value):
    """An int-or-pair argument as a pair of ints; the error names ``owner`` and ``name``."""
    try:
        return pair(value, name)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{owner}: {e}") from None


def int_sizes(owner, name, value):
    """An int or a tuple of ints (a shape argument such as ``normalized_shape``) as a tuple of ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(_is_int(v) for v in values):
        raise TypeError(f"{owner}: {name} must be an int or a tuple of ints, got {value!r}")
    return tuple(int(v) for v in values)


def int_single(owner, name, value):
    """A 1-D size argument (``3`` or ``(3,)``) as a 1-tuple of ints, as PyTorch's ``_single``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != 1 or not _is_int(values[0]):
        raise TypeError(f"{owner}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    return (int(values[0]),)

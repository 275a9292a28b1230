"""Checks of layer constructor arguments, in one place: sizes and kernels must be positive integers, numeric
hyperparameters finite numbers in their range, flags bools; each error names the layer, the argument and the
value (``Conv2d(3, 4, 2.5)`` must not silently use a kernel of 2, nor ``LeakyReLU('a')`` fail at the first call).

A value of the wrong type raises ``TypeError``, a value of the right type out of range ``ValueError``. The scalar
checks (``int_arg``, ``real_arg``, ``flag_arg``) live in ``backprop.ops._args``, which the functional ops use too.
"""
from ..ops._args import check_minimum, flag_arg, int_arg, is_int, real_arg  # noqa: F401  (re-exported)
from ..ops._window import pair


def int_pair(owner, name, value, minimum=1):
    """An int-or-pair argument (a kernel size, stride, ...) as a pair of ints ≥ ``minimum``; the error names
    ``owner`` and ``name``."""
    try:
        values = pair(value, name)
    except (TypeError, ValueError) as e:
        raise type(e)(f"{owner}: {e}") from None
    check_minimum(owner, name, value, values, minimum)
    return values


def int_sizes(owner, name, value, minimum=1):
    """An int or a tuple of ints ≥ ``minimum`` (a shape argument such as ``normalized_shape``) as a tuple."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if not all(is_int(v) for v in values):
        raise TypeError(f"{owner}: {name} must be an int or a tuple of ints, got {value!r}")
    if values:
        check_minimum(owner, name, value, values, minimum)
    return tuple(int(v) for v in values)


def int_single(owner, name, value, minimum=1):
    """A 1-D size argument (``3`` or ``(3,)``) as a 1-tuple of ints ≥ ``minimum``, as PyTorch's ``_single``."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    if len(values) != 1 or not is_int(values[0]):
        raise TypeError(f"{owner}: {name} must be an int or a 1-tuple of ints, got {value!r}")
    check_minimum(owner, name, value, values, minimum)
    return (int(values[0]),)

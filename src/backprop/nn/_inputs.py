"""What a module accepts as data: the inputs of a module call, and the values of ``load_state_dict``.

A module computes on Tensors of numbers. Strings, bytes, objects, complex numbers and dates are refused here,
where they enter, with a TypeError naming the module and the dtype, instead of a NumPy error deep inside an op
(or, for an object array of numbers, a Tensor of Python objects).
"""
import numpy as np

from ..autograd.tensor import Tensor

_NUMERIC_KINDS = "biuf"  # bool, signed and unsigned ints, floats


def as_inputs(module, args):
    """The positional inputs of a module call whose first input is not a Tensor.

    A floating NumPy array becomes a Tensor of the module's parameter dtype: a documented convenience
    (estimators and ``bp.explain`` pass arrays), unlike PyTorch, which refuses arrays. A Python list of
    numbers is refused, since its dtype would be a guess; so are strings and arrays or lists that do not hold
    real numbers.
    """
    first = args[0]
    if isinstance(first, (str, bytes)):
        raise TypeError(f"{type(module).__name__}: the input is a {type(first).__name__} ({first!r:.40}); a "
                        "module takes Tensors of numbers")
    if isinstance(first, list):
        leaf = first
        while isinstance(leaf, list) and leaf:
            leaf = leaf[0]
        if isinstance(leaf, (int, float)):
            raise TypeError(f"{type(module).__name__}: the input is a Python list; wrap it with bp.tensor(...) "
                            "first (a module takes Tensors, or NumPy arrays, which it converts to its "
                            "parameters' dtype)")
        if leaf is None or isinstance(leaf, (str, bytes, complex)):
            raise TypeError(f"{type(module).__name__}: the input is a list of {type(leaf).__name__}; a module "
                            "takes Tensors of numbers")
    return tuple(_as_input(module, a) if a.__class__ is np.ndarray else a for a in args)


def _as_input(module, array):
    kind = array.dtype.kind
    if kind == "f":
        return input_tensor(module, array)
    if kind not in _NUMERIC_KINDS:
        raise TypeError(f"{type(module).__name__}: an input has dtype {array.dtype}, which is not a real number "
                        "type; a module takes Tensors of bools, integers or floats")
    return array


def refuse_complex_input(module, tensor):
    """Raise TypeError naming the dtype of a complex Tensor given to ``module`` (the only non-real dtype a
    Tensor may hold: no layer computes on complex numbers). The module call tests the dtype itself, inline."""
    raise TypeError(f"{type(module).__name__}: the input has dtype {tensor.dtype}; a module takes Tensors of "
                    "bools, integers or floats")


def input_tensor(module, data):
    """``data`` as the Tensor that ``module`` computes on: a Tensor as it is; an array (or a list,
    made one) of floats in the dtype of the module's parameters, as a module call converts it; other
    data as :func:`backprop.tensor` makes it. Shares memory where the dtype already matches.
    """
    if isinstance(data, Tensor):
        return data
    array = np.asarray(data)
    p = next(module.parameters(), None)
    if array.dtype.kind == "f" and p is not None and p.dtype.kind == "f":
        return Tensor.wrap(array.astype(p.dtype, copy=False))
    return Tensor(array)


def state_value(key, value):
    """A ``load_state_dict`` value as an array, or the line of the error naming ``key`` (PyTorch raises a
    RuntimeError for a value that is not a tensor; a string, an object or a complex array would be cast
    silently or fail half-way through the copy)."""
    try:
        array = np.asarray(value.data if isinstance(value, Tensor) else value)
    except (TypeError, ValueError) as e:  # a ragged list
        return None, f'While copying the parameter named "{key}", the value could not be read as an array: {e}'
    if array.dtype.kind not in _NUMERIC_KINDS:
        return None, (f'While copying the parameter named "{key}", expected an array of numbers from the '
                      f"checkpoint but got dtype {array.dtype}")
    return array, None

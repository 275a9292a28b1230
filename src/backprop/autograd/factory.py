"""Creating tensors: from data, filled with a value, ranges, and random draws (seeded by ``manual_seed``)."""
import numpy as np

from .. import random as _random
from .device import check_cpu
from .dtypes import as_array, get_default_dtype
from .recording import replayable
from .tensor import Tensor


def _float(dtype):
    return np.dtype(dtype) if dtype is not None else get_default_dtype()


def _shape(size):
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)


def tensor(data, dtype=None, requires_grad=False):
    """A new tensor holding a copy of ``data``.

    As ``torch.tensor``: a NumPy array or scalar (or a Tensor) keeps its float16/32/64 dtype; Python
    floats and lists of them take the default float dtype (``bp.get_default_dtype()``); integer and
    bool data keep their dtype, so class-index targets stay integers. Non-numeric data raises TypeError.
    """
    return _new(_made(as_array, data.data if isinstance(data, Tensor) else data, dtype, True), requires_grad)


def from_numpy(array):
    """A tensor that shares ``array``'s memory and keeps its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a NumPy array, got {type(array).__name__}")
    return Tensor._make(as_array(array, array.dtype), None)


def _new(data, requires_grad):
    t = Tensor._make(data, None)
    return t.requires_grad_(True) if requires_grad else t


@replayable
def _made(make, *args):
    """``make(*args)``, a new array (``np.zeros``, a copy of the data, …): a captured step (bp.jit) makes it
    again at each replay, as eager mode does (a recurrent network's initial state, a batch copied in)."""
    return make(*args)


def zeros(*size, dtype=None, requires_grad=False):
    return _new(_made(np.zeros, _shape(size), _float(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _new(_made(np.ones, _shape(size), _float(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    value = np.asarray(fill_value.data if isinstance(fill_value, Tensor) else fill_value)
    if value.ndim or value.dtype.kind not in "biufc":  # NumPy would fill with NaN for None, or parse a string
        raise TypeError(f"full: fill_value must be a number, got {fill_value!r}")
    return _new(_made(np.full, _shape((size,)), fill_value, _float(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _new(_made(np.eye, n, m, 0, _float(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False):
    """Values from ``start`` up to ``end`` (excluded); integers stay int64 unless a dtype is given."""
    if end is None:
        start, end = 0, start
    return _new(_made(_arange, start, end, step, dtype), requires_grad)


def _arange(start, end, step, dtype):
    data = np.arange(start, end, step)
    return data.astype(_float(dtype)) if dtype is not None or data.dtype.kind == "f" else data


def rand(*size, dtype=None, requires_grad=False):
    """Uniform draws on [0, 1)."""
    return _new(_uniform(_shape(size), _float(dtype)), requires_grad)


def randn(*size, dtype=None, requires_grad=False):
    """Standard normal draws."""
    return _new(_normal(_shape(size), _float(dtype)), requires_grad)


# The draws themselves, on arrays: a captured step (bp.jit) draws again at each replay, in eager mode's order
# (noise added in a step, a VAE's ε = randn_like(σ)).
@replayable
def _uniform(shape, dtype):
    return _random.generator().random(shape).astype(dtype)


@replayable
def _normal(shape, dtype):
    return _random.generator().standard_normal(shape).astype(dtype)


@replayable
def _integers(low, high, shape, dtype):
    return _random.generator().integers(low, high, size=shape).astype(dtype)


@replayable
def _permutation(n, dtype):
    return _random.generator().permutation(n).astype(dtype)


def _like(fill):
    def like(t, dtype=None, requires_grad=False):
        data = t.data if isinstance(t, Tensor) else np.asarray(t)
        return fill(*data.shape, dtype=dtype or (data.dtype if data.dtype.kind == "f" else None),
                    requires_grad=requires_grad)

    like.__name__ = fill.__name__ + "_like"
    like.__doc__ = f"Like ``{fill.__name__}``, with the shape (and float dtype) of ``t``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
rand_like = _like(rand)
randn_like = _like(randn)


def full_like(t, fill_value, dtype=None, requires_grad=False):
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return full(data.shape, fill_value, dtype=dtype or data.dtype, requires_grad=requires_grad)


def multinomial(probs, num_samples, replacement=False):
    """Draw category indices with the given (unnormalised, non-negative) weights, as ``torch.multinomial``.

    ``probs`` is 1-D (one distribution) or 2-D (one per row); the result has shape (num_samples,) or
    (rows, num_samples), int64. Without replacement, ``num_samples`` may not exceed the number of
    categories with non-zero weight. Seeded by ``bp.manual_seed``.
    """
    p = np.asarray(probs.data if isinstance(probs, Tensor) else probs, dtype=np.float64)
    if p.ndim not in (1, 2):
        raise ValueError(f"multinomial: probs must be 1-D or 2-D, got shape {p.shape}")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("multinomial: probs must be finite and non-negative")
    rows = p.reshape(-1, p.shape[-1])
    rng = _random.generator()
    out = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for i, w in enumerate(rows):
        total = w.sum()
        if total <= 0:
            raise ValueError(f"multinomial: row {i} has no positive weight")
        if not replacement and num_samples > np.count_nonzero(w):
            raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement from "
                             f"{np.count_nonzero(w)} categories with non-zero weight (row {i})")
        out[i] = rng.choice(len(w), size=num_samples, replace=replacement, p=w / total)
    return Tensor._make(out.reshape(p.shape[:-1] + (num_samples,)), None)


def is_tensor(obj):
    """Whether ``obj`` is a backprop Tensor (``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory where it can (``torch.as_tensor``).

    A Tensor of the right dtype is returned as it is; a NumPy array of the right dtype is wrapped
    without a copy; anything else is converted (floats to the default dtype unless ``dtype`` is given).
    """
    check_cpu(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype == np.dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc" and (dtype is None or data.dtype == np.dtype(dtype)):
        return Tensor.wrap(data)  # shared; other dtypes (objects, strings) are refused by as_array below
    return Tensor._make(as_array(data, dtype), None)


def empty(*size, dtype=None, requires_grad=False):
    """A tensor whose values are not set (NumPy's ``empty``): fill it before reading."""
    return _new(_made(np.empty, _shape(size), _float(dtype)), requires_grad)


def empty_like(t, dtype=None, requires_grad=False):
    data = t.data if isinstance(t, Tensor) else np.asarray(t)
    return empty(*data.shape, dtype=dtype or data.dtype, requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False):
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (``torch.linspace``)."""
    return _new(_made(_linspace, start, end, int(steps), _float(dtype)), requires_grad)


def _linspace(start, end, steps, dtype):
    return np.linspace(start, end, steps).astype(dtype)


def randperm(n, dtype=None):
    """A random permutation of 0 … n−1, int64 (seeded by ``bp.manual_seed``)."""
    return Tensor._make(_permutation(int(n), dtype or np.int64), None)


def randint(*args, size=None, dtype=None):
    """Random integers in [low, high), as ``torch.randint(high, size)`` or ``torch.randint(low, high, size)``;
    int64 unless ``dtype`` is given."""
    if size is None:
        *args, size = args
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise TypeError("randint takes (high, size) or (low, high, size)")
    if not low < high:
        raise ValueError(f"randint: low ({low}) must be below high ({high})")
    return Tensor._make(_integers(low, high, _shape((size,)), dtype or np.int64), None)

"""Functions that work on NumPy arrays and on Tensors alike: the vocabulary of backward formulas.

A backward formula written with operators and these functions runs as plain NumPy on the
first-order path (the engine passes arrays) and is recorded as a graph when the engine passes
Tensors (``create_graph=True``). So each formula is written once and still yields second derivatives.
Arrays stay arrays; as soon as one argument is a Tensor the differentiable op is used.
"""
import numpy as np

from ..autograd.tensor import Tensor
from . import _gemm
# The engine's own array-or-Tensor helpers belong to this vocabulary too.
from ..autograd.broadcasting import broadcast_to as broadcast_to, cast as cast, sum_to as sum_to


def raw(x):
    """The NumPy array behind a Tensor (anything else unchanged)."""
    return x.data if isinstance(x, Tensor) else x


def is_tensor(*xs):
    for x in xs:  # a loop, not any(generator): this runs in every backward formula
        if isinstance(x, Tensor):
            return True
    return False


def exp(x):
    return _ew.exp(x) if isinstance(x, Tensor) else np.exp(x)


def log(x):
    return _ew.log(x) if isinstance(x, Tensor) else np.log(x)


def sin(x):
    return _trig.sin(x) if isinstance(x, Tensor) else np.sin(x)


def cos(x):
    return _trig.cos(x) if isinstance(x, Tensor) else np.cos(x)


def sqrt(x):
    return _ew.sqrt(x) if isinstance(x, Tensor) else np.sqrt(x)


def abs(x):
    return _ew.abs(x) if isinstance(x, Tensor) else np.abs(x)


def sign(x):
    """sign(x) as a constant array (its derivative is zero almost everywhere)."""
    return np.sign(raw(x))


def where(cond, a, b):
    return _ew.where(raw(cond), a, b) if is_tensor(a, b) else np.where(cond, a, b)


def maximum(a, b):
    return _ew.maximum(a, b) if is_tensor(a, b) else np.maximum(a, b)


def minimum(a, b):
    return _ew.minimum(a, b) if is_tensor(a, b) else np.minimum(a, b)


def sigmoid(x):
    return _act.sigmoid(x) if isinstance(x, Tensor) else _act.sigmoid_array(x)


def tanh(x):
    return _act.tanh(x) if isinstance(x, Tensor) else np.tanh(x)


def softmax(x, axis=-1):
    return _act.softmax(x, axis) if isinstance(x, Tensor) else _act.softmax_array(x, axis)


def sum(x, axis=None, keepdims=False, out=None):
    """Σ over ``axis``; ``out``, an array to write into, only for an array ``x``."""
    if x.__class__ is np.ndarray:  # what np.sum calls for an array, without its two Python wrappers
        return np.add.reduce(x, axis, None, out, keepdims)  # positionally: keywords cost more to parse
    return _red.sum(x, axis, keepdims) if isinstance(x, Tensor) else np.sum(x, axis=axis, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    return _red.mean(x, axis, keepdims) if isinstance(x, Tensor) else np.mean(x, axis=axis, keepdims=keepdims)


def reshape(x, shape):
    return _shape.reshape(x, shape) if isinstance(x, Tensor) else np.reshape(x, shape)


def transpose(x, axes=None):
    """Permute the axes (reverse them when ``axes`` is None), as ``np.transpose``."""
    if not isinstance(x, Tensor):
        return np.transpose(x, axes)
    return _shape.permute(x, *(range(x.ndim - 1, -1, -1) if axes is None else axes))


def swapaxes(x, a, b):
    return _shape.transpose(x, a, b) if isinstance(x, Tensor) else np.swapaxes(x, a, b)


def expand_dims(x, axis):
    return _shape.unsqueeze(x, axis) if isinstance(x, Tensor) else np.expand_dims(x, axis)


def matmul(a, b, out=None):
    """a·b; ``out``, an array to write into, only for arrays."""
    # Two arrays (every layer's backward on the first-order path) are told by their class, without a call.
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray:
        return _gemm.matmul(a, b, out)
    return _la.matmul(a, b) if isinstance(a, Tensor) or isinstance(b, Tensor) else _gemm.matmul(a, b, out)


def inv(x):
    return _la.Inv.apply(x) if isinstance(x, Tensor) else np.linalg.inv(x)


def solve(a, b):
    """A⁻¹B for a matrix (or a batch of matrices) B, shape (..., n, k)."""
    return _la.Solve.apply(a, b) if is_tensor(a, b) else _la.solve_array(a, b)


def scatter_add(values, index, shape):
    """A zero array of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate)."""
    if isinstance(values, Tensor):
        return _shape.ScatterAdd.apply(values, index=index, shape=shape)
    return _shape.scatter_add_array(values, index, shape)


def index_put(x, index, value):
    """A copy of ``x`` with ``x[index] = value``."""
    if is_tensor(x, value):
        return _shape.index_put(x, index, value)
    out = np.array(x, copy=True)
    out[index] = value
    return out


def concatenate(xs, axis=0):
    return _shape.concatenate(xs, axis) if is_tensor(*xs) else np.concatenate(xs, axis)


def zeros_like(x):
    """Zeros of ``x``'s shape and dtype, as a constant array."""
    return np.zeros_like(raw(x))


from . import elementwise as _ew, activations as _act, reduce as _red, shape as _shape, linalg as _la  # noqa: E402
from . import trigonometric as _trig  # noqa: E402

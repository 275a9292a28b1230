"""Tensor's operators and methods (``+``, ``@``, ``+=``, ``t[i]``, ``.sum()``, ``.relu()``, …), installed
from the ops side, as Chainer installs its Variable arithmetic: the engine's core (``autograd/``)
imports no op, and every method here is the op function of the same name.
"""
import numpy as np

from ..autograd import factory as _factory
from ..autograd.broadcasting import Cast, cast
from ..autograd.device import NO_GPU, to_arguments
from ..autograd.dtypes import TYPE_NAMES
from ..autograd.graph import increment_version
from ..autograd.grad_mode import no_grad
from ..autograd.inplace import assign, check_inplace, records_inplace, snapshot
from ..autograd.recording import replayable
from ..autograd.tensor import Tensor
from . import activations as _act, elementwise as _ew, linalg as _la, reduce as _red, shape as _shape
from . import sorting as _sorting


@replayable
def _write(array, index, value):
    """``array[index] = value`` outside the graph (into a tensor that records none): a captured step (bp.jit)
    writes again at each replay, into that replay's array."""
    array[index] = value


def _inplace(self, op, other):
    check_inplace(self, other)
    if records_inplace(self, other):
        # The op may save self's values, which assign overwrites: it reads a copy at self's graph node.
        return assign(self, op(snapshot(self), other))
    with no_grad():
        return assign(self, op(self, other))


class TensorMethods:
    """The methods installed on :class:`~backprop.Tensor` (this class is never instantiated)."""

    def __iadd__(self, other):
        return _inplace(self, _ew.add, other)

    def __isub__(self, other):
        return _inplace(self, _ew.sub, other)

    def __imul__(self, other):
        return _inplace(self, _ew.mul, other)

    def __itruediv__(self, other):
        return _inplace(self, _ew.div, other)

    add_ = __iadd__
    sub_ = __isub__
    mul_ = __imul__
    div_ = __itruediv__

    def clamp_(self, min=None, max=None):
        """Limit the values to [min, max] in place (PyTorch's ``clamp_``): ``p.grad.clamp_(-c, c)``."""
        return _inplace(self, lambda values, _: _ew.clip(values, min, max), None)

    clip_ = clamp_

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        if records_inplace(self, value):
            return self.copy_(value)  # recorded, so the replaced values get no gradient
        check_inplace(self, value)
        _write(self.data, Ellipsis, value.data if isinstance(value, Tensor) else value)
        increment_version(self)
        return self

    def copy_(self, src):
        """Copy ``src``'s values (broadcast to this shape) into this tensor; the gradient flows to ``src``,
        none to the values replaced."""
        return _inplace(self, lambda a, b: _ew.where(np.zeros(a.shape, bool), a, b).astype(a.dtype), src)

    def __setitem__(self, index, value):
        check_inplace(self, value)
        if records_inplace(self, value):
            assign(self, _shape.index_put(self, index, value))
        else:
            _write(self.data, _shape.raw_index(index), value.data if isinstance(value, Tensor) else value)
            increment_version(self)

    # operators--------------------------------------------------------------------------
    def __add__(self, other):
        return _ew.Add.apply(self, other)

    def __radd__(self, other):
        return _ew.Add.apply(other, self)

    def __sub__(self, other):
        return _ew.Sub.apply(self, other)

    def __rsub__(self, other):
        return _ew.Sub.apply(other, self)

    def __mul__(self, other):
        return _ew.Mul.apply(self, other)

    def __rmul__(self, other):
        return _ew.Mul.apply(other, self)

    def __truediv__(self, other):
        return _ew.Div.apply(self, other)

    def __rtruediv__(self, other):
        return _ew.Div.apply(other, self)

    def __pow__(self, other):
        return _ew.Pow.apply(self, other)

    def __rpow__(self, other):
        return _ew.Pow.apply(other, self)

    def __matmul__(self, other):
        return _la.matmul(self, other)

    def __rmatmul__(self, other):
        return _la.matmul(other, self)

    def __neg__(self):
        return _ew.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.abs(self)

    def __getitem__(self, index):
        return _shape.getitem(self, index)

    # Comparisons give bool tensors and record no gradient.
    def __eq__(self, other):
        return _ew.eq(self, other)

    def __ne__(self, other):
        return _ew.ne(self, other)

    def __lt__(self, other):
        return _ew.lt(self, other)

    def __le__(self, other):
        return _ew.le(self, other)

    def __gt__(self, other):
        return _ew.gt(self, other)

    def __ge__(self, other):
        return _ew.ge(self, other)

    # methods mirroring the functions------------------------------------------------------
    def exp(self):
        return _ew.exp(self)

    def log(self):
        return _ew.log(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def abs(self):
        return _ew.abs(self)

    def clip(self, min=None, max=None):
        return _ew.clip(self, min, max)

    clamp = clip

    def maximum(self, other):
        return _ew.maximum(self, other)

    def minimum(self, other):
        return _ew.minimum(self, other)

    def pow(self, exponent):
        return _ew.pow(self, exponent)

    def sigmoid(self):
        return _act.sigmoid(self)

    def tanh(self):
        return _act.tanh(self)

    def relu(self):
        return _act.relu(self)

    def softplus(self):
        return _act.softplus(self)

    def logsigmoid(self):
        return _act.logsigmoid(self)

    def logit(self, eps=None):
        return _act.logit(self, eps)

    def softmax(self, axis=-1, temperature=1.0, *, dim=None):
        return _act.softmax(self, axis, temperature, dim=dim)

    def log_softmax(self, axis=-1, temperature=1.0, *, dim=None):
        return _act.log_softmax(self, axis, temperature, dim=dim)

    def logsumexp(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _act.logsumexp(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.sum(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _sorting.max(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _sorting.min(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _red.amax(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def amin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        return _red.amin(self, dim, keepdim, axis=axis, keepdims=keepdims)

    def sort(self, dim=-1, descending=False, stable=False):
        return _sorting.sort(self, dim, descending, stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return _sorting.argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return _sorting.topk(self, k, dim, largest, sorted)

    def var(self, axis=None, keepdims=False, *, correction=1, dim=None, keepdim=None):
        return _red.var(self, axis, keepdims, correction=correction, dim=dim, keepdim=keepdim)

    def argmax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    view = reshape

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def squeeze(self, axis=None, *, dim=None):
        return _shape.squeeze(self, axis, dim=dim)

    def unsqueeze(self, axis=None, *, dim=None):
        return _shape.unsqueeze(self, axis, dim=dim)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def broadcast_to(self, shape):
        return _shape.broadcast_to(self, shape)

    def expand(self, *sizes):
        """``x`` repeated along size-1 (or new leading) axes to ``sizes`` (varargs or a tuple); -1 keeps
        a size. A view that shares memory, as PyTorch's."""
        sizes = _shape._shape_arg(sizes)
        lead = len(sizes) - self.ndim
        if lead < 0:
            raise RuntimeError(f"expand: the number of sizes ({len(sizes)}) must be at least the tensor's "
                               f"number of dimensions ({self.ndim})")
        shape = tuple(self.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
        return _shape.broadcast_to(self, shape)

    def split(self, split_size_or_sections, axis=0, *, dim=None):
        return _shape.split(self, split_size_or_sections, axis, dim=dim)

    def matmul(self, other):
        return _la.matmul(self, other)

    def astype(self, dtype):
        return cast(self, dtype)

    def to(self, *args, device=None, dtype=None, non_blocking=False, copy=False):
        """PyTorch's ``to``: ``to(dtype)``, ``to(device)``, ``to(other_tensor)``, ``to(device, dtype)``,
        or the ``device=``/``dtype=`` keywords. A cast is differentiable; the device can only be the CPU.
        Returns ``self`` when nothing changes, unless ``copy=True``."""
        dtype = to_arguments(args, device, dtype)
        dtype = self.dtype if dtype is None else dtype
        if copy and dtype == self.dtype:
            return Cast.apply(self, dtype=dtype)  # a recorded copy: the gradient passes through
        return cast(self, dtype)

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise RuntimeError(NO_GPU)

    def double(self):
        return cast(self, np.float64)

    def float(self):
        return cast(self, np.float32)

    def half(self):
        return cast(self, np.float16)

    def long(self):
        return cast(self, np.int64)

    def int(self):
        return cast(self, np.int32)

    def bool(self):
        return cast(self, np.bool_)

    def type(self, dtype=None):
        """With no argument, PyTorch's type name (``'backprop.FloatTensor'``); with a dtype, a cast."""
        if dtype is None:
            return f"backprop.{TYPE_NAMES.get(self.dtype, str(self.dtype))}"
        return cast(self, dtype)

    def new_zeros(self, *size, dtype=None, requires_grad=False):
        return _factory.zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False):
        return _factory.ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_tensor(self, data, dtype=None, requires_grad=False):
        return Tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def contiguous(self):
        return self

    def view_as(self, other):
        return _shape.reshape(self, other.shape)

    reshape_as = view_as

    def expand_as(self, other):
        return _shape.broadcast_to(self, other.shape)

    def t(self):
        """The transpose of a matrix (a vector is returned as it is), as ``torch.Tensor.t``."""
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return _shape.permute(self, *range(self.ndim - 1, -1, -1))

    @property
    def T(self):
        """The transpose: axes reversed (for a matrix, rows and columns swapped)."""
        return _shape.permute(self, *range(self.ndim - 1, -1, -1))


# Class bookkeeping that is not a method; and __hash__, which defining __eq__ sets to None in the
# methods class, while Tensor keeps its own.
_NOT_METHODS = {"__module__", "__qualname__", "__doc__", "__dict__", "__weakref__", "__firstlineno__",
                "__static_attributes__", "__hash__"}


def install_methods(source, cls=Tensor):
    """Attach every method and property defined in the class ``source`` to ``cls`` (Tensor)."""
    for name, value in vars(source).items():
        if name not in _NOT_METHODS:
            setattr(cls, name, value)


install_methods(TensorMethods)

"""``Tensor``: a NumPy array that remembers how it was computed, so its gradient can be backpropagated."""
import weakref

import numpy as np

from ..exceptions import ShapeError
from .grad_mode import _GradMode
from . import dtypes


class Tensor:
    """A NumPy array (``.data``) with a gradient (``.grad``) and a place in the computational graph.

    Parameters
    ----------
    data : array_like
        The values. Float input takes the default float dtype (``bp.get_default_dtype()``) unless
        ``dtype`` is given; integer and bool input keep their dtype. The array is copied.
    requires_grad : bool, default False
        Record operations on this tensor so that ``backward()`` can fill its ``.grad``.
    dtype : numpy dtype, optional

    Attributes
    ----------
    data : numpy.ndarray
        The tensor's own array: writable and shared, ``t.data[...] = v`` changes ``t``.
    grad : numpy.ndarray or None
        The gradient after ``backward()``, of the tensor's shape; a Tensor after
        ``backward(create_graph=True)``.
    requires_grad : bool
    grad_fn : Context or None
        The graph node of the op that produced this tensor (``None`` for leaves).
    """

    # _base: weak references to the tensors this one is a view of (set by Function.apply)
    __slots__ = ("data", "grad", "requires_grad", "_ctx", "_vc", "name", "_base", "__weakref__")
    # NumPy defers to our reflected operators, so ``ndarray + Tensor`` gives a Tensor.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = dtypes.as_array(data, dtype, copy=True)
        self.grad = None
        self.requires_grad = False
        self._ctx = None
        self._vc = [0]
        self.name = None
        self._base = ()
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, ctx):
        """Fast constructor for op outputs: no validation, no copy."""
        t = object.__new__(cls)
        t.data = data
        t.grad = None
        t.requires_grad = ctx is not None
        t._ctx = ctx
        t._vc = [0]
        t.name = None
        t._base = ()
        return t

    # -- array attributes -------------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    @property
    def T(self):
        """The transpose: axes reversed (for a matrix, rows and columns swapped)."""
        return _shape.permute(self, *range(self.ndim - 1, -1, -1))

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def is_leaf(self):
        return self._ctx is None

    def numpy(self):
        """The values as a NumPy array (shared, not copied), like ``torch.Tensor.numpy``."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad: use t.detach().numpy().")
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        # NumPy 2 asks for a copy here (np.array(t)) and does not make one itself.
        return np.array(self.data, dtype=dtype, copy=copy)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"The truth value of a tensor with {self.data.size} elements is ambiguous")
        return bool(self.data)

    __hash__ = object.__hash__

    def __getstate__(self):
        # For copy and pickle. A copy owns its memory, so it is nobody's view (and weakrefs don't pickle).
        names = {n for c in type(self).__mro__ for n in c.__dict__.get("__slots__", ())}
        names -= {"_base", "__weakref__"}
        return None, {n: getattr(self, n) for n in names if hasattr(self, n)} | {"_base": ()}

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extra = ""
        if self.data.dtype != dtypes.get_default_dtype() and self.data.dtype.kind == "f" or self.data.size == 0:
            extra += f", dtype={self.data.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn={self._ctx!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # -- graph ------------------------------------------------------------------------------
    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording operations on this leaf tensor; returns the tensor."""
        if requires_grad and self.data.dtype.kind not in "fc":
            raise RuntimeError(
                f"Only floating-point tensors can require gradients; this tensor has dtype {self.data.dtype}")
        if not requires_grad and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) is only for leaf tensors; use .detach() on a computed one")
        self.requires_grad = bool(requires_grad)
        return self

    def detach(self):
        """The same values, sharing memory and version counter, cut off from the graph."""
        t = Tensor._make(self.data, None)
        t._vc = self._vc
        return t

    def retain_grad(self):
        """Keep ``.grad`` for this non-leaf tensor after ``backward()`` (leaves always keep theirs)."""
        if self._ctx is not None:
            self._ctx._retain = weakref.ref(self)
        return self

    def backward(self, grad=None, retain_graph=None, create_graph=False):
        """Backpropagate from this tensor: add d(self)/d(leaf) · grad into every leaf's ``.grad``.

        Parameters
        ----------
        grad : array_like or Tensor, optional
            The upstream gradient, of this tensor's shape; may be left out for a scalar (it is 1).
        retain_graph : bool, optional
            Keep the saved arrays so that backward can run through this graph again.
            Defaults to ``create_graph``.
        create_graph : bool, default False
            Record the backward pass, so that the gradients can themselves be differentiated.
        """
        _backward((self,), None if grad is None else (grad,), retain_graph, create_graph)

    # -- in-place modification ----------------------------------------------------------------
    def _check_inplace(self, value=None):
        if not _GradMode.enabled:
            return
        if self.requires_grad and self._ctx is None:
            raise RuntimeError(
                "A leaf tensor that requires grad is being modified in place: wrap the update in "
                "`with bp.no_grad():` or change `.data` instead.")
        for ref in self._base:
            base = ref()
            if base is None:
                continue
            if base.requires_grad and base._ctx is None:
                raise RuntimeError(
                    f"A view (shape {self.shape}) of a leaf tensor that requires grad is being modified in "
                    "place: wrap the update in `with bp.no_grad():` or change `.data` instead.")
            if self.requires_grad or getattr(value, "requires_grad", False):
                # The base shares the memory but not the recorded op, so its gradient would be wrong.
                raise RuntimeError(
                    f"This tensor (shape {self.shape}) is a view of another tensor of shape {base.shape} "
                    "(reshape, transpose and slicing share memory), which would not see the gradient "
                    "of this in-place operation: compute out of place instead (y = y + v).")

    def _assign(self, result):
        """Make ``result``'s values this tensor's own, in place; its graph node becomes this tensor's."""
        if result.shape != self.shape:
            raise ShapeError(
                f"in-place result of shape {result.shape} does not fit a tensor of shape {self.shape}")
        np.copyto(self.data, result.data, casting="same_kind")
        self._vc[0] += 1
        if result._ctx is not None:
            self._ctx = result._ctx
            self.requires_grad = True
            self._ctx._rebase_output(self)
        return self

    def _inplace(self, op, other):
        self._check_inplace(other)
        if _GradMode.enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            # The op may save self's values, which _assign overwrites: it reads a copy at self's graph node.
            old = Tensor._make(self.data.copy(), self._ctx)
            return self._assign(op(old, other))
        with _no_grad():
            return self._assign(op(self, other))

    def __iadd__(self, other):
        return self._inplace(_ew.add, other)

    def __isub__(self, other):
        return self._inplace(_ew.sub, other)

    def __imul__(self, other):
        return self._inplace(_ew.mul, other)

    def __itruediv__(self, other):
        return self._inplace(_ew.div, other)

    add_ = __iadd__
    sub_ = __isub__
    mul_ = __imul__
    div_ = __itruediv__

    def zero_(self):
        return self.fill_(0)

    def fill_(self, value):
        if _GradMode.enabled and (self.requires_grad or getattr(value, "requires_grad", False)):
            return self.copy_(value)  # recorded, so the replaced values get no gradient
        self._check_inplace(value)
        self.data[...] = value
        self._vc[0] += 1
        return self

    def copy_(self, src):
        """Copy ``src``'s values (broadcast to this shape) into this tensor; the gradient flows to ``src``,
        none to the values replaced."""
        return self._inplace(lambda a, b: _ew.where(np.zeros(a.shape, bool), a, b).astype(a.dtype), src)

    def __setitem__(self, index, value):
        self._check_inplace(value)
        if _GradMode.enabled and (self.requires_grad or getattr(value, "requires_grad", False)):
            self._assign(_shape.index_put(self, index, value))
        else:
            self.data[_shape.raw_index(index)] = value.data if isinstance(value, Tensor) else value
            self._vc[0] += 1

    # -- operators ----------------------------------------------------------------------------
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

    # -- methods mirroring the functions --------------------------------------------------------
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

    def max(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.max(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def min(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        return _red.min(self, axis, keepdims, dim=dim, keepdim=keepdim)

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

    expand = broadcast_to

    def split(self, split_size_or_sections, axis=0, *, dim=None):
        return _shape.split(self, split_size_or_sections, axis, dim=dim)

    def matmul(self, other):
        return _la.matmul(self, other)

    def astype(self, dtype):
        return _ew.cast(self, dtype)

    def to(self, dtype):
        return _ew.cast(self, dtype)

    def double(self):
        return _ew.cast(self, np.float64)

    def float(self):
        return _ew.cast(self, np.float32)


from .grad_mode import no_grad as _no_grad  # noqa: E402
from .engine import backward as _backward  # noqa: E402  (at module level: an import per call costs 0.6 µs)
from ..ops import elementwise as _ew, activations as _act, reduce as _red, shape as _shape  # noqa: E402
from ..ops import linalg as _la  # noqa: E402

"""``Tensor``: a NumPy array that remembers how it was computed, so its gradient can be backpropagated."""
import weakref

import numpy as np

from . import dtypes
from .device import CPU
from .grad_mode import STATE
from .hooks import add_to_dict


class Tensor:
    """A NumPy array (``.data``) with a gradient (``.grad``) and a place in the computational graph.

    Parameters
    ----------
    data : array_like
        The values, copied. A NumPy array or scalar keeps its float16/32/64 dtype; Python floats take
        the default float dtype (``bp.get_default_dtype()``); integer and bool input keep their dtype;
        ``dtype`` overrides all of these.
    requires_grad : bool, default False
        Record operations on this tensor so that ``backward()`` can fill its ``.grad``.
    dtype : numpy dtype, optional

    Attributes
    ----------
    data : numpy.ndarray
        The tensor's own array: writable and shared, ``t.data[...] = v`` changes ``t``.
    grad : Tensor or None
        The gradient after ``backward()``: a Tensor of this tensor's shape and dtype that records
        nothing and shares its array with the engine, which adds later gradients into that array in place
        (so ``g = p.grad; loss.backward()`` updates ``g``, as PyTorch). After
        ``backward(create_graph=True)`` it carries a graph. Assign None, a Tensor, or a NumPy array
        (wrapped, memory shared).
    requires_grad : bool
    grad_fn : Node or None
        The graph node of the op that produced this tensor (``None`` for leaves and for tensors
        computed under ``no_grad``); see :mod:`backprop.autograd.graph`.

    Notes
    -----
    Operators and methods (``+``, ``@``, ``.sum()``, ``.relu()``, …) are installed by the ops package
    (:mod:`backprop.ops.tensor_methods`), so this module, the engine's core, imports no op.
    """

    # _base: weak references to the tensors this one is a view of (set by Function.apply);
    # _accumulator: a leaf's AccumulateGrad node, made when first asked for (graph view, hooks)
    __slots__ = ("data", "_grad", "requires_grad", "_ctx", "_vc", "name", "_base", "_accumulator", "__weakref__")
    # NumPy defers to our reflected operators, so ``ndarray + Tensor`` gives a Tensor.
    __array_ufunc__ = None

    def __init__(self, data, requires_grad=False, dtype=None):
        self.data = dtypes.as_array(data, dtype, copy=True)
        self._grad = None
        self.requires_grad = False
        self._ctx = None
        self._vc = [0]
        self.name = None
        self._base = ()
        self._accumulator = None
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _make(cls, data, ctx):
        """Fast constructor for op outputs: no validation, no copy."""
        t = object.__new__(cls)
        t.data = data
        t._grad = None
        t.requires_grad = ctx is not None
        t._ctx = ctx
        t._vc = [0]
        t.name = None
        t._base = ()
        t._accumulator = None
        return t

    @classmethod
    def wrap(cls, array):
        """A tensor around ``array`` itself: no copy, no dtype change, no graph (the zero-copy constructor).

        Writing to either changes both. Use :func:`backprop.tensor` for a copy in the default dtype.
        """
        return cls._make(array if type(array) is np.ndarray else np.asarray(array), None)

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

    def size(self, dim=None):
        """The shape as a tuple, or the length of dimension ``dim`` (negative counts from the end), as torch.

        NumPy's ``.size`` (the element count) is :meth:`numel`.
        """
        shape = self.data.shape
        if dim is None:
            return shape
        if not -len(shape) <= dim < len(shape):
            raise IndexError(f"Dimension out of range (expected to be in range of [{-len(shape)}, {len(shape) - 1}], "
                             f"but got {dim}) for a tensor of shape {shape}")
        return shape[dim]

    def numel(self):
        return self.data.size

    def dim(self):
        return self.data.ndim

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if isinstance(value, (np.ndarray, np.generic)):
                value = Tensor.wrap(value)
            elif not isinstance(value, Tensor):
                raise TypeError(f"assigned grad must be a Tensor, a NumPy array or None, not {type(value).__name__}")
            if value.data.shape != self.data.shape:
                raise RuntimeError(f"assigned grad has shape {value.data.shape}, but the tensor has shape "
                                   f"{self.data.shape}")
            if value.data.dtype != self.data.dtype:
                raise RuntimeError(f"assigned grad has dtype {value.data.dtype}, but the tensor has dtype "
                                   f"{self.data.dtype}: convert it with .to({self.data.dtype})")
        recorder = STATE.get().recorder
        if recorder is not None:  # a captured step (bp.jit) must leave .grad as this assignment does
            recorder.grad_assigned(self, value)
        self._grad = value

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def device(self):
        """Where the values live: always ``bp.device('cpu')`` (NumPy arrays)."""
        return CPU

    @property
    def is_leaf(self):
        return self._ctx is None

    @property
    def _version(self):
        """How many times the values were changed in place (shared by views; read-only)."""
        return self._vc[0]

    def numpy(self):
        """The values as a NumPy array (shared, not copied), like ``torch.Tensor.numpy``."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on a Tensor that requires grad: use t.detach().numpy().")
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item() needs a tensor with one element, got shape {self.shape}")
        value = self.data.item()
        recorder = STATE.get().recorder
        if recorder is not None:
            recorder.item(self, value)  # a captured step may return this number: a replay reads it again
        return value

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
        names -= {"_base", "_accumulator", "__weakref__"}
        return None, {n: getattr(self, n) for n in names if hasattr(self, n)} | {"_base": (), "_accumulator": None}

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
            self._ctx.output_hooks().retain = weakref.ref(self)
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

    # -- hooks ------------------------------------------------------------------------------------
    def register_hook(self, hook):
        """Call ``hook(grad)`` with this tensor's gradient each time it is computed (``torch.Tensor.register_hook``).

        ``hook`` may return None, or a replacement gradient (a Tensor or an array of the same shape),
        which is what flows on (into ``.grad`` for a leaf). For a leaf the gradient is the sum over every
        path, before it is added to ``.grad``. Hooks run in the order registered; the gradient a hook
        receives is a Tensor that records nothing and shares memory with the engine's array.

        Returns a handle: ``handle.remove()`` unregisters it, as does leaving ``with handle:``.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._ctx is None:
            return add_to_dict(grad_accumulator(self).pre_hooks, hook)
        return add_to_dict(self._ctx.output_hooks().hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` once per backward pass, as soon as this leaf's ``.grad`` is complete.

        It runs when no node still pending in the pass can send the leaf more gradient (gradient
        all-reduce starts a bucket from here while the rest of backward runs). ``bp.grad``, which leaves
        ``.grad`` alone, does not call it. Only leaves that require grad take one.
        """
        if self._ctx is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        return add_to_dict(grad_accumulator(self).post_hooks, hook)


from .node import grad_accumulator  # noqa: E402  (the graph's nodes refer to tensors)
from .engine import backward as _backward  # noqa: E402  (at module level: an import per call costs 0.6 µs)

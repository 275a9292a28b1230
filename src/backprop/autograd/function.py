"""Ops and their graph records: ``Function`` (an op's forward and backward formula) and ``Context``.

Every op of the library, and every op a user declares, is a subclass of :class:`Function`.
Calling ``Op.apply(*inputs)`` runs ``forward`` on raw NumPy arrays and, when some input requires a
gradient and recording is on, leaves a :class:`Context` in the graph: the node that the backward pass
visits to call ``backward``.
"""
import itertools
import weakref

import numpy as np

from ..exceptions import DoubleBackwardError, ShapeError
from . import hooks as _hooks
from .grad_mode import _GradMode

_OUTPUT = "output"  # marks a saved value that is the op's own output
_sequence = itertools.count(1)  # numbers graph nodes in creation order (Context.seq)


class Context:
    """What one op call leaves in the graph (PyTorch's ``grad_fn``).

    ``forward`` stores here what ``backward`` needs:

    * ``ctx.save(name=array)`` (or PyTorch's ``ctx.save_for_backward(*arrays)``): arrays that are the
      op's inputs or its output. In ``backward``, ``ctx.name`` (or ``ctx.saved_tensors``) gives them
      back as NumPy arrays on the first-order path, and as the graph's own Tensors when the backward
      pass is itself recorded (``create_graph=True``), so the same backward formula yields
      second derivatives. Any other saved array (a mask, indices) acts as a constant.
    * plain attributes (``ctx.axis = 1``): small constants such as axes and shapes.

    ``ctx.needs_input_grad`` says, per positional input, whether a gradient is wanted, so ``backward``
    can skip work. ``ctx.create_graph`` is True while the backward pass is being recorded.
    Saved arrays are freed after ``backward`` unless the graph is retained; the node itself (its
    op and its edges) stays, so the graph can still be drawn.
    """

    # The engine's fields are slots (a node is created on every op call, and slots are the cheapest
    # attributes to write and free); what an op saves and sets goes into the instance dict.
    __slots__ = ("op", "edges", "needs_input_grad", "create_graph", "seq", "shape", "dtype", "_saved",
                 "_checks", "_out", "_out_vc", "_retain", "_bound", "_freed", "__dict__", "__weakref__")

    def __init__(self, op):
        self.op = op
        self._saved = {}
        self.edges = self.needs_input_grad = self._checks = ()
        self.create_graph = self._bound = self._freed = False
        self.seq = 0  # creation order, set when recorded: a node is created after the nodes of its inputs
        self._out = self._retain = None  # weak references to the output, and to it if it retains .grad

    # -- saving -----------------------------------------------------------------------------
    def save(self, **arrays):
        """Keep arrays for ``backward``, each under its name (``ctx.save(x=x, y=y)`` → ``ctx.x``)."""
        self._saved.update(arrays)

    def save_for_backward(self, *arrays):
        """PyTorch's spelling of :meth:`save`; read them back with ``ctx.saved_tensors``."""
        self._saved.update({f"_saved{i}": a for i, a in enumerate(arrays)})
        self.__dict__["_n_positional"] = len(arrays)

    @property
    def saved_tensors(self):
        """The values given to :meth:`save_for_backward`, in order, resolved as for ``ctx.name``."""
        return tuple(getattr(self, f"_saved{i}") for i in range(self.__dict__.get("_n_positional", 0)))

    def _bind(self, args, raw_args, returned, out):
        """Tie each saved array to the graph node it came from: an input Tensor, the output, or none.

        ``raw_args`` are the arrays that ``forward`` received for ``args``. The arrays also become
        plain attributes, so the first-order backward reads them at full speed.
        """
        d = self.__dict__
        saved = self._saved
        checks = []
        for name, raw in saved.items():
            if raw is returned:
                # A view shares its base's counter, which may already be past 0.
                raw, source, counter = out.data, _OUTPUT, out._vc
                self._out_vc = counter
            else:
                for a, r in zip(args, raw_args):
                    if r is raw and isinstance(a, _Tensor):
                        source, counter = a, a._vc
                        break
                else:
                    source = counter = None
            if counter is None:
                saved[name] = (raw, None, 0)
            else:
                saved[name] = (raw, source, counter[0])
                checks.append((counter, counter[0]))
            d[name] = raw
        self._checks = checks
        self._bound = True

    def _unpack(self, create_graph):
        """Check, before ``backward`` runs, that no saved value was modified in place since it was saved.

        With ``create_graph`` it returns, per saved name, the graph's Tensor that the value belongs to
        (the input, or the output), so the backward formula is recorded against the original nodes.
        """
        saved = self._saved
        if saved is None:
            if self._freed:
                raise RuntimeError(
                    f"Trying to backward through the graph a second time: the values {self.op.__name__} saved "
                    "were freed after the first backward. Pass retain_graph=True to the first backward() "
                    "to keep them.")
            return {}
        tensors = {}
        for name, (raw, source, version) in saved.items():
            if source is None:
                continue
            t = source if source is not _OUTPUT else (self._out() if self._out is not None else None)
            # A dead output may still have been written through a view of it, which shares its counter.
            now = (t._vc if t is not None else self._out_vc)[0]
            if now != version:
                raise RuntimeError(
                    f"A value needed for gradient computation has been modified by an in-place operation: "
                    f"{self.op.__name__} saved {name!r} (shape {raw.shape}) at version {version}, and it is "
                    f"now at version {now}. Compute out of place, or call backward() before modifying it.")
            if create_graph:
                tensors[name] = t if t is not None else _Tensor._make(raw, self)
        return tensors

    def _restore_arrays(self):
        """After a recorded backward, the saved names read as arrays again (and hold no Tensor)."""
        if self._saved:
            self.__dict__.update({name: raw for name, (raw, _, _) in self._saved.items()})

    def __getattr__(self, name):
        # Called only for names that are not ordinary attributes: saved values of a freed graph, or
        # values read back before the op was recorded (or a slot not set, such as an unrecorded shape).
        if name in _SLOTS or name.startswith("__"):
            raise AttributeError(name)
        saved = self._saved
        if saved is None:
            if self._freed:
                self._unpack(False)  # raises, naming the op
            raise AttributeError(name)
        if name not in saved:
            raise AttributeError(f"{self.op.__name__}'s context has no saved value or attribute {name!r}")
        return saved[name] if not self._bound else saved[name][0]

    def _rebase_output(self, tensor):
        """An in-place op made ``tensor`` this node's output: saved outputs now resolve to it."""
        self._out = weakref.ref(tensor)
        self._out_vc = tensor._vc
        if self._bound:
            saved = self._saved
            for name, (raw, source, _) in saved.items():
                if source is _OUTPUT:
                    saved[name] = (raw, source, tensor._vc[0])
            self._checks = [(tensor._vc if source is _OUTPUT else source._vc, version)
                            for raw, source, version in saved.values() if source is not None]

    def _free(self):
        # Only an op that saved values needs them again: a second backward through the others works.
        saved = self._saved
        self._freed = bool(saved)
        if saved:
            d = self.__dict__
            for name in saved:
                d.pop(name, None)
            self._checks = ()
        self._saved = None

    @property
    def name(self):
        return self.op.__name__

    def __repr__(self):
        return f"<{self.op.__name__}Backward>"


_SLOTS = frozenset(Context.__slots__)


class Function:
    """Base class of every op: a forward formula and its backward (vector-Jacobian) formula, in one place.

    Subclass it to declare an op, as the library does for its own (PyTorch's ``autograd.Function``)::

        class Cube(bp.Function):
            forward_formula = "y = x³"
            backward_formula = "dx = dy · 3x²"

            @staticmethod
            def forward(ctx, x):
                ctx.save(x=x)
                return x ** 3

            @staticmethod
            def backward(ctx, dy):
                return dy * 3 * ctx.x ** 2

        y = Cube.apply(t)

    ``forward(ctx, *inputs, **options)`` receives raw NumPy arrays in place of Tensors (other arguments
    as given) and returns one array. ``backward(ctx, dy)`` receives the gradient of the output and returns
    one gradient per positional input (a tuple, or a single value for a one-input op; ``None`` where
    none is needed). It may use ``ctx``'s saved values and attributes, NumPy operators and the
    functions of ``backprop.ops.dispatch`` (``exp``, ``where``, ``sum_to`` …), which work on arrays and
    Tensors alike: written that way, the one formula runs as plain NumPy on the first-order path and is
    recorded as a graph under ``create_graph=True``, giving gradients of gradients. A gradient may have
    the input's broadcast shape: the engine sums it back to the input's shape.

    An op whose backward cannot be differentiated sets ``supports_double_backward = False``; then
    differentiating its gradient raises :class:`~backprop.exceptions.DoubleBackwardError` naming it.
    An op with ``differentiable = False`` (comparisons, argmax) never records a graph.
    """

    forward_formula = ""
    backward_formula = ""
    supports_double_backward = True
    differentiable = True

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on Tensors (NumPy arrays and numbers count as constants) and record it."""
        raw = []
        edges = []  # per input, where its gradient goes: its graph node, itself (a leaf) or nowhere
        needs = []
        record = False
        for a in args:
            if isinstance(a, _Tensor):
                raw.append(a.data)
                if a.requires_grad:
                    edges.append(a._ctx or a)
                    needs.append(True)
                    record = True
                    continue
            else:
                raw.append(a)
            edges.append(None)
            needs.append(False)
        ctx = Context(cls)
        record = record and _GradMode.enabled and cls.differentiable
        if record:
            ctx.edges = tuple(edges)
            ctx.needs_input_grad = tuple(needs)
            ctx.seq = next(_sequence)
        try:
            returned = cls.forward(ctx, *raw, **kwargs)
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            shapes = " and ".join(str(np.shape(r)) for r in raw)
            raise ShapeError(f"{cls.__name__.lower()}: shapes {shapes} cannot be broadcast together") from None
        data = returned if type(returned) is np.ndarray else np.asarray(returned)
        if record:
            ctx.shape, ctx.dtype = data.shape, data.dtype
            out = _Tensor._make(data, ctx)
            ctx._out = weakref.ref(out)
        else:
            out = _Tensor._make(data, None)
            ctx = None
        if data.base is not None or (raw and data is raw[0]):
            _track_view(out, args)
        if ctx is not None and ctx._saved:
            ctx._bind(args, raw, returned, out)  # after _track_view: a saved output checks the right counter
        if _hooks.forward:
            for hook in _hooks.forward:
                hook(cls, args, kwargs, out, ctx)
        return out

    @classmethod
    def formulas(cls):
        """The op's declared forward and backward formulas, as shown in docs, traces and graphs."""
        return cls.forward_formula, cls.backward_formula


Op = Function


def _track_view(out, args):
    """If ``out`` shares an input's memory (reshape, transpose and basic slicing give views), it shares
    that input's version counter, as PyTorch's views do, so that writing through either one is seen
    by the other's saved values; and it remembers the tensors it is a view of, for in-place checks."""
    owner = out.data if out.data.base is None else out.data.base
    for a in args:
        if isinstance(a, _Tensor) and (a.data is owner or a.data.base is owner):
            out._vc = a._vc
            out._base = (weakref.ref(a),) + a._base
            return


class DoubleBackwardBarrier(Function):
    """Stands for the gradient of an op without second derivatives, inside a recorded backward pass.

    Its forward passes the first-order gradient through; differentiating it raises, naming the op.
    """

    @staticmethod
    def forward(ctx, grad, *sources, op_name):
        ctx.op_name = op_name
        return grad

    @staticmethod
    def backward(ctx, dy):
        raise DoubleBackwardError(
            f"{ctx.op_name} does not support double backward: its gradient is not differentiable "
            "in backprop. Use a composition of differentiable ops if you need higher derivatives.")


from .tensor import Tensor as _Tensor  # noqa: E402  (Tensor's methods call Function.apply)

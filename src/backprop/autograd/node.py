"""The graph's nodes: :class:`Context`, what one recorded op call leaves behind (PyTorch's ``grad_fn``),
and :class:`AccumulateGrad`, where a leaf's gradient arrives.

A node's public face is read-only and PyTorch's: ``name()``, ``next_functions``, ``metadata``, plus
what backprop shows a student: the op's ``input_names``, its ``forward_formula`` and its
``backward_formulas`` (input name → the formula applied at this call), the fused op's
``intermediates`` and the ``saved`` arrays. The engine's own fields are private to ``autograd/``.
"""
import weakref
from collections.abc import Mapping

import numpy as np

OUTPUT = "output"  # marks a saved value that is the op's own output


class Node:
    """Base of the graph's nodes (``isinstance(t.grad_fn, bp.autograd.graph.Node)``)."""

    __slots__ = ()

    def name(self):
        raise NotImplementedError

    @property
    def next_functions(self):
        raise NotImplementedError


class AccumulateGrad(Node):
    """The node a leaf's gradient flows into; it writes ``.grad`` and runs the leaf's hooks.

    There is one per leaf, made on first use and kept by the leaf, so ``next_functions`` gives the same
    object every time. It refers to its leaf weakly (the leaf owns it).
    """

    __slots__ = ("_variable", "pre_hooks", "post_hooks", "_metadata", "__weakref__")

    def __init__(self, variable):
        self._variable = weakref.ref(variable)
        self.pre_hooks = {}  # Tensor.register_hook: run on the summed gradient, before it is written
        self.post_hooks = {}  # Tensor.register_post_accumulate_grad_hook: run after .grad is written
        self._metadata = None

    @property
    def variable(self):
        """The leaf tensor whose ``.grad`` this node writes."""
        return self._variable()

    def name(self):
        return "AccumulateGrad"

    @property
    def next_functions(self):
        return ()

    @property
    def metadata(self):
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def __repr__(self):
        return "<AccumulateGrad>"


def grad_accumulator(leaf):
    """The leaf's :class:`AccumulateGrad` node, made on first use."""
    node = leaf._accumulator
    if node is None:
        node = leaf._accumulator = AccumulateGrad(leaf)
    return node


class SavedValues(Mapping):
    """A read-only view of what an op saved for its backward pass: name → array."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx):
        self._ctx = ctx

    def _values(self):
        saved = self._ctx._saved
        if saved is None:
            if self._ctx._freed:
                raise RuntimeError(
                    f"{self._ctx.op.__name__}'s saved values were freed after backward; pass "
                    "retain_graph=True to backward() to keep them.")
            return {}
        if not self._ctx._bound:
            return dict(saved)
        return {name: raw for name, (raw, _, _) in saved.items()}

    def __getitem__(self, name):
        return self._values()[name]

    def __iter__(self):
        return iter(self._values())

    def __len__(self):
        return len(self._values())

    def __repr__(self):
        return f"SavedValues({', '.join(self._values())})"


class Context(Node):
    """What one op call leaves in the graph (PyTorch's ``grad_fn``).

    ``forward`` stores here what ``backward`` needs:

    * ``ctx.save(name=array)`` (or PyTorch's ``ctx.save_for_backward(*arrays)``): arrays that are the
      op's inputs or its output. In ``backward``, ``ctx.name`` (or ``ctx.saved_tensors``) gives them
      back as NumPy arrays on the first-order path, and as the graph's own Tensors when the backward
      pass is itself recorded (``create_graph=True``), so the same backward formula yields
      second derivatives. Any other saved array (a mask, indices) acts as a constant.
    * plain attributes (``ctx.axis = 1``): small constants such as axes and shapes.
    * ``ctx.show(g=g)``: a fused op's intermediate values, declared in the op's ``intermediates``;
      kept only while an op observer watches (a trace), and free otherwise.

    ``ctx.needs_input_grad`` says, per positional input, whether a gradient is wanted, so ``backward``
    can skip work. ``ctx.create_graph`` is True while the backward pass is being recorded.
    Saved arrays are freed after ``backward`` unless the graph is retained; the node itself (its
    op and its edges) stays, so the graph can still be drawn.
    """

    # The engine's fields are slots (a node is created on every op call, and slots are the cheapest
    # attributes to write and free); what an op saves and sets goes into the instance dict.
    __slots__ = ("op", "edges", "needs_input_grad", "create_graph", "seq", "shape", "dtype", "_saved",
                 "_checks", "_out", "_out_vc", "_on_grad", "_bound", "_freed", "__dict__", "__weakref__")
    # An eager call writes into new arrays (see Function.writes_into_buffers; a replay gives buffers).
    out_buffer = grad_buffers = None

    def __init__(self, op):
        self.op = op
        self._saved = {}
        self.edges = self.needs_input_grad = self._checks = ()
        self.create_graph = self._bound = self._freed = False
        self.seq = 0  # creation order, set when recorded: a node is created after the nodes of its inputs
        # _out: a weak reference to the output; _on_grad: the output's hooks and retain_grad, if any.
        # While an observer watches the call, the instance dict holds "_shown" (what ctx.show gets).
        self._out = self._on_grad = None

    # -- what forward stores ------------------------------------------------------------------
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

    @property
    def observed(self):
        """Whether an op observer (a trace) watched this call: a fused op may compute a value it only
        shows (``ctx.show``) just then."""
        return "_shown" in self.__dict__

    def show(self, **values):
        """Show a fused op's intermediate values (declared in its ``intermediates``) to observers.

        Kept only while an op observer is active (a trace); otherwise this costs one truth test.
        """
        shown = self.__dict__.get("_shown")
        if shown is not None:
            unknown = set(values) - set(self.op.intermediates)
            if unknown:
                raise TypeError(f"{self.op.__name__} shows {sorted(unknown)}, which its `intermediates` "
                                f"do not declare ({sorted(self.op.intermediates)})")
            shown.update({k: np.array(v, copy=True) for k, v in values.items()})

    # -- saved values, for the engine --------------------------------------------------------------
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
                raw, source, counter = out.data, OUTPUT, out._vc
                self._out_vc = counter
            else:
                for a, r in zip(args, raw_args):
                    if r is raw and isinstance(a, Tensor):
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
            t = source if source is not OUTPUT else (self._out() if self._out is not None else None)
            # A dead output may still have been written through a view of it, which shares its counter.
            now = (t._vc if t is not None else self._out_vc)[0]
            if now != version:
                raise RuntimeError(
                    f"A value needed for gradient computation has been modified by an in-place operation: "
                    f"{self.op.__name__} saved {name!r} (shape {raw.shape}) at version {version}, and it is "
                    f"now at version {now}. Compute out of place, or call backward() before modifying it.")
            if create_graph:
                tensors[name] = t if t is not None else Tensor._make(raw, self)
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
                if source is OUTPUT:
                    saved[name] = (raw, source, tensor._vc[0])
            self._checks = [(tensor._vc if source is OUTPUT else source._vc, version)
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

    # -- the read-only view (bp.autograd.graph) ---------------------------------------------------
    def name(self):
        """``'<Op>Backward'``, as PyTorch names its nodes."""
        return f"{self.op.__name__}Backward"

    @property
    def next_functions(self):
        """Per positional input: ``(node, 0)``, ``(AccumulateGrad, 0)`` for a leaf, ``(None, 0)`` for a constant."""
        return tuple((None if e is None else e if e.__class__ is Context else grad_accumulator(e), 0)
                     for e in self.edges)

    @property
    def input_names(self):
        """The names of the op's positional inputs at this call (``tensors[0]``, … for a variadic op)."""
        return self.op.input_names_for(len(self.edges))

    @property
    def forward_formula(self):
        return self.op.formulas(self)[0]

    @property
    def backward_formulas(self):
        """Input name → the backward formula applied at this call (options and mode taken into account)."""
        return self.op.formulas(self)[1]

    @property
    def intermediates(self):
        """A fused op's shown intermediates: name → (formula, value); empty unless a trace watched the call."""
        shown = self.__dict__.get("_shown") or {}
        return {name: (self.op.intermediates.get(name, ""), value) for name, value in shown.items()}

    @property
    def saved(self):
        """The arrays saved for backward, by name (read-only); raises once they were freed."""
        return SavedValues(self)

    @property
    def metadata(self):
        """A dict for a user's annotations, as PyTorch's ``Node.metadata``."""
        return self.__dict__.setdefault("_metadata", {})

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward and may return replacement gradients."""
        from .hooks import add_to_dict

        return add_to_dict(self.output_hooks().hooks, lambda g: _single(hook((g,))))

    def output_hooks(self):
        """What runs on the gradient of this node's output once it is complete (made on first use)."""
        if self._on_grad is None:
            from .accumulate import OutputHooks

            self._on_grad = OutputHooks()
        return self._on_grad

    def __repr__(self):
        return f"<{self.op.__name__}Backward>"


def _single(result):
    return None if result is None else result[0]


_SLOTS = frozenset(Context.__slots__)

from .tensor import Tensor  # noqa: E402  (a Tensor's grad_fn is a Context)

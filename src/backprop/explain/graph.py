"""The derivative graph (the course's «граф производных»): values, gradients and local derivatives on a graph.

Build a computation inside :func:`record_graph`, so that every op call keeps its inputs and output,
then draw it::

    x = bp.tensor(1.0, requires_grad=True); y = bp.tensor(2.0, requires_grad=True)
    with bp.explain.record_graph():
        f = x**2 + x*y + (x + y)**2
    g = bp.explain.derivative_graph(f, names={"x": x, "y": y, "f": f})
    print(g)                 # nodes with value and gradient, edges with ∂head/∂tail
    g.to_dot()               # Graphviz DOT text, always available
    g.render("f.svg")        # through Graphviz's ``dot`` when installed, else writes f.dot and warns

Every node carries its value and the gradient of the output with respect to it; every edge the
local derivative of its head with respect to its tail: a number on scalar graphs, and on tensor
graphs the op's backward formula with its Jacobian when that is small. The local derivative is the
op's own backward formula applied to the op alone, and the gradients come from replaying the
recorded calls through the engine: the numbers are those that backpropagation uses.

The structure of a graph survives ``backward()`` (only saved arrays are freed), so a graph built
outside :func:`record_graph` can still be drawn: with its operations, shapes and formulas, and the
values that are still alive (the leaves and the output), but without local derivatives.
"""
import itertools
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..autograd.engine import grad
from ..autograd.tensor import Tensor
from . import _format as fmt
from .i18n import labels
from .recording import inputs_of, local_jacobians, record_graph, record_of, replay, walk

__all__ = ["DerivativeGraph", "GraphEdge", "GraphNode", "GraphvizUnavailableWarning", "derivative_graph",
           "record_graph"]

SMALL_JACOBIAN = 6  # a tensor edge shows its Jacobian when both sides have at most this many elements


class GraphvizUnavailableWarning(UserWarning):
    """Graphviz (the ``dot`` command) is not installed, so a graph was written as DOT text instead."""


# -- the graph ------------------------------------------------------------------------------------
@dataclass(eq=False)
class GraphNode:
    """A leaf (``op`` None) or an op call; ``value`` and ``grad`` are None where unknown."""
    key: object  # the leaf Tensor or the graph node (Context)
    name: str
    op: type = None
    shape: tuple = ()
    value: np.ndarray = None
    grad: np.ndarray = None
    inputs: list = field(default_factory=list)  # per positional argument: a GraphNode or a constant
    options: dict = field(default_factory=dict)

    @property
    def label(self):
        """``a = Pow(x, 2)`` for an op, the name for a leaf."""
        if self.op is None:
            return self.name
        args = [_arg_text(i) for i in self.inputs] + [f"{k}={_arg_text(v)}" for k, v in self.options.items()]
        return f"{self.name} = {self.op.__name__}({', '.join(args)})"


def _arg_text(value):
    if isinstance(value, GraphNode):
        return value.name
    if value is None or isinstance(value, (str, bool, tuple, type)) or np.asarray(value).dtype == object:
        return str(value)
    return fmt.array(value, small=4)


@dataclass(eq=False)
class GraphEdge:
    """Input ``tail`` feeds position ``index`` of the op ``head``; ``jacobian`` is ∂head/∂tail."""
    tail: GraphNode
    head: GraphNode
    index: int
    formula: str
    _jacobian: object = None  # a callable computing the Jacobian on first use, or None (unknown)

    @property
    def symbol(self):
        """∂a/∂x; with the input's position when the head takes the tail more than once (x·x)."""
        twice = sum(i is self.tail for i in self.head.inputs) > 1
        return f"∂{self.head.name}/∂{self.tail.name}" + (f"[{self.index + 1}]" if twice else "")

    @property
    def jacobian(self):
        """∂head/∂tail of shape head.shape + tail.shape, or None when the graph was not recorded."""
        if callable(self._jacobian):
            self._jacobian = self._jacobian()
        return self._jacobian

    @property
    def is_scalar(self):
        return int(np.prod(self.head.shape)) == 1 and int(np.prod(self.tail.shape)) == 1


def _names(order, leaves, names, records):
    """Given names (``names``, ``Tensor.name``), then x1, x2 … for leaves, a, b, c … for ops as created."""
    given = {}
    for name, t in (names or {}).items():
        given[t.grad_fn if t.grad_fn is not None else t] = name
    for leaf in leaves:
        if leaf.name and leaf not in given:
            given[leaf] = leaf.name
    used = set(given.values())
    letters = (c for c in itertools.chain("abcdeghkmnpqrstuvw", (f"v{i}" for i in itertools.count(1)))
               if c not in used)
    inputs = (c for c in (f"x{i}" for i in itertools.count(1)) if c not in used)
    result = dict(given)
    by_creation = (sorted(order, key=lambda c: records[c].order) if len(records) == len(order)
                   else reversed(order))
    for key, fresh_names in [(leaf, inputs) for leaf in leaves] + [(ctx, letters) for ctx in by_creation]:
        if key not in result:
            result[key] = next(fresh_names)
    return result


class DerivativeGraph:
    """A tensor's computational graph with values, gradients and local derivatives (see the module doc).

    Attributes
    ----------
    nodes : list of GraphNode
        Leaves and op calls, inputs before the ops that use them; the output is last.
    edges : list of GraphEdge
        One per input of each op that needs a gradient (``x·x`` gives two parallel edges).
    output : GraphNode
    recorded : bool
        Whether the graph was built inside :func:`record_graph` (values and derivatives known).
    """

    def __init__(self, output, names=None, grad_output=None, lang="en"):
        labels(lang)
        self.lang = lang
        if isinstance(output, Tensor) and output.grad_fn is None and output.requires_grad:
            self._leaf(output, names, grad_output)  # f = x: one node, ∂f/∂x = 1
            return
        if not isinstance(output, Tensor) or output.grad_fn is None:
            raise ValueError("derivative_graph needs a Tensor computed from inputs that require grad "
                             "(it has no graph: was it computed under bp.no_grad()?)")
        order, leaves = walk(output.grad_fn)
        records = {c: record_of(c) for c in order if record_of(c) is not None}
        self.recorded = len(records) == len(order)
        self._order, self._records = order, records
        name_of = _names(order, leaves, names, records)
        fresh = replay(order, records) if self.recorded else {}
        values = {e: v for c in order if c in records for e, v in zip(inputs_of(c), records[c].inputs)}
        alive = {output.grad_fn: output.data}  # the values of an unrecorded graph that are known
        alive.update({t.grad_fn: t.data for t in (names or {}).values()
                      if isinstance(t, Tensor) and t.grad_fn is not None})
        by_key = {leaf: GraphNode(leaf, name_of[leaf], shape=leaf.shape, value=values.get(leaf, leaf.data))
                  for leaf in leaves}
        self.edges = []
        for ctx in reversed(order):
            call = records.get(ctx)
            value = call.output if call else alive.get(ctx)
            node = GraphNode(ctx, name_of[ctx], ctx.op, ctx.shape, value,
                             options=call.options if call else {})
            tails = inputs_of(ctx)
            for i, edge in enumerate(tails):
                node.inputs.append(by_key[edge] if edge is not None else
                                   (call.inputs[i] if call else "…"))
            by_key[ctx] = node
            formulas = ctx.backward_formulas
            for i, (edge, input_name) in enumerate(zip(tails, ctx.input_names)):
                if edge is not None:
                    jac = (lambda call=call, i=i: local_jacobians(call)[i]) if call else None
                    self.edges.append(GraphEdge(by_key[edge], node, i, formulas.get(input_name, ""), jac))
        ops = sorted(order, key=lambda c: records[c].order) if self.recorded else reversed(order)
        self.nodes = [by_key[k] for k in leaves] + [by_key[c] for c in ops]
        self.output = by_key[output.grad_fn]
        self._fill_gradients(output, fresh, grad_output, by_key)

    def _fill_gradients(self, output, fresh, grad_output, by_key):
        if grad_output is None and output.data.size != 1:
            return  # the gradient of a non-scalar output needs a grad_output, as backward() does
        seed = np.ones(output.shape) if grad_output is None else np.asarray(
            grad_output.data if isinstance(grad_output, Tensor) else grad_output)
        if fresh:
            keys = [k for k in by_key if k in fresh]
            gs = grad(fresh[output.grad_fn], [fresh[k] for k in keys], seed.astype(output.dtype),
                      allow_unused=True)
            for k, g in zip(keys, gs):
                by_key[k].grad = np.zeros(by_key[k].shape) if g is None else g.data
        else:
            self.output.grad = seed
            for node in self.nodes:
                if node.op is None and node.key.grad is not None:
                    node.grad = np.asarray(node.key.grad.data if isinstance(node.key.grad, Tensor)
                                           else node.key.grad)

    def _leaf(self, output, names, grad_output):
        name = next((k for k, t in (names or {}).items() if t is output), None) or output.name or "x1"
        self.recorded, self._order, self._records, self.edges = True, [], {}, []
        self.output = GraphNode(output, name, shape=output.shape, value=output.data)
        self.nodes = [self.output]
        if grad_output is not None or output.data.size == 1:
            self.output.grad = np.ones(output.shape) if grad_output is None else np.asarray(
                grad_output.data if isinstance(grad_output, Tensor) else grad_output)

    def node(self, name):
        """The node called ``name``."""
        for n in self.nodes:
            if n.name == name:
                return n
        raise KeyError(f"no node named {name!r}; the nodes are {[n.name for n in self.nodes]}")

    # -- views ------------------------------------------------------------------------------
    def _edge_text(self, e):
        """``∂a/∂x = 2`` on a scalar edge; else the backward formula, with the Jacobian when small."""
        heads, tails = int(np.prod(e.head.shape)), int(np.prod(e.tail.shape))
        small = self.recorded and max(heads, tails) <= SMALL_JACOBIAN
        if small and e.is_scalar:
            return f"{e.symbol} = {fmt.number(e.jacobian)}"
        jacobian = np.reshape(e.jacobian, (heads, tails)) if small else None
        return f"{e.symbol}: {e.formula}" + ("" if jacobian is None else
                                              "\nJ = " + fmt.array(jacobian, small=jacobian.size))

    def _node_lines(self, n):
        lines = [n.label]
        words = labels(self.lang)
        if n.value is not None:
            lines.append(f"{words['value']} = " + fmt.array(n.value))
        if n.grad is not None:
            lines.append(f"{words['graph_grad']} = " + fmt.array(n.grad))
        if n.op is not None and n.op.forward_formula and n.value is not None and np.size(n.value) > 1:
            lines.append(n.op.forward_formula)
        return lines

    def to_dot(self):
        """The graph as Graphviz DOT text: inputs on the left, the output on the right."""
        ids = {id(n): f"n{i}" for i, n in enumerate(self.nodes)}
        out = ['digraph "derivative graph" {', "  rankdir=LR;",
               '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=10];']
        if not self.recorded:
            out.append(f'  labelloc="t"; label="{fmt.dot_escape(labels(self.lang)["graph_not_recorded"])}";')
        for n in self.nodes:
            style = "shape=ellipse" if n.op is None else "shape=box, style=rounded"
            if n is self.output:
                style += ", peripheries=2"
            label = fmt.dot_escape("\n".join(self._node_lines(n)))
            out.append(f'  {ids[id(n)]} [{style}, label="{label}"];')
        for e in self.edges:
            label = fmt.dot_escape(self._edge_text(e))
            out.append(f'  {ids[id(e.tail)]} -> {ids[id(e.head)]} [label="{label}"];')
        out.append("}")
        return "\n".join(out) + "\n"

    def pipe(self, format="svg"):
        """The drawing as bytes in ``format`` ('svg', 'png', 'pdf' …), or None when Graphviz is missing."""
        return fmt.run_graphviz(self.to_dot(), format)

    def render(self, filename, format=None):
        """Draw to ``filename`` (format from its suffix, default SVG); returns the path written.

        Without Graphviz it writes the DOT text next to it (``name.dot``), warns with
        :class:`GraphvizUnavailableWarning` and returns that path.
        """
        path = Path(filename)
        format = format or path.suffix.lstrip(".") or "svg"
        if format == "dot":
            path.write_text(self.to_dot(), encoding="utf-8")
            return path
        data = self.pipe(format)
        if data is None:
            path = path.with_suffix(".dot")
            path.write_text(self.to_dot(), encoding="utf-8")
            warnings.warn(labels(self.lang)["graphviz_missing"].format(path=path, format=format.upper()),
                          GraphvizUnavailableWarning, stacklevel=2)
            return path
        path.write_bytes(data)
        return path

    def _repr_svg_(self):
        data = self.pipe("svg")
        return None if data is None else data.decode("utf-8")

    def __str__(self):
        rows = [(n.label, fmt.array(n.value) if n.value is not None else "?",
                 fmt.array(n.grad) if n.grad is not None else "?") for n in self.nodes]
        words = labels(self.lang)
        text = fmt.table([words["node"], words["value"], words["graph_grad"]], rows, ["<", "<", "<"])
        edges = "\n".join(f"  {e.tail.name} → {e.head.name}   " + self._edge_text(e).replace("\n", "  ")
                          for e in self.edges)
        note = "" if self.recorded else "\n" + words["graph_not_recorded"]
        return f"{text}\n{words['graph_edges']}:\n{edges or '  ' + words['graph_no_edges']}{note}"

    __repr__ = __str__


_NOT_RECORDED = ("Values of intermediate nodes and local derivatives were not recorded: build the graph "
                 "inside `with bp.explain.record_graph():` to see them.")


def derivative_graph(output, names=None, grad_output=None, lang="en"):
    """The derivative graph of ``output``: see :class:`DerivativeGraph` and the module doc.

    Parameters
    ----------
    output : Tensor
        The result of a computation on tensors that require grad.
    names : dict of str to Tensor, optional
        Names for leaves and intermediate tensors (``{"x": x, "f": f}``). Leaves default to their
        ``.name``, then to x1, x2 …; op nodes to a, b, c … in the order they were computed.
    grad_output : array_like, optional
        dL/d(output) for a non-scalar output (as in ``backward(grad)``); a scalar output uses 1.
    lang : {'en', 'ru'}, default 'en'
        The language of the labels (value, gradient, the table's header); names and formulas stay.

    Returns
    -------
    DerivativeGraph
    """
    return DerivativeGraph(output, names, grad_output, lang=lang)

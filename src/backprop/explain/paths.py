"""The sum over paths: a derivative as the sum, over the graph's paths, of the product of edge derivatives.

The course's rule (problem book §4, ex. 1): to find ∂f/∂x, take every path from x to f, multiply
the local derivatives on its edges, and add the products. For f(x, y) = x² + xy + (x + y)²::

    x = bp.tensor(1.0, requires_grad=True); y = bp.tensor(2.0, requires_grad=True)
    with bp.explain.record_graph():
        f = x**2 + x*y + (x + y)**2
    print(bp.explain.path_sum(f, x, names={"x": x, "y": y, "f": f}))
    # three paths: 2x + y + 2(x + y) = 2 + 2 + 6 = 10, equal to reverse mode's x.grad

``x**2`` is one squaring vertex with the edge derivative 2x, as in the course's solution. Written
``x*x`` it is a product vertex that takes x twice: two parallel edges, each with derivative x, so
two paths whose products add up to the same 2x. (The exercise allows only + and × vertices and
its solution uses squaring vertices: the course's slip, harmless because both give 2x.)

On tensor graphs each edge carries a Jacobian and a path's product is a product of matrices.
Paths multiply: a graph of depth n can have 2ⁿ of them, while reverse mode (backprop) uses each
edge once. :func:`count_multiplications` counts both without listing the paths.
"""
from dataclasses import dataclass, field

import numpy as np

from ..autograd.engine import grad
from ..autograd.tensor import Tensor
from . import _format as fmt
from .graph import _NOT_RECORDED, DerivativeGraph
from .i18n import labels
from .recording import inputs_of, replay, walk

__all__ = ["MultiplicationCount", "Path", "PathSum", "count_multiplications", "path_sum"]


@dataclass
class MultiplicationCount:
    """The cost of ∂output/∂input by the two methods, in multiplications of edge derivatives.

    Numbers on scalar graphs, Jacobian products on tensor graphs.

    Attributes
    ----------
    paths : int
        The number of paths from the input to the output.
    path_sum : int
        k − 1 multiplications for each path of k edges (every product formed separately).
    reverse_mode : int
        One per edge lying on some path: backprop multiplies the gradient that reached an edge's
        head by the edge's derivative once, whatever the number of paths through it.
    """
    paths: int
    path_sum: int
    reverse_mode: int
    lang: str = field(default="en", repr=False, compare=False)

    def __str__(self):
        return labels(self.lang)["count_line"].format(paths=fmt.count(self.paths), sum=fmt.count(self.path_sum),
                                                      reverse=fmt.count(self.reverse_mode))


def _target_key(input):
    if not isinstance(input, Tensor) or not input.requires_grad:
        raise ValueError("the input must be a Tensor that requires grad (a leaf or an intermediate result)")
    return input.grad_fn if input.grad_fn is not None else input


def count_multiplications(output, input):
    """Count the paths from ``input`` to ``output`` and the multiplications of both methods.

    Works on any graph, recorded or not, without listing the paths (their number can be
    astronomical): counts are propagated from the input towards the output.

    Returns
    -------
    MultiplicationCount
    """
    if not isinstance(output, Tensor) or output.grad_fn is None:
        raise ValueError("count_multiplications needs an output computed from tensors that require grad")
    target = _target_key(input)
    paths, lengths = {target: 1}, {target: 0}  # per node: paths to the target, their total edge count
    edges_used = 0
    for node in reversed(walk(output.grad_fn)[0]):
        if node is target:
            continue
        p = total = 0
        for e in inputs_of(node):
            if e is not None and paths.get(e, 0):
                p += paths[e]
                total += lengths[e] + paths[e]
                edges_used += 1
        paths[node], lengths[node] = p, total
    root = output.grad_fn
    if not paths.get(root, 0):
        raise ValueError("there is no path from this input to the output: the output does not depend on it")
    return MultiplicationCount(paths[root], lengths[root] - paths[root], edges_used)


class Path:
    """One path, as its edges from the output down to the input (the course's order of factors)."""

    def __init__(self, edges):
        self.edges = edges

    @property
    def names(self):
        return [self.edges[0].head.name] + [e.tail.name for e in self.edges]

    @property
    def factors(self):
        """The local derivative of each edge (numbers, or Jacobians of shape head.shape + tail.shape)."""
        return [e.jacobian for e in self.edges]

    @property
    def product(self):
        """The product of the factors as an array of shape output.shape + input.shape."""
        m = None
        for e in self.edges:
            j = np.reshape(e.jacobian, (int(np.prod(e.head.shape)), int(np.prod(e.tail.shape))))
            m = j if m is None else m @ j
        return m.reshape(tuple(self.edges[0].head.shape) + tuple(self.edges[-1].tail.shape))

    def __str__(self):
        chain = " ← ".join(self.names)
        symbols = " · ".join(e.symbol for e in self.edges)
        if all(e.is_scalar for e in self.edges):
            if len(self.edges) == 1:
                return f"{chain}   {symbols} = {fmt.number(self.product)}"
            numbers = " · ".join(fmt.number(f) for f in self.factors)
            return f"{chain}   {symbols} = {numbers} = {fmt.number(self.product)}"
        return f"{chain}   {symbols} = {fmt.array(self.product)}"


class PathSum:
    """∂output/∂input as a sum over paths, next to the reverse-mode gradient (see the module doc).

    Attributes
    ----------
    paths : list of Path
    total : numpy.ndarray
        Σ over paths of the products; shape output.shape + input.shape (input.shape for a scalar output).
    reverse_mode : numpy.ndarray
        The same derivative by backpropagation on the replayed graph.
    matches : bool
        Whether the two agree to rounding.
    count : MultiplicationCount
    graph : DerivativeGraph
    """

    def __init__(self, output, input, names=None, max_paths=10_000, lang="en"):
        labels(lang)
        self.lang = lang
        self.count = count_multiplications(output, input)
        self.count.lang = lang
        if self.count.paths > max_paths:
            raise ValueError(f"{fmt.count(self.count.paths)} paths lead from the input to the output, more "
                             f"than max_paths={max_paths}: use count_multiplications to compare the costs")
        graph = self.graph = DerivativeGraph(output, names, lang=lang)
        if not graph.recorded:
            raise RuntimeError("path_sum needs the local derivatives: " + _NOT_RECORDED)
        target = _target_key(input)
        incoming = {}
        for e in graph.edges:
            incoming.setdefault(id(e.head), []).append(e)
        self.input = next(n for n in graph.nodes if n.key is target)
        self.output = graph.output
        self.paths = [Path(p) for p in self._walk(graph, incoming)]
        self.total = sum(p.product for p in self.paths)
        fresh = replay(graph._order, graph._records)
        self.reverse_mode = _reverse_mode(fresh[output.grad_fn], fresh[target])
        dtype = np.result_type(self.reverse_mode.dtype, np.float32)
        tol = 1e3 * np.finfo(dtype).eps
        self.matches = bool(np.allclose(self.total, self.reverse_mode, rtol=tol,
                                        atol=tol * max(1.0, float(np.abs(self.reverse_mode).max(initial=0)))))
        if np.prod(self.output.shape) == 1:  # a scalar output: the gradient has the input's shape
            self.total = np.reshape(self.total, self.input.shape)
            self.reverse_mode = np.reshape(self.reverse_mode, self.input.shape)

    def _walk(self, graph, incoming):
        """Every path from the output down to the input, depth first, without recursion."""
        reaches = {id(self.input)}
        for n in graph.nodes:  # inputs come before the ops that use them
            if any(id(e.tail) in reaches for e in incoming.get(id(n), ())):
                reaches.add(id(n))
        found, stack = [], [(self.output, [])]
        while stack:
            node, edges = stack.pop()
            if node is self.input:
                found.append(edges)
                continue
            for e in reversed(incoming.get(id(node), ())):
                if id(e.tail) in reaches:
                    stack.append((e.tail, edges + [e]))
        return found

    def __str__(self):
        words = labels(self.lang)
        out, inp = self.output.name, self.input.name
        n = len(self.paths)
        paths = words["path_one"] if n == 1 else words["path_many"]
        lines = [words["paths_title"].format(out=out, inp=inp, n=n, paths=paths)]
        lines += [f"  {p}" for p in self.paths]
        parallel = sorted({words["takes"].format(head=e.head.name, tail=e.tail.name) for p in self.paths
                           for e in p.edges if "[" in e.symbol})
        if parallel:
            lines.append(f"  ({'; '.join(parallel)} {words['parallel_note']})")
        terms = ""
        if np.size(self.total) == 1 and 1 < len(self.paths) <= 12:
            terms = " + ".join(fmt.number(p.product) for p in self.paths) + " = "
        lines.append(f"{words['sum_over_paths']}: {terms}{fmt.array(self.total)}")
        lines.append(f"{words['reverse_mode']}:   {fmt.array(self.reverse_mode)}   "
                     + f"(backprop: {words['equal'] if self.matches else words['different']})")
        lines.append(str(self.count))
        return "\n".join(lines)

    __repr__ = __str__


def _reverse_mode(out, x):
    """∂out/∂x by backpropagation, one backward pass per output element: shape out.shape + x.shape."""
    rows = []
    for k in range(out.data.size):
        seed = np.zeros(out.data.size, dtype=out.dtype)
        seed[k] = 1
        (g,) = grad(out, x, seed.reshape(out.shape), retain_graph=True)
        rows.append(g.data)
    return np.stack(rows).reshape(out.shape + x.shape)


def path_sum(output, input, names=None, max_paths=10_000, lang="en"):
    """∂output/∂input as the course's sum over paths, checked against reverse mode.

    Parameters
    ----------
    output : Tensor
        Computed inside :func:`~backprop.explain.record_graph` (the local derivatives are needed).
    input : Tensor
        A leaf or an intermediate tensor of the graph.
    names : dict of str to Tensor, optional
        Node names, as for :func:`~backprop.explain.derivative_graph`.
    max_paths : int, default 10000
        Refuse to list more paths than this (their number can grow exponentially with depth).
    lang : {'en', 'ru'}, default 'en'
        The language of the printed explanation.

    Returns
    -------
    PathSum
        Printing it shows every path with its product, the sum, reverse mode's value and the
        multiplication counts of both methods.
    """
    return PathSum(output, input, names, max_paths, lang=lang)


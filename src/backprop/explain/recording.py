"""What the derivative graph and the sum over paths read: recorded op calls, and walks over the graph.

:func:`record_graph` registers an op observer (:func:`backprop.autograd.graph.register_op_observer`)
that keeps, on each graph node made in the block, what is needed to replay the call and to
differentiate the op alone (``node.metadata``, so the record lives and dies with its node). It
watches the calling thread or asyncio task only. :func:`walk` lists a graph's nodes through the
public node view (``grad_fn``, ``next_functions``, ``AccumulateGrad.variable``).
:func:`formulas_at` and :func:`unrecorded_reason` describe a call that made no node (for the trace).
"""
import contextvars
import itertools
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..autograd.engine import grad
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..autograd.graph import AccumulateGrad, register_op_observer, topological_order
from ..autograd.tensor import Tensor

__all__ = ["OpCall", "formulas_at", "inputs_of", "local_jacobians", "record_graph", "record_of", "replay",
           "unrecorded_reason", "walk"]

_KEY = "backprop.explain.call"  # the key of a node's record in node.metadata


@dataclass(eq=False)
class OpCall:
    """One recorded op call: what is needed to replay it and to differentiate it alone."""
    op: type
    inputs: list  # per positional argument: a copy of the array (Tensors) or the constant as given
    needs_grad: tuple  # per positional argument: whether a gradient flows to it
    options: dict
    output: np.ndarray
    order: int
    jacobians: dict = None  # filled by local_jacobians on first use


_order = itertools.count()
_recording = contextvars.ContextVar("backprop_explain_record_graph", default=0)


def _remember(op, args, options, out, node, depth):
    """The forward observer of :func:`record_graph`: a recorded call made outside any op's forward."""
    if node is None or depth:
        return
    inputs = [np.array(a.data) if isinstance(a, Tensor) else a for a in args]
    needs = tuple(n is not None for n, _ in node.next_functions)
    node.metadata[_KEY] = OpCall(op, inputs, needs, dict(options), np.array(out.data), next(_order))


@contextmanager
def record_graph():
    """Keep every op call's inputs and output while the block runs, for graphs and path sums.

    The records belong to the graph's nodes and are freed with them. Nesting is allowed; only the
    calls of this thread (or asyncio task) are recorded.
    """
    depth = _recording.get()
    handle = register_op_observer(on_forward=_remember) if depth == 0 else None
    token = _recording.set(depth + 1)
    try:
        yield
    finally:
        _recording.reset(token)
        if handle is not None:
            handle.remove()


def record_of(node):
    """The :class:`OpCall` recorded for a graph node, or None."""
    return node.metadata.get(_KEY)


def inputs_of(node):
    """Per positional input of an op node: its graph node, the leaf Tensor, or None for a constant."""
    return [n.variable if isinstance(n, AccumulateGrad) else n for n, _ in node.next_functions]


def walk(root):
    """The op nodes reachable from ``root`` (a ``grad_fn``), each before the nodes of its inputs, and
    the leaves (Tensors) in the order the ops, taken from the inputs up, first use them."""
    order = topological_order(root)
    leaves = list(dict.fromkeys(e for node in reversed(order) for e in inputs_of(node)
                                if isinstance(e, Tensor)))
    return order, leaves


def local_jacobians(call):
    """∂output/∂input of one recorded call, the op applied alone: {input position: array}.

    Each array has shape ``output.shape + input.shape`` (a 0-d array on scalar edges) and is
    computed by the op's backward formula with a unit upstream gradient per output element.
    The result is kept on the call.
    """
    if call.jacobians is None:
        call.jacobians = _jacobians(call)
    return call.jacobians


def _jacobians(call):
    args = [Tensor.wrap(np.array(v)).requires_grad_(True) if n else v
            for v, n in zip(call.inputs, call.needs_grad)]
    wanted = [i for i, n in enumerate(call.needs_grad) if n]
    with enable_grad():
        out = call.op.apply(*args, **call.options)
    rows = {i: [] for i in wanted}
    for k in range(out.data.size):
        seed = np.zeros(out.data.size, dtype=out.dtype)
        seed[k] = 1
        gs = grad(out, [args[i] for i in wanted], seed.reshape(out.shape), retain_graph=True,
                  allow_unused=True)
        for i, g in zip(wanted, gs):
            rows[i].append(np.zeros_like(args[i].data) if g is None else g.data)
    return {i: np.stack(r).reshape(out.shape + args[i].shape) for i, r in rows.items()}


def replay(order, records):
    """Re-run recorded calls on fresh leaves, inputs first: {graph node or leaf Tensor: fresh Tensor}."""
    fresh = {}
    with enable_grad():
        for node in reversed(order):
            call = records[node]
            args = []
            for edge, value in zip(inputs_of(node), call.inputs):
                if edge is None:
                    args.append(value)
                elif not isinstance(edge, Tensor):
                    args.append(fresh[edge])
                else:
                    if edge not in fresh:
                        fresh[edge] = Tensor.wrap(np.array(value)).requires_grad_(True)
                    args.append(fresh[edge])
            fresh[node] = call.op.apply(*args, **call.options)
    return fresh


def unrecorded_reason(op, args):
    """Why a call was not recorded in the graph, as a code the views translate."""
    wanted = any(isinstance(a, Tensor) and a.requires_grad for a in args)
    if wanted and not is_grad_enabled():
        return "no_grad"
    if not wanted:
        return "no_input_requires_grad"
    return "not_differentiable" if not op.differentiable else "no_grad"


def formulas_at(op, args, options):
    """``(forward formula, {input: backward formula})`` of an unrecorded call, as the op applies them there.

    An op whose formulas depend on its call (``formulas`` overridden: batch norm in eval mode, a
    matrix product of vectors) has no node to ask, so the call is replayed, with float inputs that
    require grad, in a helper thread: no observer (this trace included) sees the replay.
    """
    if getattr(op.formulas, "__func__", None) is Function.formulas.__func__:
        return op.formulas()
    found = []

    def replay():
        with np.errstate(all="ignore"):  # the call itself already warned
            replay_call()

    def replay_call():
        try:
            copies = [Tensor.wrap(np.array(a.data)).requires_grad_(a.data.dtype.kind in "fc")
                      if isinstance(a, Tensor) else a for a in args]
            node = op.apply(*copies, **options).grad_fn
            if node is not None:
                found.append((node.forward_formula, node.backward_formulas))
        except Exception:  # noqa: BLE001 - the declared formulas are the fallback
            pass

    helper = threading.Thread(target=replay, name="backprop-trace-formulas")
    try:
        helper.start()
    except RuntimeError:  # no thread to be had: the declared formulas
        return op.formulas()
    helper.join()
    return found[0] if found else op.formulas()

"""Reverse mode: walk the graph from the output back to the leaves, applying each op's backward formula.

The chain rule summed over paths (the course's derivative graph) becomes: visit the nodes in reverse
topological order, so that when a node is reached every path into it has already added its
contribution ``dL/d(node)``; then pass ``dL/d(input) = backward(dL/d(node))`` on along each edge.
Each edge is used once, where the path sum visits every path. The order comes for free: a node is
created after the nodes of its inputs, so the latest-created node still waiting for its backward is
always ready (a heap keyed on creation order, as PyTorch's engine orders its ready queue).
"""
import contextvars
from heapq import heappop, heappush

import numpy as np

from ..exceptions import ShapeError
from .allocator import _state as _allocator_state, keep_freed_memory_for_reuse
from .broadcasting import cast, sum_to
from .function import DoubleBackwardBarrier
from .grad_mode import STATE, no_grad
from .accumulate import LeafSink
from .hooks import call_hook
from .node import Context
from .tensor import Tensor

# The callbacks queued during the backward pass running in this context (None outside a pass).
_end_of_pass = contextvars.ContextVar("backprop.autograd.end_of_pass", default=None)


def queue_callback(callback):
    """Run ``callback()`` once when the backward pass now running ends, after every leaf's gradient and
    hooks (PyTorch's ``Variable._execution_engine.queue_callback``). Call it from a hook during backward:
    ``DistributedDataParallel`` waits for its gradient all-reduces this way.
    """
    queue = _end_of_pass.get()
    if queue is None:
        raise RuntimeError("queue_callback: no backward pass is running; call it from a hook during backward")
    queue.append(callback)


def topological_order(root_ctxs):
    """Graph nodes reachable from ``root_ctxs``, each after every node that uses its output.

    Iterative depth-first search, so a chain of 100,000 ops does not reach Python's recursion limit.
    """
    order, visited = [], set()
    stack = [(c, False) for c in root_ctxs]
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        for e in node.edges:
            if e.__class__ is Context and e not in visited:
                stack.append((e, False))
    order.reverse()
    return order


def _seed(root, grad, create_graph):
    """The starting gradient dL/d(root): 1 for a scalar, else the ``grad`` the caller gives."""
    if not isinstance(root, Tensor) or not root.requires_grad:
        raise RuntimeError(
            "backward() was called on a tensor that does not require grad and has no graph: "
            "create its inputs with requires_grad=True (and not under bp.no_grad()).")
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"grad can be created implicitly only for a scalar output, but this tensor has shape "
                f"{root.shape}: pass backward(grad) with an array of that shape.")
        g = np.ones(root.data.shape, root.data.dtype)
    else:
        g = grad.data if isinstance(grad, Tensor) else np.asarray(grad)
        if g.shape != root.shape:
            raise ShapeError(f"backward: grad has shape {g.shape} but the output has shape {root.shape}")
        if create_graph and isinstance(grad, Tensor):
            return grad
        g = np.array(g, dtype=root.dtype)
    return Tensor._make(g, None) if create_graph else g


def _call_backward_recorded(ctx, g):
    """Run one op's backward formula on Tensors, recording it (``create_graph=True``)."""
    op = ctx.op
    if not op.supports_double_backward:
        # The barrier hangs on the op's inputs too: the gradient depends on them even through saved
        # intermediates (constants here), so differentiating it must raise rather than give zero.
        inputs = [e if e.__class__ is not Context
                  else Tensor._make(np.broadcast_to(np.zeros((), e.dtype), e.shape), e)
                  for e in ctx.edges if e is not None]
        tensors = ctx._unpack(True)
        sources = [g] + [tensors.get(n, ctx.__dict__.get(n)) for n in ctx._saved] + inputs
        ctx.create_graph = False
        with no_grad():
            grads = op.backward(ctx, g.data)
        return tuple(None if gi is None else DoubleBackwardBarrier.apply(gi, *sources, op_name=op.__name__)
                     for gi in _as_tuple(grads))
    ctx.create_graph = True
    ctx.__dict__.update(ctx._unpack(True))
    try:
        grads = op.backward(ctx, g)
    finally:
        ctx._restore_arrays()
    return _as_tuple(grads)


def _as_tuple(grads):
    """What a backward returned, as a tuple: one gradient per input."""
    if isinstance(grads, tuple):
        return grads
    return tuple(grads) if isinstance(grads, list) else (grads,)


def _fit_to(gi, shape, dtype, ctx, create_graph, recorder=None):
    """Undo broadcasting (sum over the broadcast axes) and match the input's dtype."""
    if create_graph and not isinstance(gi, Tensor):
        gi = Tensor._make(np.asarray(gi), None)
    given = gi
    if gi.shape != shape:
        try:
            gi = sum_to(gi, shape)
        except ValueError:
            raise ShapeError(
                f"{ctx.op.__name__}.backward returned a gradient of shape {gi.shape} for an input of "
                f"shape {shape}") from None
    if gi.dtype != dtype:
        gi = cast(gi, dtype)
    if recorder is not None:
        recorder.fit(given, gi)
    return gi


def run_backward(roots, grads=None, retain_graph=None, create_graph=False, inputs=None, allow_unused=False):
    """Backpropagate from ``roots``; the engine behind ``Tensor.backward`` and :func:`grad`.

    With ``inputs=None`` the gradients are added into the leaves' ``.grad``. Otherwise they are
    returned, one per tensor of ``inputs`` (leaves or not), and no ``.grad`` is touched.
    """
    if not _allocator_state["done"]:
        keep_freed_memory_for_reuse()
    if retain_graph is None:
        retain_graph = create_graph
    grads = [None] * len(roots) if grads is None else list(grads)
    if len(grads) != len(roots):
        raise ValueError(f"got {len(grads)} grad_outputs for {len(roots)} outputs")
    seeds = [_seed(r, g, create_graph) for r, g in zip(roots, grads)]
    state = STATE.get()
    recorder = state.recorder  # a captured step (bp.jit) is being recorded: tell it what is done to arrays
    if recorder is not None:
        recorder.seeds(roots, seeds, inputs is not None or create_graph, retain_graph)

    capture = None
    if inputs is not None:
        capture = {}
        for t in inputs:
            if not isinstance(t, Tensor) or not t.requires_grad:
                raise RuntimeError("grad: every input must be a Tensor that requires grad")
            capture[t._ctx if t._ctx is not None else t] = None

    pending = {}  # graph node -> dL/d(its output), summed over the paths seen so far
    ready = []  # heap of (-seq, node): the latest-created node first, which is a reverse topological order
    sink = LeafSink(capture, create_graph, recorder)
    deliver = sink.deliver
    for r, s in zip(roots, seeds):
        ctx = r._ctx
        if ctx is None:
            deliver(r, s)
        elif ctx in pending:
            pending[ctx] = pending[ctx] + s
        else:
            pending[ctx] = s
            heappush(ready, (-ctx.seq, ctx))

    useful = None
    if capture is not None:
        # Only nodes from which a requested input can be reached need their backward run.
        useful = set()
        for node in reversed(topological_order(list(pending))):
            if node in capture or any(e is not None and (e in useful or e in capture) for e in node.edges):
                useful.add(node)

    observers = state.on_backward
    token = STATE.set(state.with_grad_enabled(create_graph))
    queue_token = _end_of_pass.set([])
    try:
        # A node is created after the nodes of its inputs, so when it is the latest-created one still
        # waiting, every path into it has already added its part of dL/d(node).
        while ready:
            ctx = heappop(ready)[1]
            g = pending.pop(ctx)
            if capture is not None and useful is not None and ctx not in useful:
                continue
            if ctx._on_grad is not None:
                if recorder is not None:
                    recorder.unsupported(f"a hook or retain_grad on {ctx.op.__name__}'s output")
                g = ctx._on_grad.run(g, create_graph)  # the output's hooks, then retain_grad
                if ctx._on_grad.hooks:
                    sink.expose(g)  # a hook may keep what it saw: no leaf keeps this memory uncopied
            if capture is not None and ctx in capture:
                capture[ctx] = g
            if create_graph:
                in_grads = _call_backward_recorded(ctx, g)
            else:
                # The first-order path: the formula runs on arrays, once no saved value has changed.
                for counter, version in ctx._checks:
                    if counter[0] != version:
                        ctx._unpack(False)  # raises, naming the op and the value
                if ctx._freed:
                    ctx._unpack(False)  # raises: the values were freed by an earlier backward
                ctx.create_graph = False
                in_grads = ctx.op.backward(ctx, g)
                if in_grads.__class__ is not tuple:
                    in_grads = _as_tuple(in_grads)
                if recorder is not None:
                    recorder.backward(ctx, g, in_grads)
            edges = ctx.edges
            if len(in_grads) != len(edges):
                raise RuntimeError(
                    f"{ctx.op.__name__}.backward returned {len(in_grads)} gradients for {len(edges)} inputs")
            if not retain_graph:
                ctx._free()
            passed = [] if observers else None  # what each input received, for the observers
            for e, gi in zip(edges, in_grads):
                if e is None or gi is None:
                    if passed is not None:
                        passed.append(None)
                    continue
                if gi.__class__ is not np.ndarray and not hasattr(gi, "shape"):
                    gi = np.asarray(gi)  # a custom backward may return a plain number
                if e.__class__ is Context:
                    if useful is not None and e not in useful:
                        if passed is not None:
                            passed.append(None)
                        continue
                    # `is not` first: dtypes of the same kind are one object, and != costs more
                    if create_graph or gi.shape != e.shape or (gi.dtype is not e.dtype and gi.dtype != e.dtype):
                        gi = _fit_to(gi, e.shape, e.dtype, ctx, create_graph, recorder)
                    prev = pending.get(e)
                    if prev is None:
                        pending[e] = gi
                        heappush(ready, (-e.seq, e))
                    else:
                        pending[e] = prev + gi
                        if recorder is not None:
                            recorder.sum(prev, gi, pending[e])
                else:
                    data = e.data
                    if (create_graph or gi.shape != data.shape
                            or (gi.dtype is not data.dtype and gi.dtype != data.dtype)):
                        gi = _fit_to(gi, data.shape, data.dtype, ctx, create_graph, recorder)
                    deliver(e, gi)
                if passed is not None:
                    passed.append(gi)
            if observers:
                for _, observer in observers:
                    call_hook(observer, ctx, g, passed, where="(an op observer's on_backward)")
            if sink.touched or sink.remaining is not None:
                sink.node_done(ctx, pending)  # then the leaves this node completed run their hooks
        sink.finish_all()
        queue = _end_of_pass.get()
        for callback in queue:  # a callback may queue another; the loop reaches it
            call_hook(callback, where="(queue_callback)")
    finally:
        _end_of_pass.reset(queue_token)
        STATE.reset(token)

    if capture is None:
        return None
    results = []
    for t in inputs:
        g = capture[t._ctx if t._ctx is not None else t]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated tensors was not used to compute the outputs; "
                    "pass allow_unused=True to get None for it.")
            results.append(None)
        else:
            results.append(g if isinstance(g, Tensor) else Tensor._make(np.array(g), None))
    return tuple(results)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Add the gradients of ``tensors`` (weighted by ``grad_tensors``) into the leaves' ``.grad``."""
    if isinstance(tensors, Tensor):
        tensors, grad_tensors = (tensors,), None if grad_tensors is None else (grad_tensors,)
    run_backward(tuple(tensors), grad_tensors, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple (``torch.autograd.grad``).

    ``.grad`` attributes are left untouched. With ``create_graph=True`` the results carry a graph,
    so they can be differentiated again.
    """
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    if grad_outputs is not None and isinstance(grad_outputs, (Tensor, np.ndarray)):
        grad_outputs = (grad_outputs,)
    return run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs, allow_unused)


"""Where the backward pass ends: gradients reaching leaves, and the hooks that watch them.

A leaf without hooks gets each gradient added to ``.grad`` as it arrives: into the existing gradient's
array in place (PyTorch's accumulation), or, for a leaf without one, as a new Tensor around the
engine's array when nothing else can hold that memory. A leaf with hooks is
PyTorch's ``AccumulateGrad`` node: its gradients are summed first, and once no node still pending in
the pass can send it more, its ``register_hook`` hooks see (and may replace) the sum, the sum is added
to ``.grad``, and its ``register_post_accumulate_grad_hook`` hooks run.
"""
import numpy as np

from .hooks import call_hook
from .node import Context
from .tensor import Tensor


def accumulate(old, new):
    """``old + new`` out of place; an array sum stays an array (a sum of 0-d arrays is a NumPy scalar)."""
    total = old + new
    return total if isinstance(total, Tensor) else np.asarray(total)


def run_grad_hooks(hooks, g, create_graph, where):
    """Pass the gradient ``g`` through ``register_hook`` hooks in order; each may return a replacement."""
    for hook in list(hooks.values()):
        result = call_hook(hook, g if create_graph else Tensor.wrap(g), where=where)
        if result is None:
            continue
        value = result.data if isinstance(result, Tensor) else np.asarray(result)
        if value.shape != np.shape(g):
            raise RuntimeError(f"the hook {getattr(hook, '__qualname__', hook)!r} changed the gradient's "
                               f"shape from {np.shape(g)} to {value.shape}: a hook must keep the shape")
        if create_graph:
            g = result if isinstance(result, Tensor) else Tensor.wrap(value)
        else:
            g = value
    return g


class OutputHooks:
    """What runs on the gradient of a computed tensor once every path has added to it: the tensor's
    ``register_hook`` hooks in order, then ``retain_grad``'s store into ``.grad`` (last, as PyTorch)."""

    __slots__ = ("hooks", "retain")

    def __init__(self):
        self.hooks = {}
        self.retain = None  # a weak reference to the tensor that retains its .grad

    def run(self, g, create_graph):
        if self.hooks:
            g = run_grad_hooks(self.hooks, g, create_graph, where="(Tensor.register_hook)")
        kept = self.retain() if self.retain is not None else None
        if kept is not None:  # a retained non-leaf's .grad adds up over backward calls, like a leaf's
            if create_graph:
                kept._grad = g if kept._grad is None else kept._grad + g
            elif kept._grad is None:
                kept._grad = Tensor._make(np.array(g), None)
            else:
                kept._grad.data += g
        return g


class LeafSink:
    """Where gradients reaching leaves go: into ``.grad``, or into ``capture`` for :func:`grad`.

    A leaf may keep a gradient array without a copy only if nothing else can hold that memory: no other
    leaf got it in this pass (``Add`` passes one array to both inputs), and no hook saw it (a hook may
    keep the Tensor it was given). Otherwise a later in-place ``+=`` into one ``.grad`` would change the
    other holder's values. Those arrays' owners are in ``delivered``.
    """

    def __init__(self, capture, create_graph, recorder=None):
        self.capture, self.create_graph = capture, create_graph
        self.recorder = recorder  # a captured step's recorder (bp.autograd.recording), told each store
        self.delivered = set()  # ids of arrays handed to leaves or shown to hooks in this pass
        self.waiting = {}  # hooked leaf -> the sum of its gradients so far in this pass
        self.touched = []  # hooked leaves that received a gradient from the node being processed
        self.remaining = None  # hooked leaf -> edges still to come from unprocessed nodes (counted lazily)

    def deliver(self, leaf, gi):
        capture = self.capture
        if capture is not None and leaf not in capture:
            return  # bp.grad: only the requested inputs get anything (and run their hooks)
        acc = leaf._accumulator
        if acc is not None and (acc.pre_hooks or acc.post_hooks):
            if self.recorder is not None:
                self.recorder.unsupported("a gradient hook on a leaf (register_hook or a post-accumulate-grad hook)")
            prev = self.waiting.get(leaf)
            self.waiting[leaf] = gi if prev is None else accumulate(prev, gi)
            self.touched.append(leaf)
            return
        if capture is not None:
            prev = capture[leaf]
            capture[leaf] = gi if prev is None else prev + gi
            return
        self.store(leaf, gi)

    def expose(self, g):
        """Note that user code (a hook) has seen the array ``g``: a leaf that receives it takes a copy."""
        if not self.create_graph:
            self.delivered.add(id(g if g.base is None else g.base))

    def store(self, leaf, gi):
        """Add ``gi`` into ``leaf.grad``."""
        held = leaf._grad
        if self.create_graph:
            leaf._grad = gi if held is None else held + gi
            return
        if gi.__class__ is not np.ndarray:
            gi = np.asarray(gi)
        delivered = self.delivered
        if held is None:
            base = gi.base
            owner = gi if base is None else base
            # Copy if another holder may have this memory, or if it is read-only (only a view can be:
            # np.broadcast_to's are); reading the flags costs more than the other tests.
            given = gi
            if id(owner) in delivered or (base is not None and not gi.flags.writeable):
                gi = owner = gi.copy()
            delivered.add(id(owner))
            leaf._grad = Tensor._make(gi, None)
            if self.recorder is not None:
                self.recorder.store(leaf, given, "set", None, gi)
            return
        array = held.data
        base = array.base
        if held._ctx is not None:  # left by backward(create_graph=True): a new gradient without a graph
            leaf._grad = Tensor._make(accumulate(array, gi), None)
            if self.recorder is not None:
                self.recorder.unsupported("a .grad left by backward(create_graph=True)")
        elif id(array if base is None else base) in delivered or not array.flags.writeable:
            # This pass handed the array to the leaf, so the engine may still use the memory elsewhere:
            # out of place, in the same Tensor, so that whoever holds .grad sees the sum.
            held.data = accumulate(array, gi)
            delivered.add(id(held.data))
            if self.recorder is not None:
                self.recorder.store(leaf, gi, "sum", array, held.data)
        else:
            array += gi  # PyTorch's in-place accumulation into the existing .grad
            if self.recorder is not None:
                self.recorder.store(leaf, gi, "add", array, array)

    # -- hooked leaves ------------------------------------------------------------------------------
    def node_done(self, node, pending):
        """After ``node``'s backward: finish every hooked leaf that no pending node can still reach."""
        remaining = self.remaining
        if remaining is not None:
            for e in node.edges:
                if e in remaining and e.__class__ is not Context:
                    remaining[e] -= 1
        if not self.touched or self.capture is not None:
            return  # bp.grad finishes its captured leaves at the end
        if remaining is None:
            remaining = self.remaining = _edges_into_hooked_leaves(pending)
        touched, self.touched = self.touched, []
        for leaf in touched:
            if leaf in self.waiting and remaining.get(leaf, 0) <= 0:
                self.finish(leaf)

    def finish(self, leaf):
        """Run the leaf's hooks on its summed gradient, store it, then run its post-accumulate hooks."""
        g = self.waiting.pop(leaf)
        acc = leaf._accumulator
        if acc.pre_hooks:
            g = run_grad_hooks(acc.pre_hooks, g, self.create_graph, where="(Tensor.register_hook on a leaf)")
            self.expose(g)
        if self.capture is not None:
            self.capture[leaf] = g  # the sum of every path, after the hooks
            return
        self.store(leaf, g)
        for hook in list(acc.post_hooks.values()):
            call_hook(hook, leaf, where="(Tensor.register_post_accumulate_grad_hook)")

    def finish_all(self):
        """At the end of the pass, every hooked leaf still waiting is complete."""
        for leaf in list(self.waiting):
            self.finish(leaf)


def _edges_into_hooked_leaves(pending):
    """For each leaf with hooks, how many edges from the nodes reachable from ``pending`` lead to it."""
    counts, seen, stack = {}, set(pending), list(pending)
    while stack:
        node = stack.pop()
        for e in node.edges:
            if e is None:
                continue
            if e.__class__ is Context:
                if e not in seen:
                    seen.add(e)
                    stack.append(e)
            elif e._accumulator is not None:
                counts[e] = counts.get(e, 0) + 1
    return counts

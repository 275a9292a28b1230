"""Recording a step's array work: the public way in for a recorder such as ``bp.jit``.

While :func:`record_with` is active (in this thread or asyncio task: the recorder is a field of the
engine's context variable), the engine tells the recorder what it does to arrays, in order:

* ``forward(op, ctx, args, raw, kwargs, out, recorded)``: an op call made outside any other op's
  forward; ``raw`` are the arrays ``forward`` received, ``out`` the Tensor returned, ``recorded``
  whether a graph node was made (``ctx``, PyTorch's ``grad_fn``);
* ``seeds(roots, seeds, unsupported_mode, retain_graph)``: a backward pass starts from ``roots`` with
  the gradients ``seeds`` (``unsupported_mode`` is true for ``bp.grad`` and ``create_graph=True``);
* ``backward(node, grad_output, input_grads)``: a node's backward formula ran;
* ``fit(before, after)``: a gradient was summed over broadcast axes or cast to its input's dtype;
* ``sum(a, b, total)``: two gradients of one node were added, ``total = a + b``;
* ``store(leaf, grad, how, held, result)``: a gradient reached a leaf's ``.grad``: ``how`` is "set"
  (``result`` is ``grad`` or its copy), "sum" (``result = held + grad``, a new array) or "add"
  (``held += grad`` in place);
* ``zero_grad(tensors, set_to_none)``, ``grad_assigned(tensor, value)`` (``tensor.grad = value``, a
  Tensor or None), ``copy_into(tensor, result)`` (an in-place op's ``tensor.data[...] = result.data``),
  ``item(tensor, value)`` (``Tensor.item``);
* ``call(fn, args, kwargs, result)``: a function marked :func:`replayable` ran;
* ``update(optimizer, update, param, grad, group)``: an optimizer's update function is about to run on
  one parameter, then ``wrote(array)``: it has written the parameter's array (reported by ``bp.optim``);
* ``unsupported(reason)``: something a replay could not repeat happened (a hook ran, a node's output
  has hooks, ``create_graph``): the recorder should give up on this step.

A replay runs ops' ``forward`` and ``backward`` formulas on a :class:`ReplayContext` in place of a
graph node.
"""
import contextlib
import functools

from .grad_mode import STATE
from .hooks import hook_changes
from .tensor import Tensor

__all__ = ["ReplayContext", "record_with", "current_recorder", "replayable", "set_grads", "clear_grads", "grads_unset",
           "increment_versions", "must_run_eagerly", "hook_changes"]


@contextlib.contextmanager
def record_with(recorder):
    """Report the engine's array work to ``recorder`` inside the block (see the module docstring)."""
    token = STATE.set(STATE.get().replace(recorder=recorder))
    try:
        yield recorder
    finally:
        STATE.reset(token)


def current_recorder():
    """The recorder of this thread or task, or None when nothing is being recorded."""
    return STATE.get().recorder


def must_run_eagerly():
    """Why a captured step must run eagerly now in this thread or task, or None: op observers (a trace,
    ``register_op_observer``) watch, or a step is being recorded already."""
    state = STATE.get()
    if state.on_forward or state.on_backward:
        return "op observers are watching (bp.explain.trace)"
    return None if state.recorder is None else "called inside a step being recorded"


def replayable(fn):
    """Mark ``fn``, a function on arrays whose effects a replayed step must repeat, not reuse.

    A random draw (a dropout mask), an in-place update of running statistics, gradient clipping: a
    recorder is told of each call with its arguments and result, so a replay calls ``fn`` again (the
    generator draws in the same order as eagerly). ``fn`` must work on arrays, not through ops: the
    ops it would call are not recorded on their own.
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        state = STATE.get()
        recorder = state.recorder
        if recorder is None or state.depth:
            return fn(*args, **kwargs)
        token = STATE.set(state.replace(recorder=None))
        try:
            result = fn(*args, **kwargs)
        finally:
            STATE.reset(token)
        recorder.call(fn, args, kwargs, result)
        return result

    return wrapper


def set_grads(plan, values):
    """Give each tensor of ``plan``, a sequence of ``(tensor, index, made)``, the gradient ``values[index]``
    (None clears it), as a backward pass leaves it. One call for a replayed step's every parameter.

    ``made`` None: the tensor keeps the gradient Tensor it has (a new one if it has none), its array replaced.
    Else ``made`` is a one-item list, the gradient Tensor given last time: given again when it holds this very
    array (a replay's gradient buffer, as a CUDA graph keeps its gradients), else a new one, remembered there.
    """
    for tensor, index, made in plan:
        array = values[index]
        if array is None:
            tensor._grad = None
            continue
        held = tensor._grad
        if made is None:
            if held is None:
                tensor._grad = Tensor._make(array, None)
            elif held.data is not array:
                held.data = array
        elif made[0] is not None and made[0].data is array:
            tensor._grad = made[0]
        else:
            tensor._grad = made[0] = Tensor._make(array, None)


def clear_grads(tensors):
    """Set each tensor's ``.grad`` to None (``zero_grad(set_to_none=True)`` in a replayed step)."""
    for tensor in tensors:
        tensor._grad = None


def grads_unset(tensors):
    """A tuple of booleans: which of ``tensors`` have no ``.grad`` (read at every replay, so read directly)."""
    return tuple([t._grad is None for t in tensors])


def increment_versions(tensors):
    """:func:`~backprop.autograd.graph.increment_version` for each tensor, in one call."""
    for t in tensors:
        t._vc[0] += 1


class ReplayContext:
    """An op call's stand-in for its graph node during a replay.

    It offers what ``forward`` and ``backward`` use (``save``, ``needs_input_grad``, saved values as
    attributes); what ``forward`` saves becomes plain attributes, which :meth:`release` drops after
    ``backward`` (as the engine frees a node's saved values).
    """

    __slots__ = ("op", "needs_input_grad", "edges", "shape", "dtype", "out_buffer", "grad_buffers", "__dict__")
    create_graph = False
    observed = False

    def __init__(self, op, needs_input_grad, n_inputs, shape, dtype):
        self.op = op
        self.needs_input_grad = needs_input_grad
        self.edges = (None,) * n_inputs
        self.shape, self.dtype = shape, dtype
        # Arrays an op with writes_into_buffers fills (set by the replaying program; kept by release).
        self.out_buffer = self.grad_buffers = None

    def save(self, **arrays):
        self.__dict__.update(arrays)

    def save_for_backward(self, *arrays):
        d = self.__dict__
        d.update({f"_saved{i}": a for i, a in enumerate(arrays)})
        d["_n_positional"] = len(arrays)

    @property
    def saved_tensors(self):
        d = self.__dict__
        return tuple(d[f"_saved{i}"] for i in range(d.get("_n_positional", 0)))

    def show(self, **values):
        """Nothing is shown during a replay (a traced step runs eagerly)."""

    def release(self):
        self.__dict__.clear()

    def __repr__(self):
        return f"<{self.op.__name__} replay context>"

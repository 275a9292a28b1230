"""The graph's public face (PyTorch's ``torch.autograd.graph``): nodes, op observers, version counters.

``t.grad_fn`` is a :class:`Node` (None for leaves and for tensors computed under ``no_grad``)::

    >>> import backprop as bp
    >>> x = bp.tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()
    ('SumBackward', 'MulBackward')
    >>> y.grad_fn.next_functions[0][0].next_functions[0][0].variable is x
    True

Everything that watches the engine (a trace, a graph drawing, a playground) registers an op
observer; nothing reads the engine's private fields or patches its methods.
"""
import numpy as np

from .engine import queue_callback
from .engine import topological_order as _topological_order
from .grad_mode import STATE
from .hooks import RemovableHandle
from .node import AccumulateGrad, Context, Node, SavedValues
from .tensor import Tensor

__all__ = ["Node", "Context", "AccumulateGrad", "SavedValues", "register_op_observer", "increment_version",
           "topological_order", "zero_grad", "queue_callback"]


def topological_order(*roots):
    """The op nodes reachable from ``roots`` (``grad_fn`` nodes), each before the nodes of its inputs:
    the order in which backward visits them. Leaves (``AccumulateGrad``) are not listed.

    An iterative depth-first search, so a chain of 100,000 ops does not reach the recursion limit.
    """
    return _topological_order([r for r in roots if r is not None and not isinstance(r, AccumulateGrad)])


def register_op_observer(on_forward=None, on_backward=None):
    """Watch every op call and every backward step in this thread or asyncio task.

    Parameters
    ----------
    on_forward : callable, optional
        ``on_forward(op, inputs, options, output, node, depth)`` after every op call, recorded or not:
        ``op`` is the :class:`~backprop.Function` subclass, ``inputs`` the positional arguments as given,
        ``options`` the keyword ones, ``node`` the output's ``grad_fn`` (None when not recorded), and
        ``depth`` 0 for a call made outside any op's ``forward`` (a helper op run by another op's
        forward has depth 1 or more).
    on_backward : callable, optional
        ``on_backward(node, grad_output, input_grads)`` after each node's backward: ``input_grads``
        holds one gradient per input (None where none flowed), summed to the input's shape.

    Returns
    -------
    RemovableHandle
        ``remove()`` stops watching; ``with register_op_observer(...):`` watches for a block.

    While an observer is registered, fused ops keep the intermediates they show (``node.intermediates``).
    A new thread starts with no observers; an asyncio task starts with its creator's.
    """
    def remove(key):
        state = STATE.get()
        on_f = tuple(e for e in state.on_forward if e[0] != key)
        on_b = tuple(e for e in state.on_backward if e[0] != key)
        STATE.set(state.replace(on_forward=on_f, on_backward=on_b))

    handle = RemovableHandle(remove)
    state = STATE.get()
    on_f = state.on_forward + (((handle.id, on_forward),) if on_forward is not None else ())
    on_b = state.on_backward + (((handle.id, on_backward),) if on_backward is not None else ())
    STATE.set(state.replace(on_forward=on_f, on_backward=on_b))
    return handle


def increment_version(tensor):
    """Say that ``tensor``'s values were changed in place (outside an op), as PyTorch's function of this name.

    A backward pass that saved the old values then raises instead of using the new ones. Views of
    the tensor share its counter. ``tensor._version`` reads it.
    """
    tensor._vc[0] += 1


def zero_grad(tensors, set_to_none=True):
    """Reset the tensors' ``.grad``: to None, or to zeros in place, as ``Optimizer.zero_grad`` and
    ``Module.zero_grad`` do in PyTorch.

    Zeroing in place keeps the gradient's array, so the next backward accumulates into it and a
    caller holding ``p.grad`` sees the new values. A gradient left by ``backward(create_graph=True)``
    carries a graph; it is replaced by zeros without one.
    """
    recorder = STATE.get().recorder
    if recorder is not None:
        tensors = list(tensors)
        recorder.zero_grad(tensors, set_to_none)
    for t in tensors:
        g = t.grad
        if g is None:
            continue
        if set_to_none:  # _grad, not the setter: the recorder was told above
            t._grad = None
        elif g.grad_fn is not None or not g.data.flags.writeable:
            t._grad = Tensor.wrap(np.zeros_like(g.data))
        else:
            g.data.fill(0)
            increment_version(g)

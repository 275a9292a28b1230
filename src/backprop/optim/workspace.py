"""Temporaries of the update functions, kept from one call to the next when a caller asks for it.

An update function (``sgd_update``, ``adam_update``, ...) needs arrays of θ's shape for its
intermediates (the step Δ, g², a decayed gradient). Eagerly each call makes new ones. A replayed step
(``bp.jit``) runs the same update calls in the same order at every call, so it can lend each call
arrays made once, as a hand-written step reuses its buffers with ``out=``:

    workspace = bp.optim.Workspace()
    for p in params:
        with workspace:       # this thread or task only
            sgd_update(p.data, p.grad.data, state[p], lr=0.1)

The n-th temporary asked for inside a ``with`` block is a view of the workspace's n-th buffer, shared by
all blocks: the temporaries of one call are dead when the next call begins (the update functions keep
none of them in their state, and a replay reads no returned intermediate), so the workspace holds as
much memory as one call's temporaries of the largest parameter, as an eager step does at its peak.
"""
import contextvars

import numpy as np

ACTIVE = contextvars.ContextVar("backprop_optim_workspace", default=None)  # this thread's or task's workspace


class Workspace:
    """Buffers lent in turn to the update functions' temporaries inside ``with workspace:``.

    The n-th temporary asked for in a block is a view of the n-th buffer (grown when a larger one is asked
    for); the views are made once per shape and dtype.
    """

    def __init__(self):
        self.buffers = []  # bytes, one per position in a block
        self._views = {}  # (position, shape, dtype) -> a view of that position's buffer
        self._next = 0
        self._tokens = []

    def __enter__(self):
        self._next = 0
        self._tokens.append(ACTIVE.set(self))
        return self

    def __exit__(self, *exc):
        ACTIVE.reset(self._tokens.pop())

    def take(self, shape, dtype):
        """A view of the next buffer with ``shape`` and ``dtype`` (its values are left over from its last use)."""
        i = self._next
        self._next = i + 1
        key = (i, shape, dtype)
        view = self._views.get(key)
        if view is None:
            nbytes = int(np.prod(shape, dtype=np.int64)) * np.dtype(dtype).itemsize
            if i == len(self.buffers):
                self.buffers.append(np.empty(0, np.uint8))
            if self.buffers[i].nbytes < nbytes:  # a larger buffer: the views of the old one are dropped
                self.buffers[i] = np.empty(nbytes, np.uint8)
                self._views = {k: v for k, v in self._views.items() if k[0] != i}
            view = self._views[key] = self.buffers[i][:nbytes].view(dtype).reshape(shape)
        return view

    def like(self, param, grad):
        """The next array for a temporary of an update of ``param`` by ``grad`` (see :func:`temporary`)."""
        return self.take(param.shape, _update_dtype(param, grad))

    @property
    def nbytes(self):
        """The memory the workspace holds, in bytes."""
        return sum(b.nbytes for b in self.buffers)


def temporary(param, grad):
    """An array for an update's intermediates: θ's shape, the dtype of θ and its gradient together.

    The active :class:`Workspace`'s next array when there is one, else a new array. The update functions
    write into it with ``out=``, which also keeps 0-d parameters arrays (a NumPy operation on 0-d arrays
    without ``out`` returns a scalar, which cannot be updated in place). Where NumPy may allocate the
    result itself (cheaper than ``out=np.empty(...)`` for small arrays), an update reads ``ACTIVE``
    and calls :meth:`Workspace.like` only inside a workspace.
    """
    workspace = ACTIVE.get()
    if workspace is not None:
        return workspace.like(param, grad)
    return np.empty(param.shape, _update_dtype(param, grad))


def _update_dtype(param, grad):
    same = getattr(grad, "dtype", None) is param.dtype  # the common case, without result_type's cost
    return param.dtype if same else np.result_type(param, grad)

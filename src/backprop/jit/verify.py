"""The state a captured step may change: snapshots to detect changes a replay would miss, and to check one.

A recording compares the parameters, buffers, hyperparameters and training flags after the eager call
with a snapshot from before: a change that no recorded instruction made (``p.data = ...``, a scheduler
stepped inside the step) means a replay would not repeat it; the snapshot's digests are where the
recorder starts to follow the values (``p.data -= ...`` outside ops). ``check_every`` restores a
snapshot to rerun a replayed call eagerly.
"""
import numpy as np

from ..autograd import Tensor
from ..random import get_rng_state, set_rng_state
from .recorder import Unsupported, digest


class State:
    """Snapshot of the parameters and buffers of ``modules``, the parameters, hyperparameters and state of
    ``optimizers`` (and, with ``copy``, the gradients and the random generator) at creation."""

    def __init__(self, modules, optimizers, leaves=(), copy=False):
        tensors = {id(t): t for t in leaves}
        for m in modules:
            for t in (*m.parameters(recurse=False), *m.buffers(recurse=False)):
                tensors.setdefault(id(t), t)
        for opt in optimizers:
            for group in opt.param_groups:
                for p in group["params"]:
                    tensors.setdefault(id(p), p)
        self.tensors = [t for t in tensors.values() if t is not None]
        self.params = [t for t in self.tensors if t.requires_grad]
        # Copies to restore (check_every); to detect a change, a digest is enough and costs no memory.
        self.arrays = [(t, t.data, t.data.copy() if copy else digest(t.data)) for t in self.tensors]
        self.flags = [(m, m.training) for m in modules]
        self.optimizers = optimizers
        self.hyper = [[_hyperparameters(g) for g in opt.param_groups] for opt in optimizers]
        self.full = copy
        if copy:
            self.grads = [(t, t.grad, None if t.grad is None else t.grad.data.copy()) for t in self.tensors]
            self.opt_state = [(opt, opt.state, {p: {k: _copied(v) for k, v in s.items()} for p, s in opt.state.items()})
                              for opt in optimizers]
            self.rng = get_rng_state()

    def check_unrecorded_changes(self):
        """Raise :class:`Unsupported` for a change the recorded instructions did not make: a tensor given a new
        array, hyperparameters changed. (Values changed in place are the recorder's to find: it starts from
        :meth:`digests` and follows each recorded write.)"""
        for t, data, _ in self.arrays:
            if t.data is not data:
                raise Unsupported(f"a tensor the step uses (a parameter, a buffer or a constant) of shape {data.shape} "
                                  "got a new array during the step")
        for opt, groups in zip(self.optimizers, self.hyper):
            if [_hyperparameters(g) for g in opt.param_groups] != groups:
                raise Unsupported(f"{type(opt).__name__}'s hyperparameters changed during the step (a scheduler "
                                  "stepped inside it?): step schedulers outside the jitted function")

    def digests(self):
        """``{id(array): (array, digest)}`` of the parameters and buffers (a snapshot without ``copy``)."""
        return {id(data): (data, values) for _, data, values in self.arrays}

    def changed_flags(self):
        """The training flags the step changed: ``(module, flag)`` pairs a replay sets at its end."""
        return tuple((m, m.training) for m, before in self.flags if m.training != before)

    def restore(self):
        """Put back the values, gradients, optimizer state and generator of the snapshot (``copy=True``)."""
        for t, data, values in self.arrays:
            t.data = data
            data[...] = values
        for t, grad, values in self.grads:
            if grad is not None:
                grad.data[...] = values
            t.grad = grad
        for opt, state, saved in self.opt_state:
            opt.state = state
            for p, entries in saved.items():
                live = state.setdefault(p, {})
                for k, v in entries.items():
                    if isinstance(v, np.ndarray) and isinstance(live.get(k), np.ndarray):
                        live[k][...] = v
                    else:
                        live[k] = _copied(v)
        for m, flag in self.flags:
            m.training = flag
        set_rng_state(self.rng)


def _hyperparameters(group):
    return {k: v for k, v in group.items() if k != "params"}


def _copied(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def check_same(replayed, eager, after_replay, after_eager):
    """Raise ``RuntimeError`` naming what differs between a replayed call and the same call run eagerly."""
    if not _equal(replayed, eager):
        raise RuntimeError(f"bp.jit check: the replay returned {replayed!r}, eager mode {eager!r}; the step "
                           "probably depends on Python control flow or data a replay cannot see")
    for (_, _, a), (_, _, b) in zip(after_replay.arrays, after_eager.arrays):
        if not _arrays_equal(a, b):
            raise RuntimeError(f"bp.jit check: a parameter or buffer of shape {a.shape} differs between the "
                               "replay and eager mode")
    for (_, _, a), (_, _, b) in zip(after_replay.opt_state, after_eager.opt_state):
        if a.keys() != b.keys() or any(not _equal(a[p].get(k), b[p].get(k)) for p in a for k in a[p]):
            raise RuntimeError("bp.jit check: the optimizer's state differs between the replay and eager mode")


def _arrays_equal(a, b):
    """Bitwise-equal values (NaN equal to NaN), shapes and dtypes."""
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")


def _equal(a, b):
    if isinstance(a, Tensor) or isinstance(b, Tensor):
        return isinstance(a, Tensor) and isinstance(b, Tensor) and _arrays_equal(a.data, b.data)
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _arrays_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b or (a != a and b != b)

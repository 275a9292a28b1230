"""What every hook registration returns, and how hooks are called.

A registration returns a :class:`RemovableHandle` (PyTorch's ``torch.utils.hooks.RemovableHandle``):
``handle.remove()`` unregisters the hook (a second call does nothing), and ``with handle:`` removes it
on exit. Hooks tied to one object (a tensor, a module, an optimizer) live in that object's dict;
registries of every op or every optimizer live in context variables, so each thread sees its own.
"""
import contextvars
import itertools
import sys

from .grad_mode import STATE

_next_id = itertools.count()
# Registrations and removals so far, in the whole process: hooks live on shared objects (a tensor, a
# module), so a thread's captured step (bp.jit) must see another thread's registration too.
_changed = [0]


class RemovableHandle:
    """Unregisters one hook: ``handle.remove()``, or on leaving ``with handle:``."""

    __slots__ = ("id", "_remove")

    def __init__(self, remove):
        self.id = next(_next_id)
        self._remove = remove
        _changed[0] += 1

    def remove(self):
        remove, self._remove = self._remove, None
        if remove is not None:
            remove(self.id)
            _changed[0] += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def add_to_dict(hooks, hook, prepend=False):
    """Register ``hook`` in the ordered dict ``hooks`` (first-registered runs first, unless prepended)."""
    handle = RemovableHandle(lambda key: hooks.pop(key, None))
    hooks[handle.id] = hook
    if prepend:
        for key in [k for k in hooks if k != handle.id]:
            hooks[key] = hooks.pop(key)  # move every other hook after the new one
    return handle


def add_to_context(var: contextvars.ContextVar, hook):
    """Register ``hook`` in a context variable holding an immutable tuple of ``(handle id, hook)`` pairs.

    The tuple is replaced, never mutated, so a copy of the context (a new asyncio task) keeps its own.
    """
    handle = RemovableHandle(lambda key: var.set(tuple(e for e in var.get() if e[0] != key)))
    var.set(var.get() + ((handle.id, hook),))
    return handle


def hook_changes():
    """A number that changes whenever a hook (of any kind, anywhere in the process) is registered or removed."""
    return _changed[0]


def call_hook(hook, *args, where=""):
    """Call a user's hook; an exception keeps its type and, on Python ≥ 3.11, gains a note naming the hook."""
    recorder = STATE.get().recorder
    if recorder is not None:  # a replay would skip the hook: the step is left to run eagerly
        recorder.unsupported(f"the hook {getattr(hook, '__qualname__', hook)!r} ran {where}".rstrip())
    try:
        return hook(*args)
    except Exception as e:
        if sys.version_info >= (3, 11):
            name = getattr(hook, "__qualname__", repr(hook))
            e.add_note(f"raised by the hook {name}{' ' + where if where else ''}")
        raise

"""Optimizer hooks: PyTorch's step pre/post hooks, and backprop's per-parameter update hooks.

Per optimizer (:meth:`Optimizer.register_step_pre_hook`, ``register_step_post_hook``,
``register_update_hook``) the hooks live in the optimizer's own dicts; the global ones
(:func:`register_optimizer_step_pre_hook`, ...) live in context variables, so each thread (and each
asyncio task, from its creator's copy) has its own: a trace in one thread never sees another thread's
steps. Every registration returns a :class:`~backprop.autograd.hooks.RemovableHandle`.

The order is PyTorch's (``torch.optim.optimizer.Optimizer.profile_hook_step``): global pre hooks,
the optimizer's pre hooks, the step itself (which calls the update hooks, the optimizer's then the
global ones, after each parameter's update), the optimizer's post hooks, global post hooks.
"""
import contextvars
import functools
from typing import NamedTuple

from ..autograd.hooks import add_to_context, call_hook
from ..autograd.recording import current_recorder


# Each registry: an immutable tuple of (handle_id, hook) pairs, replaced (never mutated) on registration.
STEP_PRE_HOOKS = contextvars.ContextVar("backprop_optimizer_step_pre_hooks", default=())
STEP_POST_HOOKS = contextvars.ContextVar("backprop_optimizer_step_post_hooks", default=())
UPDATE_HOOKS = contextvars.ContextVar("backprop_optimizer_update_hooks", default=())


class OptimizerHooks(NamedTuple):
    """The global optimizer hooks of this thread or task (:func:`global_hooks`): tuples of hooks."""

    step_pre: tuple = ()
    step_post: tuple = ()
    update: tuple = ()


def register_optimizer_step_pre_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` before the ``step`` of every optimizer (in this thread or task).

    As in PyTorch, ``args`` is the whole positional tuple of the call, the optimizer first
    (``(optimizer,)`` or ``(optimizer, closure)``), and the hook may return ``(new_args, new_kwargs)``
    to change them. Returns a :class:`~backprop.autograd.hooks.RemovableHandle`.
    """
    return add_to_context(STEP_PRE_HOOKS, hook)


def register_optimizer_step_post_hook(hook):
    """Call ``hook(optimizer, args, kwargs)`` after the ``step`` of every optimizer (in this thread or task).

    Returns a :class:`~backprop.autograd.hooks.RemovableHandle`.
    """
    return add_to_context(STEP_POST_HOOKS, hook)


def register_optimizer_update_hook(hook):
    """Call ``hook(optimizer, param, info)`` after every parameter update of every optimizer (in this thread).

    The global counterpart of :meth:`Optimizer.register_update_hook`, so that a trace sees the updates
    of optimizers it was not handed. Returns a :class:`~backprop.autograd.hooks.RemovableHandle`.
    """
    return add_to_context(UPDATE_HOOKS, hook)


def global_hooks():
    """The global optimizer hooks registered in this thread or task, without their ids.

    An :class:`OptimizerHooks` whose fields ``step_pre``, ``step_post`` and ``update`` are tuples of
    the hooks, in calling order; all empty when none is registered.
    """
    return OptimizerHooks(*(tuple(hook for _, hook in var.get())
                            for var in (STEP_PRE_HOOKS, STEP_POST_HOOKS, UPDATE_HOOKS)))


def with_step_hooks(step):
    """Wrap an optimizer's ``step`` so that the step pre and post hooks run around it (PyTorch's order).

    A ``step`` that calls ``super().step()`` runs the hooks once, around the outer call.
    """
    if getattr(step, "_with_step_hooks", False):
        return step
    own_step = step.__qualname__ != "Optimizer.step"  # one that bp.jit cannot see the updates of

    @functools.wraps(step)
    def wrapper(*args, **kwargs):
        self = args[0]
        if own_step and current_recorder() is not None:
            current_recorder().unsupported(f"{type(self).__name__}.step is not Optimizer.step")
        pre = STEP_PRE_HOOKS.get()
        if self._in_step or not (pre or self._step_pre_hooks or self._step_post_hooks or STEP_POST_HOOKS.get()):
            return step(*args, **kwargs)
        name = type(self).__name__
        for _, hook in (*pre, *self._step_pre_hooks.items()):
            result = call_hook(hook, self, args, kwargs, where=f"before {name}.step")
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"a step pre-hook must return None or a tuple (new_args, new_kwargs), "
                                       f"but {getattr(hook, '__qualname__', hook)!r} returned {result!r}")
                args, kwargs = result
        self._in_step = True
        try:
            out = step(*args, **kwargs)
        finally:
            self._in_step = False
        for _, hook in (*self._step_post_hooks.items(), *STEP_POST_HOOKS.get()):
            call_hook(hook, self, args, kwargs, where=f"after {name}.step")
        return out

    wrapper._with_step_hooks = True
    return wrapper

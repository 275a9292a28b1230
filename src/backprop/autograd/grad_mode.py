"""The engine's per-thread switches: grad mode (``no_grad``, ``enable_grad``, ``set_grad_enabled``,
``inference_mode``) and the op observers, held in one context variable.

A ``contextvars.ContextVar`` gives each thread its own value and each asyncio task a copy of its
creator's, as PyTorch's thread-local grad mode does: a new thread starts with grad mode on and no
observers, so four threads training four models, or a server's sessions, never see each other's
switches. The value is an immutable :class:`EngineState`; changing a switch sets a new one, and a
``with`` block restores the previous one on exit. One read per op call (about 30 ns) gets them all.
"""
import contextvars
import functools
from typing import NamedTuple


class EngineState(NamedTuple):
    """The switches an op call and a backward pass read (one immutable value per context)."""

    grad_enabled: bool = True
    on_forward: tuple = ()  # op observers' forward callbacks (bp.autograd.graph.register_op_observer)
    on_backward: tuple = ()  # and their backward callbacks
    observed: bool = False  # any observer at all: ops then keep what they show (ctx.show)
    depth: int = 0  # how many op forwards the current call is nested in (tracked only while observed)


_DEFAULT = EngineState()  # immutable, so one shared default is safe
STATE = contextvars.ContextVar("backprop_engine_state", default=_DEFAULT)


def is_grad_enabled():
    """True when ops record the graph needed for ``backward`` (in this thread or task)."""
    return STATE.get().grad_enabled


class _GradModeContext:
    """Sets grad mode for a ``with`` block, or for every call of a decorated function."""

    mode = True  # the grad mode inside; None leaves it as it is

    def __enter__(self):
        mode = self.mode
        self._token = None if mode is None else STATE.set(STATE.get()._replace(grad_enabled=mode))
        return self

    def __exit__(self, *exc):
        if self._token is not None:
            STATE.reset(self._token)
        return False

    def __call__(self, func):
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if mode is None:
                return func(*args, **kwargs)
            token = STATE.set(STATE.get()._replace(grad_enabled=mode))
            try:
                return func(*args, **kwargs)
            finally:
                STATE.reset(token)

        return wrapper


class no_grad(_GradModeContext):
    """Record nothing inside: no graph, no saved arrays. Use for evaluation and parameter updates.

    Works as a context manager (``with bp.no_grad(): ...``) and as a decorator (``@bp.no_grad()``).
    It applies to the current thread or asyncio task only.
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block (context manager and decorator)."""

    mode = True


class inference_mode(_GradModeContext):
    """PyTorch's ``inference_mode``: record nothing inside (context manager and decorator).

    ``inference_mode()`` records nothing, as ``no_grad()``; ``inference_mode(False)`` changes nothing.
    Unlike PyTorch's inference tensors, tensors made inside are ordinary tensors: they may be used in
    recorded computations later, and modified in place.
    """

    def __init__(self, mode=True):
        self.mode = False if mode else None


class set_grad_enabled(_GradModeContext):
    """Sets graph recording on or off (as ``torch.set_grad_enabled``).

    Called alone it switches at once, for the rest of the current thread or task; as a context manager
    the previous mode comes back on exit; as a decorator it applies only inside the function.
    """

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self._token = STATE.set(STATE.get()._replace(grad_enabled=self.mode))

    def __enter__(self):
        return self

    def __call__(self, func):
        STATE.reset(self._token)  # as a decorator it changes nothing until the function runs
        self._token = None
        return super().__call__(func)

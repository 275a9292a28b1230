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


class EngineState:
    """The switches an op call and a backward pass read: one immutable value per context.

    A class with slots rather than a NamedTuple: an op call reads two fields, and slot reads are the
    ones the interpreter makes cheapest. Change a switch with :meth:`replace`, which makes a new value.
    """

    __slots__ = ("grad_enabled", "on_forward", "on_backward", "observed", "depth", "recorder", "_flipped")

    def __init__(self, grad_enabled=True, on_forward=(), on_backward=(), depth=0, recorder=None):
        set_field = object.__setattr__
        set_field(self, "grad_enabled", grad_enabled)
        set_field(self, "on_forward", on_forward)  # op observers' forward callbacks: (handle id, fn) pairs
        set_field(self, "on_backward", on_backward)  # and their backward callbacks
        # While observed, ops keep what ctx.show gets and nested op calls are counted (depth), so that
        # a recorder (bp.autograd.recording) sees only the outermost calls.
        set_field(self, "observed", bool(on_forward or on_backward or recorder is not None))
        set_field(self, "depth", depth)  # op forwards the current call is nested in (tracked while observed)
        set_field(self, "recorder", recorder)  # what records a captured step's array work, or None
        set_field(self, "_flipped", None)  # this state with grad mode the other way, once asked for

    def with_grad_enabled(self, mode):
        """This state with grad mode ``mode``: itself, or its twin with the other mode, made once and kept
        (every ``backward`` and ``no_grad`` block switches; building a new state each time costs more)."""
        mode = bool(mode)
        if self.grad_enabled is mode:
            return self
        twin = self._flipped
        if twin is None:
            twin = self.replace(grad_enabled=mode)
            object.__setattr__(self, "_flipped", twin)
            object.__setattr__(twin, "_flipped", self)
        return twin

    def replace(self, **changes):
        fields = {name: getattr(self, name)
                  for name in ("grad_enabled", "on_forward", "on_backward", "depth", "recorder")}
        return EngineState(**{**fields, **changes})

    def __setattr__(self, name, value):
        raise AttributeError("EngineState is immutable: set a new one with STATE.set(state.replace(...))")

    def __repr__(self):
        return (f"EngineState(grad_enabled={self.grad_enabled}, observers={len(self.on_forward)}+"
                f"{len(self.on_backward)}, depth={self.depth}, recording={self.recorder is not None})")


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
        self._token = None if mode is None else STATE.set(STATE.get().with_grad_enabled(mode))
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
            token = STATE.set(STATE.get().with_grad_enabled(mode))
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
        self._token = STATE.set(STATE.get().with_grad_enabled(self.mode))

    def __enter__(self):
        return self

    def __call__(self, func):
        STATE.reset(self._token)  # as a decorator it changes nothing until the function runs
        self._token = None
        return super().__call__(func)

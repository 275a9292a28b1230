"""Switching graph recording on and off: ``no_grad``, ``enable_grad``, ``set_grad_enabled``."""
import functools


class _GradMode:
    # A class attribute, read on every op call: the cheapest global flag Python has.
    enabled = True


def is_grad_enabled():
    """True when ops record the graph needed for ``backward``."""
    return _GradMode.enabled


class set_grad_enabled:
    """Context manager and decorator that sets graph recording on or off (as ``torch.set_grad_enabled``)."""

    def __init__(self, mode=True):
        self.mode = bool(mode)
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, func):
        _GradMode.enabled = self.prev  # as a decorator, the mode applies only inside ``func``
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper


class _GradModeContext:
    mode = True

    def __enter__(self):
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _GradMode.enabled = self.prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Record nothing inside: no graph, no saved arrays. Use for evaluation and parameter updates.

    Works as a context manager (``with bp.no_grad(): ...``) and as a decorator (``@bp.no_grad()``).
    """

    mode = False


class enable_grad(_GradModeContext):
    """Record the graph again inside a ``no_grad`` block (context manager and decorator)."""

    mode = True

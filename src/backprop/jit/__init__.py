"""``bp.jit``: capture a whole training step once and replay its array work (see :func:`jit`).

``recorder.py`` turns the engine's report of an eager call (``bp.autograd.recording``) into array
instructions; ``program.py`` generates the Python function a replay runs; ``step.py`` holds the
decorator and its signature cache; ``guards.py`` what a call must match to replay (and the generated
function checking it all at once); ``verify.py`` the snapshots that detect what a replay
would miss and that ``check_every`` compares.
"""
import sys
import types

from .step import JitFunction, jit

__all__ = ["jit", "JitFunction"]


class _CallableModule(types.ModuleType):
    """``import backprop.jit`` makes ``bp.jit`` this module: calling it is calling :func:`jit`."""

    def __call__(self, fn=None, *, check_every=None):
        return jit(fn, check_every=check_every)


sys.modules[__name__].__class__ = _CallableModule

"""The random generator behind every draw of the library: ``bp.manual_seed(n)`` makes them repeatable.

Every draw (``bp.rand``/``bp.randn``/``bp.multinomial``, ``bp.nn.init``, dropout, ``DataLoader``
shuffling, data splits and estimators without a ``random_state``) takes :func:`generator`. That is the
process-wide default, which :func:`manual_seed` seeds, unless :func:`use_generator` overrides it for the
current context: a ``with`` block in one thread or one asyncio task.

>>> import numpy as np
>>> import backprop as bp
>>> with bp.random.use_generator(np.random.default_rng(0)):
...     a = bp.randn(3)
>>> with bp.random.use_generator(0):  # an int seeds a new Generator
...     b = bp.randn(3)
>>> bool((a.data == b.data).all())
True
"""
import contextlib
import contextvars
import numbers

import numpy as np

__all__ = ["Generator", "generator", "get_rng_state", "manual_seed", "set_rng_state", "use_generator"]

# Created on first use: importing numpy.random costs about a fifth of `import numpy`, and
# `import backprop` should not pay it.
_state = {"rng": None}

# The override of the current context (None: the process-wide default). A ContextVar, so each thread
# has its own (a new thread starts with none) and each asyncio task a copy of its creator's.
_override = contextvars.ContextVar("backprop.random.override", default=None)


def manual_seed(seed):
    """Seed the process-wide generator: every draw of backprop (initialisation, dropout, shuffling, sampling)
    outside a :func:`use_generator` block. As ``torch.manual_seed``, it does not touch an override: inside a
    ``use_generator`` block the draws still come from that block's generator. Returns the new generator.
    """
    _state["rng"] = np.random.default_rng(seed)
    return _state["rng"]


def generator():
    """The NumPy ``Generator`` that backprop draws from now: the current context's override
    (:func:`use_generator`), else the process-wide default (:func:`manual_seed`)."""
    rng = _override.get()
    if rng is not None:
        return rng
    rng = _state["rng"]
    if rng is None:
        rng = _state["rng"] = np.random.default_rng()
    return rng


@contextlib.contextmanager
def use_generator(gen):
    """Draw from ``gen`` instead of the process-wide generator, in this thread or asyncio task only.

    Parameters
    ----------
    gen : numpy.random.Generator, int or None
        The generator to draw from (used as it is, not copied: its state advances); an int seeds a new
        ``np.random.default_rng(gen)``; None restores the process-wide generator inside the block.

    Yields
    ------
    numpy.random.Generator or None
        The generator in force inside the block (None for the process-wide one).

    Notes
    -----
    The override lives in a ``contextvars.ContextVar``: leaving the block, by an exception too, restores
    what was in force before it (blocks nest). A thread started inside the block does not see it (a new
    thread starts with an empty context); an asyncio task created inside it does (a task runs in a copy of
    its creator's context), and shares the generator object, so their draws take turns on one stream.
    :func:`manual_seed` seeds the process-wide generator and leaves an override alone;
    :func:`get_rng_state` and :func:`set_rng_state` act on :func:`generator`, the override included.
    Usable as a decorator too (``@bp.random.use_generator(0)``: a new Generator seeded 0 for each call).

    Examples
    --------
    >>> import numpy as np
    >>> import backprop as bp
    >>> with bp.random.use_generator(np.random.default_rng(5)):
    ...     inside = bp.rand(2)
    >>> bool((inside.data == np.random.default_rng(5).random(2).astype(inside.dtype)).all())
    True
    """
    if gen is not None and not isinstance(gen, np.random.Generator):
        if isinstance(gen, numbers.Integral) and not isinstance(gen, bool):
            gen = np.random.default_rng(int(gen))
        else:
            raise TypeError(f"use_generator needs a numpy.random.Generator, an int seed or None, got {gen!r}")
    token = _override.set(gen)
    try:
        yield gen
    finally:
        _override.reset(token)


def get_rng_state():
    """The state of :func:`generator` (the override in a :func:`use_generator` block) as a JSON-able dict,
    for checkpoints."""
    return generator().bit_generator.state


# The bit generators a saved state may name. The name comes from a file (a checkpoint): it must be in this
# list before numpy.random is asked for it, where "seed" would re-seed NumPy's global generator.
_BIT_GENERATORS = ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")


def _bit_generator_from(state):
    """A new NumPy bit generator set to ``state``, or ValueError naming what is wrong with the state."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if not isinstance(name, str) or name not in _BIT_GENERATORS:
        shown = repr(name) if isinstance(state, dict) else f"a {type(state).__name__}, not a dict"
        raise ValueError(f"rng_state: 'bit_generator' must be one of {', '.join(_BIT_GENERATORS)}, got {shown}")
    bitgen = getattr(np.random, name)()
    try:
        bitgen.state = state
    except (KeyError, TypeError, ValueError, OverflowError) as e:
        raise ValueError(f"rng_state: not a valid {name} state ({type(e).__name__}: {e})") from None
    return bitgen


def set_rng_state(state):
    """Restore a state from :func:`get_rng_state` into :func:`generator`: the process-wide generator is
    replaced; an override is set in place (so the ``with`` block's generator object carries it on).

    Raises ValueError, changing nothing, for a state that is not one of NumPy's bit generators (PCG64,
    PCG64DXSM, MT19937, Philox, SFC64) or not a valid state of it: a tampered checkpoint cannot call anything.
    """
    bitgen = _bit_generator_from(state)
    rng = _override.get()
    if rng is not None and type(rng.bit_generator) is type(bitgen):
        rng.bit_generator.state = bitgen.state
        return
    if rng is not None:  # another kind of bit generator: a new override, until the block ends
        _override.set(np.random.Generator(bitgen))
    else:
        _state["rng"] = np.random.Generator(bitgen)


class Generator(np.random.Generator):
    """PyTorch's ``torch.Generator`` API on a NumPy ``Generator`` (PCG64): pass it as ``generator=`` to
    ``DataLoader``, ``RandomSampler`` or ``random_split``, or anywhere a NumPy Generator is taken.

    It *is* a ``numpy.random.Generator`` (a subclass), so every NumPy draw works on it too. As
    ``torch.Generator()``, a new one starts from the fixed seed 67280421310721, so it is repeatable until
    reseeded.

    Examples
    --------
    >>> import backprop as bp
    >>> g = bp.Generator().manual_seed(42)
    >>> state = g.get_state(); first = g.random()
    >>> g.set_state(state).random() == first
    True
    """

    _DEFAULT_SEED = 67280421310721  # torch.Generator().initial_seed()

    def __init__(self, device="cpu"):
        if str(device) != "cpu":
            raise ValueError(f"backprop runs on the CPU: Generator(device={device!r}) is not available")
        self._initial_seed = self._DEFAULT_SEED
        super().__init__(np.random.PCG64(self._initial_seed))

    def manual_seed(self, seed):
        """Reseed in place (draws then equal ``np.random.default_rng(seed)``'s); returns the generator."""
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"manual_seed needs a non-negative integer, got {seed!r}")
        self._initial_seed = int(seed)
        self.bit_generator.state = np.random.PCG64(self._initial_seed).state
        return self

    def seed(self):
        """Reseed from fresh OS entropy; returns the new seed, as ``torch.Generator.seed``."""
        self.manual_seed(int(np.random.SeedSequence().generate_state(1, np.uint64)[0]))
        return self._initial_seed

    def initial_seed(self):
        """The seed of the last ``manual_seed`` or ``seed`` (67280421310721 for a new generator)."""
        return self._initial_seed

    def get_state(self):
        """The generator's state, a JSON-able dict (``bp.save`` stores it), for :meth:`set_state`."""
        return self.bit_generator.state

    def set_state(self, state):
        """Restore a state from :meth:`get_state`; returns the generator."""
        if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
            raise ValueError(f"set_state needs a state from Generator.get_state (a PCG64 state dict), got {state!r}")
        self.bit_generator.state = state
        return self

    def __reduce__(self):
        return _generator_from_state, (self._initial_seed, self.get_state())


def _generator_from_state(initial_seed, state):
    """Rebuild a pickled :class:`Generator` (sent to a worker process, or copied)."""
    gen = Generator().set_state(state)
    gen._initial_seed = initial_seed
    return gen

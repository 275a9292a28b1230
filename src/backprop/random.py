"""One seeded random generator for the whole library: ``bp.manual_seed(n)`` makes every draw repeatable."""
import numpy as np

# Created on first use: importing numpy.random costs about a fifth of `import numpy`, and
# `import backprop` should not pay it.
_state = {"rng": None}


def manual_seed(seed):
    """Seed every random draw of backprop (initialisation, dropout, shuffling, sampling)."""
    _state["rng"] = np.random.default_rng(seed)
    return _state["rng"]


def generator():
    """The library's NumPy ``Generator``; use it for any draw that ``manual_seed`` should govern."""
    rng = _state["rng"]
    if rng is None:
        rng = _state["rng"] = np.random.default_rng()
    return rng


def get_rng_state():
    """The generator's state as a JSON-able dict (for checkpoints)."""
    return generator().bit_generator.state


def set_rng_state(state):
    bitgen = getattr(np.random, state["bit_generator"])()
    bitgen.state = state
    _state["rng"] = np.random.Generator(bitgen)

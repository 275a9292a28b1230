"""One seeded random generator for the whole library: ``bp.manual_seed(n)`` makes every draw repeatable."""
import numpy as np

_state = {"rng": np.random.default_rng()}


def manual_seed(seed):
    """Seed every random draw of backprop (initialisation, dropout, shuffling, sampling)."""
    _state["rng"] = np.random.default_rng(seed)
    return _state["rng"]


def generator():
    """The library's NumPy ``Generator``; use it for any draw that ``manual_seed`` should govern."""
    return _state["rng"]


def get_rng_state():
    """The generator's state as a JSON-able dict (for checkpoints)."""
    return _state["rng"].bit_generator.state


def set_rng_state(state):
    bitgen = getattr(np.random, state["bit_generator"])()
    bitgen.state = state
    _state["rng"] = np.random.Generator(bitgen)

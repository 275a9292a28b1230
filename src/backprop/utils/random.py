"""Turn a ``random_state`` argument into a NumPy ``Generator``."""
import numbers

import numpy as np

from .. import random as _bp_random


def check_random_state(seed):
    """A ``numpy.random.Generator`` for ``seed``.

    Parameters
    ----------
    seed : None, int, numpy.random.Generator or numpy.random.RandomState
        None gives the library's generator (the one ``bp.manual_seed`` seeds); an int a fresh
        ``np.random.default_rng(seed)``; a Generator is returned as is; a legacy ``RandomState`` seeds a new
        Generator from one draw.

    Notes
    -----
    scikit-learn's function of the same name returns a legacy ``RandomState``; ours returns a ``Generator``,
    so an int seed picks different rows than the same seed does in scikit-learn.
    """
    if seed is None:
        return _bp_random.generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(np.iinfo(np.int32).max))
    raise ValueError(f"random_state must be None, an int or a numpy.random.Generator, got {seed!r}")

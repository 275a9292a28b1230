"""Samplers, as in ``torch.utils.data``: which samples an epoch visits, in which order, in which batches.

A sampler iterates over sample indices (``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler``); a ``BatchSampler`` groups them into lists, one per batch. Random samplers draw
from their ``generator``: a ``bp.Generator``, a NumPy ``Generator``, an int (seeding a new one once), or
None for the library's generator (``bp.manual_seed``), looked up at every epoch.
"""
import numbers

import numpy as np

from .. import random as _random


def resolve_generator(generator):
    """The NumPy ``Generator`` to draw from now: ``generator`` itself, or the library's for None; an int seeds
    a new one."""
    if generator is None:
        return _random.generator()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, numbers.Integral) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    raise TypeError(f"generator must be a bp.Generator, a numpy.random.Generator, an int seed or None, got "
                    f"{generator!r}")


def _stored_generator(generator):
    """What a sampler keeps: an int becomes its Generator once, so every epoch draws a new order."""
    return None if generator is None else resolve_generator(generator)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


class Sampler:
    """The base class: ``__iter__`` yields the indices of one epoch; ``__len__`` (optional) counts them."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


class SequentialSampler(Sampler):
    """The indices ``0, 1, ..., len(data_source) − 1``, in order."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(len(self.data_source)))

    def __len__(self):
        return len(self.data_source)


class RandomSampler(Sampler):
    """A random order of the indices, new every epoch: ``generator.permutation(n)``.

    Parameters
    ----------
    data_source : Dataset
    replacement : bool, default False
        Draw ``num_samples`` indices independently (``generator.integers``) instead.
    num_samples : int, optional
        How many indices per epoch (default ``len(data_source)``); without replacement, more than that many
        concatenates fresh permutations, as PyTorch does.
    generator : bp.Generator, numpy.random.Generator or int, optional
    """

    def __init__(self, data_source, replacement=False, num_samples=None, generator=None):
        self.data_source = data_source
        self.replacement = bool(replacement)
        self._num_samples = None if num_samples is None else _positive_int(num_samples, "num_samples")
        self.generator = _stored_generator(generator)

    @property
    def num_samples(self):
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def permutation(self):
        """One epoch's indices, as an int64 array."""
        n, rng = len(self.data_source), resolve_generator(self.generator)
        if self.replacement:
            return rng.integers(0, n, size=self.num_samples, dtype=np.int64)
        if self._num_samples is None:
            return rng.permutation(n)
        pieces = [rng.permutation(n) for _ in range(-(-self.num_samples // n))]
        return np.concatenate(pieces)[:self.num_samples]

    def __iter__(self):
        return iter(self.permutation().tolist())

    def __len__(self):
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in a random order, new every epoch."""

    def __init__(self, indices, generator=None):
        self.indices = indices
        self.generator = _stored_generator(generator)

    def __iter__(self):
        order = resolve_generator(self.generator).permutation(len(self.indices))
        return iter([self.indices[i] for i in order])

    def __len__(self):
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices drawn with probabilities proportional to ``weights`` (with replacement by
    default): oversampling of rare classes."""

    def __init__(self, weights, num_samples, replacement=True, generator=None):
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1 or not (self.weights >= 0).all() or not self.weights.sum() > 0:
            raise ValueError(f"weights must be a 1-D sequence of non-negative numbers, not all zero, got {weights!r}")
        self.num_samples = _positive_int(num_samples, "num_samples")
        self.replacement = bool(replacement)
        if not self.replacement and self.num_samples > np.count_nonzero(self.weights):
            raise ValueError(f"cannot draw num_samples={num_samples} without replacement from "
                             f"{np.count_nonzero(self.weights)} samples of non-zero weight")
        self.generator = _stored_generator(generator)

    def __iter__(self):
        rng = resolve_generator(self.generator)
        drawn = rng.choice(len(self.weights), size=self.num_samples, replace=self.replacement,
                           p=self.weights / self.weights.sum())
        return iter(drawn.tolist())

    def __len__(self):
        return self.num_samples


class BatchSampler(Sampler):
    """The indices of ``sampler`` in lists of ``batch_size`` (the last one shorter unless ``drop_last``)."""

    def __init__(self, sampler, batch_size, drop_last):
        self.sampler = sampler
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.drop_last = bool(drop_last)

    def __iter__(self):
        batch = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self):
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

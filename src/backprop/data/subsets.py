"""Views of data sets, as in PyTorch: ``Subset`` (some samples of one), ``ConcatDataset`` (several one after
the other) and ``random_split`` (disjoint random subsets of given lengths or fractions)."""
import bisect
import math
import numbers
import warnings

import numpy as np

from .dataset import Dataset, IterableDataset
from .sampler import resolve_generator


class Subset(Dataset):
    """The samples ``indices`` of ``dataset``, in that order: ``Subset(ds, idx)[i]`` is ``ds[idx[i]]``.

    Parameters
    ----------
    dataset : Dataset
    indices : sequence of int
        Kept as given (``random_split`` gives lists, as PyTorch's).

    Notes
    -----
    When ``dataset`` reads whole batches (``get_batch``, as ``TensorDataset``), so does the subset: one
    fancy-indexed read per batch.
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index):
        if isinstance(index, list):
            return [self.dataset[self.indices[i]] for i in index]
        return self.dataset[self.indices[index]]

    def __len__(self):
        return len(self.indices)

    def __getattr__(self, name):
        # get_batch exists exactly when the underlying data set has it (the DataLoader checks with hasattr).
        if name == "get_batch" and hasattr(self.__dict__.get("dataset"), "get_batch"):
            return self._get_batch
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _get_batch(self, index):
        return self.dataset.get_batch(np.asarray(self.indices, dtype=np.int64)[index])

    def __repr__(self):
        return f"Subset({self.dataset!r}, {len(self)} samples)"


class ConcatDataset(Dataset):
    """Several data sets one after the other: sample ``i`` of the first, then of the second, ...

    Attributes
    ----------
    datasets : list
    cumulative_sizes : list of int
        The running totals of their lengths, as PyTorch's.
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset needs at least one data set")
        for i, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise TypeError(f"ConcatDataset: data set {i} is an IterableDataset (chain streams with "
                                "ChainDataset)")
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, index):
        if index < 0:
            if -index > len(self):
                raise IndexError(f"index {index} is out of range for a ConcatDataset of {len(self)} samples")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a ConcatDataset of {len(self)} samples")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


def _split_lengths(n, lengths):
    """The integer lengths: given, or PyTorch's rounding of fractions (floor, then one more each, in order)."""
    lengths = list(lengths)
    if not lengths or any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in lengths):
        raise ValueError(f"random_split: lengths must be a non-empty list of integers or of fractions, "
                         f"got {lengths!r}")
    total = sum(lengths)
    fractions = math.isclose(total, 1) and total <= 1  # PyTorch's test: [1] with 5 samples means "all of them"
    if not fractions and all(isinstance(v, numbers.Integral) for v in lengths):
        if any(v < 0 for v in lengths) or total != n:
            raise ValueError(f"random_split: lengths {lengths} add up to {total}, but the data set has {n} "
                             "samples; give non-negative lengths that add up to it, or fractions that add up "
                             "to 1")
        return [int(v) for v in lengths]
    if not fractions or any(not 0 <= v <= 1 for v in lengths):
        raise ValueError(f"random_split: fractions {lengths} add up to {total}, not 1 (each must be between 0 "
                         "and 1)")
    sizes = [math.floor(n * v) for v in lengths]
    for i in range(n - sum(sizes)):
        sizes[i % len(sizes)] += 1
    for i, size in enumerate(sizes):
        if size == 0:
            warnings.warn(f"random_split: length of split at index {i} is 0; this split will be empty",
                          stacklevel=3)
    return sizes


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into disjoint random ``Subset`` s of the given lengths, as ``torch.utils.data``'s.

    Parameters
    ----------
    dataset : Dataset
    lengths : list of int or list of float
        The subsets' lengths, adding up to ``len(dataset)``; or fractions adding up to 1, rounded as PyTorch
        does (each ``floor(n · fraction)``, then the samples left over go one each to the first subsets).
    generator : bp.Generator, numpy.random.Generator or int, optional
        Where the permutation comes from; by default the library's generator (``bp.manual_seed``).

    Returns
    -------
    list of Subset
        Their ``indices`` are lists of ints, consecutive pieces of one random permutation.

    Examples
    --------
    >>> import backprop as bp
    >>> train, val = bp.data.random_split(range(10), [0.8, 0.2], generator=bp.Generator().manual_seed(0))
    >>> len(train), len(val), sorted(train.indices + val.indices) == list(range(10))
    (8, 2, True)
    """
    sizes = _split_lengths(len(dataset), lengths)
    order = resolve_generator(generator).permutation(sum(sizes)).tolist()
    bounds = np.cumsum([0] + sizes).tolist()
    return [Subset(dataset, order[start:stop]) for start, stop in zip(bounds[:-1], bounds[1:], strict=True)]

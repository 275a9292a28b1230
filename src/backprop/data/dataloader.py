"""``DataLoader``: iterate over a data set in (optionally shuffled) minibatches of Tensors."""
import numbers

import numpy as np

from .. import random as _random
from ..autograd.tensor import Tensor
from .dataset import to_tensor


def default_collate(samples):
    """Stack a list of samples into one batch along a new first axis.

    A sample is a tuple (or list) of arrays, tensors or numbers, giving a tuple of stacked arrays,
    or a single array, tensor or number, giving one stacked array.
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate([s[i] for s in samples]) for i in range(len(first)))
    return np.stack([s.data if isinstance(s, Tensor) else np.asarray(s) for s in samples])


class DataLoader:
    """Iterate over a data set in minibatches, reshuffled every epoch, as PyTorch's ``DataLoader``.

    Each iteration (``for xb, yb in loader``) is one epoch. With ``shuffle=True`` every epoch draws a
    fresh permutation from the generator, so ``bp.manual_seed`` makes the order repeatable and a
    checkpoint that stores the random state (``bp.train.ModelCheckpoint``) resumes with the same order.
    Without shuffling a batch is one slice of the data; with shuffling it is one fancy-indexed read of the
    batch's rows. Either way only the batch is read: a ``TensorDataset`` over an ``np.memmap`` trains in
    memory O(batch_size × features), never loading the whole array.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__`` and ``__getitem__``; a ``get_batch(index)`` method, as
        ``TensorDataset`` has, reads a whole batch at once.
    batch_size : int, default 1
    shuffle : bool, default False
        Visit the samples in a new random order every epoch.
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.
    generator : numpy.random.Generator or int, optional
        Draw the permutations from this generator, or from a new one seeded with this integer. By default
        they come from the library's generator (``backprop.random.generator()``, seeded by
        ``bp.manual_seed`` and saved in checkpoints).
    dtype : numpy dtype, optional
        The dtype of float batches; by default the default float dtype (``bp.get_default_dtype()``), as
        ``bp.tensor`` gives. Pass ``np.float64`` to train a ``.double()`` model. Integer data (class
        labels) always keep their dtype. PyTorch has no such option: its batches keep the data's dtype.

    Yields
    ------
    tuple of Tensor
        One tensor per array of the sample (``(xb, yb)`` for ``TensorDataset(X, y)``), or a single Tensor
        when samples are single arrays. The tensors own their data (a memmap batch is read into memory).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> loader = bp.data.DataLoader(bp.data.TensorDataset(np.arange(10.0), np.arange(10)), batch_size=4)
    >>> len(loader), [yb.tolist() for xb, yb in loader]
    (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None, dtype=None):
        if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        if isinstance(generator, numbers.Integral):
            generator = np.random.default_rng(generator)
        self.generator = generator
        self.dtype = dtype

    def __len__(self):
        """The number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def _batch_indices(self):
        """One epoch's batches: slices in order, or index arrays of a fresh permutation."""
        n, size = len(self.dataset), self.batch_size
        starts = range(0, n - size + 1 if self.drop_last else n, size)
        if not self.shuffle:
            return [slice(start, start + size) for start in starts]
        order = (self.generator or _random.generator()).permutation(n)
        return [order[start:start + size] for start in starts]

    def _read(self, index):
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(index)
        rows = range(len(self.dataset))[index] if isinstance(index, slice) else index
        return default_collate([self.dataset[int(i)] for i in rows])

    def __iter__(self):
        for index in self._batch_indices():
            batch = self._read(index)
            if isinstance(batch, tuple):
                yield tuple(to_tensor(b, self.dtype) for b in batch)
            else:
                yield to_tensor(batch, self.dtype)

    def __repr__(self):
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")

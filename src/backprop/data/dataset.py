"""Data sets: indexable collections of samples, read one batch at a time.

The course's point about minibatch SGD is memory: full-batch gradient descent holds the whole sample
in memory, O(N·D); minibatch SGD needs only the current batch, O(B·D). ``TensorDataset`` keeps the arrays
it is given (an ``np.memmap`` stays a memmap, an h5py or zarr array stays what it is) and reads rows by
slicing or fancy indexing, one batch at a time, so a data set larger than memory can be trained on.
"""
import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.tensor import Tensor


class Dataset:
    """A collection of samples: subclasses define ``__getitem__(index)`` and ``__len__()``, as in PyTorch.

    ``dataset[i]`` returns one sample, usually a tuple ``(x, y)`` of arrays, tensors or numbers;
    the ``DataLoader`` stacks samples into batches. A subclass that can read many samples at once may also
    define ``get_batch(index)`` (``index`` is a slice or an integer array) returning a tuple of batch
    arrays; the loader then calls it once per batch instead of once per sample (PyTorch's ``__getitems__``
    returns a list of samples instead).
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other):
        """``a + b``: the samples of ``a`` then those of ``b`` (a ``ConcatDataset``), as in PyTorch."""
        from .subsets import ConcatDataset

        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A stream of samples: subclasses define ``__iter__``, as in PyTorch (no ``__getitem__``; ``__len__`` is
    optional).

    The ``DataLoader`` groups the stream into batches of ``batch_size``. With ``num_workers > 0`` every
    worker iterates its own copy of the data set, so ``__iter__`` should use ``bp.data.get_worker_info()``
    to read only its share (otherwise each sample comes ``num_workers`` times), as in PyTorch.
    """

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index):
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it, it has no samples by index")

    def __add__(self, other):
        """``a + b``: the stream of ``a`` then that of ``b`` (a ``ChainDataset``)."""
        return ChainDataset([self, other])


class ChainDataset(IterableDataset):
    """Several ``IterableDataset`` streams one after the other, as PyTorch's ``ChainDataset``."""

    def __init__(self, datasets):
        self.datasets = list(datasets)
        for i, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise TypeError(f"ChainDataset: data set {i} is a {type(d).__name__}, not an IterableDataset")

    def __iter__(self):
        for d in self.datasets:
            yield from d

    def __len__(self):
        return sum(len(d) for d in self.datasets)


def _keep_array(data):
    """Store ``data`` without reading it: array-likes with a shape (ndarray, memmap, h5py, zarr) are kept
    as they are, a Tensor gives its array (shared), anything else (lists, numbers) becomes an ndarray."""
    if isinstance(data, Tensor):
        return data.data
    if hasattr(data, "shape") and hasattr(data, "__getitem__"):
        return data
    return np.asarray(data)


def to_tensor(batch, dtype=None):
    """Make a Tensor that owns one batch read from a data set.

    Float data takes ``dtype``, or the default float dtype (``bp.get_default_dtype()``) when ``dtype`` is
    None, as ``bp.tensor`` does: a float64 array from scikit-learn then feeds a float32 model without
    promoting every product to float64. Integer and bool data (class labels) keep their dtype.
    """
    if isinstance(batch, Tensor):
        batch = batch.data
    arr = np.asarray(batch)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"a batch must hold numbers, got an array of dtype {arr.dtype}")
    target = np.dtype(dtype or get_default_dtype()) if arr.dtype.kind == "f" else arr.dtype
    # A slice of a memmap is a view of the file: copy it, so the batch lives in memory and owns its data.
    if arr.dtype != target or not arr.flags.owndata:
        arr = arr.astype(target)
    return Tensor.wrap(arr)


class TensorDataset(Dataset):
    """Samples made of rows of arrays of the same length: sample ``i`` is ``(a[i] for a in arrays)``.

    Parameters
    ----------
    *arrays : array_like or Tensor
        Arrays with the same first dimension, e.g. ``TensorDataset(X, y)``. They are kept as given and not
        copied: an ``np.memmap`` (or any array-like with ``shape`` and ``__getitem__``: h5py, zarr) stays
        on disk and only the rows a batch asks for are read. Lists are converted to arrays. A Tensor
        is kept (its array is read, shared).

    Attributes
    ----------
    tensors : tuple
        The arrays and Tensors as they were given (lists as arrays), as PyTorch's ``tensors``.
    arrays : tuple
        The same tuple (this library's earlier name).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> ds = bp.data.TensorDataset(np.zeros((5, 3)), np.arange(5))
    >>> len(ds), [t.shape for t in ds[1]]
    (5, [(3,), ()])
    """

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset needs at least one array")
        self.tensors = tuple(a if isinstance(a, Tensor) else _keep_array(a) for a in arrays)
        self._columns = tuple(_keep_array(a) for a in self.tensors)  # what is read: a Tensor's array
        for i, a in enumerate(self._columns):
            if len(a.shape) == 0:
                raise ValueError(f"TensorDataset: array {i} is a scalar; each array needs a first (sample) "
                                 "dimension")
        lengths = [a.shape[0] for a in self._columns]
        if len(set(lengths)) > 1:
            raise ValueError(f"TensorDataset: all arrays must have the same first dimension (number of "
                             f"samples), got lengths {lengths}")

    @property
    def arrays(self):
        """The tuple :attr:`tensors` (an alias)."""
        return self.tensors

    def __len__(self):
        return self._columns[0].shape[0]

    def __getitem__(self, index):
        """Sample ``index`` (or the rows of a slice or index array) as a tuple of Tensors."""
        return tuple(to_tensor(a[index]) for a in self._columns)

    def get_batch(self, index):
        """The rows ``index`` (slice or integer array) of every array, as arrays: one read per array."""
        return tuple(a[index] for a in self._columns)

    def __repr__(self):
        shapes = ", ".join(f"{type(a).__name__}{tuple(a.shape)}" for a in self.tensors)
        return f"TensorDataset({shapes})"

"""Data sets and minibatch loading, with PyTorch's names: ``Dataset``, ``IterableDataset``, ``TensorDataset``,
``Subset``, ``ConcatDataset``, ``random_split``, the samplers, ``default_collate`` and ``DataLoader`` (worker
processes included); ``datasets`` holds the bundled data sets and TensorFlow Playground's 2-D generators.

Batches are read one at a time (slices or fancy indexing), so an ``np.memmap`` larger than memory
streams through training in memory O(batch × features). ``ShardedDataset`` reads a folder of ``.npz`` or
``.npy`` shards (or one memory-mapped ``.npy``) larger than memory, shuffled per epoch in a bounded buffer.

``read_csv``, ``read_numpy`` and ``read_idx`` read data files into a :class:`Table` (``X``, ``y``, ``columns``,
``target_name``, ``categories``, ``dropped_rows``); their errors are ``ValueError`` subclasses naming the file,
line, row and column.
"""
from .collate import default_collate
from .csvfile import read_csv
from .dataloader import DataLoader
from .dataset import ChainDataset, Dataset, IterableDataset, TensorDataset, to_tensor
from .distributed_sampler import DistributedSampler
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .files import read_idx, read_numpy
from .sharded import ShardedDataset
from .subsets import ConcatDataset, Subset, random_split
from .table import DataError, MissingValueError, NonFiniteError, Table, UnknownCategoryError, check_finite
from .workers import WorkerInfo, get_worker_info
from . import datasets

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataError", "DataLoader", "Dataset", "IterableDataset",
           "MissingValueError", "NonFiniteError", "Table", "UnknownCategoryError", "check_finite", "read_csv",
           "read_idx", "read_numpy",
           "RandomSampler", "Sampler", "SequentialSampler", "ShardedDataset", "Subset", "SubsetRandomSampler",
           "TensorDataset", "WeightedRandomSampler", "WorkerInfo", "datasets", "default_collate", "get_worker_info",
           "random_split", "to_tensor"]
__all__ += ["DistributedSampler"]

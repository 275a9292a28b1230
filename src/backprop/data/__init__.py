"""Data sets and minibatch loading, with PyTorch's names: ``Dataset``, ``IterableDataset``, ``TensorDataset``,
``Subset``, ``ConcatDataset``, ``random_split``, the samplers, ``default_collate`` and ``DataLoader`` (worker
processes included); ``datasets`` holds the bundled data sets and TensorFlow Playground's 2-D generators.

Batches are read one at a time (slices or fancy indexing), so an ``np.memmap`` larger than memory
streams through training in memory O(batch × features).
"""
from .collate import default_collate
from .dataloader import DataLoader
from .dataset import ChainDataset, Dataset, IterableDataset, TensorDataset, to_tensor
from .sampler import (BatchSampler, RandomSampler, Sampler, SequentialSampler, SubsetRandomSampler,
                      WeightedRandomSampler)
from .subsets import ConcatDataset, Subset, random_split
from .workers import WorkerInfo, get_worker_info
from . import datasets

__all__ = ["BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
           "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler", "TensorDataset",
           "WeightedRandomSampler", "WorkerInfo", "datasets", "default_collate", "get_worker_info",
           "random_split", "to_tensor"]

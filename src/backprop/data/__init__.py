"""Data sets and minibatch loading: ``Dataset``, ``TensorDataset``, ``DataLoader``; ``datasets`` holds the
bundled data sets and TensorFlow Playground's 2-D generators.

Batches are read one at a time (slices or fancy indexing), so an ``np.memmap`` larger than memory
streams through training in memory O(batch × features).
"""
from .dataloader import DataLoader, default_collate
from .dataset import Dataset, TensorDataset, to_tensor
from . import datasets

__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate", "to_tensor", "datasets"]

"""``DistributedSampler``: each process of a data-parallel job reads its own part of every epoch
(``torch.utils.data.distributed.DistributedSampler``, same index sequence)."""
import numbers

import numpy as np

from .. import distributed as dist
from .sampler import Sampler


class DistributedSampler(Sampler):
    """The indices of one process's part of the data set, new every epoch when shuffled.

    The epoch's order (a permutation drawn from a generator seeded ``seed + epoch``, the same on every
    process, or ``0, 1, ..., n − 1``) is padded by repeating its start until its length divides by
    ``num_replicas`` (or, with ``drop_last``, cut to the largest length that does); process ``rank`` then
    takes every ``num_replicas``-th index from position ``rank``. So the processes' parts are disjoint
    (up to the padding) and together cover the data set. As PyTorch's, except that the permutation comes
    from NumPy's ``default_rng(seed + epoch)``; unshuffled, the sequences are the same.

    Use it as ``DataLoader(dataset, batch_size=global_batch // world_size, sampler=sampler)`` and call
    ``sampler.set_epoch(epoch)`` before every epoch, or every epoch has the same order.

    Parameters
    ----------
    dataset : Dataset
        Any sized data set.
    num_replicas : int, optional
        The number of processes (default: ``bp.distributed.get_world_size()``).
    rank : int, optional
        This process's rank (default: ``bp.distributed.get_rank()``).
    shuffle : bool, default True
    seed : int, default 0
        The same on every process.
    drop_last : bool, default False
        Drop the tail instead of padding.
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            dist.init()
        num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
        rank = dist.get_rank() if rank is None else rank
        if isinstance(num_replicas, bool) or not isinstance(num_replicas, numbers.Integral) or num_replicas < 1:
            raise ValueError(f"num_replicas must be a positive integer, got {num_replicas!r}")
        if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or not 0 <= rank < num_replicas:
            raise ValueError(f"Invalid rank {rank!r}, rank should be in the interval [0, {num_replicas - 1}]")
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        self.dataset, self.num_replicas, self.rank = dataset, int(num_replicas), int(rank)
        self.shuffle, self.seed, self.drop_last, self.epoch = bool(shuffle), int(seed), bool(drop_last), 0
        n = len(dataset)
        if self.drop_last and n % self.num_replicas:
            self.num_samples = -(-(n - self.num_replicas) // self.num_replicas)
        else:
            self.num_samples = -(-n // self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas

    def __iter__(self):
        n = len(self.dataset)
        order = np.random.default_rng(self.seed + self.epoch).permutation(n) if self.shuffle else np.arange(n)
        if self.drop_last:
            order = order[:self.total_size]
        elif self.total_size > n:
            order = np.resize(order, self.total_size)  # repeats the start, as often as needed
        return iter(order[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, and so the order it draws (call it before each epoch on every process)."""
        if isinstance(epoch, bool) or not isinstance(epoch, numbers.Integral):
            raise TypeError(f"epoch must be an integer, got {epoch!r}")
        self.epoch = int(epoch)

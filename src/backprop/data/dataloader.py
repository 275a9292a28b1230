"""``DataLoader``: iterate over a data set in (optionally shuffled) minibatches of Tensors, as PyTorch's."""
import copy
import itertools
import numbers

import numpy as np

from .collate import collate_arrays, to_tensors
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, resolve_generator
from .workers import Exhausted, WorkerPool, resolve_context


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
    dataset : Dataset or IterableDataset
        Anything with ``__len__`` and ``__getitem__`` (a ``get_batch(index)`` method, as ``TensorDataset``
        has, reads a whole batch at once), or an ``IterableDataset``, whose stream is cut into batches.
    batch_size : int or None, default 1
        None yields the samples one by one, not collated (arrays become Tensors), as PyTorch.
    shuffle : bool, default False
        Visit the samples in a new random order every epoch (a ``RandomSampler``). A data set with a
        ``stream_blocks(shuffle, generator)`` method (``ShardedDataset``) shuffles its own stream instead,
        drawing from ``generator``: backprop's extension, as PyTorch refuses ``shuffle`` for an
        ``IterableDataset``.
    sampler : Sampler or iterable of indices, optional
        The order of the samples (mutually exclusive with ``shuffle``).
    batch_sampler : Sampler or iterable of lists of indices, optional
        The batches themselves (mutually exclusive with ``batch_size``, ``shuffle``, ``sampler`` and
        ``drop_last``).
    num_workers : int, default 0
        Load batches in this many worker processes (``multiprocessing``); the batches and their order are
        those of ``num_workers=0``. See Notes.
    collate_fn : callable, optional
        Makes a batch from a list of samples; its result is yielded as it is. By default
        ``default_collate``, then float arrays take ``dtype``.
    pin_memory : bool, default False
        Accepted for PyTorch scripts; there is no GPU memory to pin.
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.
    timeout : float, default 0
        With workers, the seconds to wait for a batch before raising RuntimeError (0: no limit; a worker
        that dies raises at once either way).
    worker_init_fn : callable, optional
        Called as ``worker_init_fn(worker_id)`` in each worker after its seeding.
    multiprocessing_context : str or multiprocessing context, optional
        How workers start; by default ``fork`` on Linux (the data set is not copied through pickle), else
        the platform's default (``spawn``: the data set, ``collate_fn`` and ``worker_init_fn`` must pickle).
    generator : bp.Generator, numpy.random.Generator or int, optional
        Draw the permutations (and the workers' base seed) from this generator, or from a new one seeded
        with this integer. By default they come from the library's generator
        (``backprop.random.generator()``, seeded by ``bp.manual_seed`` and saved in checkpoints).
    prefetch_factor : int, optional
        Batches asked of each worker ahead of time (default 2 with workers; only with workers).
    persistent_workers : bool, default False
        Accepted for PyTorch scripts (with ``num_workers > 0``); the workers start anew every epoch.
    dtype : numpy dtype, optional
        The dtype of float batches from the default collation; by default the default float dtype
        (``bp.get_default_dtype()``), as ``bp.tensor`` gives. Pass ``np.float64`` to train a ``.double()``
        model. Integer data (class labels) always keep their dtype. PyTorch has no such option: its batches
        keep the data's dtype.

    Yields
    ------
    batch
        The collated samples with Tensors for arrays: ``(xb, yb)`` for ``TensorDataset(X, y)``, a dict for
        dict samples, a Tensor for single arrays. The tensors own their data (a memmap batch is read).

    Notes
    -----
    With ``num_workers > 0``, each epoch first draws its permutation, then a base seed from a copy of the
    same generator, so the generator moves on exactly as with ``num_workers=0``: every epoch's batches, and
    every later draw (dropout, the next epochs), are those of ``num_workers=0``, and resumed runs repeat.
    (PyTorch draws the base seed from the generator itself, so its later epochs differ.) Worker ``i``
    seeds its generator with ``base_seed + i``, then calls ``worker_init_fn(i)``;
    ``bp.data.get_worker_info()`` tells a worker its id, the number of workers and its seed. Batch ``k`` is
    loaded by worker ``k mod num_workers`` and the batches come out in order. A worker that raises, or
    dies, gives a RuntimeError naming it.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> loader = bp.data.DataLoader(bp.data.TensorDataset(np.arange(10.0), np.arange(10)), batch_size=4)
    >>> len(loader), [yb.tolist() for xb, yb in loader]
    (3, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]])
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 dtype=None):
        if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral)
                                       or batch_size < 1):
            raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
        if isinstance(num_workers, bool) or not isinstance(num_workers, numbers.Integral) or num_workers < 0:
            raise ValueError(f"num_workers option should be a non-negative integer, got {num_workers!r}; use "
                             "num_workers=0 to disable multiprocessing")
        if not timeout >= 0:
            raise ValueError(f"timeout option should be non-negative, got {timeout!r}")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing: let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        # backprop's extension: a data set that streams its epochs in blocks (ShardedDataset) shuffles itself
        streams_blocks = hasattr(dataset, "stream_blocks")
        if streams_blocks and num_workers:
            raise ValueError(f"num_workers={num_workers!r}: {type(dataset).__name__} reads its files in the main "
                             "process, one piece at a time; use num_workers=0")
        if isinstance(dataset, IterableDataset):
            for name, value in (("shuffle", None if streams_blocks else shuffle or None), ("sampler", sampler),
                                ("batch_sampler", batch_sampler)):
                if value is not None:
                    raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} option, "
                                     f"but got {name}={value!r}")
        elif sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if collate_fn is not None and dtype is not None:
            raise ValueError("dtype applies to the default collation; with a collate_fn, cast in the collate_fn")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = None if generator is None else resolve_generator(generator)
        self.num_workers = int(num_workers)
        self.collate_fn = collate_fn
        self.pin_memory = bool(pin_memory)
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = (2 if prefetch_factor is None else int(prefetch_factor)) if num_workers else None
        self.persistent_workers = bool(persistent_workers)
        self.dtype = dtype
        if isinstance(dataset, IterableDataset):
            self.sampler = self.batch_sampler = None
            return
        if sampler is None:
            sampler = RandomSampler(dataset, generator=self.generator) if shuffle else SequentialSampler(dataset)
        self.sampler = sampler
        if batch_sampler is None and self.batch_size is not None:
            batch_sampler = BatchSampler(sampler, self.batch_size, self.drop_last)
        self.batch_sampler = batch_sampler

    def __len__(self):
        """The number of batches in one epoch (for an IterableDataset, from its ``len``, as PyTorch)."""
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self.sampler if self.batch_sampler is None else self.batch_sampler)

    # -- one epoch's indices ---------------------------------------------------------------------
    def _index_batches(self):
        """One epoch's batches of indices: slices for the default sequential order (one contiguous read), index
        arrays of one permutation for the default shuffling, the batch sampler's lists otherwise; single
        indices without batching. The default shuffling draws its permutation here, at the call."""
        sampler = self.batch_sampler
        if sampler is None:
            return iter(self.sampler)
        if type(sampler) is BatchSampler and type(sampler.sampler) in (SequentialSampler, RandomSampler):
            if type(sampler.sampler) is SequentialSampler:
                order = None
                n = len(self.dataset)
            else:
                order = sampler.sampler.permutation()
                n = len(order)
            size = sampler.batch_size
            starts = range(0, n - size + 1 if sampler.drop_last else n, size)
            if order is None:
                return iter([slice(start, min(start + size, n)) for start in starts])
            return iter([order[start:start + size] for start in starts])
        return iter(sampler)

    # -- reading and collating -------------------------------------------------------------------
    def _collate(self, samples):
        return collate_arrays(samples) if self.collate_fn is None else self.collate_fn(samples)

    def _fetch(self, index):
        """The batch (or sample, without batching) at ``index``, collated; arrays not yet Tensors."""
        if self.batch_sampler is None:
            sample = self.dataset[index]
            return sample if self.collate_fn is None else self.collate_fn(sample)
        if self.collate_fn is None and hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(index if isinstance(index, slice) else np.asarray(index, dtype=np.int64))
        rows = range(len(self.dataset))[index] if isinstance(index, slice) else index
        rows = [int(i) for i in rows] if isinstance(rows, (range, np.ndarray)) else list(rows)
        if hasattr(self.dataset, "__getitems__"):
            return self._collate(self.dataset.__getitems__(rows))
        return self._collate([self.dataset[i] for i in rows])

    def _stream(self, iterator):
        """The batches of an IterableDataset's stream (``iterator``); StopIteration-free generator."""
        if self.batch_size is None:
            for sample in iterator:
                yield sample if self.collate_fn is None else self.collate_fn(sample)
            return
        while True:
            chunk = list(itertools.islice(iterator, self.batch_size))
            if not chunk or (self.drop_last and len(chunk) < self.batch_size):
                return
            yield self._collate(chunk)

    def _block_batches(self):
        """The batches of a data set that gives each epoch as blocks of rows, shuffled by itself (``stream_blocks``):
        cut into batches, or, for a ``collate_fn`` or without batching, taken apart into samples."""
        blocks = self.dataset.stream_blocks(shuffle=self.shuffle, generator=self.generator)
        if self.collate_fn is None and self.batch_size is not None:
            return batches_of_blocks(blocks, self.batch_size, self.drop_last)
        return self._stream(sample for block in blocks for sample in zip(*block))

    def _finish(self, batch):
        """Arrays → Tensors (floats in ``dtype``) for the default collation; a collate_fn's result as it is."""
        if self.collate_fn is not None:
            return batch
        return to_tensors(batch, self.dtype, cast=True)

    def __iter__(self):
        iterable = isinstance(self.dataset, IterableDataset)
        if self.num_workers == 0:
            batches = (self._block_batches() if hasattr(self.dataset, "stream_blocks") else
                       self._stream(iter(self.dataset)) if iterable else map(self._fetch, self._index_batches()))
            for batch in batches:
                yield self._finish(batch)
            return
        indices = None if iterable else self._index_batches()  # the permutation is drawn first
        # then the base seed, from a copy: the generator's stream (later epochs, dropout) stays that of
        # num_workers=0, so every epoch gives the same batches with and without workers
        base_seed = int(copy.deepcopy(resolve_generator(self.generator)).integers(0, 2**63 - self.num_workers))
        fetch = _StreamFetcher(self) if iterable else self._fetch
        pool = WorkerPool(fetch, self.num_workers, base_seed, self.dataset, self.worker_init_fn,
                          resolve_context(self.multiprocessing_context), self.timeout)
        try:
            batches = _stream_in_order(pool, self) if iterable else _map_in_order(pool, self, indices)
            for batch in batches:
                yield self._finish(batch)
        finally:
            pool.close()

    def __repr__(self):
        return (f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
                f"drop_last={self.drop_last})")


def batches_of_blocks(blocks, batch_size, drop_last=False):
    """Cut a stream of blocks (tuples of arrays with equal row counts) into batches of ``batch_size`` rows.

    A batch within a block is a view of it; one that spans two blocks is their rows joined. The last batch
    may be smaller, unless ``drop_last``.
    """
    carry = None
    for block in blocks:
        start, n = 0, len(block[0])
        if carry is not None:
            start = min(n, batch_size - len(carry[0]))
            carry = tuple(np.concatenate([c, b[:start]]) for c, b in zip(carry, block))
            if len(carry[0]) < batch_size:
                continue
            yield carry
            carry = None
        stop = start + (n - start) // batch_size * batch_size
        for first in range(start, stop, batch_size):
            yield tuple(a[first:first + batch_size] for a in block)
        if stop < n:
            carry = tuple(a[stop:] for a in block)
    if carry is not None and not drop_last:
        yield carry


class _StreamFetcher:
    """In a worker: the next batch of the worker's own iterator over the IterableDataset (made on first use,
    after ``get_worker_info`` is set)."""

    def __init__(self, loader):
        self.loader = loader
        self.batches = None

    def __call__(self, index):
        if self.batches is None:
            self.batches = self.loader._stream(iter(self.loader.dataset))
        return next(self.batches)


def _map_in_order(pool, loader, indices):
    """Batch k from worker k mod n, ``prefetch_factor`` requests ahead per worker, yielded in order."""
    n = loader.num_workers
    sent = received = 0
    for index in itertools.islice(indices, loader.prefetch_factor * n):
        pool.send(sent % n, sent, index)
        sent += 1
    while received < sent:
        batch = pool.receive(received % n)
        received += 1
        for index in itertools.islice(indices, 1):
            pool.send(sent % n, sent, index)
            sent += 1
        yield batch


def _stream_in_order(pool, loader):
    """Each worker streams its own copy; batches are taken from the workers in turn, skipping finished ones."""
    n = loader.num_workers
    for worker in range(n):
        for _ in range(loader.prefetch_factor):
            pool.send(worker, None, None)
    active = [True] * n
    worker = 0
    while any(active):
        if active[worker]:
            batch = pool.receive(worker)
            if batch is Exhausted:
                active[worker] = False
            else:
                pool.send(worker, None, None)
                yield batch
        worker = (worker + 1) % n

"""Worker processes for ``DataLoader(num_workers=n)``, on the standard library's ``multiprocessing``.

As in PyTorch, batch ``k`` of an epoch is loaded by worker ``k mod n``, each worker having a queue of
requests and all sharing one queue of results; the main process reads the results in batch order, so the
batches come out as with ``num_workers=0``. Worker ``i`` seeds the library's generator (and Python's
``random``) with ``base_seed + i`` and then calls ``worker_init_fn(i)``. A worker that raises sends its
traceback; one that dies is found by its exit code while the main process waits, so an error naming the
worker comes back instead of a hang.
"""
import collections
import contextvars
import multiprocessing
import pickle
import queue
import random
import signal
import sys
import time
import traceback

from .. import random as _random

_worker_info = contextvars.ContextVar("backprop.data.worker_info", default=None)
_POLL_S = 0.1  # how long the main process waits on the results before checking that the workers live


class WorkerInfo(collections.namedtuple("WorkerInfo", ["id", "num_workers", "seed", "dataset"])):
    """What ``get_worker_info()`` gives inside a worker: its ``id`` (0 … ``num_workers`` − 1), ``num_workers``,
    its ``seed`` (the base seed + ``id``) and its copy of the ``dataset``."""

    __slots__ = ()


def get_worker_info():
    """The ``WorkerInfo`` of the current ``DataLoader`` worker process, or None in the main process.

    An ``IterableDataset`` reads it in ``__iter__`` to take only its share of the stream, e.g.
    ``itertools.islice(stream, info.id, None, info.num_workers)``.
    """
    return _worker_info.get()


class Exhausted:
    """A worker's answer once its ``IterableDataset`` copy has no more batches."""


def _worker_loop(info, fetch, worker_init_fn, requests, results):
    """The body of worker ``info.id``: answer each request ``(key, index)`` with ``(key, id, batch, error)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle; it stops us
    _worker_info.set(info)
    try:
        random.seed(info.seed)
        _random.manual_seed(info.seed)
        if worker_init_fn is not None:
            worker_init_fn(info.id)
    except BaseException as e:
        results.put((None, info.id, None, _describe(e, "in worker_init_fn or at start-up")))
        return
    while True:
        request = requests.get()
        if request is None:
            results.cancel_join_thread()  # results nobody will read must not hold up the exit
            return
        key, index = request
        try:
            try:
                batch = fetch(index)
            except StopIteration:
                batch = Exhausted
            # pickled here, not in the queue's thread, so that an unpicklable batch is reported, not lost
            results.put((key, info.id, pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL), None))
        except Exception as e:
            where = "while loading the next batch" if key is None else f"while loading batch {key}"
            results.put((key, info.id, None, _describe(e, where)))


def _describe(error, where):
    return f"{type(error).__name__}: {error} {where}\n\nThe worker's traceback:\n{traceback.format_exc()}"


def _exit_description(code):
    if code >= 0:
        return f"exited unexpectedly with exit code {code}"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = str(-code)
    return f"was killed by signal {name} (if it ran out of memory, lower batch_size or num_workers)"


class WorkerPool:
    """``num_workers`` processes loading batches with ``fetch(index)`` until :meth:`close`."""

    def __init__(self, fetch, num_workers, base_seed, dataset, worker_init_fn, context, timeout):
        self.timeout = timeout
        self.results = context.Queue()
        self.requests = [context.Queue() for _ in range(num_workers)]
        self.buffers = [collections.deque() for _ in range(num_workers)]
        self.processes = []
        for i in range(num_workers):
            info = WorkerInfo(i, num_workers, base_seed + i, dataset)
            process = context.Process(target=_worker_loop, name=f"DataLoader worker {i}", daemon=True,
                                      args=(info, fetch, worker_init_fn, self.requests[i], self.results))
            process.start()
            self.processes.append(process)

    def send(self, worker, key, index):
        """Ask ``worker`` for the batch at ``index`` (None: the next batch of its stream)."""
        self.requests[worker].put((key, index))

    def receive(self, worker):
        """The next batch of ``worker``, in the order asked; raises RuntimeError naming a worker that failed."""
        waited = 0.0
        while not self.buffers[worker]:
            start = time.monotonic()
            try:
                key, sender, payload, error = self.results.get(timeout=_POLL_S)
            except queue.Empty:
                waited += time.monotonic() - start
                self._check_alive()
                if self.timeout and waited > self.timeout:
                    raise RuntimeError(f"DataLoader timed out after {self.timeout} s waiting for a batch from "
                                       f"worker {worker} (pid {self.processes[worker].pid})") from None
                continue
            if error is not None:
                raise RuntimeError(f"DataLoader worker {sender} (pid {self.processes[sender].pid}) raised {error}")
            self.buffers[sender].append(payload)
        return pickle.loads(self.buffers[worker].popleft())

    def _check_alive(self):
        for i, process in enumerate(self.processes):
            if process.exitcode is not None:
                raise RuntimeError(f"DataLoader worker {i} (pid {process.pid}) {_exit_description(process.exitcode)}")

    def close(self):
        """Stop the workers: ask them to finish, then terminate any still running after a second."""
        for process, requests in zip(self.processes, self.requests, strict=True):
            if process.is_alive():
                requests.put(None)
        deadline = time.monotonic() + 1.0
        for process in self.processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()
                process.join()
        for q in (*self.requests, self.results):
            q.cancel_join_thread()
            q.close()


def default_context():
    """``fork`` on Linux (no pickling of the data set, fast start), else the platform's default."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def resolve_context(context):
    if context is None:
        return default_context()
    if isinstance(context, str):
        return multiprocessing.get_context(context)
    return context

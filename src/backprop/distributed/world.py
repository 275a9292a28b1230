"""The world of processes: ``init``, ranks, and the collective operations, on MPI through mpi4py.

Every process of an ``mpiexec -n N python train.py`` job runs the same script; :func:`init` joins them
into one world (MPI's ``COMM_WORLD``) and each learns its rank. Run without ``mpiexec`` (or without
mpi4py installed), ``init`` makes a world of one process, in which every collective is a no-op, so
one script serves both.

The collectives take Tensors and act on their values in place, as ``torch.distributed``'s: what MPI
sends is each tensor's host buffer (a contiguous NumPy array), so a later array backend only has to
provide that buffer.
"""
import os
import sys

import numpy as np

__all__ = ["Work", "abort", "all_gather", "all_reduce", "barrier", "broadcast", "broadcast_object_list", "get_rank",
           "get_world_size", "init", "is_initialized"]

# The MPI world is one per process (MPI_Init runs once), so it is process-wide state, not per thread.
_world = {"comm": None, "initialized": False}

# Variables that MPI launchers set in the processes they start: MPICH's and Intel MPI's Hydra, Slurm's PMI
# (PMI_*), Open MPI (OMPI_*), PMIx-based launchers (PMIX_*).
_LAUNCHER_SIZE = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")
_LAUNCHER_MARKS = _LAUNCHER_SIZE + ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")

_OPS = ("sum", "mean")


def _launcher_size():
    """The number of processes an MPI launcher says it started, or None outside a launcher."""
    if not any(name in os.environ for name in _LAUNCHER_MARKS):
        return None
    for name in _LAUNCHER_SIZE:
        if os.environ.get(name, "").isdigit():
            return int(os.environ[name])
    return 0  # a launcher that does not say how many (PMIx): trust MPI


def init():
    """Join the processes started by ``mpiexec`` into one world; a world of one outside a launcher.

    Safe to call more than once. Without mpi4py, or when the process was not started by an MPI
    launcher, the world is this process alone (rank 0 of 1) and every collective is a no-op.

    In a world of several processes, an exception that ends this process's script (uncaught) ends the
    whole job (``MPI_Abort``, as ``python -m mpi4py`` does), instead of leaving the other processes
    waiting in a collective for ever; for an error you handle yourself, see :func:`abort`.

    Raises
    ------
    ImportError
        Started by ``mpiexec -n N`` with N > 1 but mpi4py is missing (``pip install 'backprop[mpi]'``).
    RuntimeError
        The launcher started N processes but MPI sees a world of one: the launcher belongs to another
        MPI library than mpi4py's (Open MPI's ``mpirun`` with MPICH's library, or the reverse).
    """
    if _world["initialized"]:
        return
    expected = _launcher_size()
    comm = None
    if expected is not None:
        try:
            from mpi4py import MPI
        except ImportError as e:
            if expected > 1:
                raise ImportError(f"started by an MPI launcher with {expected} processes, but mpi4py is not "
                                  "installed: pip install 'backprop[mpi]'") from e
        else:
            comm = MPI.COMM_WORLD
            if expected > 1 and comm.Get_size() != expected:
                raise RuntimeError(
                    f"the MPI launcher started {expected} processes but MPI ({MPI.Get_library_version().split()[0]}"
                    f" {'.'.join(map(str, MPI.Get_version()))}) sees a world of {comm.Get_size()}: the mpiexec "
                    "comes from another MPI library than mpi4py's; use the mpiexec of the library mpi4py was "
                    "built with (with backprop[mpi], the one installed next to python)")
    _world["comm"], _world["initialized"] = comm, True
    if comm is not None and comm.Get_size() > 1:
        _abort_on_uncaught_exceptions()


def _abort_on_uncaught_exceptions():
    """After the traceback of an uncaught exception, end the job at exit (mpi4py's abort status makes
    Python's exit call ``MPI_Abort`` instead of ``MPI_Finalize``, which would wait for the others)."""
    from mpi4py.run import set_abort_status

    previous = sys.excepthook

    def excepthook(kind, value, traceback):
        set_abort_status(1)
        previous(kind, value, traceback)

    sys.excepthook = excepthook


def abort(status=1):
    """End every process of the job now with exit ``status`` (``MPI_Abort``); in a world of one, exit.

    For an error met by this process alone, such as a file only rank 0 writes, after which the others
    would wait in their next collective for ever. Output written so far is flushed first.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    comm = _comm()
    if comm is not None and comm.Get_size() > 1:
        comm.Abort(status)
    sys.exit(status)


def is_initialized():
    """Whether :func:`init` has run in this process."""
    return _world["initialized"]


def _comm():
    if not _world["initialized"]:
        raise RuntimeError("backprop.distributed is not initialized: call bp.distributed.init() first")
    return _world["comm"]


def get_rank():
    """This process's rank, 0 to ``get_world_size() - 1`` (0 in a world of one)."""
    comm = _comm()
    return 0 if comm is None else comm.Get_rank()


def get_world_size():
    """The number of processes in the world."""
    comm = _comm()
    return 1 if comm is None else comm.Get_size()


def barrier():
    """Wait until every process has reached this call."""
    comm = _comm()
    if comm is not None:
        comm.Barrier()


def _host_buffer(tensor, name):
    """The contiguous host array that MPI reads and writes for ``tensor`` (its own array when possible)."""
    data = getattr(tensor, "data", None)
    if not isinstance(data, np.ndarray):
        raise TypeError(f"{name}: expected a Tensor, got {type(tensor).__name__}")
    return data if data.flags.c_contiguous and data.flags.writeable else np.ascontiguousarray(data)


def _store(tensor, buffer):
    if buffer is not tensor.data:
        tensor.data[...] = buffer


class Work:
    """A collective in flight (``torch.distributed.Work``): ``wait()`` finishes it and returns True."""

    def __init__(self, request=None, finish=None):
        self._request, self._finish = request, finish

    def is_completed(self):
        return self._request is None or self._request.Test()

    def wait(self):
        request, self._request = self._request, None
        if request is not None:
            request.Wait()
        finish, self._finish = self._finish, None
        if finish is not None:
            finish()
        return True


def all_reduce(tensor, op="sum", async_op=False):
    """Replace ``tensor``'s values, on every process, by their sum (or mean) over all processes.

    Parameters
    ----------
    tensor : Tensor
        Of the same shape and dtype on every process; changed in place.
    op : {'sum', 'mean'}, default 'sum'
        'mean' divides the sum by the world size (``torch.distributed.ReduceOp.AVG``); float tensors only.
    async_op : bool, default False
        Return a :class:`Work` at once (MPI's non-blocking ``Iallreduce``) instead of waiting; the values
        are final after ``work.wait()``. With an MPI library older than MPI 3 (no non-blocking
        collectives), ``wait()`` does a plain all-reduce.

    Returns
    -------
    Work or None
    """
    if op not in _OPS:
        raise ValueError(f"all_reduce: op must be one of {_OPS}, got {op!r}")
    buffer = _host_buffer(tensor, "all_reduce")
    if op == "mean" and buffer.dtype.kind not in "fc":
        raise TypeError(f"all_reduce: op='mean' needs a floating-point tensor, got {buffer.dtype}")
    comm = _comm()
    reduce = comm is not None and comm.Get_size() > 1
    request, deferred = None, False
    if reduce:
        from mpi4py import MPI

        if async_op and MPI.Get_version() >= (3, 0):  # MPI 3 brought the non-blocking collectives
            request = comm.Iallreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
        else:
            deferred = True  # a plain all-reduce, now or when the caller waits

    def finish():
        if deferred:
            comm.Allreduce(MPI.IN_PLACE, buffer, op=MPI.SUM)
        if op == "mean" and reduce:
            np.divide(buffer, comm.Get_size(), out=buffer)
        _store(tensor, buffer)

    work = Work(request, finish)
    if async_op:
        return work
    work.wait()
    return None


def broadcast(tensor, src=0):
    """Copy process ``src``'s values of ``tensor`` into ``tensor`` on every other process (in place)."""
    comm = _comm()
    buffer = _host_buffer(tensor, "broadcast")
    if comm is None:
        _check_rank(src, 1, "broadcast")
        return
    _check_rank(src, comm.Get_size(), "broadcast")
    comm.Bcast(buffer, root=src)
    _store(tensor, buffer)


def broadcast_object_list(object_list, src=0):
    """Replace the items of ``object_list`` on every process by process ``src``'s (pickled by mpi4py, as
    ``torch.distributed.broadcast_object_list``): for small Python values such as a random state."""
    comm = _comm()
    _check_rank(src, 1 if comm is None else comm.Get_size(), "broadcast_object_list")
    if comm is not None:
        object_list[:] = comm.bcast(list(object_list), root=src)


def all_gather(tensor_list, tensor):
    """Fill ``tensor_list[i]`` with process ``i``'s ``tensor``, on every process (``torch.distributed``'s
    signature): ``tensor_list`` holds ``get_world_size()`` tensors of ``tensor``'s shape and dtype."""
    comm = _comm()
    size = 1 if comm is None else comm.Get_size()
    if len(tensor_list) != size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors for a world of {size} processes")
    buffer = _host_buffer(tensor, "all_gather")
    for i, out in enumerate(tensor_list):
        shape, dtype = tuple(getattr(out, "shape", ())), getattr(out, "dtype", None)
        if shape != buffer.shape or dtype != buffer.dtype:
            raise ValueError(f"all_gather: tensor_list[{i}] has shape {shape} and dtype {dtype}, the tensor "
                             f"{buffer.shape} and {buffer.dtype}")
    gathered = np.empty((size,) + buffer.shape, buffer.dtype)
    if comm is None:
        gathered[0] = buffer
    else:
        comm.Allgather(buffer, gathered)
    for out, values in zip(tensor_list, gathered):
        out.data[...] = values


def _check_rank(src, size, name):
    if isinstance(src, bool) or not isinstance(src, (int, np.integer)) or not 0 <= src < size:
        raise ValueError(f"{name}: src must be a rank from 0 to {size - 1}, got {src!r}")

"""Data-parallel training over MPI (``torch.distributed``'s names), through mpi4py: ``pip install 'backprop[mpi]'``.

Start N copies of one script with ``mpiexec -n N python train.py``; each calls :func:`init` and learns
its rank. Wrap the model in ``bp.nn.parallel.DistributedDataParallel`` and give each process its part of
the data (``bp.data.DistributedSampler``), or let ``bp.train.fit(..., distributed=True)`` do both.
Without ``mpiexec`` the same script runs as a world of one. docs/distributed.md has the details.
"""
from .world import (Work, abort, all_gather, all_reduce, barrier, broadcast, broadcast_object_list, get_rank,
                    get_world_size, init, is_initialized)

__all__ = ["Work", "abort", "all_gather", "all_reduce", "barrier", "broadcast", "broadcast_object_list", "get_rank",
           "get_world_size", "init", "is_initialized"]

"""Data parallelism (``torch.nn.parallel``): :class:`DistributedDataParallel` over ``bp.distributed``."""
from .distributed import DistributedDataParallel, rank_generator

__all__ = ["DistributedDataParallel", "rank_generator"]

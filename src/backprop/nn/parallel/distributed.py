"""``DistributedDataParallel``: one model per process, gradients averaged over the processes after backward.

Each process computes the gradient of its own part of the global batch; the average of those
gradients, over equal parts, is the gradient of the global batch's mean loss. So after every backward
pass every process holds the same gradient, its optimizer takes the same step, and the replicas stay
equal without ever sending weights again.
"""
import contextlib

import numpy as np

from ..module import Module
from ... import distributed as dist
from ... import random as _random
from ...autograd.factory import from_numpy
from ...autograd.grad_mode import no_grad
from ...autograd.graph import queue_callback

__all__ = ["DistributedDataParallel", "rank_generator"]

# PyTorch's first bucket (torch.distributed's _DEFAULT_FIRST_BUCKET_BYTES): small, so that the first
# all-reduce starts as soon as the last layers' gradients are ready.
FIRST_BUCKET_BYTES = 1 << 20


def rank_generator(rank=None):
    """A NumPy generator for this process, derived from the library generator's state (``bp.manual_seed``)
    and the rank: processes seeded alike draw different but reproducible streams. The library generator
    itself is left untouched, so it stays equal on every process (data shuffles)."""
    import hashlib  # here, not at the top: `import backprop.nn` should not pay for them
    import json

    rank = dist.get_rank() if rank is None else rank
    state = json.dumps(_random.get_rng_state(), sort_keys=True).encode()
    entropy = int.from_bytes(hashlib.sha256(state).digest()[:16], "little")
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(rank,)))


class _Bucket:
    """Gradients of several parameters of one dtype, all-reduced as one flat array."""

    def __init__(self, params):
        self.params = params
        self.offsets = np.cumsum([0] + [p.numel() for p in params]).tolist()
        self.flat = np.empty(self.offsets[-1], params[0].dtype)

    def pack(self):
        """Copy the gradients into the flat array (zeros for a parameter that got none here)."""
        for p, start, stop in zip(self.params, self.offsets, self.offsets[1:]):
            if p.grad is None:
                self.flat[start:stop] = 0
            else:
                self.flat[start:stop] = p.grad.data.reshape(-1)
        return from_numpy(self.flat)

    def unpack(self):
        """Copy the reduced values back into each parameter's ``.grad``, in place where it has one."""
        for p, start, stop in zip(self.params, self.offsets, self.offsets[1:]):
            values = self.flat[start:stop].reshape(p.shape)
            if p.grad is None:
                p.grad = values.copy()
            else:
                p.grad.data[...] = values


def _assign_buckets(params, cap_bytes):
    """Buckets in the order gradients become ready: parameters taken in reverse order of ``parameters()``,
    grouped by dtype; a bucket is closed once it holds at least its limit (1 MiB for the first of each
    dtype, ``cap_bytes`` afterwards), as PyTorch's ``compute_bucket_assignment_by_size``."""
    buckets, open_buckets = [], {}
    for p in reversed(params):
        members, size, closed_before = open_buckets.get(p.dtype, ([], 0, 0))
        members.append(p)
        size += p.numel() * p.dtype.itemsize
        if size >= (FIRST_BUCKET_BYTES if closed_before == 0 else cap_bytes):
            buckets.append(members)
            members, size, closed_before = [], 0, closed_before + 1
        open_buckets[p.dtype] = (members, size, closed_before)
    buckets += [members for members, _, _ in open_buckets.values() if members]
    return [_Bucket(members) for members in buckets]


class _Reduction:
    """One backward pass's all-reduces: buckets start in their fixed order (the same on every process,
    as MPI matches collectives by order) as soon as all their gradients are ready."""

    def __init__(self, buckets):
        self.buckets = buckets
        self.ready = [0] * len(buckets)
        self.launched = []  # (bucket, Work), in bucket order

    def mark_ready(self, index):
        self.ready[index] += 1
        self.launch(lambda i: self.ready[i] == len(self.buckets[i].params))

    def launch(self, can_start):
        while len(self.launched) < len(self.buckets) and can_start(len(self.launched)):
            bucket = self.buckets[len(self.launched)]
            self.launched.append((bucket, dist.all_reduce(bucket.pack(), op="mean", async_op=True)))

    def finish(self):
        """Start what is left (parameters that got no gradient count as zeros), then wait for everything."""
        self.launch(lambda i: True)
        for bucket, work in self.launched:
            work.wait()
            bucket.unpack()


class DistributedDataParallel(Module):
    """Data-parallel training over the processes of ``bp.distributed`` (``torch.nn.parallel``'s class).

    Wrap the model after ``bp.distributed.init()``, build the optimizer on its parameters, and give each
    process its own part of every global batch (``bp.data.DistributedSampler``). Each process then runs
    the usual step; after ``loss.backward()`` every process holds the gradient averaged over all of them.

    - At construction, rank 0's parameters and buffers are copied to every process.
    - Gradients are all-reduced in flat buckets, filled in reverse order of ``parameters()`` (the order
      backward produces them): the first bucket holds about 1 MiB, the others ``bucket_cap_mb``. A bucket
      starts (MPI's non-blocking ``Iallreduce``) from the post-accumulate-grad hook that completes it, while
      the rest of backward runs; the end of backward waits for all of them. An MPI library without
      non-blocking collectives does plain all-reduces there instead.
    - ``with model.no_sync():`` skips the averaging, so gradients accumulate locally over several backward
      passes; the first backward outside the block averages the accumulated sums.
    - In training mode, each forward first copies rank 0's buffers (batch norm's running statistics) to
      every process (PyTorch's ``broadcast_buffers=True``); batch norm normalises with each process's own
      batch statistics (no ``SyncBatchNorm``).
    - Random draws in the forward pass (dropout masks) come from :attr:`generator`, a stream per process
      derived from the library's seed and the rank (:func:`rank_generator`).
    - ``state_dict()`` and ``load_state_dict()`` are the wrapped module's, keys unchanged. (PyTorch's DDP
      prefixes its keys with ``module.``; here a checkpoint loads into the bare model and back.)

    A parameter that gets no gradient on any process gets a zero gradient (PyTorch refuses such a model
    unless ``find_unused_parameters=True``).

    Parameters
    ----------
    module : Module
    bucket_cap_mb : float, default 25
        The size of the buckets after the first, in MiB.
    broadcast_buffers : bool, default True
    """

    def __init__(self, module, bucket_cap_mb=25, broadcast_buffers=True):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel wraps a Module, got {type(module).__name__}")
        if isinstance(bucket_cap_mb, bool) or not isinstance(bucket_cap_mb, (int, float)) or not bucket_cap_mb > 0:
            raise ValueError(f"bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        dist.init()
        self.module = module
        self.bucket_cap_mb, self.broadcast_buffers = bucket_cap_mb, broadcast_buffers
        self.require_backward_grad_sync = True
        with no_grad():
            for t in list(module.parameters()) + list(module.buffers()):
                dist.broadcast(t, src=0)
        self.generator = rank_generator()
        params = [p for p in module.parameters() if p.requires_grad]
        self.buckets = _assign_buckets(params, int(bucket_cap_mb * (1 << 20))) if params else []
        self._reduction = None
        self._grad_hook_handles = [p.register_post_accumulate_grad_hook(lambda _, index=index: self._grad_ready(index))
                       for index, bucket in enumerate(self.buckets) for p in bucket.params]

    def _grad_ready(self, index):
        if not self.require_backward_grad_sync:
            return
        if self._reduction is None:
            self._reduction = _Reduction(self.buckets)
            queue_callback(self._finish_reduction)
        self._reduction.mark_ready(index)

    def _finish_reduction(self):
        reduction, self._reduction = self._reduction, None
        reduction.finish()

    def remove_hooks(self):
        """Unregister the gradient hooks, leaving the wrapped module as it was before wrapping (backprop's
        addition: ``fit(distributed=True)`` calls it when it returns)."""
        for handle in self._grad_hook_handles:
            handle.remove()
        self._grad_hook_handles = []

    @contextlib.contextmanager
    def no_sync(self):
        """Accumulate gradients locally inside the block; the next backward outside it averages them."""
        previous, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def forward(self, *inputs, **kwargs):
        self._reduction = None  # left over only by a backward pass that raised
        if dist.get_world_size() == 1:
            return self.module(*inputs, **kwargs)
        if self.training and self.broadcast_buffers:
            with no_grad():
                for buffer in self.module.buffers():
                    dist.broadcast(buffer, src=0)
        with _random.use_generator(self.generator):
            return self.module(*inputs, **kwargs)

    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """The wrapped module's ``state_dict`` (no ``module.`` prefix, unlike PyTorch)."""
        return self.module.state_dict(destination, prefix, keep_vars)

    def load_state_dict(self, state_dict, strict=True):
        """The wrapped module's ``load_state_dict``."""
        return self.module.load_state_dict(state_dict, strict)

    def extra_repr(self):
        return f"world_size={dist.get_world_size()}, buckets={len(self.buckets)}, bucket_cap_mb={self.bucket_cap_mb}"

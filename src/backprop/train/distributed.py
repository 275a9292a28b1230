"""What ``fit(..., distributed=True)`` adds to the loop: each process trains on its share of every global
batch, through ``DistributedDataParallel``, and every process sees the same logs.

- The global batches are the same on every process: they are drawn from the library generator, which
  starts from rank 0's state, and nothing else draws from it during training (dropout draws from the
  per-process stream of ``DistributedDataParallel``, re-derived from the library generator at the start
  of every epoch, so a resumed run draws the masks an uninterrupted one would).
- Process ``r`` of ``W`` takes rows ``[r·n/W, (r+1)·n/W)`` of a batch of ``n`` rows. When ``n`` does not
  divide by ``W`` (a short last batch), each process's loss is weighted by its share before backward, so
  the averaged gradient is still the gradient of the global batch's mean loss.
- The loss and metrics of every batch are all-reduced (weighted by rows), so callbacks, early stopping
  and the NaN check decide the same on every process; only rank 0 shows progress and runs
  ``ModelCheckpoint`` callbacks (the CLI's run folder included).
- Validation is shared the same way, on rank 0's buffers (batch norm's running statistics), which are
  copied to every process first.
"""
import numpy as np

from .. import distributed as dist
from .. import random as _random
from ..autograd.factory import from_numpy
from ..autograd.grad_mode import no_grad
from ..data import DataLoader, DistributedSampler
from ..nn.parallel import DistributedDataParallel, rank_generator
from .callbacks import ModelCheckpoint


def _epoch_rows(loader):
    """The rows of one epoch of a DataLoader that knows them (from its sampler or data set), else None."""
    if not isinstance(loader, DataLoader):
        return None
    source = loader.sampler if loader.sampler is not None else loader.dataset
    try:
        return len(source)
    except TypeError:  # an iterable data set without a length
        return None


class DistributedFit:
    """The distributed side of one ``fit`` call (built by ``fit`` itself)."""

    def __init__(self, model, train_loader):
        dist.init()
        self.rank, self.world = dist.get_rank(), dist.get_world_size()
        if isinstance(model, DistributedDataParallel):
            raise ValueError("fit(distributed=True) wraps the model in DistributedDataParallel itself: give it the "
                             "bare model (model.module)")
        if isinstance(getattr(train_loader, "sampler", None), DistributedSampler):
            raise ValueError("fit(distributed=True) shares every global batch among the processes itself: give it "
                             "the DataLoader of the whole data set, without a DistributedSampler")
        global_batch = getattr(train_loader, "batch_size", None)
        if global_batch is not None and global_batch % self.world:
            raise ValueError(f"fit(distributed=True): the global batch size {global_batch} does not divide by "
                             f"the world size {self.world} (processes); choose a multiple of {self.world}")
        rows = _epoch_rows(train_loader)
        if rows is not None and global_batch and not train_loader.drop_last and 0 < rows % global_batch < self.world:
            raise ValueError(f"fit(distributed=True): {rows} rows in batches of {global_batch} end with a batch of "
                             f"{rows % global_batch}, too few for {self.world} processes; choose another batch size")
        state = [_random.get_rng_state()]
        dist.broadcast_object_list(state)  # the same shuffles on every process
        _random.set_rng_state(state[0])
        self.model = DistributedDataParallel(model)

    def callbacks(self, callbacks):
        """The callbacks this process runs: all on rank 0; no checkpoints elsewhere."""
        return callbacks if self.rank == 0 else [cb for cb in callbacks if not isinstance(cb, ModelCheckpoint)]

    def verbose(self, verbose):
        return verbose if self.rank == 0 else False

    def begin_epoch(self):
        self.model.generator = rank_generator(self.rank)

    def share(self, x, y):
        """This process's rows of the global batch ``(x, y)``, and the global batch's size."""
        n = len(y)
        if n < self.world:
            raise ValueError(f"fit(distributed=True): a batch of {n} rows cannot be shared by {self.world} "
                             f"processes; choose a batch size and data size whose last batch has 0 or at least "
                             f"{self.world} rows")
        start, stop = self._bounds(n)
        return x[start:stop], y[start:stop], n

    def _bounds(self, n):
        return n * self.rank // self.world, n * (self.rank + 1) // self.world

    def validate(self, evaluate, model, loss_fn, loader, metrics):
        """Validation shared as training is: this process evaluates its rows of every batch with
        ``evaluate`` (fit's loop), and the means are taken over all rows of all processes."""
        rows = [0]

        def shares():
            for batch in loader:
                if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
                    yield batch  # evaluate says what is wrong with it
                    continue
                start, stop = self._bounds(len(batch[1]))
                if stop > start:
                    rows[0] += stop - start
                    yield batch[0][start:stop], batch[1][start:stop]

        try:
            logs = evaluate(model, loss_fn, shares(), metrics, prefix="val_")
        except ValueError:
            if rows[0]:
                raise
            logs = dict.fromkeys(["val_loss"] + [f"val_{name}" for name, _ in metrics], 0.0)  # no rows here
        return self.reduce_logs(logs, rows[0])

    def weighted(self, loss, rows, total):
        """The loss to backpropagate: weighted by this process's share when the shares differ."""
        return loss if total % self.world == 0 else loss * (rows * self.world / total)

    def reduce_logs(self, logs, rows):
        """Logs over all processes: means weighted by each process's ``rows``."""
        values = np.array([logs[name] * rows for name in logs] + [rows], dtype=np.float64)
        dist.all_reduce(from_numpy(values))
        if values[-1] == 0:
            raise ValueError("evaluate: the data has no batches")
        return {name: float(v / values[-1]) for name, v in zip(logs, values)}

    def sync_buffers(self):
        """Rank 0's buffers on every process (batch norm's running statistics), e.g. before validation."""
        with no_grad():
            for buffer in self.model.module.buffers():
                dist.broadcast(buffer, src=0)

    def close(self):
        self.model.remove_hooks()

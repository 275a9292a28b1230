"""The data-parallel runs that tests/distributed/test_mpi.py starts with ``mpiexec -n 2``, and the one-process
runs it compares them with (the same functions, called with ``distributed=False`` / a world of one).

``python mpi_worker.py OUT kill`` trains with a checkpoint and SIGKILLs rank 1 in epoch 3;
``python mpi_worker.py OUT checks`` finishes that run from rank 0's checkpoint, then runs every other check,
and has rank 0 write ``OUT/<name>.npz``;
``python mpi_worker.py OUT raise`` / ``abort``: rank 1 raises / calls ``bp.distributed.abort(3)`` while rank 0
waits in an all-reduce.
"""
import contextlib
import os
import signal
import sys

import numpy as np

import backprop as bp
import backprop.distributed as dist
from backprop.nn.parallel import DistributedDataParallel

ROWS, BATCH, EPOCHS = 32, 8, 3  # 3 epochs × 4 steps of a global batch of 8
OPTIMIZERS = {"sgd": lambda params: bp.optim.SGD(params, lr=0.1, momentum=0.9),
              "adam": lambda params: bp.optim.Adam(params, lr=0.01)}


def data(dtype, rows=ROWS):
    rng = np.random.default_rng(0)
    return rng.normal(size=(rows, 6)).astype(dtype), rng.integers(0, 3, rows)


def model(dtype, dropout=False):
    bp.manual_seed(1)
    layers = [bp.nn.Linear(6, 16), bp.nn.Tanh()] + ([bp.nn.Dropout(0.3)] if dropout else []) + [bp.nn.Linear(16, 3)]
    return bp.nn.Sequential(*layers).to(dtype)


def weights(net):
    return {name: t.data.copy() for name, t in net.state_dict().items()}


def through_fit(optimizer, dtype, distributed, dropout=False, callbacks=None, resume_from=None, rows=ROWS,
                val_rows=11):
    """fit, validating on ``val_rows`` rows (11: a last batch of 3, shared 1 + 2; 1: one process has none)."""
    net = model(dtype, dropout)
    history = bp.train.fit(net, bp.nn.CrossEntropyLoss(), OPTIMIZERS[optimizer](net.parameters()), data(dtype, rows),
                           epochs=EPOCHS, batch_size=BATCH, verbose=False, metrics=["accuracy"],
                           val_data=data(dtype, val_rows), distributed=distributed, callbacks=callbacks,
                           resume_from=resume_from)
    return {**weights(net), **{name: np.array(values) for name, values in history.history.items()}}


def global_batches(epoch):
    """The global batches a DistributedSampler(seed=5) gives, for one process to use."""
    order = np.random.default_rng(5 + epoch).permutation(ROWS)
    return [order[i:i + BATCH] for i in range(0, ROWS, BATCH)]


def by_hand(optimizer, dtype, accumulate=False):
    """A hand-written loop over a DistributedDataParallel model; with ``accumulate``, each step adds the
    gradients of two half batches, the first under ``no_sync``. In a world of one it is the reference."""
    X, y = data(dtype)
    world = dist.get_world_size()
    net = model(dtype)
    ddp = DistributedDataParallel(net) if world > 1 else net
    opt = OPTIMIZERS[optimizer](ddp.parameters())
    loss_fn = bp.nn.CrossEntropyLoss()
    sampler = bp.data.DistributedSampler(bp.data.TensorDataset(X, y), seed=5)
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        if world > 1:
            mine = list(sampler)
            batches = [mine[i:i + BATCH // world] for i in range(0, len(mine), BATCH // world)]
        else:
            batches = global_batches(epoch)
        for rows in batches:
            opt.zero_grad()
            if accumulate:
                half = len(rows) // 2
                with ddp.no_sync() if world > 1 else contextlib.nullcontext():
                    loss_fn(ddp(X[rows[:half]]), bp.tensor(y[rows[:half]])).backward()
                loss_fn(ddp(X[rows[half:]]), bp.tensor(y[rows[half:]])).backward()
            else:
                loss_fn(ddp(X[rows]), bp.tensor(y[rows])).backward()
            opt.step()
    return weights(net)


def batch_norm_buffers():
    """fit with batch norm (per-rank statistics), then each rank's running mean, gathered."""
    bp.manual_seed(1)
    net = bp.nn.Sequential(bp.nn.Linear(6, 16), bp.nn.BatchNorm1d(16), bp.nn.Tanh(), bp.nn.Linear(16, 3)).double()
    X, y = data(np.float64)
    bp.train.fit(net, bp.nn.CrossEntropyLoss(), bp.optim.SGD(net.parameters(), lr=0.1), (X, y), epochs=2,
                 batch_size=BATCH, val_data=(X, y), verbose=False, distributed=True)
    gathered = [bp.zeros(16).double() for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, net[1].running_mean)
    return {"running_means": np.stack([g.data for g in gathered])}


def dropout_masks():
    """Each rank's dropout mask on the same input, gathered."""
    ddp = DistributedDataParallel(bp.nn.Dropout(0.5))
    mask = (ddp(bp.ones(64).double()).data != 0).astype(np.float64)
    gathered = [bp.zeros(64).double() for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, bp.tensor(mask))
    return {"masks": np.stack([g.data for g in gathered])}


class KillRank1(bp.train.Callback):
    """SIGKILL rank 1 after the first step of epoch 3 (when ``armed``): rank 0 has saved epoch 2's checkpoint
    by then, since the step's all-reduces wait for it."""

    def __init__(self, armed):
        self.armed, self.epoch = armed, None

    def on_batch_end(self, batch, logs=None):
        if self.armed and dist.get_rank() == 1 and self.epoch == 2:
            os.kill(os.getpid(), signal.SIGKILL)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch


def main(out, what):
    dist.init()
    results = {}
    checkpoint = os.path.join(out, "run.safetensors")
    if what == "checks":
        results["resumed"] = through_fit("adam", np.float64, True, callbacks=[KillRank1(False),
                                         bp.train.ModelCheckpoint(checkpoint)], resume_from=checkpoint)
        for optimizer in OPTIMIZERS:
            for dtype in (np.float64, np.float32):
                results[f"fit-{optimizer}-{np.dtype(dtype).name}"] = through_fit(optimizer, dtype, True)
            results[f"hand-{optimizer}"] = by_hand(optimizer, np.float64)
        results["no_sync"] = by_hand("sgd", np.float64, accumulate=True)
        results["uneven"] = through_fit("adam", np.float64, True, rows=29, val_rows=1)  # last batch: 5 rows, 2 + 3
        results["dropout-1"] = through_fit("adam", np.float64, True, dropout=True)
        results["dropout-2"] = through_fit("adam", np.float64, True, dropout=True)
        results["masks"] = dropout_masks()
        results["batch_norm"] = batch_norm_buffers()
        try:
            net = model(np.float64)
            bp.train.fit(net, bp.nn.CrossEntropyLoss(), bp.optim.SGD(net.parameters(), lr=0.1), data(np.float64),
                         epochs=1, batch_size=7, distributed=True)
        except ValueError as e:
            results["refused"] = {"message": np.array(str(e))}
    elif what in ("raise", "abort"):
        if dist.get_rank() == 1:
            if what == "raise":
                raise RuntimeError("rank 1 fails alone")
            dist.abort(3)
        dist.all_reduce(bp.ones(3))
    elif what == "kill":
        through_fit("adam", np.float64, True, callbacks=[KillRank1(True), bp.train.ModelCheckpoint(checkpoint)])
    if dist.get_rank() == 0:
        for name, arrays in results.items():
            np.savez(os.path.join(out, name + ".npz"), **arrays)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

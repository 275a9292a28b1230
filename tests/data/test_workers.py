"""DataLoader(num_workers > 0): the same batches as num_workers=0, seeded workers, errors naming the worker.

Kept tiny: every epoch forks two processes (about 10 ms each on Linux)."""
import os
import random
import time

import numpy as np
import pytest

import backprop as bp
from backprop.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info


def _plain(batch):
    if isinstance(batch, bp.Tensor):
        return (str(batch.dtype), batch.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [_plain(v) for v in batch]
    return batch


def _epochs(loader, n=2):
    return [[_plain(b) for b in loader] for _ in range(n)]


class Records(Dataset):
    def __len__(self):
        return 11

    def __getitem__(self, i):
        return {"x": np.arange(3.0) * i, "label": i % 3, "name": f"r{i}"}


@pytest.mark.parametrize("make", [
    lambda **kw: DataLoader(TensorDataset(np.arange(26.0).reshape(13, 2), np.arange(13)), batch_size=3, **kw),
    lambda **kw: DataLoader(Records(), batch_size=4, shuffle=True, drop_last=True, generator=3, **kw),
    lambda **kw: DataLoader(Records(), batch_size=2, sampler=[5, 1, 9, 9, 0], **kw),
    lambda **kw: DataLoader(Records(), batch_size=None, **kw),
])
def test_two_workers_give_the_batches_of_none(make):
    assert _epochs(make(num_workers=2)) == _epochs(make(num_workers=0))


def test_workers_leave_the_random_stream_as_num_workers_zero_does():
    ds = TensorDataset(np.arange(8))
    bp.manual_seed(0)
    plain = [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)]
    after_plain = bp.random.get_rng_state()
    bp.manual_seed(0)
    with_workers = [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True, num_workers=2)]
    assert with_workers == plain == [np.random.default_rng(0).permutation(8).tolist()]
    assert bp.random.get_rng_state() == after_plain  # the base seed came from a copy


class Seeds(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        info = get_worker_info()
        return [info.id, info.num_workers, info.seed, int(bp.randint(0, 10**9, ()).item()),
                random.randrange(10**9), os.environ.get("WORKER_INIT", "")]


def _init(worker_id):
    os.environ["WORKER_INIT"] = f"ran in {worker_id}"


def test_worker_i_seeds_base_seed_plus_i_then_calls_worker_init_fn():
    loader = DataLoader(Seeds(), batch_size=1, num_workers=2, generator=bp.Generator().manual_seed(9),
                        worker_init_fn=_init, collate_fn=lambda samples: samples[0])
    rows = list(loader)
    base = int(np.random.default_rng(9).integers(0, 2**63 - 2))  # no shuffling: the base seed is the first draw
    assert [r[:3] for r in rows] == [[0, 2, base], [1, 2, base + 1], [0, 2, base], [1, 2, base + 1]]
    for worker in (0, 1):
        bp.manual_seed(base + worker)
        random.seed(base + worker)
        assert rows[worker][3] == bp.randint(0, 10**9, ()).item()
        assert rows[worker][4] == random.randrange(10**9)
    assert [r[5] for r in rows] == ["ran in 0", "ran in 1"] * 2
    assert get_worker_info() is None


class Stream(IterableDataset):
    def __iter__(self):
        info = get_worker_info()
        share = range(11) if info is None else range(info.id, 11, info.num_workers)
        for i in share:
            yield np.float64(i), i


def test_iterable_dataset_with_workers_takes_batches_in_turn_as_torch():
    batches = [b[1].tolist() for b in DataLoader(Stream(), batch_size=2, num_workers=2)]
    assert batches == [[0, 2], [1, 3], [4, 6], [5, 7], [8, 10], [9]]  # torch.utils.data gives the same
    assert [b[1].tolist() for b in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4, 5], [6, 7],
                                                                           [8, 9], [10]]


class Failing(Dataset):
    def __init__(self, how):
        self.how = how

    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            if self.how == "raise":
                raise ValueError("sample 5 is corrupt")
            os._exit(3)
        return float(i)


def test_a_worker_that_raises_is_named_with_its_traceback():
    with pytest.raises(RuntimeError, match=r"(?s)DataLoader worker 0 \(pid \d+\) raised ValueError: sample 5 is "
                                           r"corrupt while loading batch 2.*traceback.*__getitem__"):
        list(DataLoader(Failing("raise"), batch_size=2, num_workers=2))


def test_a_worker_that_dies_is_named_instead_of_hanging():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker 0 \(pid \d+\) exited unexpectedly with exit code 3"):
        list(DataLoader(Failing("exit"), batch_size=2, num_workers=2))
    assert time.monotonic() - start < 30  # a generous bound: a hang would be caught by the suite's timeout


def _failing_init(worker_id):
    if worker_id == 1:
        raise OSError("no such file: shard-1")


def test_a_failing_worker_init_fn_is_named():
    with pytest.raises(RuntimeError, match=r"worker 1 .*raised OSError: no such file: shard-1 in worker_init_fn"):
        list(DataLoader(Records(), batch_size=2, num_workers=2, worker_init_fn=_failing_init))


def test_breaking_out_of_an_epoch_stops_the_workers():
    import multiprocessing

    loader = DataLoader(Records(), batch_size=1, num_workers=2)
    for batch in loader:
        first = batch
        break
    assert first["name"] == ["r0"]
    assert multiprocessing.active_children() == []


class Slow(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(30 if i == 2 else 0)
        return i


def test_timeout_names_the_worker_that_is_late():
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 s waiting for a batch from worker 1"):
        list(DataLoader(Slow(), batch_size=2, num_workers=2, timeout=0.3))

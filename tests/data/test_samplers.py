import numpy as np
import pytest

import backprop as bp
from backprop.data import (BatchSampler, DataLoader, IterableDataset, RandomSampler, SequentialSampler,
                           SubsetRandomSampler, TensorDataset, WeightedRandomSampler)

torch = pytest.importorskip("torch")
tud = torch.utils.data


def _ours(n):
    return TensorDataset(np.arange(n))


def _theirs(n):
    return tud.TensorDataset(torch.arange(n))


def _labels(loader):
    return [b[0].tolist() for b in loader]


ORDER = [7, 2, 9, 0, 4, 4, 1]


@pytest.mark.parametrize("batch_size", [1, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_gives_the_order_as_torch(batch_size, drop_last):
    ours = DataLoader(_ours(10), batch_size=batch_size, sampler=ORDER, drop_last=drop_last)
    theirs = tud.DataLoader(_theirs(10), batch_size=batch_size, sampler=ORDER, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert _labels(ours) == _labels(theirs)


def test_batch_sampler_gives_the_batches_as_torch():
    batches = [[3, 1], [0], [9, 8, 7, 6]]
    assert _labels(DataLoader(_ours(10), batch_sampler=batches)) == _labels(
        tud.DataLoader(_theirs(10), batch_sampler=batches))
    ours = list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False))
    assert ours == list(tud.BatchSampler(tud.SequentialSampler(range(7)), 3, drop_last=False))
    assert len(BatchSampler(ORDER, 3, True)) == len(tud.BatchSampler(ORDER, 3, True)) == 2
    loader = DataLoader(_ours(10), batch_sampler=BatchSampler(ORDER, 3, False))
    assert _labels(loader) == [[7, 2, 9], [0, 4, 4], [1]]


@pytest.mark.parametrize("options", [{"sampler": ORDER, "shuffle": True},
                                     {"batch_sampler": [[0]], "batch_size": 2},
                                     {"batch_sampler": [[0]], "shuffle": True},
                                     {"batch_sampler": [[0]], "sampler": ORDER},
                                     {"batch_sampler": [[0]], "drop_last": True},
                                     {"batch_size": None, "drop_last": True},
                                     {"num_workers": -1},
                                     {"prefetch_factor": 2},
                                     {"persistent_workers": True}])
def test_mutually_exclusive_options_raise_as_torch(options):
    with pytest.raises(ValueError) as theirs:
        tud.DataLoader(_theirs(4), **options)
    first_words = " ".join(str(theirs.value).split()[:3]).rstrip(";:,")
    with pytest.raises(ValueError, match=first_words):
        DataLoader(_ours(4), **options)


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


class TorchStream(Stream, tud.IterableDataset):
    pass


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (None, False), (5, False)])
def test_iterable_dataset_batches_as_torch(batch_size, drop_last):
    ours = DataLoader(Stream(10), batch_size=batch_size, drop_last=drop_last)
    theirs = tud.DataLoader(TorchStream(10), batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert [np.asarray(b).tolist() for b in ours] == [np.asarray(b).tolist() for b in theirs]


@pytest.mark.parametrize("option", [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}])
def test_iterable_dataset_refuses_orders(option):
    name = next(iter(option))
    with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name} option"):
        DataLoader(Stream(3), **option)


def test_random_samplers_draw_from_their_generator():
    perm = list(RandomSampler(range(6), generator=bp.Generator().manual_seed(3)))
    assert perm == np.random.default_rng(3).permutation(6).tolist()
    sampler = RandomSampler(range(6), generator=3)  # an int seeds one Generator: a new order each epoch
    first, second = list(sampler), list(sampler)
    assert first == perm and sorted(second) == list(range(6)) and second != first
    assert len(list(RandomSampler(range(4), num_samples=10, generator=0))) == 10
    drawn = list(RandomSampler(range(4), replacement=True, num_samples=50, generator=0))
    assert len(drawn) == 50 and set(drawn) <= set(range(4))
    assert sorted(SubsetRandomSampler([5, 7, 9], generator=1)) == [5, 7, 9]
    weighted = list(WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 40, generator=np.random.default_rng(0)))
    assert len(weighted) == 40 and set(weighted) == {1, 3}
    with pytest.raises(ValueError, match=r"without replacement from 2 samples"):
        WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 3, replacement=False)


def test_shuffled_loader_accepts_every_kind_of_generator():
    orders = [_labels(DataLoader(_ours(8), batch_size=8, shuffle=True, generator=g))
              for g in (bp.Generator().manual_seed(5), np.random.default_rng(5), 5)]
    assert orders[0] == orders[1] == orders[2] == [np.random.default_rng(5).permutation(8).tolist()]
    with pytest.raises(TypeError, match="generator must be a bp.Generator"):
        DataLoader(_ours(8), shuffle=True, generator="five")


def test_default_shuffle_stream_is_unchanged():
    """The permutation of each epoch comes from the library's generator: one permutation(n) per epoch."""
    bp.manual_seed(11)
    labels = [_labels(DataLoader(_ours(9), batch_size=4, shuffle=True)) for _ in range(2)]
    rng = np.random.default_rng(11)
    expected = [[p[:4].tolist(), p[4:8].tolist(), p[8:].tolist()] for p in (rng.permutation(9), rng.permutation(9))]
    assert labels == expected

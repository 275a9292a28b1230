import numpy as np
import pytest

import backprop as bp
from backprop.data import DataLoader, Dataset, TensorDataset


def _labels(loader):
    return [yb.tolist() for _, yb in loader]


def _dataset(n):
    return TensorDataset(np.arange(2.0 * n).reshape(n, 2), np.arange(n))


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 10])
@pytest.mark.parametrize("drop_last", [False, True])
def test_len_and_batches_in_order_match_torch(n, batch_size, drop_last):
    torch = pytest.importorskip("torch")
    ours = DataLoader(_dataset(n), batch_size=batch_size, drop_last=drop_last)
    theirs = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.arange(n)),
                                         batch_size=batch_size, drop_last=drop_last)
    assert len(ours) == len(theirs)
    assert _labels(ours) == [b.tolist() for (b,) in theirs]


def test_worked_example_batches():
    assert _labels(DataLoader(_dataset(10), batch_size=4)) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert _labels(DataLoader(_dataset(10), batch_size=4, drop_last=True)) == [[0, 1, 2, 3], [4, 5, 6, 7]]


def test_inputs_and_targets_stay_paired():
    for xb, yb in DataLoader(_dataset(9), batch_size=4, shuffle=True):
        np.testing.assert_array_equal(xb.data[:, 0], 2 * yb.data)


def test_shuffle_draws_a_fresh_permutation_every_epoch_and_is_seeded():
    loader = DataLoader(_dataset(20), batch_size=6, shuffle=True)
    bp.manual_seed(0)
    first, second = _labels(loader), _labels(loader)
    assert [len(b) for b in first] == [6, 6, 6, 2]
    for epoch in (first, second):
        assert sorted(np.concatenate(epoch).tolist()) == list(range(20))
    assert first != second
    bp.manual_seed(0)
    assert _labels(loader) == first and _labels(loader) == second


def test_shuffle_with_drop_last_keeps_full_batches_of_distinct_samples():
    bp.manual_seed(1)
    batches = _labels(DataLoader(_dataset(10), batch_size=3, shuffle=True, drop_last=True))
    assert [len(b) for b in batches] == [3, 3, 3]
    assert len(set(np.concatenate(batches).tolist())) == 9


def test_explicit_generator_leaves_the_library_generator_alone():
    bp.manual_seed(3)
    state = bp.random.get_rng_state()
    loader = DataLoader(_dataset(8), batch_size=8, shuffle=True, generator=np.random.default_rng(5))
    order = _labels(loader)[0]
    assert order == np.random.default_rng(5).permutation(8).tolist()
    assert bp.random.get_rng_state() == state
    seeded = DataLoader(_dataset(8), batch_size=8, shuffle=True, generator=5)
    assert _labels(seeded)[0] == order and _labels(seeded)[0] != order  # a fresh order next epoch


def test_batch_dtypes(monkeypatch):
    ds = TensorDataset(np.zeros((4, 2), dtype=np.float64), np.arange(4, dtype=np.int32),
                       np.ones(4, dtype=bool))
    xb, yb, mb = next(iter(DataLoader(ds, batch_size=2)))
    assert xb.dtype == bp.get_default_dtype() == np.float32
    assert yb.dtype == np.int32 and mb.dtype == bool
    xb, yb, _ = next(iter(DataLoader(ds, batch_size=2, dtype=np.float64)))
    assert xb.dtype == np.float64 and yb.dtype == np.int32
    bp.set_default_dtype(np.float64)
    try:
        assert next(iter(DataLoader(ds, batch_size=2)))[0].dtype == np.float64
    finally:
        bp.set_default_dtype(np.float32)


def test_generic_dataset_is_collated_sample_by_sample():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=float), i % 2

    batches = list(DataLoader(Squares(), batch_size=2))
    assert len(batches) == 3
    xb, yb = batches[1]
    np.testing.assert_array_equal(xb.data, [[2, 4], [3, 9]])
    assert yb.tolist() == [0, 1]

    class Single(Dataset):
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return bp.tensor([float(i)])

    (batch,) = list(DataLoader(Single(), batch_size=3))
    assert isinstance(batch, bp.Tensor) and batch.shape == (3, 1)


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "4"])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        DataLoader(_dataset(3), batch_size=bad)


def test_repr():
    text = repr(DataLoader(_dataset(2), batch_size=2))
    assert text.endswith("batch_size=2, shuffle=False, drop_last=False)")

"""A memmap data set streams: the loader reads one batch at a time and never the whole array
(the course: minibatch SGD needs memory O(B·D), not O(N·D))."""
import tracemalloc

import numpy as np
import pytest

from backprop.data import DataLoader, TensorDataset


class RecordingArray:
    """An on-disk array that records every read and refuses to be converted as a whole."""

    def __init__(self, array):
        self.array, self.reads = array, []
        self.shape, self.dtype = array.shape, array.dtype

    def __len__(self):
        return self.shape[0]

    def __getitem__(self, index):
        rows = self.array[index]
        self.reads.append(len(rows) if np.ndim(rows) == self.array.ndim else 1)
        return rows

    def __array__(self, dtype=None, copy=None):
        raise AssertionError("the whole array was materialised")


def _memmap(tmp_path, n, d):
    mm = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="w+", shape=(n, d))
    mm[:] = np.arange(n * d, dtype=np.float64).reshape(n, d)
    mm.flush()
    return np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="r", shape=(n, d))


@pytest.mark.parametrize("shuffle", [False, True])
def test_loader_reads_only_batches_from_a_memmap(tmp_path, shuffle):
    X = RecordingArray(_memmap(tmp_path, 1000, 4))  # row i is 4i, 4i+1, 4i+2, 4i+3
    labels = np.memmap(tmp_path / "y.dat", dtype=np.int64, mode="w+", shape=(1000,))
    labels[:] = np.arange(1000)
    y = RecordingArray(labels)
    loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=shuffle)
    seen = []
    for xb, yb in loader:
        np.testing.assert_array_equal(xb.data[:, 0], 4 * yb.data)
        seen += yb.tolist()
    assert sorted(seen) == list(range(1000))
    assert max(X.reads) <= 64 and max(y.reads) <= 64
    assert sum(X.reads) == 1000 and len(X.reads) == len(loader)


def test_memmap_batches_are_in_memory_copies(tmp_path):
    mm = _memmap(tmp_path, 10, 3)
    xb, = next(iter(DataLoader(TensorDataset(mm), batch_size=4, dtype=np.float64)))
    assert type(xb.data) is np.ndarray and xb.data.flags.owndata and xb.data.flags.writeable
    xb.data[:] = -1
    assert mm[0, 0] == 0


def test_peak_memory_is_o_of_the_batch_not_the_data(tmp_path):
    n, d = 20_000, 50  # 8 MB on disk
    mm = _memmap(tmp_path, n, d)
    loader = DataLoader(TensorDataset(mm), batch_size=100, shuffle=True)
    tracemalloc.start()
    try:
        # tracemalloc sees NumPy's buffers: reading the whole memmap would show up as 8 MB.
        np.array(mm[: n // 2])
        assert tracemalloc.get_traced_memory()[1] >= mm.nbytes // 2
        tracemalloc.reset_peak()
        total = 0.0
        for (xb,) in loader:
            total += float(xb.data[:, 0].sum())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert total == pytest.approx(float(d * np.arange(n).sum()))
    # the permutation (n int64) and a few batches, far below the 8 MB array
    assert peak < mm.nbytes / 16, f"peak {peak} bytes for a {mm.nbytes}-byte memmap"

"""ShardedDataset: .npz / .npy shards and one memory-mapped .npy, read piece by piece, shuffled per epoch in a
bounded buffer; the DataLoader asks it for each epoch's stream."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop.data import DataLoader, NonFiniteError, ShardedDataset, TensorDataset
from backprop.data.dataloader import batches_of_blocks

rng = np.random.default_rng(0)
X = rng.normal(size=(500, 3)).astype(np.float32)
Y = np.arange(500)
SIZES = [120, 0, 97, 200, 83]  # uneven shards, one empty


def write_npz_shards(folder, x=X, y=Y, sizes=SIZES):
    folder.mkdir(exist_ok=True)
    for k, (start, n) in enumerate(zip(np.cumsum([0] + sizes[:-1]), sizes)):
        np.savez(folder / f"part-{k:03d}.npz", X=x[start:start + n], y=y[start:start + n])
    return folder


def write_npy_shards(folder, x=X, y=Y, sizes=SIZES):
    folder.mkdir(exist_ok=True)
    for k, (start, n) in enumerate(zip(np.cumsum([0] + sizes[:-1]), sizes)):
        np.save(folder / f"part-{k:03d}.npy", x[start:start + n])
    np.save(folder / "targets.npy", y)  # in the shards' folder: taken as the target file, not a shard
    return folder, folder / "targets.npy"


@pytest.fixture(params=["npz", "npy shards", "one npy"])
def layout(request, tmp_path):
    """(path, target_file) of X, Y in each layout."""
    if request.param == "npz":
        return write_npz_shards(tmp_path / "shards"), None
    if request.param == "npy shards":
        return write_npy_shards(tmp_path / "shards")
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", Y)
    return tmp_path / "X.npy", tmp_path / "y.npy"


def batches(loader, epochs=1):
    return [(xb.data.copy(), yb.data.copy()) for _ in range(epochs) for xb, yb in loader]


def assert_same_batches(got, expected):
    assert len(got) == len(expected)
    for (x, y), (x_expected, y_expected) in zip(got, expected):
        np.testing.assert_array_equal(y, y_expected)
        np.testing.assert_array_equal(x, x_expected)


def test_length_and_shapes_come_from_the_headers(layout):
    path, target = layout
    ds = ShardedDataset(path, target_file=target)
    assert len(ds) == 500 and ds.feature_shape == (3,) and ds.target_shape == ()
    assert ds.x_dtype == np.float32 and ds.y_dtype == Y.dtype
    np.testing.assert_array_equal(ds.unique_targets(), Y)
    classes = ShardedDataset(path, target_file=target, shuffle_buffer=7)  # read in pieces of 7 targets
    np.testing.assert_array_equal(classes.unique_targets(), Y)


def test_headers_only_no_data_read(tmp_path):
    # the header promises a million rows the file does not have: only reading the data would notice
    header = {"descr": "<f4", "fortran_order": False, "shape": (1_000_000, 8)}
    with open(tmp_path / "X.npy", "wb") as file:
        np.lib.format.write_array_header_1_0(file, header)
    np.save(tmp_path / "y.npy", np.zeros(1_000_000, dtype=np.int8))
    ds = ShardedDataset(tmp_path / "X.npy", target_file=tmp_path / "y.npy")
    assert len(ds) == 1_000_000
    with pytest.raises(ValueError, match=r"X\.npy: the file is shorter than its header's shape \(1000000, 8\)"):
        next(iter(ds))


@pytest.mark.parametrize("shuffle", [False, True])
def test_batches_equal_the_in_memory_loaders_when_the_buffer_covers_the_data(layout, shuffle):
    path, target = layout
    sharded = DataLoader(ShardedDataset(path, target_file=target, shuffle_buffer=500), batch_size=32,
                         shuffle=shuffle, generator=7)
    in_memory = DataLoader(TensorDataset(X, Y), batch_size=32, shuffle=shuffle, generator=7)
    assert len(sharded) == len(in_memory) == 16
    assert_same_batches(batches(sharded, epochs=2), batches(in_memory, epochs=2))  # epoch 2: a new order


def test_library_generator_drives_the_shuffle_as_for_random_sampler(tmp_path):
    ds = ShardedDataset(write_npz_shards(tmp_path / "shards"), shuffle_buffer=1000)
    bp.manual_seed(3)
    expected = batches(DataLoader(TensorDataset(X, Y), batch_size=50, shuffle=True, drop_last=True), epochs=2)
    bp.manual_seed(3)
    assert_same_batches(batches(DataLoader(ds, batch_size=50, shuffle=True, drop_last=True), epochs=2), expected)


def test_small_buffer_shuffle_is_a_reproducible_permutation_per_epoch(layout):
    path, target = layout

    def epochs(n):
        loader = DataLoader(ShardedDataset(path, target_file=target, shuffle_buffer=64, seed=11), batch_size=40,
                            shuffle=True)
        return [np.concatenate([y for _, y in batches(loader)]) for _ in range(n)]

    first, second = epochs(2)
    for order in (first, second):
        np.testing.assert_array_equal(np.sort(order), Y)  # every row exactly once
        assert not np.array_equal(order, Y)
    assert not np.array_equal(first, second)  # each epoch its own shuffle
    again = epochs(2)
    np.testing.assert_array_equal(again[0], first)  # from the seed and the epoch alone
    np.testing.assert_array_equal(again[1], second)
    ds = ShardedDataset(path, target_file=target, shuffle_buffer=64, seed=11)
    ds.set_epoch(1)
    resumed = np.concatenate([y for _, y in batches(DataLoader(ds, batch_size=40, shuffle=True))])
    np.testing.assert_array_equal(resumed, second)
    # the buffer mixes beyond shard order: some consecutive outputs come from rows far apart
    assert np.abs(np.diff(first)).max() > 64


def test_features_follow_their_targets_through_the_shuffle(layout):
    path, target = layout
    ds = ShardedDataset(path, target_file=target, shuffle_buffer=30, seed=0)
    for xb, yb in DataLoader(ds, batch_size=16, shuffle=True, dtype=np.float32):
        np.testing.assert_array_equal(xb.data, X[yb.data])


def test_unbatched_and_collate_fn_streams(tmp_path):
    ds = ShardedDataset(write_npz_shards(tmp_path / "shards"))
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 500 and samples[7][0].shape == (3,)
    np.testing.assert_array_equal(samples[7][0].data, X[7])
    lists = list(DataLoader(ds, batch_size=100, collate_fn=lambda rows: [int(y) for _, y in rows]))
    assert lists[1] == list(range(100, 200))
    assert [int(y) for _, y in ds][:3] == [0, 1, 2]  # plain iteration: file order


def test_fit_trains_on_a_sharded_dataset_as_on_the_arrays(tmp_path):
    ds = ShardedDataset(write_npz_shards(tmp_path / "shards", y=(X @ [1.0, -2.0, 0.5]).astype(np.float32)))
    y = np.load(tmp_path / "shards" / "part-000.npz")["y"]
    assert y.dtype == np.float32

    def train(data):
        bp.manual_seed(0)
        model = bp.nn.Linear(3, 1)
        opt = bp.optim.SGD(model.parameters(), lr=0.05)
        history = bp.train.fit(model, lambda pred, target: bp.nn.functional.mse_loss(pred.reshape(-1), target),
                               opt, DataLoader(data, batch_size=32, shuffle=True), epochs=3, verbose=0)
        return model.weight.data.copy(), history.history["loss"]

    weight, losses = train(ds)
    expected_weight, expected_losses = train(TensorDataset(X, (X @ [1.0, -2.0, 0.5]).astype(np.float32)))
    np.testing.assert_array_equal(weight, expected_weight)
    assert losses == expected_losses and losses[-1] < losses[0] / 10


def test_non_finite_values_name_file_row_and_column(tmp_path):
    bad = X.copy()
    bad[150, 2] = np.nan  # shard part-002.npz starts at row 120 (part-001 is empty): its row 31
    folder = write_npz_shards(tmp_path / "shards", x=bad)
    with pytest.raises(NonFiniteError, match=r"part-002\.npz \(X\), row 31 \(index 30\), column 'x2': nan"):
        list(DataLoader(ShardedDataset(folder), batch_size=64))
    np.save(tmp_path / "X.npy", X)
    targets = Y.astype(float)
    targets[400] = np.inf
    np.save(tmp_path / "y.npy", targets)
    with pytest.raises(NonFiniteError, match=r"y\.npy, row 401 \(index 400\), column 'y': inf"):
        list(DataLoader(ShardedDataset(tmp_path / "X.npy", target_file=tmp_path / "y.npy"), batch_size=64))


def test_bad_layouts_are_named(tmp_path):
    def fails(match, path, **kwargs):
        with pytest.raises((ValueError, FileNotFoundError), match=match):
            ShardedDataset(path, **kwargs)

    empty = tmp_path / "empty"
    empty.mkdir()
    fails(r"empty holds no \.npz or \.npy shards", empty)
    fails("missing does not exist", tmp_path / "missing")
    np.savez(tmp_path / "only_x.npz", X=X)
    fails(r"only_x\.npz holds the arrays \['X'\]; a shard needs one named 'X' .* and one named 'y'",
          tmp_path / "only_x.npz")
    np.savez(tmp_path / "short.npz", X=X, y=Y[:-1])
    fails(r"short\.npz: X has 500 rows but y has 499", tmp_path / "short.npz")
    folder, targets = write_npy_shards(tmp_path / "npy")
    targets = targets.rename(tmp_path / "targets.npy")  # out of the folder: a .npy there would be a shard
    np.save(tmp_path / "y_short.npy", Y[:-3])
    fails(r"the features hold 500 rows \(part-000\.npy: 120, part-001\.npy: 0, part-002\.npy: 97, .*\) but "
          r"target_file .*y_short\.npy holds 497", folder, target_file=tmp_path / "y_short.npy")
    fails(r"needs its targets: pass target_file=", folder)
    fails(r"target_file=.* is for \.npy shards", write_npz_shards(tmp_path / "npz"), target_file=targets)
    np.savez(tmp_path / "npz" / "wide.npz", X=np.zeros((2, 4)), y=np.zeros(2))
    fails(r"wide\.npz \(X\) has X rows of shape \(4,\) but .*part-000\.npz \(X\) has \(3,\)", tmp_path / "npz")
    np.save(tmp_path / "npz" / "stray.npy", X)
    fails(r"mixes \.npz and \.npy shards", tmp_path / "npz")
    (tmp_path / "data.csv").write_text("1,2\n")
    fails(r"data\.csv is neither a folder of shards nor a \.npz or \.npy file", tmp_path / "data.csv")
    fails(r"shuffle_buffer must be a positive integer, got 0", folder, target_file=targets, shuffle_buffer=0)
    with pytest.raises(ValueError, match=r"num_workers=2: ShardedDataset reads its files in the main process"):
        DataLoader(ShardedDataset(folder, target_file=targets), batch_size=8, num_workers=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=8), st.integers(1, 7), st.booleans())
def test_batches_of_blocks_cut_the_concatenated_stream(block_sizes, batch_size, drop_last):
    rows = np.arange(sum(block_sizes))
    starts = np.cumsum([0] + block_sizes)
    blocks = [(rows[a:b], -rows[a:b]) for a, b in zip(starts[:-1], starts[1:])]
    got = list(batches_of_blocks(iter(blocks), batch_size, drop_last))
    stop = len(rows) - len(rows) % batch_size if drop_last else len(rows)
    expected = [rows[i:i + batch_size] for i in range(0, stop, batch_size)]
    assert [b[0].tolist() for b in got] == [e.tolist() for e in expected]
    assert all(np.array_equal(b[1], -b[0]) for b in got)


BENCH = Path(__file__).resolve().parents[2] / "bench" / "sharded_memory.py"


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads RssAnon and VmRSS from /proc (Linux)")
def test_peak_memory_stays_bounded_while_the_data_grow(tmp_path):
    # bench/sharded_memory.py writes 64 then 256 MB (4 MB buffer of 16384 rows, .npz shards of 16 MB) into
    # tmp_path, reads one shuffled epoch in a fresh process, and removes the data
    run = subprocess.run([sys.executable, str(BENCH), "--sizes", "64", "256", "--dir", str(tmp_path), "--json"],
                         capture_output=True, text=True, check=True)
    results = {(r["layout"], r["data_mb"]): r for r in map(json.loads, run.stdout.splitlines())}
    assert set(results) == {("npz", 64), ("npz", 256), ("npy", 64), ("npy", 256)}, run.stderr
    assert list(tmp_path.iterdir()) == []  # the data were removed
    buffer_mb, shard_mb = 4, 16
    for (layout, _), result in results.items():
        assert result["all_rows_seen"] and result["rows"] == result["data_mb"] * 4096
        # anonymous memory: the buffer and its pieces, the batch, and (npz) one shard, whatever the data's size
        assert result["peak_anon_mb"] < 4 * buffer_mb + (shard_mb if layout == "npz" else 0) + 16, result
    for layout in ("npz", "npy"):
        growth = results[layout, 256]["peak_anon_mb"] - results[layout, 64]["peak_anon_mb"]
        assert growth < 8, (layout, growth)
    # the memory map's pages are released: resident memory does not grow with the file (it would by 256 MB)
    assert results["npy", 256]["peak_rss_mb"] < 4 * buffer_mb + 16, results["npy", 256]
    assert results["npy", 256]["peak_rss_mb"] - results["npy", 64]["peak_rss_mb"] < 8

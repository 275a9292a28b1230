"""Peak memory of one shuffled epoch through ``bp.data.ShardedDataset`` while the data grows.

For each size (MB of features on disk) and each layout (a folder of ``.npz`` shards of 16 MB; one ``.npy``
memory-mapped with a ``.npy`` target file), the data are written to a temporary folder, then a fresh Python
process reads one epoch through ``DataLoader(ds, batch_size, shuffle=True)``, sampling ``/proc/self/status``
after every batch: ``RssAnon`` (anonymous memory: buffers, batches, the open ``.npz`` shard) and ``VmRSS``
(everything resident, file-backed pages of the memory map included). The figures are the peaks above the
process's memory before the epoch (imports and data set made). Then the data are removed.

    python bench/sharded_memory.py                      # 64, 256, 1024 and 2048 MB
    python bench/sharded_memory.py --sizes 64 256 --json

The free disk space is checked before each size; a size that does not fit is skipped, with a line saying so.
``tests/data/test_sharded.py`` runs this script at 64 and 256 MB and checks the bound.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

FEATURES = 64  # float32: 256 bytes a row
SHARD_MB = 16


def write_data(folder, megabytes, layout):
    """Features of ``megabytes`` MB (float32, 64 columns) and int64 targets; returns (path, target_file)."""
    rows = megabytes * 2**20 // (FEATURES * 4)
    shard_rows = SHARD_MB * 2**20 // (FEATURES * 4)
    block = np.random.default_rng(0).random((shard_rows, FEATURES), dtype=np.float32)
    if layout == "npz":
        shards = folder / "shards"
        shards.mkdir()
        for k, start in enumerate(range(0, rows, shard_rows)):
            n = min(shard_rows, rows - start)
            np.savez(shards / f"part-{k:05d}.npz", X=block[:n] + np.float32(k), y=np.arange(start, start + n))
        return shards, None
    features = np.lib.format.open_memmap(folder / "X.npy", mode="w+", dtype=np.float32, shape=(rows, FEATURES))
    for k, start in enumerate(range(0, rows, shard_rows)):
        n = min(shard_rows, rows - start)
        features[start:start + n] = block[:n] + np.float32(k)
    features.flush()
    del features
    np.save(folder / "y.npy", np.arange(rows))
    return folder / "X.npy", folder / "y.npy"


def _status():
    """``RssAnon`` and ``VmRSS`` of this process in bytes."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "VmRSS"):
                fields[name] = int(value.split()[0]) * 1024
    return fields["RssAnon"], fields["VmRSS"]


def measure(path, target_file, batch_size, shuffle_buffer):
    """In this process: one shuffled epoch; the peaks above the memory before it, and a check of the rows."""
    import backprop as bp

    ds = bp.data.ShardedDataset(path, target_file=target_file, shuffle_buffer=shuffle_buffer, seed=0)
    loader = bp.data.DataLoader(ds, batch_size=batch_size, shuffle=True)
    seen = np.full(len(ds), False)  # written now (np.zeros' pages would become resident during the epoch)
    anon0, rss0 = _status()
    peak_anon = peak_rss = 0
    start = time.perf_counter()
    for _, yb in loader:
        seen[yb.data] = True
        anon, rss = _status()
        peak_anon, peak_rss = max(peak_anon, anon - anon0), max(peak_rss, rss - rss0)
    seconds = time.perf_counter() - start
    return {"rows": len(ds), "all_rows_seen": bool(seen.all()), "peak_anon_mb": peak_anon / 2**20,
            "peak_rss_mb": peak_rss / 2**20, "seconds": seconds}


def run(sizes, folder, batch_size, shuffle_buffer):
    """Every (layout, size): write, measure in a fresh process, remove. Yields one result dict each."""
    for layout in ("npz", "npy"):
        for megabytes in sizes:
            free = shutil.disk_usage(folder).free
            if free < 1.2 * megabytes * 2**20 + 2**28:
                print(f"skipped {layout} {megabytes} MB: {free / 2**30:.1f} GiB free in {folder}", file=sys.stderr)
                continue
            data = Path(tempfile.mkdtemp(dir=folder))
            try:
                path, target = write_data(data, megabytes, layout)
                child = subprocess.run([sys.executable, __file__, "--measure", str(path), str(target or ""),
                                        str(batch_size), str(shuffle_buffer)],
                                       capture_output=True, text=True, check=True)
            finally:
                shutil.rmtree(data)
            yield {"layout": layout, "data_mb": megabytes, **json.loads(child.stdout)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 256, 1024, 2048], help="MB of features")
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where the data are written (and removed)")
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--shuffle-buffer", type=int, default=16_384, help="rows (256 bytes each)")
    parser.add_argument("--json", action="store_true", help="one JSON line per result")
    parser.add_argument("--measure", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        path, target, batch_size, shuffle_buffer = args.measure
        print(json.dumps(measure(path, target or None, int(batch_size), int(shuffle_buffer))))
        return
    if not args.json:
        print(f"batch {args.batch_size} rows, shuffle buffer {args.shuffle_buffer} rows of {FEATURES * 4} bytes "
              f"({args.shuffle_buffer * FEATURES * 4 / 2**20:.0f} MB), .npz shards of {SHARD_MB} MB")
        print(f"{'layout':>6} {'data MB':>8} {'peak RssAnon MB':>16} {'peak VmRSS MB':>14} {'seconds':>8}")
    for result in run(args.sizes, args.dir, args.batch_size, args.shuffle_buffer):
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            print(f"{result['layout']:>6} {result['data_mb']:>8} {result['peak_anon_mb']:>16.1f} "
                  f"{result['peak_rss_mb']:>14.1f} {result['seconds']:>8.2f}", flush=True)


if __name__ == "__main__":
    main()

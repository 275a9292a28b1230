"""Shared helpers of the CLI tests: run ``backprop`` in this process or another, check images, write IDX."""
import gzip
import os
import struct
import subprocess
import sys

import numpy as np

from backprop.cli.main import main


def cli(capsys, *argv):
    """Run ``backprop ARGV`` in this process: (exit status, standard output, standard error)."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as e:  # argparse's --help and usage errors
        code = e.code
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv, env=None, cwd=None, timeout=60):
    """Run ``python -m backprop ARGV`` as a separate process (for signals); returns CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "backprop", *map(str, argv)], capture_output=True, text=True,
                          check=False, env={**os.environ, **(env or {})}, cwd=cwd, timeout=timeout)


def assert_png(path, min_side=200):
    """``path`` is a PNG image of a reasonable size that is not a single flat colour."""
    import matplotlib.image

    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG file"
    image = matplotlib.image.imread(path)
    assert min(image.shape[:2]) >= min_side, image.shape
    assert image[..., :3].std() > 0.05, f"{path} is (nearly) blank"


def write_idx(path, array):
    """Write ``array`` (uint8) in MNIST's IDX format."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">i", d) for d in array.shape)
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "wb") as f:
        f.write(header + array.tobytes())


def read_csv_rows(path):
    import csv

    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))

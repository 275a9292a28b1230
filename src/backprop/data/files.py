"""Reading NumPy files (``.npy``, ``.npz``) and MNIST's IDX files into a :class:`~backprop.data.Table`, with
the checks :func:`~backprop.data.read_csv` makes: numbers only, no NaN or infinity (the error names the row
and column), at least one sample.
"""
import gzip
import os
import zipfile
import zlib

import numpy as np

from .csvfile import check_regular_file, column_index
from .datasets import load_idx
from .table import DataError, Table, check_finite

_DROP = ("drop such rows with", "drop_missing", True)
_UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


def load_array(path):
    """The array of an ``.npy`` file (no pickled objects), or the open ``NpzFile`` of an ``.npz``.

    Raises FileNotFoundError, or :class:`DataError` naming the file when NumPy cannot read it.
    """
    path = os.fspath(path)
    check_regular_file(path)
    try:
        return np.load(path, allow_pickle=False)
    except _UNREADABLE as e:
        raise DataError(f"cannot read {path} as a NumPy file: {e}") from None


def numeric_inputs(X, path, columns=None, *, fix=None):
    """``X`` as float64 rows, checked: numbers (not strings, objects or complex), not 0-d, at least one row
    and one column, every value finite (else :class:`NonFiniteError` naming the row and column)."""
    X = np.asarray(X)
    if X.ndim == 0:
        raise DataError(f"{path} holds a single number (a 0-d array), not rows of inputs")
    if X.dtype.kind not in "biuf":
        raise DataError(f"{path}: the inputs must be numbers, got an array of dtype {X.dtype}")
    if len(X) == 0:
        raise DataError(f"{path} holds no samples")
    X = X.reshape(len(X), -1)  # images (N, 28, 28) become rows of pixels
    if X.shape[1] == 0:
        raise DataError(f"{path}: the inputs have no columns (shape {X.shape})")
    check_finite(X, source=path, columns=columns, fix=fix)
    return X.astype(np.float64, copy=False)


def _rows_without_nan(X, y):
    """The rows of ``X`` and ``y`` (float arrays) that hold no NaN."""
    bad = np.zeros(len(X), dtype=bool)
    for a in (X, y):
        if a.dtype.kind == "f":
            bad |= np.isnan(a.reshape(len(a), -1)).any(axis=1)
    return ~bad


def _table(X, y, path, target_name, columns=None, drop_missing=False, header=False):
    X = np.asarray(X)
    if X.ndim == 0 or np.ndim(y) == 0:
        raise DataError(f"{path} holds a single number (a 0-d array), not rows of samples")
    if y.dtype.kind not in "biufUS":
        raise DataError(f"{path}: the target {target_name!r} must hold numbers or labels, got dtype {y.dtype}")
    if len(X) != len(y):
        raise DataError(f"{path}: {len(X)} input rows but {len(y)} targets")
    dropped = np.empty(0, dtype=np.int64)
    if drop_missing and X.dtype.kind in "biuf" and len(X):
        keep = _rows_without_nan(X, y)
        dropped = np.flatnonzero(~keep)
        if not keep.any():
            raise DataError("every row has a NaN", path=path, fix=("nothing is left after", "drop_missing", True))
        X, y = X[keep], y[keep]
    X = numeric_inputs(X, path, columns, fix=_DROP)
    check_finite(y, source=path, columns=None if y.ndim > 1 else [target_name], fix=_DROP)
    if y.dtype.kind == "S":
        y = y.astype(str)
    return Table(X, y, columns, target_name, dropped_rows=dropped, header=header)


def read_numpy(path, target=None, *, drop_missing=False):
    """Read an ``.npy`` or ``.npz`` file into a :class:`Table`.

    An ``.npz`` holds an inputs array (``X``, ``x``, ``data`` or ``inputs``, or the only other array) and a
    target array (``target`` names it; by default ``y``, ``target`` or ``labels``); inputs of more than two
    dimensions (images) become rows. An ``.npy`` holds a 2-D matrix whose ``target`` column (an index;
    default the last) is the target. ``drop_missing=True`` drops the rows holding a NaN; otherwise NaN or
    infinity raises :class:`NonFiniteError` naming the row and column.
    """
    path = os.fspath(path)
    data = load_array(path)
    if isinstance(data, np.ndarray):
        if data.ndim == 0 or data.dtype.kind not in "biuf":
            numeric_inputs(data, path)  # raises, naming what the array is
        if data.ndim != 2 or data.shape[1] < 2:
            raise DataError(f"{path}: an .npy file must hold a 2-D array with input columns and a target "
                            f"column, got shape {data.shape}")
        columns = [f"x{j}" for j in range(data.shape[1])]
        t = column_index(columns, target, path) if target is not None else data.shape[1] - 1
        inputs = [c for j, c in enumerate(columns) if j != t]
        return _table(np.delete(data, t, axis=1), data[:, t], path, columns[t], inputs, drop_missing)
    with data:
        keys = list(data.keys())
        if len(keys) < 2:
            raise DataError(f"{path} holds {len(keys)} array{'' if len(keys) == 1 else 's'} ({', '.join(keys)}); "
                            "it needs an inputs array and a target array")
        y_key = target if target is not None else next((k for k in ("y", "target", "labels") if k in keys), None)
        if y_key not in keys:
            name = "y, target or labels" if y_key is None else repr(y_key)
            raise DataError(f"{path}: no target array {name}; the arrays are: {', '.join(keys)}",
                            fix=("choose one with", "target", None))
        x_keys = [k for k in keys if k != y_key]
        only = x_keys[0] if len(x_keys) == 1 else None
        x_key = next((k for k in ("X", "x", "data", "inputs") if k in x_keys), only)
        if x_key is None:
            raise DataError(f"{path}: cannot tell which array holds the inputs among {', '.join(x_keys)} "
                            "(name it X)")
        try:  # an .npz reads its arrays lazily: a pickled or damaged one fails here
            X, y = data[x_key], data[y_key]
        except _UNREADABLE as e:
            raise DataError(f"cannot read {path} as a NumPy file: {e}") from None
    return _table(X, y, path, y_key, drop_missing=drop_missing)


def is_idx(path):
    """Whether ``path`` names IDX data: a folder, or a file named ``*idx*`` or ``*-ubyte``."""
    name = os.path.basename(os.fspath(path).rstrip("/"))
    return os.path.isdir(path) or "idx" in name or name.endswith("-ubyte")


def read_idx(path, target=None, *, train=True):
    """Read MNIST or Fashion-MNIST IDX files into a :class:`Table` of pixel rows and labels.

    ``path`` is an images file (its labels file is found by name, ``images`` → ``labels`` and ``idx3`` →
    ``idx1``, or given as ``target``), or a folder holding the standard files: ``train=True`` reads
    ``train-images-idx3-ubyte[.gz]`` and its labels, ``train=False`` the ``t10k-`` test files.

    Raises FileNotFoundError when a file is missing, :class:`DataError` when one is not IDX or the two
    disagree, :class:`NonFiniteError` for NaN or infinity in a floating-point IDX file.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        prefix = "train" if train else "t10k"
        found = sorted(n for n in os.listdir(path) if n.startswith(prefix + "-images"))
        if not found:
            raise FileNotFoundError(2, f"no {prefix}-images-idx3-ubyte[.gz] file in this folder", path)
        return _idx_pair(os.path.join(path, found[0]), None)
    check_regular_file(path)
    return _idx_pair(path, None if target is None else os.fspath(target))


def _idx_pair(images, labels):
    if labels is None:
        name = os.path.basename(images).replace("images", "labels").replace("idx3", "idx1")
        labels = os.path.join(os.path.dirname(images), name)
        if labels == images or not os.path.isfile(labels):
            raise DataError(f"{images}: no labels file {labels} beside it", fix=("name it with", "target", None))
    check_regular_file(labels)
    try:
        X, y = load_idx(images), load_idx(labels)
    except ValueError as e:  # names the file
        raise DataError(str(e)) from None
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise DataError(f"cannot read {images} or {labels} as gzipped IDX files: {e}") from None
    columns = [f"pixel{j}" for j in range(int(np.prod(X.shape[1:])))]
    return _table(X, y, images, os.path.basename(labels), columns)

"""New data for a trained run, read the way its training data was (``backprop predict`` and ``evaluate
--data``): the run's columns, one-hot categories and reading options, from ``config.json``'s ``data``."""
import os

import numpy as np

from ..data import read_csv, read_idx, read_numpy
from ..data.csvfile import encode, read_rows
from ..data.files import is_idx, load_array, numeric_inputs
from .common import CLIError
from .data import encode_labels, idx_test, load_source
from .files import reading


def read_inputs(path, info, on_unknown=None):
    """The raw input matrix of a file of new rows (CSV or NPY) for a run described by ``info``, plus the
    file's own columns and rows (kept in the output of ``backprop predict``). ``on_unknown``: as
    ``bp.data.csvfile.encode``'s, for a category the run never saw."""
    columns = info["columns"]
    with reading(advise=False):
        if path.endswith(".npy"):
            X = load_array(path)
            if not isinstance(X, np.ndarray):
                X.close()
                raise CLIError(f"{path} is an .npz archive, not an .npy array of rows")
            X = X[None, :] if X.ndim == 1 else X
            width = int(np.prod(X.shape[1:])) if X.ndim > 1 else len(columns)
            if width != len(columns):
                raise CLIError(f"{path}: {width} columns, but the model takes {len(columns)} inputs")
            checked = numeric_inputs(X, path, columns)
            cells = [[str(v) for v in row] for row in X.reshape(len(X), -1)]  # float32's 5.1 stays 5.1
            return checked, list(columns), cells
        rows = read_rows(path, None if info["header"] else False)
        if rows.header and info["header"]:
            missing = [c for c in columns if c not in rows.columns]
            if missing:
                raise CLIError(f"{path}: unknown column {missing[0]!r}: the model's input columns are "
                               f"{', '.join(columns)}; the file has {', '.join(rows.columns)}")
        elif len(rows.columns) == len(columns):
            rows.columns = list(columns)
        else:
            raise CLIError(f"{path}: {len(rows.columns)} columns, but the model takes {len(columns)} inputs "
                           f"({', '.join(columns)})")
        X = encode(rows, columns, info["one_hot"], on_unknown)
    return X, rows.columns, [row for _, row in rows.rows]


def read_named(name, info, opts):
    """A named data set for ``backprop evaluate --data NAME``, with the run's options (``--n-samples``,
    ``--noise``, ``--seq-len``): a generated set is drawn anew with seed + 1, so its rows are not the ones the
    run was trained on; a bundled set is taken whole. Returns (raw X, encoded y) as ``read_labelled``."""
    table, _, _ = load_source({**opts, "data": name, "seed": opts["seed"] + 1})
    return _labelled(table, info, f"--data {name}", table.columns != info["columns"])


def read_sequences(path, info, on_unknown=None):
    """The windows of a CSV with one sequence per row, for a recurrent run (``backprop predict``): as many
    numeric columns as the run's inputs, the oldest value first, read by position whatever a header names
    them. Returns what ``read_inputs`` does; .npy/.npz arrays, IDX files and folders are refused."""
    length = len(info["columns"])
    name = os.path.basename(path.rstrip("/")).lower()
    if os.path.isdir(path) or name.endswith((".npy", ".npz", ".gz", "-ubyte")):
        kind = "a folder" if os.path.isdir(path) else "not a CSV file"
        raise CLIError(f"{path} is {kind}: a recurrent model predicts from a CSV file with one sequence per row "
                       f"({length} numeric columns, the oldest value first)")
    with reading(advise=False):
        rows = read_rows(path, None)
        if len(rows.columns) != length:
            raise CLIError(f"{path}: rows of {len(rows.columns)} values, but the model reads sequences of "
                           f"{length} values (one per column, the length it was trained on)")
        names, rows.columns = rows.columns, list(info["columns"])
        X = encode(rows, info["columns"], {})
    return X, names, [row for _, row in rows.rows]


def read_labelled(path, info, opts):
    """A labelled file (``backprop evaluate --data``) read as the run's training data was."""
    with reading():
        if is_idx(path):
            table = idx_test(path) or read_idx(path, opts["target"])  # a folder is evaluated on its t10k files
        elif path.endswith((".npz", ".npy")):
            table = read_numpy(path, opts["target"], drop_missing=opts["drop_missing"])
        else:
            target = opts["target"]
            if target is None and info["header"]:
                target = info["target"]
            table = read_csv(path, target, header=opts["header"], drop_missing=opts["drop_missing"],
                             categories=info["one_hot"])
    named = table.header and info["header"]
    return _labelled(table, info, path, (table.columns != info["columns"]) if named
                     else len(table.columns) != len(info["columns"]))


def _labelled(table, info, where, other_columns):
    """``(raw X, encoded y)`` of a labelled table for the run ``info`` describes; ``where`` names the data."""
    if other_columns:
        raise CLIError(f"{where}: its input columns ({', '.join(table.columns)}) are not the model's "
                       f"({', '.join(info['columns'])})")
    if info["task"] == "classification":
        return table.X, encode_labels(table.y, info["classes"], where)
    if table.y.dtype.kind not in "biuf":
        raise CLIError(f"{where}: the target column {table.target_name!r} is not numeric, but the run is a "
                       "regression")
    return table.X, table.y.astype(np.float64)

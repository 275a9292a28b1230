"""Reading user data: CSV (header detection, one-hot encoding, missing cells), NPZ/NPY and MNIST's IDX files.

Every reader returns a :class:`Table`: the inputs ``X``, the target ``y`` and what is needed to read new data
the same way later (``backprop predict``): the input columns and the categories of one-hot columns.
"""
import csv
import hashlib
import io
import math
import os
from dataclasses import dataclass, field

import numpy as np

from .common import CLIError

MISSING = {"", "na", "n/a", "nan", "null", "none", "?"}


@dataclass
class Table:
    X: np.ndarray
    y: np.ndarray
    columns: list                      # the raw input columns (before one-hot encoding)
    feature_names: list                # the columns of X
    target_name: str
    one_hot: dict = field(default_factory=dict)   # column → its categories, in X's order
    header: bool = True


def sha256(path):
    """The file's SHA-256, stored in a run so that a resume can tell when its data changed."""
    digest = hashlib.sha256()
    paths = sorted(os.path.join(path, n) for n in os.listdir(path)) if os.path.isdir(path) else [path]
    for p in paths:
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def _number(cell):
    """The cell's value, or None when it is not a finite number."""
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# -- CSV ---------------------------------------------------------------------------------------------
def read_rows(path, header=None):
    """``(columns, rows, has_header)`` of a CSV file; each row is (its line number, its cells as stripped
    strings).

    The delimiter (comma, semicolon, tab) is sniffed. With ``header=None`` the first row is a header when
    one of its cells is not a number while the same column holds a number further down, or when none of
    its cells is a number. Columns without a header are named ``x0``, ``x1``, ...
    """
    if not os.path.isfile(path):
        raise CLIError(f"no such file: {path}")
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            text = f.read()
    except UnicodeDecodeError:
        raise CLIError(f"{path} is not a text (UTF-8) CSV file") from None
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    lines = [(reader.line_num, [c.strip() for c in row]) for row in reader]
    lines = [(n, row) for n, row in lines if any(row)]
    if not lines:
        raise CLIError(f"{path} is empty")
    first = lines[0][1]
    if header is None:
        later = lines[1:6]
        header = all(_number(c) is None for c in first) or any(
            _number(c) is None and c.lower() not in MISSING
            and any(j < len(r) and _number(r[j]) is not None for _, r in later)
            for j, c in enumerate(first))
    columns = list(first) if header else [f"x{j}" for j in range(len(first))]
    if header and len(set(columns)) != len(columns):
        raise CLIError(f"{path}: the header names a column twice: {', '.join(columns)}")
    body = lines[1:] if header else lines
    if not body:
        raise CLIError(f"{path} has a header but no data rows")
    for n, row in body:
        if len(row) != len(columns):
            reference = "header" if header else "first row"
            raise CLIError(f"{path}, line {n}: {len(row)} cells where the {reference} has {len(columns)}")
    return columns, body, header


def _dialect(text):
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def column_index(columns, name, path):
    """The position of column ``name`` (a header name, or a 0-based index when it is an integer)."""
    if name in columns:
        return columns.index(name)
    if name.lstrip("-").isdigit() and -len(columns) <= int(name) < len(columns):
        return int(name) % len(columns)
    raise CLIError(f"{path}: unknown column {name!r}; the columns are: {', '.join(columns)}")


def _missing(cell):
    return cell.lower() in MISSING


def encode(columns, body, inputs, one_hot, path):
    """The float matrix of the ``inputs`` columns of ``body``; ``one_hot`` maps a column to its categories.

    A missing or non-numeric cell in a numeric column raises a ``CLIError`` naming the row and column.
    """
    blocks, names = [], []
    for name in inputs:
        j = columns.index(name)
        cells = [(n, row[j]) for n, row in body]
        if name in one_hot:
            categories = one_hot[name]
            known = {c: k for k, c in enumerate(categories)}
            block = np.zeros((len(cells), len(categories)))
            for i, (n, cell) in enumerate(cells):
                if cell not in known:
                    raise CLIError(f"{path}, row {i + 1} (line {n}), column {name!r}: category {cell!r} was "
                                   f"not seen in training ({', '.join(categories)})")
                block[i, known[cell]] = 1
            blocks.append(block)
            names += [f"{name}={c}" for c in categories]
            continue
        values = np.empty(len(cells))
        for i, (n, cell) in enumerate(cells):
            value = None if _missing(cell) else _number(cell)
            if value is None:
                what = "is missing" if _missing(cell) else f"{cell!r} is not a number"
                fix = ("drop such rows with --drop-missing" if _missing(cell)
                       else f"encode the column with --one-hot {name}")
                raise CLIError(f"{path}, row {i + 1} (line {n}), column {name!r}: {what}; {fix}")
            values[i] = value
        blocks.append(values[:, None])
        names.append(name)
    return np.hstack(blocks) if blocks else np.empty((len(body), 0)), names


def read_csv(path, target=None, one_hot=(), drop_missing=False, header=None, categories=None):
    """Read a CSV training file: the ``target`` column (name or index; default the last) and the inputs.

    ``one_hot`` names the columns to one-hot encode (``"auto"`` among them: every non-numeric column);
    ``drop_missing`` drops the rows with a missing cell instead of stopping at the first one.
    ``categories`` (column → categories) encodes new data as a trained run did.
    """
    columns, body, header = read_rows(path, header)
    if len(columns) < 2:
        raise CLIError(f"{path} has a single column; it needs input columns and a target column")
    t = column_index(columns, target, path) if target is not None else len(columns) - 1
    if drop_missing:
        body = [(n, row) for n, row in body if not any(_missing(c) for c in row)]
        if not body:
            raise CLIError(f"{path}: every row has a missing cell; nothing is left after --drop-missing")
    inputs = [c for j, c in enumerate(columns) if j != t]
    if categories is None:
        categories = _categories(columns, body, inputs, one_hot)
    X, names = encode(columns, body, inputs, categories, path)
    y = _target([row[t] for _, row in body], [n for n, _ in body], columns[t], path)
    return Table(X, y, inputs, names, columns[t], categories, header)


def _categories(columns, body, inputs, one_hot):
    """The sorted categories of each column to one-hot encode."""
    wanted = set(one_hot) - {"auto"}
    unknown = sorted(wanted - set(inputs))
    if unknown:
        raise CLIError(f"--one-hot: unknown input column {unknown[0]!r}; the input columns are: "
                       f"{', '.join(inputs)}")
    if "auto" in one_hot:
        wanted |= {c for c in inputs if any(_number(row[columns.index(c)]) is None
                                            and not _missing(row[columns.index(c)]) for _, row in body)}
    return {c: sorted({row[columns.index(c)] for _, row in body}) for c in inputs if c in wanted}


def _target(cells, lines, name, path):
    """Numbers when every cell is one, else the strings themselves (class labels)."""
    for i, cell in enumerate(cells):
        if _missing(cell):
            raise CLIError(f"{path}, row {i + 1} (line {lines[i]}), column {name!r}: the target is missing; "
                           "drop such rows with --drop-missing")
    numbers = [_number(c) for c in cells]
    if any(v is None for v in numbers):
        return np.array(cells)
    return np.array(numbers)


# -- NumPy and IDX -------------------------------------------------------------------------------------
def read_numpy(path, target=None):
    """An ``.npz`` with an inputs array and a target array (``--target`` names the target; by default
    ``y``, ``target`` or ``labels``), or an ``.npy`` matrix whose ``--target`` column (default: the last)
    is the target."""
    if not os.path.isfile(path):
        raise CLIError(f"no such file: {path}")
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise CLIError(f"cannot read {path} as a NumPy file: {e}") from None
    if isinstance(data, np.ndarray):
        if data.ndim != 2 or data.shape[1] < 2:
            raise CLIError(f"{path}: an .npy file must hold a 2-D array with input columns and a target "
                           f"column, got shape {data.shape}")
        columns = [f"x{j}" for j in range(data.shape[1])]
        t = column_index(columns, target, path) if target is not None else data.shape[1] - 1
        inputs = [c for j, c in enumerate(columns) if j != t]
        return Table(np.delete(data, t, axis=1).astype(np.float64), data[:, t], inputs, inputs, columns[t])
    with data:
        keys = list(data.keys())
        y_key = target or next((k for k in ("y", "target", "labels") if k in keys), None)
        if y_key not in keys:
            raise CLIError(f"{path}: no target array {y_key!r}; the arrays are: {', '.join(keys)} "
                           "(choose one with --target)")
        x_keys = [k for k in keys if k != y_key]
        only = x_keys[0] if len(x_keys) == 1 else None
        x_key = next((k for k in ("X", "x", "data", "inputs") if k in x_keys), only)
        if x_key is None:
            raise CLIError(f"{path}: cannot tell which array holds the inputs among {', '.join(x_keys)} "
                           "(name it X)")
        X, y = data[x_key], data[y_key]
    return _table(X, y, path, y_key)


def _table(X, y, path, target_name):
    if X.dtype.kind not in "biuf":
        raise CLIError(f"{path}: the inputs must be numbers, got an array of dtype {X.dtype}")
    if len(X) != len(y):
        raise CLIError(f"{path}: {len(X)} input rows but {len(y)} targets")
    if len(X) == 0:
        raise CLIError(f"{path} holds no samples")
    X = X.reshape(len(X), -1).astype(np.float64)  # images (N, 28, 28) become rows of pixels
    columns = [f"x{j}" for j in range(X.shape[1])]
    return Table(X, y, columns, columns, target_name, header=False)


def is_idx(path):
    name = os.path.basename(path.rstrip("/"))
    return os.path.isdir(path) or "idx" in name or name.endswith("-ubyte")


def read_idx(path, target=None):
    """MNIST/Fashion-MNIST: an images file (its labels file found by name, ``images`` → ``labels`` and
    ``idx3`` → ``idx1``, or given with ``--target``), or a folder holding the four standard files.

    Returns
    -------
    (Table, Table or None)
        The training data and, for a folder, the ``t10k`` test files as the test set.
    """
    if os.path.isdir(path):
        def pair(prefix):
            found = [os.path.join(path, n) for n in sorted(os.listdir(path))
                     if n.startswith(prefix + "-images")]
            return _idx_pair(found[0], None) if found else None
        train = pair("train")
        if train is None:
            raise CLIError(f"{path}: no train-images-idx3-ubyte[.gz] file in this folder")
        return train, pair("t10k")
    if not os.path.isfile(path):
        raise CLIError(f"no such file: {path}")
    return _idx_pair(path, target), None


def _idx_pair(images, labels):
    from ..data.datasets import load_idx

    base = os.path.basename(images)
    if labels is None:
        name = base.replace("images", "labels").replace("idx3", "idx1")
        labels = os.path.join(os.path.dirname(images), name)
        if labels == images or not os.path.isfile(labels):
            raise CLIError(f"{images}: no labels file {labels} beside it; name it with --target")
    try:
        X, y = load_idx(images), load_idx(labels)
    except (OSError, ValueError) as e:
        raise CLIError(str(e)) from None
    table = _table(X, y, images, os.path.basename(labels))
    table.columns = table.feature_names = [f"pixel{j}" for j in range(table.X.shape[1])]
    return table

"""The playground's data: TensorFlow Playground's generators, the input features, uploaded CSV files.

The points and targets come from :mod:`backprop.data.datasets`; an uploaded file is read by
:func:`backprop.data.read_csv` from a temporary file the server names itself (never a path the page gives).
"""
import os
import tempfile
from dataclasses import dataclass

import numpy as np

from ..data import read_csv
from ..data.datasets import make_circles, make_gauss, make_multi_gauss, make_plane, make_spiral, make_xor

GENERATORS = {"circle": make_circles, "xor": make_xor, "gauss": make_gauss, "spiral": make_spiral,
              "plane": make_plane, "multigauss": make_multi_gauss}
# Each input feature as the course writes it, and as NumPy computes it from the columns x1, x2.
FEATURE_FORMULAS = {"x1": "x1", "x2": "x2", "x1sq": "x1 ** 2", "x2sq": "x2 ** 2", "x1x2": "x1 * x2",
                    "sinx1": "np.sin(x1)", "sinx2": "np.sin(x2)"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_ROWS = 2000
MAX_CLASSES = 6


class UploadError(ValueError):
    """An uploaded CSV file that cannot be used; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Points:
    """A 2-D data set: ``X`` (n, 2) float64, ``y`` (n,) int64 class indices or float64 targets, and the class
    names of a classification set (None for regression)."""
    X: np.ndarray
    y: np.ndarray
    classes: tuple = None


def generate(name, n_samples, noise, rng):
    """One of the playground's data sets; ``noise`` on the page's 0–50 scale."""
    X, y = GENERATORS[name](n_samples=n_samples, noise=noise / 100, random_state=rng)
    return Points(X, y, ("0", "1") if y.dtype.kind == "i" else None)


def features(X, names):
    """The input matrix: one column per enabled feature, in the order of :data:`FEATURE_FORMULAS`."""
    x1, x2 = X[:, 0], X[:, 1]
    columns = {"x1": x1, "x2": x2, "x1sq": x1 ** 2, "x2sq": x2 ** 2, "x1x2": x1 * x2,
               "sinx1": np.sin(x1), "sinx2": np.sin(x2)}
    return np.column_stack([columns[n] for n in names])


def read_upload(body, problem):
    """The points of an uploaded CSV file (bytes): two input columns and the target, with or without a header.

    A classification target may hold numbers or names (at most :data:`MAX_CLASSES` distinct ones); a
    regression target must be numeric. Raises :class:`UploadError` with the reader's message, which names the
    row and column of a bad cell, and status 413 for a file over the size or row limit.
    """
    if len(body) > MAX_UPLOAD_BYTES:
        raise UploadError(f"the file has {len(body)} bytes; the limit is {MAX_UPLOAD_BYTES} "
                          f"({MAX_UPLOAD_BYTES // 1024 // 1024} MB)", 413)
    if not body.strip():
        raise UploadError("the file is empty; it needs rows of x1, x2 and a label")
    handle, path = tempfile.mkstemp(prefix="backprop-upload-", suffix=".csv")
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(body)
        table = read_csv(path)
    except ValueError as e:  # the reader's advice on one-hot columns is for Python, not for the page
        raise UploadError(str(e).replace(path, "the uploaded file").split("; encode the column")[0]) from None
    finally:
        os.unlink(path)
    if table.X.shape[1] != 2:
        raise UploadError(f"the file has {table.X.shape[1] + 1} columns; it needs 3: x1, x2 and the label")
    if len(table.X) > MAX_UPLOAD_ROWS:
        raise UploadError(f"the file has {len(table.X)} rows; the limit is {MAX_UPLOAD_ROWS}", 413)
    if len(table.X) < 2:
        raise UploadError("the file needs at least 2 rows")
    if problem == "regression":
        if table.y.dtype.kind not in "biuf":
            raise UploadError("the label column must be numeric for regression")
        return Points(table.X, table.y.astype(np.float64), None)
    labels = table.y
    if labels.dtype.kind == "f":
        fractional = np.flatnonzero(labels != np.round(labels))
        if len(fractional):
            row = fractional[0]
            raise UploadError(f"row {row + 1}: the label {float(labels[row])!r} is not a class (a whole number or "
                              "a name); choose regression for numeric targets")
        labels = labels.astype(np.int64)
    names, y = np.unique(labels if labels.dtype.kind in "iu" else labels.astype(str), return_inverse=True)
    if not 2 <= len(names) <= MAX_CLASSES:
        raise UploadError(f"the label column has {len(names)} classes; the playground takes 2 to {MAX_CLASSES}")
    return Points(table.X, y.astype(np.int64), tuple(str(n) for n in names))


def to_csv(points):
    """The points as CSV text (x1, x2, label), every number written so that it reads back equal."""
    labels = ([points.classes[i] for i in points.y] if points.classes is not None
              else [repr(float(v)) for v in points.y])
    rows = [f"{float(a)!r},{float(b)!r},{label}" for (a, b), label in zip(points.X, labels)]
    return "x1,x2,label\n" + "\n".join(rows) + "\n"

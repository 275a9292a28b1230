"""What the file readers return (:class:`Table`) and the errors they raise.

Every error is a ``ValueError`` subclass that knows where the problem is (file, line, row, column) and
which argument fixes it, so that the command line can print the same message with its own option names
(``--drop-missing`` where Python says ``drop_missing=True``).
"""
from dataclasses import dataclass, field

import numpy as np


def python_argument(argument, value=None):
    """``drop_missing=True``, ``one_hot=['colour']``; the bare name without a value."""
    return argument if value is None else f"{argument}={value!r}"


class DataError(ValueError):
    """Bad data in a file or an array: the message names the file, line, row and column where each is
    known. Rows count from 1, like lines; a row of an array also gives its 0-based ``index``
    (``row 3 (index 2)``). ``argument`` is the reader's argument the problem is about, and ``fix``
    is ``(phrase, argument, value)``: the argument that would fix it; a caller names both in its own way
    with :meth:`describe`.
    """

    def __init__(self, problem, *, path=None, line=None, row=None, index=None, column=None, argument=None,
                 fix=None):
        self.problem, self.path, self.line, self.row, self.index = problem, path, line, row, index
        self.column, self.argument, self.fix = column, argument, fix
        super().__init__(self.describe())

    def where(self):
        """``"data.csv, row 2 (line 3), column 'age'"``, ``"X, row 3 (index 2), column 'x1'"``: the known
        parts of the place."""
        parts = [] if self.path is None else [str(self.path)]
        if self.row is not None:
            detail = (f" (line {self.line})" if self.line is not None
                      else "" if self.index is None else f" (index {self.index})")
            parts.append(f"row {self.row}{detail}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def describe(self, render=python_argument, advise=True):
        """The message, with the fixing argument written by ``render(argument, value)`` (left out with
        ``advise=False``, for a caller that cannot take the argument)."""
        where = self.where()
        text = self.problem if self.argument is None else f"{render(self.argument)}: {self.problem}"
        text = f"{where}: {text}" if where else text
        if self.fix is not None and advise:
            phrase, argument, value = self.fix
            text += f"; {phrase} {render(argument, value)}"
        return text

    def __str__(self):
        return self.describe()

    def __reduce__(self):  # pickled (by DataLoader workers) with its keyword arguments
        return _rebuild, (type(self), self.problem, dict(path=self.path, line=self.line, row=self.row,
                                                         index=self.index, column=self.column,
                                                         argument=self.argument, fix=self.fix))


def _rebuild(cls, problem, kwargs):
    return cls(problem, **kwargs)


class NonFiniteError(DataError):
    """A numeric cell that holds no finite number: NaN, infinity, or (:class:`MissingValueError`) nothing."""


class MissingValueError(NonFiniteError):
    """A missing cell (empty, ``NA``, ``nan``, ``?``…): ``drop_missing=True`` drops its row."""


class UnknownCategoryError(DataError):
    """A cell of a one-hot column whose category is not among the ``categories`` given to the reader."""


def check_finite(array, *, source="X", columns=None, fix=None):
    """Raise :class:`NonFiniteError` naming the row and column of the first NaN or infinite value.

    ``source`` names the array in the message (a file name, or ``"X"``); ``columns`` names the columns of a
    2-D array (default ``x0``, ``x1``, …) or, in a one-element list, the single column of a 1-D array.
    Arrays that are not floating point pass unchecked.
    """
    array = np.asarray(array)
    if array.dtype.kind not in "fc" or array.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(array.sum()):  # one reduction on the fast path; an overflowing sum is checked below
            return
    bad = ~np.isfinite(array.reshape(len(array), -1) if array.ndim > 1 else array.reshape(-1, 1))
    if not bad.any():
        return
    i, j = np.unravel_index(np.flatnonzero(bad)[0], bad.shape)
    if columns is None:
        columns = [f"x{k}" for k in range(bad.shape[1])]
    value = array.reshape(bad.shape)[i, j]
    raise NonFiniteError(f"{value} is not a finite number", path=source, row=int(i) + 1, index=int(i),
                         column=columns[j], fix=fix if np.isnan(value) else None)


@dataclass
class Table:
    """A data set read from a file (:func:`read_csv`, :func:`read_numpy`, :func:`read_idx`) or built from
    arrays: the inputs ``X``, the target ``y`` and what is needed to read new data the same way.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features), float64
        The inputs, with every one-hot column expanded (see :attr:`feature_names`).
    y : ndarray of shape (n_samples,) or (n_samples, n_targets), or None
        The target: numbers, or strings (class labels) when a CSV target column is not numeric.
    columns : list of str
        The file's input columns, before one-hot encoding (``x0``, ``x1``… when it has no header).
    target_name : str or None
        The target column (or array) name.
    categories : dict
        Column → its sorted categories, for each one-hot encoded column. Pass it as ``categories=`` to read
        new data with the same encoding.
    dropped_rows : ndarray of int
        The 0-based positions, among the file's data rows, of the rows ``drop_missing=True`` dropped.
    header : bool
        Whether the column names came from the file (a CSV header, NPZ array names).

    Building a Table from arrays checks them like a file: NaN or infinity raises :class:`NonFiniteError`
    naming the row and column.
    """
    X: np.ndarray
    y: np.ndarray = None
    columns: list = None
    target_name: str = None
    categories: dict = field(default_factory=dict)
    dropped_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    header: bool = False

    def __post_init__(self):
        X = np.asarray(self.X)
        if X.ndim != 2:
            raise DataError(f"X must be a 2-D array (rows, features), got shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise DataError(f"X must hold numbers, got an array of dtype {X.dtype}")
        self.X = X.astype(np.float64, copy=False)
        if self.columns is None:
            self.columns = [f"x{j}" for j in range(X.shape[1])]
        self.columns = list(self.columns)
        if len(self.feature_names) != X.shape[1]:
            raise DataError(f"{len(self.feature_names)} feature names for the {X.shape[1]} columns of X")
        check_finite(self.X, source="X", columns=self.feature_names)
        if self.y is not None:
            self.y = np.asarray(self.y)
            if len(self.y) != len(X):
                raise DataError(f"{len(X)} rows of X but {len(self.y)} targets")
            check_finite(self.y, source="y", columns=None if self.y.ndim > 1 else [self.target_name or "y"])
        self.dropped_rows = np.asarray(self.dropped_rows, dtype=np.int64)

    @property
    def feature_names(self):
        """The columns of ``X``: each input column, or ``column=category`` for each category of a one-hot
        column."""
        names = []
        for c in self.columns:
            names += [f"{c}={v}" for v in self.categories[c]] if c in self.categories else [c]
        return names

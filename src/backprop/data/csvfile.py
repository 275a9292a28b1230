"""Reading CSV files into a :class:`~backprop.data.Table`: encoding, delimiter, quoting and header detected,
one-hot encoding, missing cells, and errors that name the file, line, row and column.
"""
import csv
import io
import os
from dataclasses import dataclass

import numpy as np

from .table import DataError, MissingValueError, NonFiniteError, Table, UnknownCategoryError

MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?"})
DELIMITERS = ",;\t|"
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


def is_missing(cell):
    """Whether a CSV cell marks a missing value: empty, ``NA``, ``N/A``, ``nan``, ``null``, ``none`` or ``?``."""
    return cell.lower() in MISSING


def _number(cell):
    """The cell's value (possibly infinite), or None when it is not a number."""
    try:
        return float(cell)
    except ValueError:
        return None


@dataclass
class Rows:
    """The cells of a CSV file as read: ``columns`` (from the header, else ``x0``, ``x1``…), ``rows`` as
    ``(line number, cells)`` pairs (the line where each record ends), and whether the file has a header."""
    path: str
    columns: list
    rows: list
    header: bool


def check_regular_file(path):
    """Raise FileNotFoundError for a missing file, :class:`DataError` for a folder, FIFO or device (reading
    a FIFO would wait for a writer forever)."""
    if not os.path.exists(path):
        raise FileNotFoundError(2, "No such file", path)
    if not os.path.isfile(path):
        raise DataError(f"{path} is not a regular file (a folder, pipe or device)")


def _text(path):
    """The file's text, decoded as its byte-order mark says (UTF-8 without one)."""
    check_regular_file(path)
    with open(path, "rb") as f:
        raw = f.read()
    encoding = next((name for bom, name in _BOMS if raw.startswith(bom)), "utf-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise DataError(f"is not a text ({encoding.upper()}) CSV file: byte 0x{raw[e.start]:02x} cannot be "
                        "decoded", path=path, line=line) from None


def _dialect(text, delimiter):
    """RFC 4180 quoting (``"``, doubled inside a cell); the delimiter given, or the one of ``DELIMITERS``
    that splits the first lines most consistently."""
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:8192], delimiters=DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    elif not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '"\r\n':
        raise ValueError(f"delimiter must be one character other than a quote or a newline, got {delimiter!r}")

    class Dialect(csv.excel):
        pass
    Dialect.delimiter, Dialect.skipinitialspace, Dialect.strict = delimiter, True, True
    return Dialect


def read_rows(path, header=None, delimiter=None):
    """The :class:`Rows` of a CSV file.

    Blank lines are skipped. With ``header=None`` the first row is a header when none of its cells is a
    number, or when one of its cells is not a number while the same column holds a number further down.
    Rows with another number of cells than the first raise :class:`DataError` naming the line.
    """
    path = os.fspath(path)
    text = _text(path)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text, delimiter))
    lines, start = [], 1
    try:
        for row in reader:
            lines.append((reader.line_num, [c.strip() for c in row]))
            start = reader.line_num + 1
    except csv.Error as e:
        problem = ("a quoted cell is never closed" if "end of data" in str(e) else f"malformed CSV ({e})")
        raise DataError(problem, path=path, line=start) from None
    lines = [(n, row) for n, row in lines if any(row)]
    if not lines:
        raise DataError(f"{path} is empty")
    first = lines[0][1]
    if header is None:
        later = lines[1:6]
        header = all(_number(c) is None for c in first) or any(
            _number(c) is None and not is_missing(c)
            and any(j < len(r) and _number(r[j]) is not None for _, r in later)
            for j, c in enumerate(first))
    columns = [c or f"x{j}" for j, c in enumerate(first)] if header else [f"x{j}" for j in range(len(first))]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise DataError(f"the header names a column twice: {', '.join(twice)}", path=path, line=lines[0][0])
    body = lines[1:] if header else lines
    if not body:
        raise DataError(f"{path} has a header but no data rows")
    reference = "header" if header else "first row"
    for n, row in body:
        if len(row) != len(columns):
            raise DataError(f"{len(row)} cells where the {reference} has {len(columns)}", path=path, line=n)
    return Rows(path, columns, body, bool(header))


def column_index(columns, name, path=None):
    """The position of column ``name``: a column name, or an index (an int or a string of digits,
    negative counting from the end)."""
    if isinstance(name, str) and name in columns:
        return columns.index(name)
    text = str(name)
    if not isinstance(name, bool) and text.lstrip("-").isdigit() and -len(columns) <= int(text) < len(columns):
        return int(text) % len(columns)
    raise DataError(f"unknown column {name!r}; the columns are: {', '.join(columns)}", path=path)


def _numeric_column(cells, lines, name, path, is_target=False):
    """The float values of one column, or the error naming the first cell that is not a finite number."""
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:
        values = None
    if values is not None and np.isfinite(values).all():
        return values
    for i, cell in enumerate(cells):
        place = dict(path=path, row=i + 1, line=lines[i], column=name)
        if is_missing(cell):
            what = "the target is missing" if is_target else "is missing"
            raise MissingValueError(what, fix=("drop such rows with", "drop_missing", True), **place)
        value = _number(cell)
        if value is None:
            raise DataError(f"{cell!r} is not a number", fix=("encode the column with", "one_hot", [name]),
                            **place)
        if not np.isfinite(value):
            raise NonFiniteError(f"{cell!r} is not a finite number", **place)
    raise AssertionError("unreachable: a column that failed to parse has a bad cell")


def encode(rows, inputs, categories, on_unknown=None):
    """The float matrix of the ``inputs`` columns of ``rows`` (:class:`Rows`); ``categories`` maps each
    one-hot column to its categories, in the order of ``X``'s columns.

    Raises :class:`MissingValueError`, :class:`NonFiniteError`, :class:`UnknownCategoryError` or
    :class:`DataError`, naming the row, line and column of the first bad cell. With ``on_unknown``, a
    category not in ``categories`` is not an error: ``on_unknown(error)`` is called with the
    :class:`UnknownCategoryError` it would raise (its ``row`` is 1-based) and the row's one-hot block of
    that column stays zero, as scikit-learn's ``OneHotEncoder(handle_unknown='ignore')``.
    """
    lines = [n for n, _ in rows.rows]
    blocks = []
    for name in inputs:
        j = rows.columns.index(name)
        cells = [row[j] for _, row in rows.rows]
        if name not in categories:
            blocks.append(_numeric_column(cells, lines, name, rows.path)[:, None])
            continue
        known = {c: k for k, c in enumerate(categories[name])}
        block = np.zeros((len(cells), len(known)))
        for i, cell in enumerate(cells):
            if cell not in known:
                error = UnknownCategoryError(
                    f"category {cell!r} was not seen in training ({', '.join(map(str, categories[name]))})",
                    path=rows.path, row=i + 1, line=lines[i], column=name)
                if on_unknown is None:
                    raise error
                on_unknown(error)
                continue
            block[i, known[cell]] = 1
        blocks.append(block)
    return np.hstack(blocks) if blocks else np.empty((len(rows.rows), 0))


def _categories(rows, inputs, one_hot):
    """The sorted categories of each column to one-hot encode (``"auto"``: every non-numeric column)."""
    one_hot = [one_hot] if isinstance(one_hot, str) else list(one_hot)
    wanted = set(one_hot) - {"auto"}
    unknown = sorted(wanted - set(inputs))
    if unknown:
        raise DataError(f"unknown input column {unknown[0]!r}; the input columns are: {', '.join(inputs)}",
                        path=rows.path, argument="one_hot")
    cells = {c: [row[rows.columns.index(c)] for _, row in rows.rows] for c in inputs}
    if "auto" in one_hot:
        wanted |= {c for c in inputs if any(_number(v) is None and not is_missing(v) for v in cells[c])}
    return {c: sorted(set(cells[c])) for c in inputs if c in wanted}


def _target(cells, lines, name, path):
    """Numbers when every cell is one, else the strings themselves (class labels)."""
    for i, cell in enumerate(cells):
        if is_missing(cell):
            raise MissingValueError("the target is missing", fix=("drop such rows with", "drop_missing", True),
                                    path=path, row=i + 1, line=lines[i], column=name)
    if any(_number(c) is None for c in cells):
        return np.array(cells)
    return _numeric_column(cells, lines, name, path, is_target=True)


def read_csv(path, target=None, *, header=None, delimiter=None, one_hot=(), drop_missing=False, categories=None):
    """Read a CSV file into a :class:`Table`: the ``target`` column and the input columns.

    Parameters
    ----------
    path : str or path-like
        A CSV file: UTF-8 (a byte-order mark is skipped; UTF-16 with its mark is read too), cells quoted
        with ``"`` as in RFC 4180 (a quoted cell may hold the delimiter, a newline or a doubled ``""``).
    target : str or int, optional
        The target column: its name, or its index (negative from the end). Default: the last column.
    header : bool, optional
        Whether the first row names the columns. Default: detected (see :func:`read_rows`).
    delimiter : str, optional
        One character. Default: detected among comma, semicolon, tab and ``|``.
    one_hot : sequence of str
        Input columns to one-hot encode; ``"auto"`` among them encodes every non-numeric column.
    drop_missing : bool
        Drop the rows with a missing cell (empty, ``NA``, ``nan``, ``?``…) instead of raising
        :class:`MissingValueError`; :attr:`Table.dropped_rows` lists them.
    categories : dict, optional
        Column → categories, e.g. the ``categories`` of the table of the training data: new data is encoded
        the same way, and a category not in it raises :class:`UnknownCategoryError`.

    Raises
    ------
    DataError (a ValueError), or its subclasses NonFiniteError, MissingValueError, UnknownCategoryError
        Naming the file, and the line, row (counted from 1) and column where they apply. A cell holding
        ``inf`` raises NonFiniteError, as NaN or infinity in every other format does.
    FileNotFoundError
        No such file.
    """
    if categories is not None and list(one_hot):
        raise ValueError("give one_hot or categories, not both: categories already says how each one-hot "
                         "column is encoded")
    rows = read_rows(path, header, delimiter)
    columns = rows.columns
    if len(columns) < 2:
        raise DataError(f"{rows.path} has a single column; it needs input columns and a target column")
    t = column_index(columns, target, rows.path) if target is not None else len(columns) - 1
    dropped = []
    if drop_missing:
        keep = [not any(is_missing(c) for c in row) for _, row in rows.rows]
        dropped = [i for i, kept in enumerate(keep) if not kept]
        rows.rows = [r for r, kept in zip(rows.rows, keep) if kept]
        if not rows.rows:
            raise DataError("every row has a missing cell", path=rows.path,
                            fix=("nothing is left after", "drop_missing", True))
    inputs = [c for j, c in enumerate(columns) if j != t]
    if categories is None:
        categories = _categories(rows, inputs, one_hot)
    else:
        categories = {c: list(v) for c, v in categories.items()}
        unknown = [c for c in categories if c not in inputs]
        if unknown:
            raise DataError(f"unknown input column {unknown[0]!r}; the input columns are: {', '.join(inputs)}",
                            path=rows.path, argument="categories")
    X = encode(rows, inputs, categories)
    y = _target([row[t] for _, row in rows.rows], [n for n, _ in rows.rows], columns[t], rows.path)
    return Table(X, y, inputs, columns[t], categories, np.array(dropped, dtype=np.int64), rows.header)

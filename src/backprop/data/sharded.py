"""``ShardedDataset``: training data larger than memory, read from ``.npz`` or ``.npy`` files piece by piece,
in memory O(batch × features + shuffle buffer) plus one ``.npz`` shard (a zip member cannot be memory-mapped).
"""
import mmap
import numbers
import zipfile
from pathlib import Path

import numpy as np

from .dataset import IterableDataset
from .sampler import resolve_generator
from .table import NonFiniteError, check_finite


class _ArrayHeader:
    """Where an array lies in a ``.npy`` file or an ``.npz`` member, from its header alone (no data read)."""

    def __init__(self, path, member=None):
        self.path, self.member = path, member
        self.name = str(path) if member is None else f"{path} ({member[:-4]})"
        if member is None:
            with open(path, "rb") as file:
                self._read_header(file)
        else:
            with zipfile.ZipFile(path) as archive, archive.open(member) as file:
                self._read_header(file)
        if self.dtype.kind not in "biuf" or not self.shape:
            raise ValueError(f"{self.name}: expected an array of numbers with a first (sample) dimension, got "
                             f"dtype {self.dtype} and shape {self.shape}")

    def _read_header(self, file):
        version = np.lib.format.read_magic(file)
        if version == (1, 0):
            self.shape, self.fortran_order, self.dtype = np.lib.format.read_array_header_1_0(file)
        elif version == (2, 0):
            self.shape, self.fortran_order, self.dtype = np.lib.format.read_array_header_2_0(file)
        else:
            raise ValueError(f"{self.name}: .npy format version {version[0]}.{version[1]} is not supported "
                             "(1.0 and 2.0 are)")
        self.offset = file.tell()

    @property
    def rows(self):
        return self.shape[0]


class _MappedRows:
    """Rows of a ``.npy`` file through a memory map whose pages are released after each read
    (``madvise(MADV_DONTNEED)``): pages read through a map stay counted in the process's RSS, as file-backed
    memory, until the kernel needs them, so without it the RSS would grow with the file."""

    def __init__(self, header):
        self.header = header
        with open(header.path, "rb") as file:
            self.map = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            self.array = np.ndarray(header.shape, header.dtype, buffer=self.map, offset=header.offset,
                                    order="F" if header.fortran_order else "C")
        except TypeError:
            self.map.close()
            raise ValueError(f"{header.name}: the file is shorter than its header's shape {header.shape} of "
                             f"{header.dtype} needs (truncated?)") from None
        self.row_bytes = int(np.prod(header.shape[1:], dtype=np.int64)) * header.dtype.itemsize

    def read(self, start, stop):
        rows = np.array(self.array[start:stop])
        if hasattr(mmap, "MADV_DONTNEED"):  # Linux and macOS; elsewhere the kernel reclaims the pages itself
            if self.header.fortran_order:  # a row range touches pages all over the file
                self.map.madvise(mmap.MADV_DONTNEED)
            else:
                first = (self.header.offset + start * self.row_bytes) // mmap.PAGESIZE * mmap.PAGESIZE
                self.map.madvise(mmap.MADV_DONTNEED, first, self.header.offset + stop * self.row_bytes - first)
        return rows

    def close(self):
        del self.array  # the map cannot close while an array exports its buffer
        self.map.close()


class _LoadedRows:
    """Rows of an array read whole (an ``.npz`` member)."""

    def __init__(self, header):
        with np.load(header.path) as archive:
            self.array = archive[header.member[:-4]]

    def read(self, start, stop):
        return np.array(self.array[start:stop])  # a copy: a view would keep the shard loaded after close()

    def close(self):
        self.array = None


class _Shard:
    """One file's samples: rows of ``x`` with rows ``y_start…`` of ``y`` (the same file, or the target file)."""

    def __init__(self, x, y, y_start=0):
        self.x, self.y, self.y_start, self.rows = x, y, y_start, x.rows


class _OpenShard:
    def __init__(self, shard, x_dtype, y_dtype):
        self.shard, self.x_dtype, self.y_dtype = shard, x_dtype, y_dtype
        open_rows = _LoadedRows if shard.x.member else _MappedRows
        self.x, self.y = open_rows(shard.x), open_rows(shard.y)

    def read(self, start, stop):
        """Rows ``start:stop`` of the shard as ``(X, y)`` in memory, checked finite (errors name file and row)."""
        shard = self.shard
        x = _checked(self.x.read(start, stop), shard.x.name, start, "x")
        y = _checked(self.y.read(shard.y_start + start, shard.y_start + stop), shard.y.name,
                     shard.y_start + start, "y")
        return x.astype(self.x_dtype, copy=False), y.astype(self.y_dtype, copy=False)

    def close(self):
        self.x.close()
        self.y.close()


def _checked(rows, name, first_row, column_prefix):
    """``rows`` (of a file, the first being row ``first_row``), or a NonFiniteError naming file, row, column."""
    width = int(np.prod(rows.shape[1:], dtype=np.int64))
    columns = [column_prefix] if rows.ndim == 1 else [f"{column_prefix}{k}" for k in range(width)]
    try:
        check_finite(rows, source=name, columns=columns)
    except NonFiniteError as error:
        raise NonFiniteError(error.problem, path=name, row=error.row + first_row, index=error.index + first_row,
                             column=error.column) from None
    return rows


class _RowStream:
    """The rows of the shards in the order given, read ``n`` at a time across shard ends, one shard open."""

    def __init__(self, dataset, order):
        self.dataset, self.order = dataset, iter(order)
        self.shard, self.position, self.left = None, 0, 0

    def read(self, n):
        """The next ``n`` rows as ``(X, y)``; fewer at the end of the stream (zero rows: an empty pair)."""
        pieces = []
        while n > 0:
            if self.left == 0 and not self._next_shard():
                break
            take = min(n, self.left)
            pieces.append(self.shard.read(self.position, self.position + take))
            self.position, self.left, n = self.position + take, self.left - take, n - take
        if len(pieces) == 1:
            return pieces[0]
        if not pieces:
            return self.dataset._empty()
        return tuple(np.concatenate(columns) for columns in zip(*pieces))

    def _next_shard(self):
        if self.shard is not None:
            self.shard.close()
            self.shard = None
        for index in self.order:
            shard = self.dataset._shards[index]
            if shard.rows:
                self.shard = _OpenShard(shard, self.dataset.x_dtype, self.dataset.y_dtype)
                self.position, self.left = 0, shard.rows
                return True
        return False

    def close(self):
        if self.shard is not None:
            self.shard.close()


def _shards_of(path, target_file):
    """The shards at ``path`` (a folder of .npz or .npy files, one .npz, or one .npy with ``target_file``),
    validated from their headers."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"ShardedDataset: {path} does not exist")
    target = None if target_file is None else Path(target_file)
    if target is not None and not target.is_file():
        raise FileNotFoundError(f"ShardedDataset: target_file {target} does not exist")
    if path.is_dir():
        files = sorted(f for f in path.iterdir() if f.suffix in (".npz", ".npy") and f.is_file()
                       and (target is None or not f.samefile(target)))
        kinds = {f.suffix for f in files}
        if not files:
            raise ValueError(f"ShardedDataset: {path} holds no .npz or .npy shards")
        if len(kinds) > 1:
            raise ValueError(f"ShardedDataset: {path} mixes .npz and .npy shards; use one kind")
    elif path.suffix in (".npz", ".npy"):
        files, kinds = [path], {path.suffix}
    else:
        raise ValueError(f"ShardedDataset: {path} is neither a folder of shards nor a .npz or .npy file")
    if kinds == {".npz"}:
        if target is not None:
            raise ValueError(f"ShardedDataset: target_file={str(target)!r} is for .npy shards; the .npz shards "
                             f"in {path} hold their targets as arrays named 'y'")
        return [_npz_shard(f) for f in files]
    if target is None:
        raise ValueError(f"ShardedDataset: the .npy data in {path} needs its targets: pass target_file= (one .npy "
                         "with a row per sample, in the order of the shards' names)")
    xs, y = [_ArrayHeader(f) for f in files], _ArrayHeader(target)
    total = sum(x.rows for x in xs)
    if total != y.rows:
        counts = ", ".join(f"{x.path.name}: {x.rows}" for x in xs[:5]) + (", …" if len(xs) > 5 else "")
        raise ValueError(f"ShardedDataset: the features hold {total} rows ({counts}) but target_file {target} holds "
                         f"{y.rows}")
    starts = np.cumsum([0] + [x.rows for x in xs[:-1]])
    return [_Shard(x, y, int(start)) for x, start in zip(xs, starts)]


def _npz_shard(path):
    with zipfile.ZipFile(path) as archive:
        names = sorted(name[:-4] for name in archive.namelist() if name.endswith(".npy"))
    if "X" not in names or "y" not in names:
        raise ValueError(f"ShardedDataset: {path} holds the arrays {names}; a shard needs one named 'X' (the "
                         "features) and one named 'y' (the targets)")
    x, y = _ArrayHeader(path, "X.npy"), _ArrayHeader(path, "y.npy")
    if x.rows != y.rows:
        raise ValueError(f"ShardedDataset: {path}: X has {x.rows} rows but y has {y.rows}")
    return _Shard(x, y)


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"ShardedDataset: {name} must be a positive integer, got {value!r}")
    return int(value)


class ShardedDataset(IterableDataset):
    """Samples ``(X[i], y[i])`` read from files larger than memory, shuffled exactly per epoch in bounded memory.

    Parameters
    ----------
    path : str or Path
        A folder of ``.npz`` shards, each holding an array ``X`` (features) and an array ``y`` (targets)
        with as many rows (``np.savez(f, X=..., y=...)``); or a folder of ``.npy`` shards of features with
        ``target_file``; or one ``.npy`` file (memory-mapped) with ``target_file``. Shards are taken in the
        order of their names (``sorted``: name them with zero-padded numbers).
    target_file : str or Path, optional
        One ``.npy`` with the targets of the ``.npy`` features, a row per sample, in the shards' order. It may
        lie in the shards' folder.
    shuffle_buffer : int, default 65_536
        Rows in the shuffle buffer: memory holds about twice that many rows (the buffer and the half it
        gives out), plus the batch and one ``.npz`` shard.
    seed : int, optional
        Shuffle epoch ``e`` with ``numpy.random.default_rng([seed, e])``: reproducible whatever else draws
        random numbers. Epochs count the shuffled passes (``set_epoch`` sets the count, e.g. when a run
        resumes). Without a seed the shuffles draw from the ``DataLoader``'s ``generator``, else from the
        library's generator (``bp.manual_seed``, saved in checkpoints), as ``RandomSampler`` does.

    Attributes
    ----------
    shards : list of Path
    feature_shape, target_shape : tuple
        The shape of one sample's ``X`` row and ``y`` row (``()`` for a class index or a single number).
    x_dtype, y_dtype : numpy dtype
        The dtypes of the batches' arrays (shards of several dtypes give their common one).

    Notes
    -----
    ``len(ds)`` is the number of rows, read from the files' headers (the ``.npy`` header of each array,
    inside the zip for ``.npz``); constructing the data set reads no data. Errors name the file: missing
    ``X`` or ``y``, row counts that disagree, features of different shapes, and, when a piece is read, the
    row and column of a NaN or infinity (:class:`NonFiniteError`).

    **Shuffling.** ``DataLoader(ds, batch_size, shuffle=True)`` asks for each epoch's shuffled stream
    (``stream_blocks(shuffle=True, generator=...)``; PyTorch refuses ``shuffle`` with an iterable data
    set, backprop asks the data set). When the buffer holds every row the epoch is one uniform permutation,
    ``generator.permutation(len(ds))``: the batches of ``TensorDataset`` with ``RandomSampler`` for the
    same generator. Otherwise the shards are visited in a random order and the buffer, filled with the
    first ``shuffle_buffer`` rows, gives out ``shuffle_buffer // 2`` rows from slots drawn at random, which
    the next rows of the stream refill (a shuffle buffer, as ``tf.data``'s, drawn half a buffer at a time);
    at the end the rest of the buffer comes out in a random order. Every row comes exactly once per epoch.
    Without shuffling, the rows come in file order.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib, shutil, backprop as bp
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> for k in range(3):
    ...     np.savez(folder / f"part-{k:03d}.npz", X=np.full((4, 2), k, dtype=np.float32), y=np.arange(4) + 4 * k)
    >>> ds = bp.data.ShardedDataset(folder, shuffle_buffer=6, seed=0)
    >>> len(ds), ds.feature_shape
    (12, (2,))
    >>> sorted(int(i) for _, yb in bp.data.DataLoader(ds, batch_size=5, shuffle=True) for i in yb.tolist())
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    >>> shutil.rmtree(folder)
    """

    def __init__(self, path, *, target_file=None, shuffle_buffer=65_536, seed=None):
        self.path = Path(path)
        self.target_file = None if target_file is None else Path(target_file)
        self.shuffle_buffer = _positive_int(shuffle_buffer, "shuffle_buffer")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise ValueError(f"ShardedDataset: seed must be an integer or None, got {seed!r}")
        self.seed = seed
        self.epoch = 0
        self._shards = _shards_of(self.path, self.target_file)
        first = self._shards[0]
        for shard in self._shards[1:]:
            for part, name in ((shard.x, "X"), (shard.y, "y")) if shard.x.member else ((shard.x, "X"),):
                expected = first.x if name == "X" else first.y
                if part.shape[1:] != expected.shape[1:]:
                    raise ValueError(f"ShardedDataset: {part.name} has {name} rows of shape {part.shape[1:]} but "
                                     f"{expected.name} has {expected.shape[1:]}")
        self.shards = [shard.x.path for shard in self._shards]
        self.feature_shape, self.target_shape = first.x.shape[1:], first.y.shape[1:]
        self.x_dtype = np.result_type(*(shard.x.dtype for shard in self._shards))
        self.y_dtype = np.result_type(*(shard.y.dtype for shard in self._shards))
        self._rows = sum(shard.rows for shard in self._shards)

    def __len__(self):
        return self._rows

    def set_epoch(self, epoch):
        """The epoch whose shuffle the next shuffled stream gives (with ``seed``), as ``DistributedSampler``."""
        self.epoch = int(epoch)

    def __iter__(self):
        """The samples ``(x, y)`` one by one, in file order (``stream_blocks`` gives them a block at a time)."""
        for x, y in self.stream_blocks():
            yield from zip(x, y)

    def stream_blocks(self, shuffle=False, generator=None):
        """One epoch's samples as blocks of rows, ``(X_rows, y_rows)`` arrays in memory, in the epoch's order.

        ``shuffle=True`` gives the epoch's shuffle (see the class's Notes), drawn from ``numpy.random.
        default_rng([seed, epoch])`` with a seed (then the epoch count moves on), else from ``generator``:
        a ``bp.Generator``, NumPy ``Generator``, int, or None for the library's generator. This is the
        protocol ``DataLoader`` uses for this data set; blocks hold at most ``shuffle_buffer // 2 + 1`` rows.
        """
        block = max(1, self.shuffle_buffer // 2)
        if not shuffle:
            stream = _RowStream(self, range(len(self._shards)))
            try:
                while len((piece := stream.read(block))[0]):
                    yield piece
            finally:
                stream.close()
            return
        if self.seed is None:
            rng = resolve_generator(generator)
        else:
            rng = np.random.default_rng([self.seed, self.epoch])
            self.epoch += 1
        yield from self._shuffled(rng, block)

    def _shuffled(self, rng, block):
        n, size = self._rows, self.shuffle_buffer
        if n <= size:  # the buffer holds the data: one permutation, RandomSampler's
            stream = _RowStream(self, range(len(self._shards)))
            try:
                x, y = stream.read(n)
            finally:
                stream.close()
            order = rng.permutation(n)
            for start in range(0, n, block):
                yield x[order[start:start + block]], y[order[start:start + block]]
            return
        stream = _RowStream(self, rng.permutation(len(self._shards)))
        try:
            x, y = stream.read(size)
            while True:
                slots = rng.permutation(size)[:block]
                out = x[slots], y[slots]
                new_x, new_y = stream.read(block)
                x[slots[:len(new_x)]], y[slots[:len(new_x)]] = new_x, new_y
                yield out
                if len(new_x) < block:  # the stream has ended: the rest of the buffer, in a random order
                    live = np.ones(size, dtype=bool)
                    live[slots[len(new_x):]] = False
                    rest = np.flatnonzero(live)[rng.permutation(int(live.sum()))]
                    for start in range(0, len(rest), block):
                        yield x[rest[start:start + block]], y[rest[start:start + block]]
                    return
        finally:
            stream.close()

    def unique_targets(self):
        """The sorted distinct targets, as ``np.unique(y)`` (a classifier's classes), reading only the targets, one
        piece of ``shuffle_buffer`` rows at a time."""
        pieces = []
        for shard in self._shards:
            targets = (_LoadedRows if shard.y.member else _MappedRows)(shard.y)
            try:
                for start in range(shard.y_start, shard.y_start + shard.rows, self.shuffle_buffer):
                    pieces.append(np.unique(targets.read(start, min(start + self.shuffle_buffer,
                                                                    shard.y_start + shard.rows))))
            finally:
                targets.close()
        return np.unique(np.concatenate(pieces)) if pieces else self._empty()[1]

    def _empty(self):
        return (np.empty((0, *self.feature_shape), self.x_dtype), np.empty((0, *self.target_shape), self.y_dtype))

    def __repr__(self):
        return (f"ShardedDataset({str(self.path)!r}, shards={len(self._shards)}, rows={self._rows}, "
                f"feature_shape={self.feature_shape}, shuffle_buffer={self.shuffle_buffer})")


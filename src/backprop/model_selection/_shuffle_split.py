"""Random train/test splits: ``ShuffleSplit``, ``StratifiedShuffleSplit`` and ``train_test_split``.

With an int ``random_state`` the rows are scikit-learn's for that seed (the same draws from
``np.random.RandomState(seed)``); None and a ``numpy.random.Generator`` draw from backprop's own stream.
"""
import math
import numbers

import numpy as np

from ..utils.validation import _as_numpy, _num_samples, check_consistent_length
from ._split import _safe_indexing, _split_random_state


def _is_fraction(size):
    return isinstance(size, numbers.Real) and not isinstance(size, numbers.Integral)


def _split_sizes(n_samples, test_size, train_size, default_test_size=0.25):
    """(n_train, n_test) with scikit-learn's conventions: a float is a fraction, an int a count."""
    if test_size is None and train_size is None:
        test_size = default_test_size
    for name, size in (("test_size", test_size), ("train_size", train_size)):
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, numbers.Real):
            raise ValueError(f"Invalid value for {name}: {size!r}")
        if not (0 < size < 1 if _is_fraction(size) else 0 < size < n_samples):
            raise ValueError(f"{name}={size} should be either positive and smaller than the number of samples "
                             f"{n_samples} or a float in the (0, 1) range")
    if _is_fraction(test_size) and _is_fraction(train_size) and test_size + train_size > 1:
        raise ValueError(f"The sum of test_size and train_size = {test_size + train_size}, should be in the (0, 1) "
                         "range. Reduce test_size and/or train_size.")
    n_test = math.ceil(test_size * n_samples) if _is_fraction(test_size) else test_size
    n_train = math.floor(train_size * n_samples) if _is_fraction(train_size) else train_size
    if train_size is None:
        n_train = n_samples - n_test
    elif test_size is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(f"The sum of train_size and test_size = {n_train + n_test}, should be smaller than the "
                         f"number of samples {n_samples}. Reduce test_size and/or train_size.")
    if n_train == 0:
        raise ValueError(f"With n_samples={n_samples}, test_size={test_size} and train_size={train_size}, the "
                         "resulting train set will be empty. Adjust any of the aforementioned parameters.")
    return int(n_train), int(n_test)


def _approximate_mode(class_counts, n_draws, rng):
    """How many of ``n_draws`` to take from each class so the shares match the counts (ties drawn at random)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous).astype(int)
    need = n_draws - floored.sum()
    remainder = continuous - floored
    for value in np.sort(np.unique(remainder))[::-1]:
        if need <= 0:
            break
        candidates = np.flatnonzero(remainder == value)
        chosen = rng.choice(candidates, size=min(len(candidates), need), replace=False)
        floored[chosen] += 1
        need -= len(chosen)
    return floored


class _BaseShuffleSplit:
    """``n_splits`` independent random (train, test) splits; indices come in random order, as scikit-learn's."""

    _default_test_size = 0.1

    def __init__(self, n_splits=10, *, test_size=None, train_size=None, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool) or n_splits < 1:
            raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
        self.n_splits, self.test_size, self.train_size = int(n_splits), test_size, train_size
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of splits, ``n_splits``."""
        return self.n_splits

    def split(self, X, y=None, groups=None):
        """Yield ``(train_index, test_index)`` ``n_splits`` times (an int seed repeats them on every call)."""
        check_consistent_length(X, y)
        n_train, n_test = _split_sizes(_num_samples(X), self.test_size, self.train_size, self._default_test_size)
        yield from self._iter_indices(_num_samples(X), y, n_train, n_test, _split_random_state(self.random_state))

    def __repr__(self):
        params = ("n_splits", "random_state", "test_size", "train_size")
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in params)})"


class ShuffleSplit(_BaseShuffleSplit):
    """Random permutation cross-validator: each split is a fresh permutation cut into test and train rows.

    Parameters
    ----------
    n_splits : int, default=10
    test_size : float or int, optional
        A fraction (n_test = ⌈test_size·n⌉) or a count; default the complement of ``train_size``, or 0.1.
    train_size : float or int, optional
        A fraction (n_train = ⌊train_size·n⌋) or a count; default the complement of the test size.
    random_state : None, int or numpy.random.Generator, default=None
        An int gives scikit-learn's splits for that seed.

    Examples
    --------
    >>> [(len(train), len(test)) for train, test in ShuffleSplit(2, test_size=0.25).split(np.zeros((10, 1)))]
    [(7, 3), (7, 3)]
    """

    def _iter_indices(self, n_samples, y, n_train, n_test, rng):
        for _ in range(self.n_splits):
            permutation = rng.permutation(n_samples)
            yield permutation[n_test: n_test + n_train], permutation[:n_test]


class StratifiedShuffleSplit(_BaseShuffleSplit):
    """Random splits that keep each class's share in both the train and the test rows.

    Parameters as :class:`ShuffleSplit`; ``split`` needs ``y`` (the class labels; a 2-D y is stratified on
    its rows' combinations).
    """

    def split(self, X, y, groups=None):
        """Yield ``(train_index, test_index)`` ``n_splits`` times; ``y`` is required."""
        if y is None:
            raise ValueError("StratifiedShuffleSplit needs the class labels y to stratify on.")
        return super().split(X, y, groups)

    def _iter_indices(self, n_samples, y, n_train, n_test, rng):
        y = _as_numpy(y)
        if y.ndim == 2:  # several label columns: stratify on their combinations
            y = np.array([" ".join(row) for row in y.astype(str)])
        classes, y_indices = np.unique(y, return_inverse=True)
        counts = np.bincount(y_indices.reshape(-1))
        if counts.min() < 2:
            raise ValueError("The least populated class in y has only 1 member, which is too few. The minimum "
                             "number of groups for any class cannot be less than 2.")
        for name, size in (("train_size", n_train), ("test_size", n_test)):
            if size < len(classes):
                raise ValueError(f"The {name} = {size} should be greater or equal to the number of classes = "
                                 f"{len(classes)}")
        class_indices = np.split(np.argsort(y_indices.reshape(-1), kind="mergesort"), np.cumsum(counts)[:-1])
        for _ in range(self.n_splits):
            n_i = _approximate_mode(counts, n_train, rng)
            t_i = _approximate_mode(counts - n_i, n_test, rng)
            train, test = [], []
            for members, n, t in zip(class_indices, n_i, t_i):
                members = members[rng.permutation(len(members))]
                train.extend(members[:n])
                test.extend(members[n: n + t])
            yield rng.permutation(train), rng.permutation(test)


def train_test_split(*arrays, test_size=None, train_size=None, random_state=None, shuffle=True, stratify=None):
    """Split arrays (same number of rows) into random train and test subsets.

    Parameters
    ----------
    *arrays : array-likes with the same first dimension
        Lists, NumPy arrays, Tensors, pandas objects.
    test_size : float or int, optional
        A fraction in (0, 1) (n_test = ⌈test_size·n⌉) or a count. Default: the complement of
        ``train_size``, or 0.25 if both are None.
    train_size : float or int, optional
        A fraction (n_train = ⌊train_size·n⌋) or a count. Default: the complement of the test size.
    random_state : None, int or numpy.random.Generator, default=None
        An int gives the rows scikit-learn picks for that seed (with or without ``stratify``).
    shuffle : bool, default=True
        False keeps the order: the first n_train rows train, the next n_test test.
    stratify : array-like, optional
        Class labels whose proportions both subsets keep (needs ``shuffle=True``).

    Returns
    -------
    list
        ``[a_train, a_test, b_train, b_test, ...]``, two entries per input, each of the input's type.

    Examples
    --------
    >>> X_train, X_test, y_train, y_test = train_test_split(np.arange(10).reshape(5, 2), [0, 1, 2, 3, 4],
    ...                                                     shuffle=False)
    >>> y_train, y_test
    ([0, 1, 2], [3, 4])
    """
    if not arrays:
        raise ValueError("At least one array required as input")
    check_consistent_length(*arrays)
    n_samples = _num_samples(arrays[0])
    n_train, n_test = _split_sizes(n_samples, test_size, train_size)
    if not shuffle:
        if stratify is not None:
            raise ValueError("Stratified train/test split is not implemented for shuffle=False")
        train, test = np.arange(n_train), np.arange(n_train, n_train + n_test)
    else:
        check_consistent_length(arrays[0], stratify)
        splitter = (ShuffleSplit if stratify is None else StratifiedShuffleSplit)(
            test_size=n_test, train_size=n_train, random_state=random_state)
        train, test = next(splitter.split(arrays[0], stratify))
    return [part for a in arrays for part in (_safe_indexing(a, train), _safe_indexing(a, test))]

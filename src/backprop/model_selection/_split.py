"""Splitting data for validation: ``train_test_split``, ``KFold``, ``StratifiedKFold``, ``LeaveOneOut``.

Sizes, orders and error messages follow scikit-learn. Randomness comes from ``random_state`` (None, an int
or a ``numpy.random.Generator``; None draws from the generator ``bp.manual_seed`` seeds). An int seed gives
repeatable splits, but not the rows scikit-learn picks with the same seed: we draw from NumPy's
``Generator``, scikit-learn from the legacy ``RandomState``.
"""
import math
import numbers
import warnings

import numpy as np

from ..utils.multiclass import type_of_target
from ..utils.random import check_random_state
from ..utils.validation import _as_numpy, _num_samples, check_consistent_length, column_or_1d


class _Splitter:
    """Base of the cross-validators: ``split`` yields (train, test) index arrays, both in increasing order."""

    def split(self, X, y=None, groups=None):
        """Yield ``(train_index, test_index)`` for each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
            Needed by stratified splitters.
        groups : ignored
            Present for scikit-learn compatibility.
        """
        check_consistent_length(X, y)
        indices = np.arange(_num_samples(X))
        for test_mask in self._test_masks(len(indices), y):
            yield indices[~test_mask], indices[test_mask]

    def __repr__(self):
        params = sorted(k for k in vars(self) if not k.startswith("_"))
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in params)})"


class _BaseKFold(_Splitter):
    def __init__(self, n_splits=5, *, shuffle=False, random_state=None):
        if not isinstance(n_splits, numbers.Integral) or isinstance(n_splits, bool):
            raise ValueError(f"The number of folds must be of Integral type. {n_splits!r} of type "
                             f"{type(n_splits)} was passed.")
        if n_splits <= 1:
            raise ValueError("k-fold cross-validation requires at least one train/test split by setting "
                             f"n_splits=2 or more, got n_splits={n_splits}.")
        if not isinstance(shuffle, bool):
            raise TypeError(f"shuffle must be True or False; got {shuffle!r}")
        if not shuffle and random_state is not None:
            raise ValueError("Setting a random_state has no effect since shuffle is False. You should leave "
                             "random_state to its default (None), or set shuffle=True.")
        self.n_splits, self.shuffle, self.random_state = int(n_splits), shuffle, random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of folds, ``n_splits``."""
        return self.n_splits

    def _check_n_samples(self, n_samples):
        if self.n_splits > n_samples:
            raise ValueError(f"Cannot have number of splits n_splits={self.n_splits} greater than the number of "
                             f"samples: n_samples={n_samples}.")


class KFold(_BaseKFold):
    """K consecutive folds; each is the test set once while the other k − 1 train.

    The first ``n_samples % n_splits`` folds have one sample more than the others.

    Parameters
    ----------
    n_splits : int, default=5
        At least 2.
    shuffle : bool, default=False
        Shuffle the samples once before cutting them into folds.
    random_state : None, int or numpy.random.Generator, default=None
        Used only when ``shuffle``; an int gives the same folds on every call to ``split``.

    Examples
    --------
    >>> [test.tolist() for _, test in KFold(3).split(np.zeros((7, 1)))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def _test_masks(self, n_samples, y):
        self._check_n_samples(n_samples)
        order = np.arange(n_samples)
        if self.shuffle:
            order = check_random_state(self.random_state).permutation(n_samples)
        sizes = np.full(self.n_splits, n_samples // self.n_splits)
        sizes[: n_samples % self.n_splits] += 1
        for stop, size in zip(np.cumsum(sizes), sizes):
            mask = np.zeros(n_samples, dtype=bool)
            mask[order[stop - size: stop]] = True
            yield mask


class StratifiedKFold(_BaseKFold):
    """K folds that keep each class's share of the samples (as far as the counts allow).

    Uses scikit-learn's allocation: the classes, in order of first appearance, are dealt out over the
    folds so each fold gets ⌊n_c/k⌋ or ⌈n_c/k⌉ samples of class c; without shuffling the folds are the
    same as scikit-learn's.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=False
        Shuffle each class's samples before dealing them out.
    random_state : None, int or numpy.random.Generator, default=None
    """

    def split(self, X, y, groups=None):
        """Yield ``(train_index, test_index)`` for each fold; ``y`` (class labels) is required."""
        if y is None:
            raise ValueError("StratifiedKFold needs the class labels y to stratify on.")
        return super().split(X, y, groups)

    def _test_masks(self, n_samples, y):
        self._check_n_samples(n_samples)
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise ValueError(f"Supported target types are: ('binary', 'multiclass'). Got {kind!r} instead.")
        y = column_or_1d(y)
        # classes numbered by first appearance, as scikit-learn, so unshuffled folds match its folds
        _, first, inverse = np.unique(y, return_index=True, return_inverse=True)
        _, class_rank = np.unique(first, return_inverse=True)
        y_encoded = class_rank[inverse.reshape(-1)]
        counts = np.bincount(y_encoded)
        if np.all(self.n_splits > counts):
            raise ValueError(f"n_splits={self.n_splits} cannot be greater than the number of members in each class.")
        if self.n_splits > counts.min():
            warnings.warn(f"The least populated class in y has only {counts.min()} members, which is less than "
                          f"n_splits={self.n_splits}.", UserWarning, stacklevel=2)
        # deal the sorted labels round-robin over the folds: fold i gets y_sorted[i::k]
        y_sorted = np.sort(y_encoded)
        allocation = np.array([np.bincount(y_sorted[i:: self.n_splits], minlength=len(counts))
                               for i in range(self.n_splits)])
        rng = check_random_state(self.random_state) if self.shuffle else None
        test_folds = np.empty(n_samples, dtype=int)
        for k in range(len(counts)):
            folds = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(folds)
            test_folds[y_encoded == k] = folds
        for i in range(self.n_splits):
            yield test_folds == i


class LeaveOneOut(_Splitter):
    """n folds of one sample each: train on all observations but one, test on that one.

    Examples
    --------
    >>> [(train.tolist(), test.tolist()) for train, test in LeaveOneOut().split([[6], [6], [10]])]
    [([1, 2], [0]), ([0, 2], [1]), ([0, 1], [2])]
    """

    def get_n_splits(self, X=None, y=None, groups=None):
        """The number of samples in X."""
        if X is None:
            raise ValueError("The 'X' parameter should not be None.")
        return _num_samples(X)

    def _test_masks(self, n_samples, y):
        if n_samples <= 1:
            raise ValueError(f"Cannot perform LeaveOneOut with n_samples={n_samples}.")
        for i in range(n_samples):
            mask = np.zeros(n_samples, dtype=bool)
            mask[i] = True
            yield mask


class _CVIterableWrapper(_Splitter):
    """A list of (train, test) index pairs used as a cross-validator."""

    def __init__(self, cv):
        self.cv = [(np.asarray(train), np.asarray(test)) for train, test in cv]

    def get_n_splits(self, X=None, y=None, groups=None):
        return len(self.cv)

    def split(self, X=None, y=None, groups=None):
        yield from self.cv


def check_cv(cv=5, y=None, *, classifier=False):
    """The cross-validator ``cv`` stands for.

    Parameters
    ----------
    cv : int, cross-validator, iterable of (train, test) or None, default=5
        An int k (None means 5) gives ``StratifiedKFold(k)`` for a classifier with a binary or multiclass y,
        else ``KFold(k)``. An object with a ``split`` method (ours or scikit-learn's) is used as it is.
    y : array-like, optional
    classifier : bool, default=False
    """
    cv = 5 if cv is None else cv
    if isinstance(cv, numbers.Integral) and not isinstance(cv, bool):
        if classifier and y is not None and type_of_target(y) in ("binary", "multiclass"):
            return StratifiedKFold(cv)
        return KFold(cv)
    if isinstance(cv, str) or not hasattr(cv, "split") and not hasattr(cv, "__iter__"):
        raise ValueError("Expected cv as an integer, cross-validation object (with a split method) or an "
                         f"iterable of (train, test) index pairs. Got {cv!r}.")
    return cv if hasattr(cv, "split") else _CVIterableWrapper(cv)


def _safe_indexing(data, indices):
    """The rows ``indices`` of an array, Tensor, DataFrame/Series (by position) or list."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if hasattr(data, "shape"):
        return data[indices]
    return [data[i] for i in indices]


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


def _stratified_indices(y, n_train, n_test, rng):
    """Train and test indices holding each class in proportion (scikit-learn's StratifiedShuffleSplit)."""
    y = _as_numpy(y)
    if y.ndim == 2:  # several label columns: stratify on their combinations
        y = np.array([" ".join(row) for row in y.astype(str)])
    classes, y_indices = np.unique(y, return_inverse=True)
    counts = np.bincount(y_indices.reshape(-1))
    if counts.min() < 2:
        raise ValueError("The least populated class in y has only 1 member, which is too few. The minimum number "
                         "of groups for any class cannot be less than 2.")
    for name, size in (("train_size", n_train), ("test_size", n_test)):
        if size < len(classes):
            raise ValueError(f"The {name} = {size} should be greater or equal to the number of classes = "
                             f"{len(classes)}")
    class_indices = np.split(np.argsort(y_indices.reshape(-1), kind="mergesort"), np.cumsum(counts)[:-1])
    n_i = _approximate_mode(counts, n_train, rng)
    t_i = _approximate_mode(counts - n_i, n_test, rng)
    train, test = [], []
    for members, n, t in zip(class_indices, n_i, t_i):
        members = members[rng.permutation(len(members))]
        train.extend(members[:n])
        test.extend(members[n: n + t])
    return rng.permutation(train), rng.permutation(test)


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
        An int gives the same split every time (not the rows scikit-learn picks for that int).
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
    elif stratify is not None:
        check_consistent_length(arrays[0], stratify)
        train, test = _stratified_indices(stratify, n_train, n_test, check_random_state(random_state))
    else:
        permutation = check_random_state(random_state).permutation(n_samples)
        test, train = permutation[:n_test], permutation[n_test: n_test + n_train]
    return [part for a in arrays for part in (_safe_indexing(a, train), _safe_indexing(a, test))]

"""Splitting data for validation: ``KFold``, ``StratifiedKFold``, ``GroupKFold``, ``LeaveOneOut``.

Sizes, orders and error messages follow scikit-learn. Randomness comes from ``random_state``: an int draws
from ``np.random.RandomState(seed)`` exactly as scikit-learn does, so the folds are scikit-learn's for the
same seed; None draws from the generator ``bp.manual_seed`` seeds, and a ``numpy.random.Generator`` is used
as it is (a legacy ``RandomState`` instance too, as scikit-learn uses it).
"""
import numbers
import warnings

import numpy as np

from ..utils.multiclass import type_of_target
from ..utils.random import check_random_state
from ..utils.validation import _num_samples, check_consistent_length, column_or_1d


def _split_random_state(random_state):
    """The source of a split's randomness: ``RandomState(seed)`` for an int (scikit-learn's draws), else ours."""
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    if isinstance(random_state, np.random.RandomState):
        return random_state
    return check_random_state(random_state)


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
        Used only when ``shuffle``; an int gives scikit-learn's folds for that seed, the same on every call
        to ``split``.

    Examples
    --------
    >>> [test.tolist() for _, test in KFold(3).split(np.zeros((7, 1)))]
    [[0, 1, 2], [3, 4], [5, 6]]
    """

    def _test_masks(self, n_samples, y):
        self._check_n_samples(n_samples)
        order = np.arange(n_samples)
        if self.shuffle:
            order = _split_random_state(self.random_state).permutation(n_samples)
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
        An int gives scikit-learn's folds for that seed.
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
        rng = _split_random_state(self.random_state) if self.shuffle else None
        test_folds = np.empty(n_samples, dtype=int)
        for k in range(len(counts)):
            folds = np.repeat(np.arange(self.n_splits), allocation[:, k])
            if rng is not None:
                rng.shuffle(folds)
            test_folds[y_encoded == k] = folds
        for i in range(self.n_splits):
            yield test_folds == i


class GroupKFold(_BaseKFold):
    """K folds in which no group is split between training and test rows.

    Without shuffling, the groups go, largest first, to the fold with the fewest samples so far
    (scikit-learn's balancing); with ``shuffle`` the shuffled groups are cut into k near-equal runs.

    Parameters
    ----------
    n_splits : int, default=5
        At least 2, at most the number of groups.
    shuffle : bool, default=False
    random_state : None, int or numpy.random.Generator, default=None
        Used only when ``shuffle``; an int gives scikit-learn's folds for that seed.

    Examples
    --------
    >>> groups = ["a", "a", "b", "c", "c", "c"]
    >>> [test.tolist() for _, test in GroupKFold(2).split(np.zeros((6, 1)), groups=groups)]
    [[3, 4, 5], [0, 1, 2]]
    """

    def split(self, X, y=None, groups=None):
        """Yield ``(train_index, test_index)`` for each fold; ``groups`` (one label per row) is required."""
        if groups is None:
            raise ValueError("The 'groups' parameter should not be None.")
        check_consistent_length(X, groups)
        groups = column_or_1d(groups, input_name="groups")
        indices = np.arange(len(groups))
        for test_mask in self._group_masks(groups):
            yield indices[~test_mask], indices[test_mask]

    def _group_masks(self, groups):
        unique_groups, group_index = np.unique(groups, return_inverse=True)
        if self.n_splits > len(unique_groups):
            raise ValueError(f"Cannot have number of splits n_splits={self.n_splits} greater than the number of "
                             f"groups: {len(unique_groups)}.")
        if self.shuffle:
            shuffled = _split_random_state(self.random_state).permutation(unique_groups)
            for test_groups in np.array_split(shuffled, self.n_splits):
                yield np.isin(groups, test_groups)
            return
        sizes = np.bincount(group_index)
        largest_first = np.argsort(sizes, kind="stable")[::-1]
        fold_sizes = np.zeros(self.n_splits)
        group_fold = np.zeros(len(unique_groups), dtype=int)
        for g in largest_first:
            lightest = int(np.argmin(fold_sizes))
            fold_sizes[lightest] += sizes[g]
            group_fold[g] = lightest
        for f in range(self.n_splits):
            yield group_fold[group_index] == f


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


def _indexable(data):
    """``data`` in a form rows can be taken from: sparse matrices as CSR, bare ``__array__`` objects as arrays."""
    if data is None or hasattr(data, "iloc"):
        return data
    if hasattr(data, "tocsr") and getattr(data, "format", "csr") not in ("csr", "csc"):
        return data.tocsr()
    if not hasattr(data, "shape") and not hasattr(data, "__len__") and hasattr(data, "__array__"):
        return np.asarray(data)
    return data


def _safe_indexing(data, indices):
    """The rows ``indices`` of an array, Tensor, DataFrame/Series (by position) or list."""
    if data is None:
        return None
    if hasattr(data, "iloc"):
        return data.iloc[indices]
    if hasattr(data, "shape"):
        return data[indices]
    return [data[i] for i in indices]

"""With an int random_state the shuffled splitters give scikit-learn's indices; None and Generators our own."""
import numpy as np
import pytest

import backprop as bp
from backprop.model_selection import (GroupKFold, KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit,
                                      train_test_split)

skms = pytest.importorskip("sklearn.model_selection")

SEEDS_AND_SIZES = [(0, 13), (1, 16), (42, 23), (123, 50), (2**31 - 1, 31)]


def assert_same_splits(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (a_train, a_test), (b_train, b_test) in zip(ours, theirs):
        np.testing.assert_array_equal(a_train, b_train)
        np.testing.assert_array_equal(a_test, b_test)


@pytest.mark.parametrize("seed, n", SEEDS_AND_SIZES)
def test_shuffled_splitters_give_sklearn_indices(seed, n):
    X, y = np.zeros((n, 2)), np.arange(n) % 3
    pairs = [(KFold(3, shuffle=True, random_state=seed), skms.KFold(3, shuffle=True, random_state=seed)),
             (StratifiedKFold(2, shuffle=True, random_state=seed),
              skms.StratifiedKFold(2, shuffle=True, random_state=seed)),
             (ShuffleSplit(4, test_size=0.3, random_state=seed),
              skms.ShuffleSplit(4, test_size=0.3, random_state=seed)),
             (ShuffleSplit(3, train_size=5, random_state=seed), skms.ShuffleSplit(3, train_size=5, random_state=seed)),
             (StratifiedShuffleSplit(4, test_size=0.3, random_state=seed),
              skms.StratifiedShuffleSplit(4, test_size=0.3, random_state=seed)),
             (StratifiedShuffleSplit(2, test_size=5, train_size=0.5, random_state=seed),
              skms.StratifiedShuffleSplit(2, test_size=5, train_size=0.5, random_state=seed))]
    for ours, theirs in pairs:
        assert_same_splits(ours.split(X, y), theirs.split(X, y))
        assert_same_splits(ours.split(X, y), ours.split(X, y))  # an int seed repeats on every call
        assert ours.get_n_splits() == theirs.get_n_splits()


@pytest.mark.parametrize("seed, n", SEEDS_AND_SIZES)
@pytest.mark.parametrize("stratified", [False, True])
def test_train_test_split_gives_sklearn_rows(seed, n, stratified):
    X, y = np.arange(2 * n).reshape(n, 2), np.arange(n) % 3
    stratify = y if stratified else None
    for kwargs in [{}, {"test_size": 0.4}, {"test_size": 5, "train_size": 0.5}]:
        ours = train_test_split(X, y, random_state=seed, stratify=stratify, **kwargs)
        theirs = skms.train_test_split(X, y, random_state=seed, stratify=stratify, **kwargs)
        for a, b in zip(ours, theirs):
            np.testing.assert_array_equal(a, b)


def test_random_state_instance_is_used_as_sklearn_uses_it():
    X = np.zeros((20, 1))
    assert_same_splits(ShuffleSplit(3, random_state=np.random.RandomState(4)).split(X),
                       skms.ShuffleSplit(3, random_state=np.random.RandomState(4)).split(X))


def test_none_and_generators_keep_our_stream():
    X = np.zeros((30, 1))
    bp.manual_seed(3)
    first = list(ShuffleSplit(2).split(X))
    bp.manual_seed(3)
    assert_same_splits(first, ShuffleSplit(2).split(X))
    ours = list(ShuffleSplit(2, random_state=np.random.default_rng(0)).split(X))
    assert_same_splits(ours, ShuffleSplit(2, random_state=np.random.default_rng(0)).split(X))
    a_train, _ = train_test_split(np.arange(30), random_state=np.random.default_rng(0))
    b_train, _ = skms.train_test_split(np.arange(30), random_state=0)
    assert not np.array_equal(a_train, b_train)  # a Generator is not read as the seed 0


def test_shuffle_split_sizes_repr_and_errors():
    X = np.zeros((10, 1))
    assert [(len(a), len(b)) for a, b in ShuffleSplit(2, random_state=0).split(X)] == [(9, 1), (9, 1)]
    assert repr(ShuffleSplit(3)) == repr(skms.ShuffleSplit(3))
    assert repr(StratifiedShuffleSplit(3, test_size=0.2)).startswith("StratifiedShuffleSplit(n_splits=3, ")
    with pytest.raises(ValueError, match="y to stratify"):
        next(StratifiedShuffleSplit().split(X, None))
    with pytest.raises(ValueError, match="only 1 member"):
        next(StratifiedShuffleSplit(test_size=0.5).split(X, [0] * 9 + [1]))
    with pytest.raises(ValueError, match="test_size=2.0"):
        next(ShuffleSplit(test_size=2.0).split(X))


@pytest.mark.parametrize("shuffle, seed", [(False, None), (True, 0), (True, 7)])
def test_group_kfold_matches_sklearn(shuffle, seed):
    groups = np.array([0, 0, 1, 2, 2, 2, 3, 4, 4, 5, 5, 5, 5, 6, 7, 7])
    X = np.zeros((len(groups), 1))
    ours = GroupKFold(3, shuffle=shuffle, random_state=seed).split(X, groups=groups)
    assert_same_splits(ours, skms.GroupKFold(3, shuffle=shuffle, random_state=seed).split(X, groups=groups))
    for train, test in GroupKFold(3).split(X, groups=groups):
        assert not set(groups[train]) & set(groups[test])


def test_group_kfold_errors():
    with pytest.raises(ValueError, match="'groups' parameter should not be None"):
        next(GroupKFold(2).split(np.zeros((4, 1))))
    with pytest.raises(ValueError, match="n_splits=3 greater than the number of groups: 2"):
        next(GroupKFold(3).split(np.zeros((4, 1)), groups=[0, 0, 1, 1]))

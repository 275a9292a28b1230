import math

import numpy as np
import pytest

import backprop as bp
from backprop.model_selection import KFold, LeaveOneOut, StratifiedKFold, check_cv, train_test_split

skms = pytest.importorskip("sklearn.model_selection")


def assert_partition(splits, n_samples):
    """Every test set is disjoint from its train set, they cover all rows, and the test sets partition them."""
    tests = []
    for train, test in splits:
        assert len(np.intersect1d(train, test)) == 0
        np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(n_samples))
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)
        tests.append(test)
    np.testing.assert_array_equal(np.sort(np.concatenate(tests)), np.arange(n_samples))


def assert_same_splits(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for (a_train, a_test), (b_train, b_test) in zip(ours, theirs):
        np.testing.assert_array_equal(a_train, b_train)
        np.testing.assert_array_equal(a_test, b_test)


@pytest.mark.parametrize("n_samples, n_splits", [(10, 5), (11, 3), (7, 7), (23, 4), (5, 2)])
def test_kfold_matches_sklearn_without_shuffle(n_samples, n_splits):
    X = np.zeros((n_samples, 2))
    assert_same_splits(KFold(n_splits).split(X), skms.KFold(n_splits).split(X))
    assert KFold(n_splits).get_n_splits() == n_splits


@pytest.mark.parametrize("n_samples, n_splits", [(10, 5), (11, 3), (23, 4)])
def test_kfold_shuffled_partitions_with_sklearn_fold_sizes(n_samples, n_splits):
    X = list(range(n_samples))
    splits = list(KFold(n_splits, shuffle=True, random_state=0).split(X))
    assert_partition(splits, n_samples)
    theirs = skms.KFold(n_splits, shuffle=True, random_state=0).split(X)
    assert [len(test) for _, test in splits] == [len(test) for _, test in theirs]
    # an int seed repeats; a Generator moves on
    assert_same_splits(splits, KFold(n_splits, shuffle=True, random_state=0).split(X))
    generator = np.random.default_rng(0)
    cv = KFold(n_splits, shuffle=True, random_state=generator)
    first, second = list(cv.split(X)), list(cv.split(X))
    assert any(not np.array_equal(a[1], b[1]) for a, b in zip(first, second))


def test_kfold_none_follows_manual_seed():
    X = np.zeros((20, 1))
    bp.manual_seed(5)
    first = [test for _, test in KFold(4, shuffle=True).split(X)]
    bp.manual_seed(5)
    assert_same_splits(zip(first, first), ((t, t) for _, t in KFold(4, shuffle=True).split(X)))


def test_kfold_errors():
    with pytest.raises(ValueError, match="requires at least one train/test split by setting n_splits=2 or more, got "
                                         "n_splits=1"):
        KFold(1)
    with pytest.raises(ValueError, match="The number of folds must be of Integral type"):
        KFold(2.0)
    with pytest.raises(ValueError, match="Setting a random_state has no effect since shuffle is False"):
        KFold(3, random_state=0)
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        KFold(3, shuffle=1)
    with pytest.raises(ValueError, match="Cannot have number of splits n_splits=5 greater than the number of "
                                         "samples: n_samples=3"):
        list(KFold().split(np.zeros((3, 1))))


def test_splitter_repr_like_sklearn():
    for ours, theirs in [(KFold(3), skms.KFold(3)), (StratifiedKFold(shuffle=True, random_state=2),
                                                      skms.StratifiedKFold(shuffle=True, random_state=2)),
                         (LeaveOneOut(), skms.LeaveOneOut())]:
        assert repr(ours) == repr(theirs)


STRATIFY_TARGETS = [
    np.array([0] * 10 + [1] * 5 + [2] * 7),
    np.array(list("bbbaaaccbaabcbbacab")),
    np.array([1, 0] * 9 + [2, 2, 2, 2, 2]),
    np.array([3, 3, 1, 1, 1, 1, 3, 3, 1, 1, 1, 3]),
]


@pytest.mark.parametrize("y", STRATIFY_TARGETS, ids=range(len(STRATIFY_TARGETS)))
@pytest.mark.parametrize("n_splits", [2, 3, 4])
def test_stratified_kfold_matches_sklearn_without_shuffle(y, n_splits):
    X = np.zeros((len(y), 1))
    assert_same_splits(StratifiedKFold(n_splits).split(X, y), skms.StratifiedKFold(n_splits).split(X, y))


@pytest.mark.parametrize("y", STRATIFY_TARGETS, ids=range(len(STRATIFY_TARGETS)))
def test_stratified_kfold_shuffled_keeps_class_proportions(y):
    X = np.zeros((len(y), 1))
    splits = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    assert_partition(splits, len(y))
    for label in np.unique(y):
        total = np.sum(y == label)
        for _, test in splits:
            assert np.sum(y[test] == label) in (total // 3, math.ceil(total / 3))


def test_stratified_kfold_errors():
    X = np.zeros((6, 1))
    with pytest.raises(ValueError, match="n_splits=4 cannot be greater than the number of members in each class"):
        list(StratifiedKFold(4).split(X, [0, 0, 0, 1, 1, 1]))
    with pytest.warns(UserWarning, match="The least populated class in y has only 2 members, which is less than "
                                         "n_splits=3"):
        list(StratifiedKFold(3).split(X, [0, 0, 0, 0, 1, 1]))
    with pytest.raises(ValueError, match="Supported target types are: \\('binary', 'multiclass'\\). Got "
                                         "'continuous' instead"):
        list(StratifiedKFold(2).split(X, np.linspace(0, 1, 6)))
    with pytest.raises(ValueError, match="needs the class labels y"):
        list(StratifiedKFold(2).split(X, None))


def test_leave_one_out():
    X = [[6], [6], [10]]
    splits = list(LeaveOneOut().split(X))
    assert len(splits) == LeaveOneOut().get_n_splits(X) == 3
    assert [(train.tolist(), test.tolist()) for train, test in splits] == [([1, 2], [0]), ([0, 2], [1]),
                                                                           ([0, 1], [2])]
    assert_same_splits(LeaveOneOut().split(np.zeros((7, 2))), skms.LeaveOneOut().split(np.zeros((7, 2))))
    with pytest.raises(ValueError, match="Cannot perform LeaveOneOut with n_samples=1"):
        list(LeaveOneOut().split([[1]]))
    with pytest.raises(ValueError, match="The 'X' parameter should not be None"):
        LeaveOneOut().get_n_splits()


def test_check_cv():
    y_classes, y_values = np.array([0, 1] * 5), np.linspace(0, 1, 10)
    assert isinstance(check_cv(3, y_classes, classifier=True), StratifiedKFold)
    assert isinstance(check_cv(3, y_values, classifier=True), KFold)
    assert isinstance(check_cv(None, y_classes), KFold) and check_cv(None).n_splits == 5
    splitter = skms.KFold(2)
    assert check_cv(splitter) is splitter
    pairs = [([0, 1], [2]), ([2], [0, 1])]
    wrapped = check_cv(pairs)
    assert wrapped.get_n_splits() == 2
    assert [(a.tolist(), b.tolist()) for a, b in wrapped.split(np.zeros(3))] == pairs
    with pytest.raises(ValueError, match="Expected cv as an integer"):
        check_cv("five")


SIZES = [(None, None), (0.25, None), (0.33, None), (None, 0.6), (0.2, 0.5), (3, None), (None, 7), (2, 5),
         (0.5, 4), (4, 0.3), (0.1, None)]


@pytest.mark.parametrize("test_size, train_size", SIZES)
@pytest.mark.parametrize("n_samples", [10, 13, 101])
def test_train_test_split_sizes_and_order_match_sklearn(test_size, train_size, n_samples):
    X = np.arange(2 * n_samples).reshape(n_samples, 2)
    y = np.arange(n_samples)
    kwargs = {"test_size": test_size, "train_size": train_size}
    ours = train_test_split(X, y, random_state=0, **kwargs)
    theirs = skms.train_test_split(X, y, random_state=0, **kwargs)
    assert [a.shape for a in ours] == [b.shape for b in theirs]
    X_train, X_test, y_train, y_test = ours
    np.testing.assert_array_equal(X_train[:, 0] // 2, y_train)
    np.testing.assert_array_equal(X_test[:, 0] // 2, y_test)
    assert len(np.intersect1d(y_train, y_test)) == 0
    for a, b in zip(train_test_split(X, y, shuffle=False, **kwargs), skms.train_test_split(X, y, shuffle=False,
                                                                                           **kwargs)):
        np.testing.assert_array_equal(a, b)


def test_train_test_split_default_is_a_quarter_rounded_up():
    train, test = train_test_split(list(range(10)), random_state=1)
    assert len(test) == math.ceil(0.25 * 10) == 3 and len(train) == 7
    assert isinstance(train, list) and sorted(train + test) == list(range(10))
    assert train_test_split(list(range(10)), random_state=1) == [train, test]


def test_train_test_split_keeps_types():
    X = bp.tensor(np.arange(12.0).reshape(6, 2))
    X_train, X_test = train_test_split(X, test_size=2, shuffle=False)
    assert isinstance(X_train, bp.Tensor) and X_train.shape == (4, 2) and X_test.shape == (2, 2)
    np.testing.assert_array_equal(X_test.numpy(), [[8.0, 9.0], [10.0, 11.0]])


@pytest.mark.parametrize("test_size", [0.25, 0.3, 7, 0.5])
def test_stratified_split_keeps_proportions_like_sklearn(test_size):
    y = np.array(["a"] * 20 + ["b"] * 12 + ["c"] * 8)
    X = np.arange(40)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=test_size, stratify=y, random_state=3)
    *_, sk_train, sk_test = skms.train_test_split(X, y, test_size=test_size, stratify=y, random_state=3)
    np.testing.assert_array_equal(y[X_train], y_train)
    assert len(np.intersect1d(X_train, X_test)) == 0
    for ours, theirs in ((y_train, sk_train), (y_test, sk_test)):
        counts = {label: np.sum(ours == label) for label in "abc"}
        expected = {label: np.sum(theirs == label) for label in "abc"}
        assert counts == expected


def test_stratified_split_proportions_are_within_one():
    y = np.array([0] * 7 + [1] * 11 + [2] * 5)
    _, y_test = train_test_split(y, test_size=0.3, stratify=y, random_state=0)
    for label in range(3):
        share = np.sum(y == label) / len(y) * len(y_test)
        assert abs(np.sum(y_test == label) - share) < 1


def test_train_test_split_errors():
    with pytest.raises(ValueError, match="At least one array required as input"):
        train_test_split()
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        train_test_split([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="test_size=1.5 should be either positive and smaller than the number of "
                                         "samples 4 or a float in the \\(0, 1\\) range"):
        train_test_split([1, 2, 3, 4], test_size=1.5)
    with pytest.raises(ValueError, match="test_size=4 should be either positive"):
        train_test_split([1, 2, 3, 4], test_size=4)
    with pytest.raises(ValueError, match="The sum of test_size and train_size = 1.2"):
        train_test_split([1, 2, 3, 4], test_size=0.6, train_size=0.6)
    with pytest.raises(ValueError, match="The sum of train_size and test_size = 5, should be smaller than the number "
                                         "of samples 4"):
        train_test_split([1, 2, 3, 4], test_size=2, train_size=3)
    with pytest.raises(ValueError, match="the resulting train set will be empty"):
        train_test_split([1, 2], test_size=0.9)
    with pytest.raises(ValueError, match="Stratified train/test split is not implemented for shuffle=False"):
        train_test_split([1, 2, 3, 4], stratify=[0, 0, 1, 1], shuffle=False)
    with pytest.raises(ValueError, match="The least populated class in y has only 1 member"):
        train_test_split([1, 2, 3, 4], stratify=[0, 0, 0, 1])
    with pytest.raises(ValueError, match="The test_size = 1 should be greater or equal to the number of classes = 2"):
        train_test_split([1, 2, 3, 4], stratify=[0, 0, 1, 1])

import warnings

import numpy as np
import pytest

import backprop as bp
from backprop import metrics
from backprop.metrics import UndefinedMetricWarning

skm = pytest.importorskip("sklearn.metrics")

PRF = ["precision_score", "recall_score", "f1_score"]


def labels_pair(seed, n_classes, n=40, labels=None):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, n_classes, size=n)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, n_classes, size=n))
    if labels is not None:
        y_true, y_pred = np.asarray(labels)[y_true], np.asarray(labels)[y_pred]
    return y_true, y_pred, rng.uniform(0.1, 3.0, size=n)


def call_both(name, *args, **kwargs):
    """Our metric and scikit-learn's on the same input, each with the warnings it gave."""
    results = []
    for module in (metrics, skm):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            value = getattr(module, name)(*args, **kwargs)
        results.append((value, sorted(str(w.message) for w in caught if w.category.__name__ ==
                                      "UndefinedMetricWarning")))
    return results


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("n_classes", [2, 4])
def test_accuracy_agrees_with_sklearn(seed, n_classes):
    y_true, y_pred, weights = labels_pair(seed, n_classes)
    for normalize in (True, False):
        for w in (None, weights):
            ours = metrics.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w)
            assert type(ours) is float
            assert ours == pytest.approx(skm.accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=w))
            assert metrics.zero_one_loss(y_true, y_pred, normalize=normalize, sample_weight=w) == pytest.approx(
                skm.zero_one_loss(y_true, y_pred, normalize=normalize, sample_weight=w))


@pytest.mark.parametrize("name", PRF)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("average", ["binary", "micro", "macro", "weighted", None])
def test_binary_prf_agrees_with_sklearn(name, seed, average):
    y_true, y_pred, weights = labels_pair(seed, 2)
    for w in (None, weights):
        (ours, _), (theirs, _) = call_both(name, y_true, y_pred, average=average, sample_weight=w)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
        assert (type(ours) is float) == (average is not None)


@pytest.mark.parametrize("name", PRF)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("average", ["micro", "macro", "weighted", None])
def test_multiclass_prf_agrees_with_sklearn(name, seed, average):
    y_true, y_pred, weights = labels_pair(seed, 5, labels=["ant", "bee", "cat", "dog", "eel"])
    for w in (None, weights):
        (ours, _), (theirs, _) = call_both(name, y_true, y_pred, average=average, sample_weight=w)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    for labels in (["dog", "ant"], ["cat", "ant", "zebra"]):
        (ours, _), (theirs, _) = call_both(name, y_true, y_pred, average=average, labels=labels)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_precision_recall_fscore_support_and_fbeta():
    y_true, y_pred, weights = labels_pair(4, 3)
    for beta in (0.0, 0.5, 2.0, np.inf):
        for average in (None, "macro"):
            ours = metrics.precision_recall_fscore_support(y_true, y_pred, beta=beta, average=average,
                                                           sample_weight=weights)
            theirs = skm.precision_recall_fscore_support(y_true, y_pred, beta=beta, average=average,
                                                         sample_weight=weights)
            for a, b in zip(ours, theirs):
                assert (a is None and b is None) or np.allclose(a, b, rtol=1e-12)
    assert metrics.fbeta_score(y_true, y_pred, beta=2.0, average="macro") == pytest.approx(
        skm.fbeta_score(y_true, y_pred, beta=2.0, average="macro"))
    support = metrics.precision_recall_fscore_support(y_true, y_pred)[3]
    np.testing.assert_array_equal(support, np.bincount(y_true))


def test_pos_label_with_string_labels():
    y_true = ["spam", "ham", "spam", "spam", "ham"]
    y_pred = ["spam", "spam", "ham", "spam", "ham"]
    for name in PRF:
        for pos_label in ("spam", "ham"):
            (ours, _), (theirs, _) = call_both(name, y_true, y_pred, pos_label=pos_label)
            assert ours == pytest.approx(theirs)
    assert metrics.precision_score(y_true, y_pred, pos_label="spam") == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match=r"pos_label=1 is not a valid label. It should be one of \['ham' 'spam'\]"):
        metrics.f1_score(y_true, y_pred)
    with pytest.warns(UserWarning, match="Note that pos_label \\(set to 'spam'\\) is ignored when average != "
                                         "'binary' \\(got 'macro'\\)"):
        metrics.f1_score(y_true, y_pred, pos_label="spam", average="macro")


@pytest.mark.parametrize("zero_division", ["warn", 0.0, 1.0, np.nan])
@pytest.mark.parametrize("average", ["binary", "macro", "weighted", "micro", None])
def test_zero_division_like_sklearn(zero_division, average):
    cases = [([0, 0, 1, 1], [0, 0, 0, 0]),  # nothing predicted positive: precision 0/0
             ([0, 0, 0, 0], [0, 0, 0, 0]),  # no positives at all: precision, recall and F 0/0
             ([0, 0, 0, 0], [1, 1, 0, 0])]  # no true positives: recall 0/0
    if average not in ("binary", None):
        cases.append(([0, 1, 2, 2], [0, 1, 1, 1]))  # class 2 never predicted
    for y_true, y_pred in cases:
        for name in PRF:
            (ours, our_warnings), (theirs, their_warnings) = call_both(name, y_true, y_pred, average=average,
                                                                         zero_division=zero_division)
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)
            assert our_warnings == their_warnings


def test_zero_division_warning_text():
    with pytest.warns(UndefinedMetricWarning, match="Precision is ill-defined and being set to 0.0 due to no "
                                                    "predicted samples. Use `zero_division` parameter"):
        assert metrics.precision_score([0, 1], [0, 0]) == 0.0
    with pytest.warns(UndefinedMetricWarning, match="Recall is ill-defined and being set to 0.0 in labels with "
                                                    "no true samples"):
        metrics.recall_score([0, 0], [0, 1], average=None, labels=[0, 1, 2])
    with pytest.raises(ValueError, match="zero_division must be 'warn', 0.0, 1.0 or np.nan"):
        metrics.f1_score([0, 1], [0, 1], zero_division=0.5)


@pytest.mark.parametrize("seed", range(2))
def test_confusion_matrix_agrees_with_sklearn(seed):
    y_true, y_pred, weights = labels_pair(seed, 4, labels=["a", "b", "c", "d"])
    for kwargs in ({}, {"labels": ["d", "a", "c"]}, {"labels": ["b", "a", "x", "c", "d"]},
                   {"sample_weight": weights}, {"sample_weight": np.arange(40)}):
        for normalize in (None, "true", "pred", "all"):
            ours = metrics.confusion_matrix(y_true, y_pred, normalize=normalize, **kwargs)
            theirs = skm.confusion_matrix(y_true, y_pred, normalize=normalize, **kwargs)
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)
            assert ours.dtype.kind == theirs.dtype.kind


def test_confusion_matrix_literal_and_errors():
    cm = metrics.confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    np.testing.assert_array_equal(cm, [[2, 0, 0], [0, 0, 1], [1, 0, 2]])
    assert cm.dtype == np.int64
    with pytest.warns(UserWarning, match="A single label was found"):
        metrics.confusion_matrix([1, 1], [1, 1])
    with pytest.raises(ValueError, match="At least one label specified must be in y_true"):
        metrics.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="'labels' should contain at least one label"):
        metrics.confusion_matrix([0, 1], [0, 1], labels=[])
    with pytest.raises(ValueError, match="normalize must be one of"):
        metrics.confusion_matrix([0, 1], [0, 1], normalize="rows")


def test_log_loss_agrees_with_sklearn():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(30, 3))
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = rng.integers(0, 3, size=30)
    weights = rng.uniform(size=30)
    for kwargs in ({}, {"sample_weight": weights}, {"normalize": False},
                   {"normalize": False, "sample_weight": weights}):
        assert metrics.log_loss(y, proba, **kwargs) == pytest.approx(skm.log_loss(y, proba, **kwargs), rel=1e-12)
    p = 1 / (1 + np.exp(-logits[:, 0]))
    yb = np.array(["no", "yes"])[y % 2]
    assert metrics.log_loss(yb, p) == pytest.approx(skm.log_loss(yb, p), rel=1e-12)
    assert metrics.log_loss(yb, np.c_[1 - p, p]) == pytest.approx(skm.log_loss(yb, p), rel=1e-12)
    assert metrics.log_loss(bp.tensor(y), bp.tensor(proba)) == pytest.approx(skm.log_loss(y, proba), rel=1e-6)


def test_log_loss_labels_and_clipping():
    y_true, proba = [0, 0], [[0.7, 0.2, 0.1], [0.5, 0.25, 0.25]]
    assert metrics.log_loss(y_true, proba, labels=[0, 1, 2]) == pytest.approx(
        skm.log_loss(y_true, proba, labels=[0, 1, 2]))
    # a certain wrong answer costs -log(eps) rather than infinity
    assert metrics.log_loss([0, 1], [[0.0, 1.0], [1.0, 0.0]]) == pytest.approx(-np.log(np.finfo(np.float64).eps))
    assert metrics.log_loss([0, 1], [[1.0, 0.0], [0.0, 1.0]]) == skm.log_loss([0, 1], [[1.0, 0.0], [0.0, 1.0]])
    with pytest.warns(UserWarning, match="do not sum to one"):
        metrics.log_loss([0, 1], [[0.5, 0.4], [0.2, 0.8]])


def test_log_loss_literal():
    # the problem book's log loss of one observation with y = 1 and p = 0.8
    assert metrics.log_loss([1, 0], [0.8, 0.3]) == pytest.approx(-(np.log(0.8) + np.log(0.7)) / 2)


def test_log_loss_errors():
    with pytest.raises(ValueError, match=r"y_true contains only one label \(1\)"):
        metrics.log_loss([1, 1], [0.3, 0.6])
    with pytest.raises(ValueError, match="y_true and y_prob contain different number of classes: 2 vs 3"):
        metrics.log_loss([0, 1], [[0.2, 0.3, 0.5], [0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match="y_prob contains values greater than 1"):
        metrics.log_loss([0, 1], [0.2, 1.5])
    with pytest.raises(ValueError, match="y_true contains values \\{2\\} not belonging to the passed labels"):
        metrics.log_loss([0, 2], [0.2, 0.5], labels=[0, 1])


def test_inputs_as_tensors():
    y_true = bp.tensor([0.0, 1.0, 1.0, 2.0])
    y_pred = bp.tensor([0.0, 1.0, 2.0, 2.0])
    assert metrics.accuracy_score(y_true, y_pred) == 0.75
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), [[1, 0, 0], [0, 1, 1], [0, 0, 1]])


def test_target_errors():
    with pytest.raises(ValueError, match="Classification metrics can't handle a mix of binary and continuous"):
        metrics.accuracy_score([0, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match=r"Target is multiclass but average='binary'. Please choose another "
                                         r"average setting, one of \[None, 'micro', 'macro', 'weighted'\]"):
        metrics.f1_score([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="average has to be one of"):
        metrics.f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match="multilabel-indicator is not supported"):
        metrics.accuracy_score(np.eye(3, dtype=int), np.eye(3, dtype=int))
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[2, 3\]"):
        metrics.accuracy_score([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="Found empty input array"):
        metrics.accuracy_score([], [])


@pytest.mark.filterwarnings("ignore:A single label was found")
def test_prf_and_accuracy_on_arbitrary_labels_agree_with_sklearn():
    hypothesis = pytest.importorskip("hypothesis")
    st = hypothesis.strategies

    @hypothesis.settings(max_examples=60, deadline=None)
    @hypothesis.given(pairs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=12),
                      average=st.sampled_from(["micro", "macro", "weighted", None]),
                      zero_division=st.sampled_from(["warn", 0.0, 1.0]))
    def check(pairs, average, zero_division):
        y_true, y_pred = (list(column) for column in zip(*pairs))
        for name in PRF:
            (ours, our_warnings), (theirs, their_warnings) = call_both(name, y_true, y_pred, average=average,
                                                                         zero_division=zero_division)
            np.testing.assert_allclose(ours, theirs, rtol=1e-12)
            assert our_warnings == their_warnings
        assert metrics.accuracy_score(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
        np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred), skm.confusion_matrix(y_true, y_pred))

    check()

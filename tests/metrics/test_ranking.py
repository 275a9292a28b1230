"""ROC/PR curves, ROC AUC, average precision, balanced accuracy and the classification report against sklearn."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.metrics import (UndefinedMetricWarning, average_precision_score, balanced_accuracy_score,
                              classification_report, precision_recall_curve, roc_auc_score, roc_curve)

skm = pytest.importorskip("sklearn.metrics")


def binary(seed, n=40, ties=False):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    score = rng.normal(size=n) + y
    if ties:
        score = np.round(score, 0)
    return y, score, rng.uniform(0, 2, n) * (rng.uniform(size=n) > 0.1)


def multiclass(seed, n=60, k=4):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    logits = rng.normal(size=(n, k)) + np.eye(k)[y]
    return y, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)


def assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_curves_and_scores_equal_sklearn(seed, ties, weighted):
    y, score, w = binary(seed, ties=ties)
    w = w if weighted else None
    for drop in (True, False):
        assert_same(roc_curve(y, score, sample_weight=w, drop_intermediate=drop),
                    skm.roc_curve(y, score, sample_weight=w, drop_intermediate=drop))
        assert_same(precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop),
                    skm.precision_recall_curve(y, score, sample_weight=w, drop_intermediate=drop))
    assert roc_auc_score(y, score, sample_weight=w) == pytest.approx(skm.roc_auc_score(y, score, sample_weight=w),
                                                                     rel=1e-12)
    assert average_precision_score(y, score, sample_weight=w) == pytest.approx(
        skm.average_precision_score(y, score, sample_weight=w), rel=1e-12)
    assert roc_auc_score(y, score, max_fpr=0.3) == pytest.approx(skm.roc_auc_score(y, score, max_fpr=0.3), rel=1e-12)


def test_string_labels_pos_label_and_tensors():
    y, score, _ = binary(3)
    names = np.array(["ham", "spam"])[y]
    assert_same(roc_curve(names, score, pos_label="spam"), skm.roc_curve(names, score, pos_label="spam"))
    assert_same(precision_recall_curve(names, score, pos_label="ham"),
                skm.precision_recall_curve(names, score, pos_label="ham"))
    assert roc_auc_score(names, score) == pytest.approx(skm.roc_auc_score(names, score), rel=1e-12)
    assert roc_auc_score(bp.tensor(y), bp.tensor(score)) == pytest.approx(skm.roc_auc_score(y, score), rel=1e-12)
    with pytest.raises(ValueError, match="pos_label is not specified"):
        roc_curve(names, score)
    assert average_precision_score(names, score, pos_label="spam") == pytest.approx(
        skm.average_precision_score(names, score, pos_label="spam"), rel=1e-12)


@pytest.mark.parametrize("multi_class", ["ovr", "ovo"])
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_multiclass_roc_auc_equals_sklearn(multi_class, average):
    y, proba = multiclass(0)
    assert roc_auc_score(y, proba, multi_class=multi_class, average=average) == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class=multi_class, average=average), rel=1e-12)
    labels = np.array(["a", "b", "c", "d"])
    assert roc_auc_score(labels[y], proba, multi_class=multi_class, average=average, labels=labels) == \
        pytest.approx(skm.roc_auc_score(labels[y], proba, multi_class=multi_class, average=average), rel=1e-12)


def test_multiclass_ovr_micro_none_weights_and_average_precision():
    y, proba = multiclass(1)
    w = np.random.default_rng(0).uniform(0.5, 2, len(y))
    for average in ("micro", None, "weighted"):
        np.testing.assert_allclose(roc_auc_score(y, proba, multi_class="ovr", average=average, sample_weight=w),
                                   skm.roc_auc_score(y, proba, multi_class="ovr", average=average, sample_weight=w),
                                   rtol=1e-12)
        np.testing.assert_allclose(average_precision_score(y, proba, average=average, sample_weight=w),
                                   skm.average_precision_score(y, proba, average=average, sample_weight=w),
                                   rtol=1e-12)


def test_ranking_errors_and_warnings():
    y, proba = multiclass(2)
    with pytest.raises(ValueError, match="multi_class must be in"):
        roc_auc_score(y, proba)
    with pytest.raises(ValueError, match="sum up to 1.0"):
        roc_auc_score(y, proba * 2, multi_class="ovr")
    with pytest.raises(ValueError, match="sample_weight is not supported"):
        roc_auc_score(y, proba, multi_class="ovo", sample_weight=np.ones(len(y)))
    with pytest.raises(ValueError, match="Number of classes in y_true"):
        roc_auc_score(y, proba[:, :3] / proba[:, :3].sum(1, keepdims=True), multi_class="ovr")
    with pytest.warns(UndefinedMetricWarning, match="Only one class"):
        assert np.isnan(roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4]))
    with pytest.warns(UndefinedMetricWarning, match="No negative samples"):
        fpr, _, _ = roc_curve([1, 1], [0.2, 0.3])
    assert np.isnan(fpr).all()


@pytest.mark.parametrize("adjusted", [False, True])
def test_balanced_accuracy_equals_sklearn(adjusted):
    y, proba = multiclass(3)
    pred = proba.argmax(axis=1)
    w = np.random.default_rng(1).uniform(0, 2, len(y))
    for weights in (None, w):
        assert balanced_accuracy_score(y, pred, sample_weight=weights, adjusted=adjusted) == pytest.approx(
            skm.balanced_accuracy_score(y, pred, sample_weight=weights, adjusted=adjusted), rel=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert balanced_accuracy_score([0, 0, 1], [0, 2, 1]) == skm.balanced_accuracy_score([0, 0, 1], [0, 2, 1])


@pytest.mark.parametrize("kwargs", [{}, {"digits": 4}, {"target_names": ["zero", "one", "two", "a long name"]},
                                    {"labels": [0, 1, 2]}, {"labels": [3, 1, 0, 2]},
                                    {"sample_weight": np.arange(60) % 3 + 0.5}, {"zero_division": 0.0}])
def test_classification_report_equals_sklearn(kwargs):
    y, proba = multiclass(4)
    pred = proba.argmax(axis=1)
    pred[pred == 3] = 2  # class 3 never predicted: zero division in its precision
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert classification_report(y, pred, **kwargs) == skm.classification_report(y, pred, **kwargs)
        ours = classification_report(y, pred, output_dict=True, **kwargs)
        theirs = skm.classification_report(y, pred, output_dict=True, **kwargs)
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        np.testing.assert_allclose(list(ours[key].values()) if isinstance(value, dict) else ours[key],
                                   list(value.values()) if isinstance(value, dict) else value, rtol=1e-12)


def test_classification_report_strings_and_errors():
    y_true, y_pred = ["cat", "dog", "dog", "bird"], ["cat", "dog", "cat", "bird"]
    assert classification_report(y_true, y_pred) == skm.classification_report(y_true, y_pred)
    with pytest.raises(ValueError, match="does not match size of target_names"):
        classification_report(y_true, y_pred, target_names=["a"])


def test_new_scorers_equal_sklearn():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y2, y3 = (X[:, 0] > 0).astype(int), np.digitize(X[:, 0], [-0.5, 0.5])
    for y, names in ((y2, ["roc_auc", "average_precision", "balanced_accuracy"]),
                     (y3, ["roc_auc_ovr", "roc_auc_ovo", "roc_auc_ovr_weighted", "roc_auc_ovo_weighted"])):
        model = LogisticRegression().fit(X, y)
        for name in names:
            assert bp.metrics.get_scorer(name)(model, X, y) == pytest.approx(skm.get_scorer(name)(model, X, y),
                                                                             rel=1e-12), name

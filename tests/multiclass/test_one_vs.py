"""OneVsRestClassifier and OneVsOneClassifier: the course's one-vs-all and all-vs-all, scikit-learn's tie-breaks."""
import numpy as np
import pytest

from backprop.linear_model import LinearSVC, LogisticRegression, Perceptron
from backprop.multiclass import OneVsOneClassifier, OneVsRestClassifier
from tests.linear_model._classification import (
    check_classifier_contract,
    check_sklearn_estimator,
    cv_accuracy,
    fitted,
    standardised,
)


def test_one_vs_rest_is_the_argmax_of_the_per_class_scores():
    X, y = standardised("iris")
    model = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    assert len(model.estimators_) == 3
    for k, estimator in enumerate(model.estimators_):  # classifier k: class k (1) against the rest (0)
        np.testing.assert_array_equal(estimator.coef_, LogisticRegression().fit(X, y == k).coef_)
    scores = model.decision_function(X)
    assert scores.shape == (150, 3)
    np.testing.assert_array_equal(model.predict(X), model.classes_[scores.argmax(axis=1)])
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    per_class = np.stack([e.predict_proba(X)[:, 1] for e in model.estimators_], axis=1)
    np.testing.assert_allclose(proba, per_class / per_class.sum(axis=1, keepdims=True))


def test_one_vs_one_votes_over_the_pairs_i_below_j():
    X, y = standardised("iris")
    model = OneVsOneClassifier(LogisticRegression()).fit(X, y)
    assert model.pairs_ == [(0, 1), (0, 2), (1, 2)] and len(model.estimators_) == 3
    votes = np.zeros((150, 3))
    for (i, j), estimator in zip(model.pairs_, model.estimators_):
        predicted_j = estimator.predict(X) == 1
        votes[:, i] += ~predicted_j
        votes[:, j] += predicted_j
    assert votes.sum(axis=1).tolist() == [3] * 150  # each pair votes once: Σ over i < j, not over i ≠ j
    decision = model.decision_function(X)
    np.testing.assert_array_equal(np.round(decision), votes)  # the confidences stay within (−⅓, ⅓)
    np.testing.assert_array_equal(model.predict(X), model.classes_[decision.argmax(axis=1)])


def test_one_vs_one_ties_are_broken_by_confidence_as_in_sklearn():
    multiclass = pytest.importorskip("sklearn.multiclass")
    linear_model = pytest.importorskip("sklearn.linear_model")
    # three classes around a triangle: in a small region near the middle the pairwise votes go round in a
    # circle (a beats b, b beats c, c beats a), one vote each
    rng = np.random.default_rng(1)
    centres = np.array([[0.0, 1.0], [-0.87, -0.5], [0.87, -0.5]])
    X = np.repeat(centres, 30, axis=0) + rng.normal(size=(90, 2))
    y = np.repeat(["a", "b", "c"], 30)
    ours = OneVsOneClassifier(LogisticRegression(tol=1e-10)).fit(X, y)
    theirs = multiclass.OneVsOneClassifier(linear_model.LogisticRegression(tol=1e-10)).fit(X, y)
    grid = np.random.default_rng(1).uniform(-1, 1, size=(20000, 2))
    ties = (np.round(ours.decision_function(grid)) == 1).all(axis=1)
    assert ties.sum() >= 10
    np.testing.assert_allclose(ours.decision_function(grid), theirs.decision_function(grid), atol=1e-6)
    np.testing.assert_array_equal(ours.predict(grid), theirs.predict(grid))


def test_two_classes_need_one_classifier():
    X, y = standardised("breast_cancer")
    ovr = OneVsRestClassifier(LogisticRegression()).fit(X, y)
    ovo = OneVsOneClassifier(LogisticRegression()).fit(X, y)
    direct = LogisticRegression().fit(X, y)
    assert len(ovr.estimators_) == 1 and len(ovo.estimators_) == 1
    np.testing.assert_array_equal(ovr.predict(X), direct.predict(X))
    np.testing.assert_array_equal(ovo.predict(X), direct.predict(X))
    np.testing.assert_allclose(ovr.decision_function(X), direct.decision_function(X))
    np.testing.assert_allclose(ovr.predict_proba(X), direct.predict_proba(X))


def test_wraps_any_binary_classifier():
    X, y = standardised("iris")
    for estimator in (Perceptron(max_iter=50, random_state=0), LinearSVC(max_iter=200, random_state=0)):
        for wrapper in (OneVsRestClassifier, OneVsOneClassifier):
            model = fitted(wrapper(estimator), X, y)
            assert model.score(X, y) > 0.8
    with pytest.raises(TypeError, match="needs an estimator with a fit method, got 'logistic'"):
        OneVsRestClassifier("logistic").fit(X, y)
    assert OneVsOneClassifier(LogisticRegression(C=2.0)).get_params()["estimator__C"] == 2.0


@pytest.mark.parametrize("name", ["iris"])
def test_cv_accuracy_within_2_points_of_sklearn(name):
    multiclass = pytest.importorskip("sklearn.multiclass")
    linear_model = pytest.importorskip("sklearn.linear_model")
    for ours, theirs in ((OneVsRestClassifier, multiclass.OneVsRestClassifier),
                         (OneVsOneClassifier, multiclass.OneVsOneClassifier)):
        reference = cv_accuracy(theirs(linear_model.LogisticRegression(max_iter=1000)), name)
        assert cv_accuracy(ours(LogisticRegression()), name) >= reference - 0.02


@pytest.mark.parametrize("estimator", [OneVsRestClassifier(LogisticRegression()),
                                       OneVsOneClassifier(LogisticRegression())], ids=repr)
def test_estimator_contract(estimator):
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator)

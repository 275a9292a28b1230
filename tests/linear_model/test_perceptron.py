"""Perceptron and LinearSVC: the course's update at margin 0, the plain hinge loss, accuracy against scikit-learn."""
import warnings

import numpy as np
import pytest

from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import LinearSVC, Perceptron
from tests.linear_model._classification import (
    check_classifier_contract,
    check_sklearn_estimator,
    cv_accuracy,
    standardised,
)

# two separable clouds: class 1 where x₀ + x₁ > 0, with a gap of at least 0.5 between the classes
rng = np.random.default_rng(1)
X_SEP = rng.uniform(-3, 3, size=(200, 2))
X_SEP = X_SEP[np.abs(X_SEP.sum(axis=1)) > 0.5]
Y_SEP = (X_SEP.sum(axis=1) > 0).astype(int)


def test_first_update_happens_at_margin_zero():
    # From w = 0, b = 0 every margin M = y·(⟨w, x⟩ + b) is 0, and the course updates at M ≤ 0:
    # the first point (x = (1, 2), y = +1) gives w = (1, 2), b = 1; the second, x = (−1, −1) with y = −1,
    # then has η = −1 − 2 + 1 = −2, margin 2 > 0, and changes nothing.
    X, y = np.array([[1.0, 2.0], [-1.0, -1.0]]), np.array([1, 0])
    with pytest.warns(ConvergenceWarning):  # one epoch only
        model = Perceptron(max_iter=1, batch_size=1, shuffle=False, average=False).fit(X, y)
    np.testing.assert_array_equal(model.coef_, [[1.0, 2.0]])
    np.testing.assert_array_equal(model.intercept_, [1.0])


@pytest.mark.parametrize("params", [{"batch_size": 1, "average": False}, {}, {"fit_intercept": False}],
                         ids=["course", "default", "no-intercept"])
def test_perceptron_from_zero_weights_separates_separable_data(params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # it stops because every point is on its side
        model = Perceptron(random_state=0, **params).fit(X_SEP, Y_SEP)
    assert model.score(X_SEP, Y_SEP) == 1.0
    margins = (2 * Y_SEP - 1) * model.decision_function(X_SEP)
    assert margins.min() > 0


@pytest.mark.parametrize("y", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], ids=["AND", "OR", "NAND"])
def test_perceptron_learns_the_courses_logic_gates(y):
    X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array(y)
    assert Perceptron(random_state=0).fit(X, y).score(X, y) == 1.0
    for seed in range(5):  # without the stalling rule it runs until an epoch makes no update: separated
        model = Perceptron(tol=None, batch_size=1, average=False, random_state=seed).fit(X, y)
        assert ((2 * y - 1) * model.decision_function(X)).min() > 0 and model.n_iter_ < 50


def test_linear_svc_minimises_the_plain_hinge_objective():
    # C·Σ max(0, 1 − yᵢηᵢ) + ½‖w‖² with an unpenalised intercept is scikit-learn's SVC(kernel='linear'), solved
    # exactly by libsvm; SGD with averaged iterates stops near its minimum (about 20% above it), not on it
    svm = pytest.importorskip("sklearn.svm")
    X, y = standardised("breast_cancer")

    def objective(model):
        scores = X @ model.coef_.ravel() + model.intercept_[0]
        return np.maximum(0, 1 - (2 * y - 1) * scores).sum() + 0.5 * np.sum(model.coef_ ** 2)

    exact = objective(svm.SVC(kernel="linear", C=1.0, tol=1e-6).fit(X, y))
    fitted = objective(LinearSVC(random_state=0).fit(X, y))
    assert exact < fitted <= 1.3 * exact
    with pytest.warns(ConvergenceWarning, match="LinearSVC did not converge in 2 iterations"):
        assert objective(LinearSVC(max_iter=2, random_state=0).fit(X, y)) > fitted


def test_threshold_and_one_vs_rest_shapes():
    X, y = standardised("iris")
    model = LinearSVC(random_state=0).fit(X, y)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    assert model.decision_function(X).shape == (150, 3)
    np.testing.assert_array_equal(model.predict(X), model.classes_[model.decision_function(X).argmax(axis=1)])
    model = Perceptron(random_state=0, threshold=1.0).fit(X_SEP, Y_SEP)
    np.testing.assert_array_equal(model.predict(X_SEP), (model.decision_function(X_SEP) > 1.0).astype(int))


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="penalty must be one of 'l2', got 'l1'"):
        Perceptron(penalty="l1").fit(X_SEP, Y_SEP)
    with pytest.raises(ValueError, match="C must be a number > 0, got 0"):
        LinearSVC(C=0).fit(X_SEP, Y_SEP)
    with pytest.raises(ValueError, match="batch_size must be an integer ≥ 1, got 0"):
        LinearSVC(batch_size=0).fit(X_SEP, Y_SEP)


@pytest.mark.parametrize("name", ["breast_cancer", "iris", "digits"])
def test_cv_accuracy_within_2_points_of_sklearn(name):
    linear_model, svm = pytest.importorskip("sklearn.linear_model"), pytest.importorskip("sklearn.svm")
    assert cv_accuracy(Perceptron(random_state=0), name) >= cv_accuracy(linear_model.Perceptron(), name) - 0.02
    assert cv_accuracy(LinearSVC(random_state=0), name) >= cv_accuracy(svm.LinearSVC(loss="hinge"), name) - 0.02


@pytest.mark.parametrize("estimator", [Perceptron(max_iter=20, random_state=0),
                                       LinearSVC(max_iter=20, random_state=0)], ids=repr)
def test_estimator_contract(estimator):
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator)

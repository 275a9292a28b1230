"""LinearSVC: liblinear's objective and coefficients by dual coordinate descent; weights; the course's SGD version."""
import warnings

import numpy as np
import pytest

from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import LinearSVC
from tests.linear_model._classification import (
    SGD_EXPECTED,
    WEIGHTS_NOT_REPETITION,
    check_classifier_contract,
    check_sklearn_estimator,
    cv_accuracy,
    single_threaded,
    standardised,
)


def liblinear_objective(model, X, y, loss="hinge", intercept_scaling=1.0, weights=None):
    """½‖w‖² + ½(b/s)² + Σᵢ sᵢ·ℓ(Mᵢ) summed over the one-vs-rest problems (C = 1)."""
    if len(model.classes_) == 2:
        signs = (2 * (y == model.classes_[1]) - 1)[:, None]
    else:
        signs = np.where(y[:, None] == model.classes_[None, :], 1.0, -1.0)
    hinge = np.maximum(0, 1 - signs * (X @ model.coef_.T + model.intercept_))
    hinge = hinge ** 2 if loss == "squared_hinge" else hinge
    weights = np.ones(len(y)) if weights is None else weights
    penalty = 0.5 * np.sum(model.coef_ ** 2) + 0.5 * np.sum((model.intercept_ / intercept_scaling) ** 2)
    return penalty + float(weights @ hinge.sum(axis=1))


def sklearn_svc(**params):
    svm = pytest.importorskip("sklearn.svm")
    return svm.LinearSVC(dual=True, max_iter=100000, random_state=0, **params)


def fit_quietly(model, X, y, **fit_params):
    with warnings.catch_warnings(), single_threaded():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **fit_params)


@pytest.mark.parametrize("name, loss, intercept_scaling, tol", [
    ("breast_cancer", "hinge", 1.0, 1e-7), ("breast_cancer", "squared_hinge", 1.0, 1e-7), ("iris", "hinge", 1.0, 1e-7),
    ("breast_cancer", "hinge", 10.0, 1e-5)])
def test_coefficients_and_objective_equal_sklearns(name, loss, intercept_scaling, tol):
    X, y = standardised(name)
    params = {"loss": loss, "intercept_scaling": intercept_scaling, "tol": tol}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = LinearSVC(max_iter=10000, random_state=0, **params).fit(X, y)
    theirs = fit_quietly(sklearn_svc(**params), X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e3 * tol * np.abs(theirs.coef_).max())
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e3 * tol * intercept_scaling)
    mine, reference = (liblinear_objective(m, X, y, loss, intercept_scaling) for m in (ours, theirs))
    assert abs(mine - reference) <= 10 * tol * reference


def test_courses_objective_within_1_percent_of_sklearns_at_the_default_tol():
    X, y = standardised("breast_cancer")
    ours = LinearSVC(random_state=0).fit(X, y)
    theirs = fit_quietly(sklearn_svc(loss="hinge"), X, y)

    def course(model):  # 0.5‖W‖² + C·Σ hinge, the intercept unpenalised
        scores = X @ model.coef_.ravel() + model.intercept_[0]
        return 0.5 * np.sum(model.coef_ ** 2) + np.maximum(0, 1 - (2 * y - 1) * scores).sum()

    assert course(ours) <= 1.01 * course(theirs)


def test_stopping_short_warns_with_the_projected_gradient_spread():
    X, y = standardised("breast_cancer")
    with pytest.warns(ConvergenceWarning) as record:
        LinearSVC(max_iter=3, random_state=0).fit(X, y)
    message = str(record[0].message)
    assert message.startswith("LinearSVC did not converge in 3 iterations (max_iter=3); projected-gradient spread "
                              "(max PG − min PG) = ")
    assert message.endswith("> tol = 0.0001. Standardise the features (bp.preprocessing.StandardScaler) or raise "
                            "max_iter.")


def test_sample_weight_and_class_weight_equal_sklearns():
    X, y = standardised("breast_cancer")
    weights = np.random.default_rng(0).uniform(0.1, 3.0, size=len(y))
    for params, fit_weights in [({}, weights), ({"class_weight": "balanced"}, None),
                                ({"class_weight": {0: 2.0}}, weights)]:
        ours = LinearSVC(tol=1e-7, max_iter=10000, random_state=0, **params).fit(X, y, sample_weight=fit_weights)
        theirs = fit_quietly(sklearn_svc(loss="hinge", tol=1e-7, **params), X, y, sample_weight=fit_weights)
        np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-4 * np.abs(theirs.coef_).max())


def test_the_courses_sgd_version_and_its_weights():
    # the course's objective, b unpenalised, is scikit-learn's SVC(kernel='linear'), solved exactly by libsvm
    svm = pytest.importorskip("sklearn.svm")
    X, y = standardised("breast_cancer")
    exact = liblinear_objective(svm.SVC(kernel="linear", C=1.0, tol=1e-6).fit(X, y), X, y, intercept_scaling=np.inf)
    sgd = LinearSVC(solver="sgd", random_state=0).fit(X, y)
    assert exact < liblinear_objective(sgd, X, y, intercept_scaling=np.inf) <= 1.3 * exact
    counts = np.random.default_rng(1).integers(0, 3, size=len(y))
    weighted = LinearSVC(solver="sgd", max_iter=5, random_state=0)
    repeated = LinearSVC(solver="sgd", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(X, y, sample_weight=counts)
        repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_array_equal(weighted.coef_, repeated.coef_)


def test_one_vs_rest_shapes_and_bad_parameters():
    X, y = standardised("iris")
    model = fit_quietly(LinearSVC(random_state=0), X, y)
    assert model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    np.testing.assert_array_equal(model.predict(X), model.classes_[model.decision_function(X).argmax(axis=1)])
    with pytest.raises(ValueError, match="C must be a number > 0, got 0"):
        LinearSVC(C=0).fit(X, y)
    with pytest.raises(ValueError, match="loss must be one of 'hinge', 'squared_hinge', got 'log'"):
        LinearSVC(loss="log").fit(X, y)
    with pytest.raises(ValueError, match="only dual=True is implemented"):
        LinearSVC(dual=False).fit(X, y)


@pytest.mark.parametrize("name", ["breast_cancer", "iris"])
def test_cv_accuracy_within_2_points_of_sklearn(name):
    svm = pytest.importorskip("sklearn.svm")
    assert cv_accuracy(LinearSVC(random_state=0), name) >= cv_accuracy(svm.LinearSVC(loss="hinge"), name) - 0.02


@pytest.mark.parametrize("estimator, expected_failures", [
    (LinearSVC(max_iter=50, random_state=0), WEIGHTS_NOT_REPETITION),
    (LinearSVC(solver="sgd", max_iter=20, random_state=0), SGD_EXPECTED)], ids=repr)
def test_estimator_contract(estimator, expected_failures):
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator, expected_failures)

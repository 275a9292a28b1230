"""SoftmaxRegression: L-BFGS and Newton reach scikit-learn's optimum on raw data; SGD; the convergence warning."""
import warnings

import numpy as np
import pytest

from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import SoftmaxRegression
from tests.linear_model._classification import (
    SGD_EXPECTED,
    check_classifier_contract,
    check_sklearn_estimator,
    cv_accuracy,
    standardised,
)


def raw(name):
    datasets = pytest.importorskip("sklearn.datasets")
    return getattr(datasets, f"load_{name}")(return_X_y=True)


def mean_objective(model, X, y, alpha):
    """Σ −ln p(yᵢ)/n + (α/2)‖W‖² with p from the model; W of two classes is their difference, d = w₁ − w₀,
    and the two-row softmax's penalty at its optimum (w₁ = −w₀ = d/2) is (α/2)·‖d‖²/2."""
    p = model.predict_proba(X)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
    penalty = np.sum(model.coef_ ** 2) / (2 if len(model.classes_) == 2 else 1)
    return float(-np.log(p).mean() + 0.5 * alpha * penalty)


def test_lbfgs_reaches_sklearns_optimum_on_raw_features():
    # scikit-learn's multinomial LogisticRegression(C) minimises the same objective times C·n for α = 1/(C·n)
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = raw("iris")
    alpha = 1.0 / len(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ours = SoftmaxRegression(alpha=alpha).fit(X, y)
    theirs = linear_model.LogisticRegression(C=1.0, tol=1e-8, max_iter=10000).fit(X, y)
    assert mean_objective(ours, X, y, alpha) <= mean_objective(theirs, X, y, alpha) * (1 + 1e-3)
    assert ours.score(X, y) >= theirs.score(X, y) - 0.02
    # the default α: the minimum (0.053) is far below uniform guessing's ln 3 = 1.099
    assert mean_objective(SoftmaxRegression().fit(X, y), X, y, 1e-4) < 0.06


def test_newton_and_lbfgs_agree():
    X, y = standardised("iris")
    lbfgs = SoftmaxRegression(alpha=0.01, tol=1e-8).fit(X, y)
    newton = SoftmaxRegression(alpha=0.01, solver="newton", tol=1e-8).fit(X, y)
    np.testing.assert_allclose(newton.coef_, lbfgs.coef_, atol=1e-5)
    assert newton.n_iter_ < 15


def test_stopping_short_warns_with_the_measure():
    X, y = raw("wine")
    with pytest.warns(ConvergenceWarning) as record:
        model = SoftmaxRegression(max_iter=5).fit(X, y)
    message = str(record[0].message)
    assert message.startswith("SoftmaxRegression did not converge in 5 iterations (max_iter=5); max|∇f| = ")
    assert "> tol = 0.0001. Standardise the features (bp.preprocessing.StandardScaler) or raise max_iter." in message
    assert model.n_iter_ == 5


def test_sgd_is_the_courses_and_says_it_plateaued_or_warns():
    X, y = standardised("iris")
    model = SoftmaxRegression(solver="sgd", alpha=1 / len(X), tol=1e-5, random_state=0).fit(X, y)
    exact = SoftmaxRegression(alpha=1 / len(X)).fit(X, y)
    assert mean_objective(exact, X, y, 1 / len(X)) < mean_objective(model, X, y, 1 / len(X))
    assert mean_objective(model, X, y, 1 / len(X)) <= 1.1 * mean_objective(exact, X, y, 1 / len(X))
    assert np.mean(model.predict(X) == exact.predict(X)) >= 0.97
    with pytest.warns(ConvergenceWarning, match=r"in 2 iterations \(max_iter=2\); fall of the epoch's mean objective"):
        SoftmaxRegression(solver="sgd", max_iter=2, random_state=0).fit(X, y)


@pytest.mark.parametrize("name", ["breast_cancer", "iris"])
def test_cv_accuracy_within_2_points_of_sklearn(name):
    linear_model = pytest.importorskip("sklearn.linear_model")
    ours = cv_accuracy(SoftmaxRegression(), name)
    theirs = cv_accuracy(linear_model.LogisticRegression(max_iter=1000), name)  # multinomial, C = 1
    assert ours >= theirs - 0.02


def test_shapes_and_probabilities():
    X, y = standardised("breast_cancer")
    model = SoftmaxRegression(solver="sgd", random_state=0).fit(X, y)
    # two softmax outputs are one sigmoid of their difference: kept as scikit-learn's single row
    assert model.coef_.shape == (1, 30) and model.intercept_.shape == (1,)
    np.testing.assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-model.decision_function(X))))
    X, y = standardised("iris")
    model = SoftmaxRegression().fit(X, y)
    assert model.coef_.shape == (3, 4) and model.n_iter_ < model.max_iter
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1.0, rtol=1e-12)
    with pytest.raises(ValueError, match="solver must be one of 'lbfgs', 'newton', 'sgd', got 'adam'"):
        SoftmaxRegression(solver="adam").fit(X, y)


@pytest.mark.parametrize("estimator, expected_failures", [
    (SoftmaxRegression(max_iter=20), None),
    (SoftmaxRegression(solver="sgd", max_iter=20, random_state=0), SGD_EXPECTED)], ids=repr)
def test_estimator_contract(estimator, expected_failures):
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator, expected_failures)

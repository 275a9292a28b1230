"""sample_weight and class_weight against scikit-learn; integer weights as repeated rows for the SGD solvers;
Ridge's per-target penalties."""
import warnings

import numpy as np
import pytest

from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import (
    Lasso,
    LinearRegression,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
    SoftmaxRegression,
)
from tests.linear_model._classification import single_threaded, standardised
from tests.linear_model._data import diabetes

WEIGHTS = np.random.default_rng(0).uniform(0.2, 3.0, size=442)


def sklearn_fit(name, X, y, sample_weight=None, **params):
    linear_model = pytest.importorskip("sklearn.linear_model")
    with warnings.catch_warnings(), single_threaded():
        warnings.simplefilter("ignore")
        return getattr(linear_model, name)(**params).fit(X, y, sample_weight=sample_weight)


@pytest.mark.parametrize("ours, name, params", [
    (LinearRegression(), "LinearRegression", {}), (Ridge(alpha=10.0), "Ridge", {"alpha": 10.0}),
    (Lasso(alpha=0.5, tol=1e-8, max_iter=10000), "Lasso", {"alpha": 0.5, "tol": 1e-10, "max_iter": 100000})],
    ids=["LinearRegression", "Ridge", "Lasso"])
def test_regressors_equal_sklearn_with_sample_weight(ours, name, params):
    X, y = diabetes()
    model = ours.fit(X, y, sample_weight=WEIGHTS)
    reference = sklearn_fit(name, X, y, WEIGHTS, **params)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6, atol=1e-6 * np.abs(reference.coef_).max())
    assert model.intercept_ == pytest.approx(reference.intercept_, rel=1e-6)
    unweighted = type(ours)(**ours.get_params()).fit(X, y)
    assert not np.allclose(unweighted.coef_, model.coef_)


def test_gradient_descent_and_sgd_reach_the_weighted_least_squares_solution():
    X, y = diabetes()
    exact = LinearRegression().fit(X, y, sample_weight=WEIGHTS)
    gd = LinearRegression(solver="gd", tol=1e-6, max_iter=5000).fit(X, y, sample_weight=WEIGHTS)
    np.testing.assert_allclose(gd.coef_, exact.coef_, atol=1e-2 * np.abs(exact.coef_).max())
    counts = np.random.default_rng(1).integers(0, 3, size=len(y))
    weighted = LinearRegression(solver="sgd", epochs=3, random_state=0)
    repeated = LinearRegression(solver="sgd", epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(X, y, sample_weight=counts)
        repeated.fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-12)


def test_poisson_equals_sklearn_with_sample_weight():
    X, _ = diabetes()
    X = X[:, :4]
    y = np.random.default_rng(2).poisson(np.exp(0.3 * X[:, 0] - 0.2 * X[:, 1] + 1.0)).astype(float)
    model = PoissonRegressor(alpha=0.1, tol=1e-10).fit(X, y, sample_weight=WEIGHTS)
    reference = sklearn_fit("PoissonRegressor", X, y, WEIGHTS, alpha=0.1, tol=1e-10, max_iter=10000)
    np.testing.assert_allclose(model.coef_, reference.coef_, atol=1e-6)
    assert model.intercept_ == pytest.approx(reference.intercept_, abs=1e-6)


@pytest.mark.parametrize("class_weight", [None, "balanced", {0: 3.0, 2: 0.5}], ids=repr)
def test_classifiers_equal_sklearn_with_sample_and_class_weights(class_weight):
    X, y = standardised("iris")
    weights = WEIGHTS[:len(y)]
    ours = LogisticRegression(class_weight=class_weight, tol=1e-8).fit(X, y, sample_weight=weights)
    reference = sklearn_fit("LogisticRegression", X, y, weights, class_weight=class_weight, tol=1e-10, max_iter=10000)
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=2e-3 * np.abs(reference.coef_).max())
    # SoftmaxRegression's mean objective with α = 1/(C·Σsᵢ) has scikit-learn's minimiser
    per_class = {None: np.ones(3), "balanced": weights.sum() / (3 * np.bincount(y, weights=weights)),
                 repr(class_weight): None}
    share = per_class.get(class_weight if not isinstance(class_weight, dict) else repr(class_weight))
    share = np.array([class_weight.get(k, 1.0) for k in range(3)]) if share is None else share
    total = float(weights @ share[y])
    softmax = SoftmaxRegression(alpha=1.0 / total, class_weight=class_weight, tol=1e-9).fit(X, y, sample_weight=weights)
    np.testing.assert_allclose(softmax.predict_proba(X), reference.predict_proba(X), atol=1e-4)


def test_sgd_integer_weights_repeat_rows():
    X, y = standardised("iris")
    counts = np.random.default_rng(3).integers(0, 3, size=len(y))
    kwargs = {"solver": "sgd", "max_iter": 3, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted = SoftmaxRegression(**kwargs).fit(X, y, sample_weight=counts)
        repeated = SoftmaxRegression(**kwargs).fit(np.repeat(X, counts, axis=0), np.repeat(y, counts))
    np.testing.assert_array_equal(weighted.coef_, repeated.coef_)


def test_bad_weights_are_named():
    X, y = standardised("iris")
    with pytest.raises(ValueError, match="sample weights must contain at least one non-zero number"):
        SoftmaxRegression().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="class_weight must be None, 'balanced' or a dict"):
        LogisticRegression(class_weight="auto").fit(X, y)


def test_ridge_takes_one_penalty_per_target():
    X, y = diabetes()
    Y = np.column_stack([y, -2 * y + 5, y ** 0.5])
    alphas = np.array([0.1, 10.0, 1000.0])
    model = Ridge(alpha=alphas).fit(X, Y, sample_weight=WEIGHTS)
    for k, alpha in enumerate(alphas):
        single = Ridge(alpha=alpha).fit(X, Y[:, k], sample_weight=WEIGHTS)
        np.testing.assert_allclose(model.coef_[k], single.coef_, rtol=1e-10)
        assert model.intercept_[k] == pytest.approx(single.intercept_, rel=1e-10)
    reference = sklearn_fit("Ridge", X, Y, WEIGHTS, alpha=alphas)
    np.testing.assert_allclose(model.coef_, reference.coef_, rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match=r"alpha must be a number ≥ 0 or finite values ≥ 0 of shape \(n_targets,\)"):
        Ridge(alpha=alphas[:2]).fit(X, Y)

"""Perceptron: the course's rule (update on M ≤ 0, until an epoch without updates), margins, averaging, weights."""
import warnings

import numpy as np
import pytest

from backprop.data.datasets import xor_table
from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import Perceptron
from tests.linear_model._classification import (
    WEIGHTS_NOT_REPETITION,
    check_classifier_contract,
    check_sklearn_estimator,
)

# two separable clouds: class 1 where x₀ + x₁ > 0, with a gap of at least 0.5 between the classes
rng = np.random.default_rng(1)
X_SEP = rng.uniform(-3, 3, size=(200, 2))
X_SEP = X_SEP[np.abs(X_SEP.sum(axis=1)) > 0.5]
Y_SEP = (X_SEP.sum(axis=1) > 0).astype(int)


def margins(model, X, y):
    return (2 * (y == model.classes_[1]) - 1) * model.decision_function(X)


def without_warnings(estimator, X, y, **fit_params):
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        return estimator.fit(X, y, **fit_params)


def test_first_update_happens_at_margin_zero():
    # From w = 0, b = 0 every margin M = y·(⟨w, x⟩ + b) is 0, and the course updates at M ≤ 0:
    # the first point (x = (1, 2), y = +1) gives w = (1, 2), b = 1; the second, x = (−1, −1) with y = −1,
    # then has η = −1 − 2 + 1 = −2, margin 2 > 0, and changes nothing: separated after one epoch.
    X, y = np.array([[1.0, 2.0], [-1.0, -1.0]]), np.array([1, 0])
    model = without_warnings(Perceptron(shuffle=False), X, y)
    np.testing.assert_array_equal(model.coef_, [[1.0, 2.0]])
    np.testing.assert_array_equal(model.intercept_, [1.0])
    assert model.n_iter_ == 1 and not hasattr(model, "predict_proba")


@pytest.mark.parametrize("standardise", [False, True], ids=["raw", "standardised"])
def test_courses_xor_with_the_product_feature_ends_with_every_margin_positive(standardise):
    # rounding once left a hyperplane through two training points (margins 6.9e-18): a margin ≤ 1e-9 is a mistake
    X, y = xor_table()
    X = np.column_stack([X, X[:, 0] * X[:, 1]])
    if standardise:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    for seed in range(10):
        model = without_warnings(Perceptron(random_state=seed), X, y)
        assert margins(model, X, y).min() > 1e-9 and model.score(X, y) == 1.0


def test_xor_without_the_product_feature_warns_that_it_may_not_be_separable():
    X, y = xor_table()
    with pytest.warns(ConvergenceWarning) as record:
        Perceptron(max_iter=30, random_state=0).fit(X, y)
    message = str(record[0].message)
    assert message.startswith("Perceptron did not converge in 30 iterations (max_iter=30); "
                              "points with margin ≤ 1e-09 = ")
    assert "The data may not be linearly separable" in message


@pytest.mark.parametrize("params", [{}, {"fit_intercept": False}, {"batch_size": 8}, {"average": True},
                                    {"eta0": 0.1, "shuffle": False}], ids=repr)
def test_separable_data_end_with_every_margin_positive(params):
    for seed in range(3):
        model = without_warnings(Perceptron(random_state=seed, **params), X_SEP, Y_SEP)
        assert margins(model, X_SEP, Y_SEP).min() > 1e-9


def test_average_returns_the_averaged_weights_only_if_they_separate():
    model = Perceptron(average=True, random_state=0).fit(X_SEP, Y_SEP)
    assert model.averaged_ is True and margins(model, X_SEP, Y_SEP).min() > 1e-9
    last = Perceptron(random_state=0).fit(X_SEP, Y_SEP)
    assert not np.allclose(model.coef_, last.coef_) and last.averaged_ is False
    X, y = xor_table()  # not separable: no weights separate it, so the last iterate is returned
    with pytest.warns(ConvergenceWarning):
        averaged = Perceptron(average=True, max_iter=20, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        plain = Perceptron(max_iter=20, random_state=0).fit(X, y)
    assert averaged.averaged_ is False
    np.testing.assert_array_equal(averaged.coef_, plain.coef_)


def test_tol_keeps_sklearns_plateau_rule():
    X, y = xor_table()
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a plateau is an ending, as in scikit-learn
        model = Perceptron(tol=1e-3, n_iter_no_change=3, random_state=0).fit(X, y)
    assert model.n_iter_ < 20


@pytest.mark.parametrize("y", [[0, 0, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]], ids=["AND", "OR", "NAND"])
def test_perceptron_learns_the_courses_logic_gates(y):
    X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]), np.array(y)
    for seed in range(5):
        model = without_warnings(Perceptron(random_state=seed), X, y)
        assert margins(model, X, y).min() > 1e-9 and model.n_iter_ < 50


def test_integer_weights_repeat_rows_and_class_weight():
    weights = rng.integers(0, 4, size=len(X_SEP))
    weighted = Perceptron(random_state=3).fit(X_SEP, Y_SEP, sample_weight=weights)
    repeated = Perceptron(random_state=3).fit(np.repeat(X_SEP, weights, axis=0), np.repeat(Y_SEP, weights))
    np.testing.assert_array_equal(weighted.coef_, repeated.coef_)
    np.testing.assert_array_equal(weighted.intercept_, repeated.intercept_)
    # 'balanced' is n/(K·bincount(y)) for every row of the class: the same as those sample weights
    share = len(Y_SEP) / (2 * np.bincount(Y_SEP))
    balanced = Perceptron(class_weight="balanced", random_state=0).fit(X_SEP, Y_SEP)
    by_rows = Perceptron(random_state=0).fit(X_SEP, Y_SEP, sample_weight=share[Y_SEP])
    np.testing.assert_allclose(balanced.coef_, by_rows.coef_)
    with pytest.raises(ValueError, match="sample_weight must be ≥ 0, got -1.0 at index 0"):
        Perceptron().fit(X_SEP, Y_SEP, sample_weight=-np.ones(len(Y_SEP)))


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="penalty must be one of 'l2', got 'l1'"):
        Perceptron(penalty="l1").fit(X_SEP, Y_SEP)
    with pytest.raises(ValueError, match="batch_size must be an integer ≥ 1, got 0"):
        Perceptron(batch_size=0).fit(X_SEP, Y_SEP)
    with pytest.raises(ValueError, match=r"class_weight names labels \[7\] that are not among the classes \[0, 1\]"):
        Perceptron(class_weight={7: 2.0}).fit(X_SEP, Y_SEP)


def test_threshold():
    model = Perceptron(random_state=0, threshold=1.0).fit(X_SEP, Y_SEP)
    np.testing.assert_array_equal(model.predict(X_SEP), (model.decision_function(X_SEP) > 1.0).astype(int))


def test_estimator_contract():
    estimator = Perceptron(max_iter=5, random_state=0)
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator, WEIGHTS_NOT_REPETITION)

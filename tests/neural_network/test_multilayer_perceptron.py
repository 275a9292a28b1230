"""MLPClassifier and MLPRegressor: scikit-learn's API on bp.nn, bp.optim and bp.train."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ConvergenceWarning
from backprop.neural_network import MLPClassifier, MLPRegressor
from backprop.model_selection import train_test_split
from tests.linear_model._classification import (
    check_classifier_contract,
    check_sklearn_estimator,
    standardised,
)


def test_digits_and_iris_are_learned_quickly():
    X, y = standardised("digits")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    model = MLPClassifier(random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.95
    assert model.n_iter_ == len(model.loss_curve_) < model.max_iter  # stopped: loss no longer falling by tol
    assert model.loss_curve_[-1] < 0.1 * model.loss_curve_[0]
    X, y = standardised("iris")
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)
    model = MLPClassifier((20,), learning_rate_init=0.01, random_state=0).fit(X_train, y_train)
    assert model.score(X_test, y_test) >= 0.9


def test_fitted_attributes_follow_sklearn():
    X, y = standardised("iris")
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = MLPClassifier((7, 5), max_iter=300, learning_rate_init=0.01, random_state=0).fit(X, labels)
    assert model.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert [c.shape for c in model.coefs_] == [(4, 7), (7, 5), (5, 3)]
    assert [b.shape for b in model.intercepts_] == [(7,), (5,), (3,)]
    assert model.n_layers_ == 4 and model.n_outputs_ == 3 and model.n_features_in_ == 4
    assert all(type(v) is float for v in model.loss_curve_) and model.loss_ == model.loss_curve_[-1]
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    # the network is a bp.nn.Sequential: its logits are the softmax's input
    logits = model.model_(bp.tensor(X, dtype=np.float64)).data
    np.testing.assert_allclose(proba, np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True), rtol=1e-10)


@pytest.mark.filterwarnings("ignore::backprop.exceptions.ConvergenceWarning")
def test_random_state_makes_fits_repeatable_and_float64_whatever_the_default_dtype():
    X, y = standardised("iris")
    default = bp.get_default_dtype()
    bp.set_default_dtype(np.float32)
    try:
        first = MLPClassifier((5,), max_iter=20, random_state=3).fit(X, y)
    finally:
        bp.set_default_dtype(default)
    second = MLPClassifier((5,), max_iter=20, random_state=3).fit(X, y)
    other = MLPClassifier((5,), max_iter=20, random_state=4).fit(X, y)
    assert first.coefs_[0].dtype == np.float64 and first.predict_proba(X).dtype == np.float64
    np.testing.assert_array_equal(first.coefs_[0], second.coefs_[0])
    assert not np.array_equal(first.coefs_[0], other.coefs_[0])


def test_stopping_rules():
    X, y = standardised("iris")
    with pytest.warns(ConvergenceWarning, match=r"maximum iterations \(5\) reached"):
        MLPClassifier((5,), max_iter=5, random_state=0).fit(X, y)
    model = MLPClassifier((10,), early_stopping=True, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert len(model.validation_scores_) == model.n_iter_ < model.max_iter
    assert model.best_validation_score_ == max(model.validation_scores_)
    # stopped n_iter_no_change + 1 epochs after the best one, whose weights it keeps
    assert model.n_iter_ - 1 - int(np.argmax(model.validation_scores_)) == model.n_iter_no_change + 1


def test_penalty_solvers_and_activations():
    X, y = standardised("breast_cancer")
    weak = MLPClassifier((10,), alpha=0.0, max_iter=50, random_state=0)
    strong = MLPClassifier((10,), alpha=100.0, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        norms = [np.sum(m.fit(X, y).coefs_[0] ** 2) for m in (weak, strong)]
        assert norms[1] < 0.5 * norms[0]
        for params in ({"solver": "sgd", "learning_rate_init": 0.1}, {"activation": "tanh"},
                       {"activation": "logistic", "learning_rate_init": 0.01}, {"activation": "identity"}):
            assert MLPClassifier((10,), max_iter=50, random_state=0, **params).fit(X, y).score(X, y) > 0.9
    with pytest.raises(ValueError, match="activation must be one of 'identity', 'logistic', 'tanh', 'relu', "
                                         "got 'softmax'"):
        MLPClassifier(activation="softmax").fit(X, y)
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be positive integers, got \(10, 0\)"):
        MLPClassifier((10, 0)).fit(X, y)


def test_the_courses_xor_needs_a_hidden_layer():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 25)
    y = np.array([0, 1, 1, 0] * 25)
    model = MLPClassifier((8,), learning_rate_init=0.05, random_state=0).fit(X, y)
    assert model.score(X, y) == 1.0


def test_regressor_fits_a_curve_and_several_outputs():
    X = np.linspace(-3, 3, 200)[:, None]
    y = np.sin(X[:, 0])
    model = MLPRegressor((30,), batch_size=32, learning_rate_init=0.01, random_state=0).fit(X, y)
    assert model.predict(X).shape == (200,) and model.score(X, y) > 0.95
    # scikit-learn's squared loss is half the mean squared error (plus the small penalty)
    assert model.loss_ == pytest.approx(0.5 * np.mean((model.predict(X) - y) ** 2), rel=0.2, abs=1e-3)
    Y = np.stack([y, np.cos(X[:, 0])], axis=1)
    both = MLPRegressor((30,), batch_size=32, learning_rate_init=0.01, random_state=0).fit(X, Y)
    assert both.predict(X).shape == (200, 2) and both.score(X, Y) > 0.9


@pytest.mark.parametrize("estimator", [MLPClassifier(max_iter=50, learning_rate_init=0.01, random_state=0),
                                       MLPRegressor(max_iter=50, learning_rate_init=0.01, random_state=0)],
                         ids=repr)
def test_estimator_contract(estimator):
    if isinstance(estimator, MLPClassifier):
        check_classifier_contract(estimator)
    check_sklearn_estimator(estimator)


def test_mlp_classifier_decision_threshold_for_two_classes():
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a short fit is enough to compare thresholds
        model = bp.linear_model.MLPClassifier((8,), max_iter=30, random_state=0).fit(X, y)
    p1 = model.predict_proba(X)[:, 1]
    np.testing.assert_array_equal(model.predict(X), model.classes_[(p1 > 0.5).astype(int)])
    model.set_params(threshold=0.9)
    np.testing.assert_array_equal(model.predict(X), model.classes_[(p1 > 0.9).astype(int)])
    assert (model.predict(X) == 1).sum() < (p1 > 0.5).sum()
    model.set_params(threshold=1.5)
    with pytest.raises(ValueError, match="threshold"):
        model.predict(X)

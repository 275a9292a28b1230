"""LogisticRegression against scikit-learn's optimum; the separation and convergence warnings; the book's step."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import LogisticRegression
from backprop.linear_model._logistic import log_odds_margins, logloss
from tests.linear_model._classification import (
    WEIGHTS_NOT_REPETITION,
    check_classifier_contract,
    check_sklearn_estimator,
    single_threaded,
    standardised,
)


def objective(model, X, y, penalty, C):
    """scikit-learn's objective C·Σ logloss + ½‖W‖² (l2), C·Σ logloss + ‖W‖₁ (l1) or Σ logloss (None)."""
    y_index = np.searchsorted(model.classes_, y)
    total = -log_odds_margins(X @ model.coef_.T + model.intercept_, y_index)
    total = np.logaddexp(0, total).sum()  # −ln p = ln(1 + e^(−m)) for the log-odds m of the observed class
    if penalty == "l2":
        return C * total + 0.5 * np.sum(model.coef_ ** 2)
    if penalty == "l1":
        return C * total + np.abs(model.coef_).sum()
    return total


def sklearn_optimum(penalty, C, binary):
    """scikit-learn's LogisticRegression converged tightly, with the penalty in its 1.8+ spelling or the old one."""
    sklearn = pytest.importorskip("sklearn")
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    new_api = tuple(int(v) for v in sklearn.__version__.split(".")[:2]) >= (1, 8)
    if penalty is None:
        kwargs = {"C": np.inf} if new_api else {"penalty": None}
    elif penalty == "l1":
        # liblinear penalises the intercept as a weight times intercept_scaling: a large scaling frees it
        kwargs = {"C": C, "solver": "liblinear", "intercept_scaling": 1e4} if binary else {"C": C, "solver": "saga"}
        kwargs.update({"l1_ratio": 1.0} if new_api else {"penalty": "l1"})
    else:
        kwargs = {"C": C}
    return SkLogisticRegression(tol=1e-8, max_iter=100000, **kwargs)


def two_classes(X, y, first, second):
    rows = (y == first) | (y == second)
    return X[rows], y[rows]


IRIS_VERSICOLOR_VIRGINICA = "versicolor/virginica"  # two iris species that no plane separates


def data(name):
    if name == IRIS_VERSICOLOR_VIRGINICA:
        return two_classes(*standardised("iris"), 1, 2)
    return standardised(name)


@pytest.mark.parametrize("name, penalty, C, solver", [
    ("breast_cancer", "l2", 1.0, "auto"),
    ("breast_cancer", "l2", 0.05, "newton"),
    ("breast_cancer", "l1", 1.0, "auto"),
    ("iris", "l2", 1.0, "auto"),
    ("iris", "l2", 1.0, "newton"),
    ("iris", "l1", 0.5, "auto"),
    ("digits", "l2", 1.0, "auto"),
    (IRIS_VERSICOLOR_VIRGINICA, None, 1.0, "auto"),
    (IRIS_VERSICOLOR_VIRGINICA, None, 1.0, "newton"),
])
def test_objective_reaches_sklearn_optimum(name, penalty, C, solver):
    X, y = data(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # converged, and no separation on these data
        model = LogisticRegression(penalty=penalty, C=C, solver=solver).fit(X, y)
    with warnings.catch_warnings(), single_threaded():
        warnings.simplefilter("ignore")
        reference = sklearn_optimum(penalty, C, binary=len(np.unique(y)) == 2).fit(X, y)
    ours, theirs = objective(model, X, y, penalty, C), objective(reference, X, y, penalty, C)
    assert abs(ours - theirs) <= 1e-4 * theirs
    assert model.coef_.shape == reference.coef_.shape and model.intercept_.shape == reference.intercept_.shape
    if penalty == "l2":  # strongly convex: the minimiser itself agrees (multinomial up to a shift of b)
        np.testing.assert_allclose(model.coef_, reference.coef_, atol=2e-3 * np.abs(reference.coef_).max())
    if penalty == "l1":  # the proximal step gives exact zeros where scikit-learn's solvers do
        assert (model.coef_ == 0).sum() > 0
        assert abs(int((model.coef_ == 0).sum()) - int((reference.coef_ == 0).sum())) <= 1


def test_l1_zeros_grow_as_C_falls():
    X, y = standardised("breast_cancer")
    zeros = [int((LogisticRegression(penalty="l1", C=C).fit(X, y).coef_ == 0).sum()) for C in (1.0, 0.1, 0.01)]
    assert zeros[0] < zeros[1] < zeros[2] <= 30


def test_separable_data_warn_that_the_mle_does_not_exist():
    # the problem book's logloss exercise: a whale at x = 1, ants at x = 2 and 3 (logistic regression with a
    # constant): any boundary between 1 and 2 separates them, so the logloss has no minimum, only an infimum 0
    X, y = np.array([[1.0], [2.0], [3.0]]), np.array(["whale", "ant", "ant"])
    with pytest.warns(ConvergenceWarning, match="linearly separable, so the maximum-likelihood estimate does not"):
        model = LogisticRegression(penalty=None).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), y)
    X, y = standardised("iris")
    with pytest.warns(ConvergenceWarning, match="does not exist"):  # setosa against versicolor: multinomial too
        LogisticRegression(penalty=None).fit(*two_classes(X, y, 0, 1))
    blobs = np.repeat(np.eye(3) * 5, 10, axis=0) + np.random.default_rng(0).normal(size=(30, 3))
    with pytest.warns(ConvergenceWarning, match="does not exist"):
        LogisticRegression(penalty=None).fit(blobs, np.repeat([0, 1, 2], 10))
    # setosa alone is separable from the others: quasi-separation, some weights still grow without bound
    with pytest.warns(ConvergenceWarning, match="fitted probabilities numerically 0 or 1 occurred"):
        LogisticRegression(penalty=None).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the penalised problem has a minimum
        LogisticRegression().fit(*two_classes(X, y, 0, 1))


def test_probabilities_shapes_and_threshold():
    X, y = standardised("iris")
    model = LogisticRegression().fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3) and model.coef_.shape == (3, 4) and model.intercept_.shape == (3,)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(model.predict(X), model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(np.exp(model.predict_log_proba(X)), proba, rtol=1e-12)
    X, y = standardised("breast_cancer")
    model = LogisticRegression(C=0.01).fit(X, y)
    p = model.predict_proba(X)[:, 1]
    assert model.coef_.shape == (1, 30) and model.intercept_.shape == (1,)
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-model.decision_function(X))), rtol=1e-12)
    strict = LogisticRegression(C=0.01, threshold=0.9).fit(X, y)
    np.testing.assert_array_equal(strict.predict(X), np.where(p > 0.9, 1, 0))
    assert 0 < (strict.predict(X) != model.predict(X)).sum()
    with pytest.raises(ValueError, match=r"threshold must be a probability in \(0, 1\), got 1.5"):
        LogisticRegression(threshold=1.5).fit(X, y).predict(X)


def test_computes_in_float64_whatever_the_default_dtype():
    X, y = standardised("iris")
    default = bp.get_default_dtype()
    bp.set_default_dtype(np.float32)
    try:
        model = LogisticRegression().fit(X.tolist(), y)
    finally:
        bp.set_default_dtype(default)
    assert model.coef_.dtype == np.float64 and model.predict_proba(X).dtype == np.float64
    assert model.coef_.dtype == LogisticRegression().fit(X, y).coef_.dtype


def test_bad_parameters_are_named():
    X, y = standardised("iris")
    with pytest.raises(ValueError, match="penalty must be 'l2', 'l1' or None, got 'elasticnet'"):
        LogisticRegression(penalty="elasticnet").fit(X, y)
    with pytest.raises(ValueError, match="solver 'lbfgs' does not support penalty='l1'"):
        LogisticRegression(penalty="l1", solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="C must be a number > 0, got -1"):
        LogisticRegression(C=-1).fit(X, y)


def test_the_problem_books_gradient_step():
    # z = w·x, p = σ(z), logloss = −[y ln p + (1 − y) ln(1 − p)]: dlogloss/dw = (p − y)·x. At x = −5, y = 1, w₀ = 1
    # that is (σ(−5) − 1)·(−5) = 4.9665 (the book truncates it to "≈ 4.96"), and the step with γ = 0.01 gives
    # w₁ = 1 − 0.01·4.9665 = 0.950335. The gradient is the one LogisticRegression's objective gets from autodiff.
    w = bp.tensor([1.0], dtype=np.float64, requires_grad=True)
    logloss(w * -5.0, np.array([1]), "sum").backward()
    assert np.asarray(w.grad)[0] == pytest.approx(5 / (1 + np.exp(-5)), rel=1e-14)
    assert np.asarray(w.grad)[0] == pytest.approx(4.96654, abs=1e-5)
    assert 1.0 - 0.01 * np.asarray(w.grad)[0] == pytest.approx(0.950335, abs=1e-6)


def test_convergence_warning_names_the_effective_values():
    # the default max_iter (None) is 100 for L-BFGS: the warning says so, and never advises raising tol
    X, y = standardised("breast_cancer")
    with pytest.warns(ConvergenceWarning) as record:
        LogisticRegression(C=100.0, max_iter=3).fit(X, y)
    message = str(record[0].message)
    assert message.startswith("LogisticRegression did not converge in 3 iterations (max_iter=3); max|∇f| = ")
    assert message.endswith("Standardise the features (bp.preprocessing.StandardScaler) or raise max_iter.")
    assert "None" not in message and "increase tol" not in message and "or tol" not in message
    with pytest.warns(ConvergenceWarning, match=r"did not converge in \d+ iterations \(max_iter=100\)"):
        LogisticRegression(C=1e4, tol=1e-14).fit(X * 100, y)


@pytest.mark.parametrize("estimator, expected_failures", [
    (LogisticRegression(), None), (LogisticRegression(penalty="l1", max_iter=30), WEIGHTS_NOT_REPETITION),
    (LogisticRegression(solver="newton", max_iter=10), WEIGHTS_NOT_REPETITION)], ids=repr)
def test_estimator_contract(estimator, expected_failures):
    check_classifier_contract(estimator)
    check_sklearn_estimator(estimator, expected_failures)

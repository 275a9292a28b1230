"""LinearRegression: normal equations, gradient descent and SGD; the problem book's numbers; scikit-learn."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import IllConditionedWarning, LinearRegression
from tests.linear_model._data import diabetes, squared_error

# The problem book's §3 ex. 1: y = w·x on x = (1, 2), y = (2, 3); least squares w = Σxy/Σx² = 8/5
X_COURSE, Y_COURSE = np.array([[1.0], [2.0]]), np.array([2.0, 3.0])


@pytest.mark.parametrize("solver", ["normal", "gd", "sgd"])
def test_course_least_squares_with_default_hyperparameters(solver):
    model = LinearRegression(fit_intercept=False, solver=solver).fit(X_COURSE, Y_COURSE)
    assert model.coef_ == pytest.approx([1.6], abs=1e-12)
    assert model.intercept_ == 0.0
    assert model.predict([[10.0]]) == pytest.approx([16.0])


def test_course_two_gradient_descent_steps():
    """Mean squared error ((2 − w)² + (3 − 2w)²)/2 has gradient 5w − 8: from w = 0 with η = 0.1,
    w₁ = 0.8 and w₂ = 0.8 − 0.1·(4 − 8) = 1.2."""
    for steps, expected in [(1, 0.8), (2, 1.2)]:
        model = LinearRegression(fit_intercept=False, solver="gd", lr=0.1, max_iter=steps)
        with pytest.warns(ConvergenceWarning, match="max_iter"):
            model.fit(X_COURSE, Y_COURSE)
        assert model.coef_[0] == pytest.approx(expected, abs=1e-12)
        assert model.n_iter_ == steps


def test_course_two_sgd_steps():
    """One observation per step, η = 0.1, from w = 0. First (1, 2) then (2, 3): the gradient of
    (2 − w)² is −4, so w = 0.4; of (3 − 2w)² at 0.4 it is −8.8, so w = 1.28. In the other order:
    −12 gives 1.2, then −2·(2 − 1.2) = −1.6 gives 1.36. Each epoch draws its own order."""
    seen = set()
    for seed in range(8):
        with pytest.warns(ConvergenceWarning, match="epochs"):
            model = LinearRegression(fit_intercept=False, solver="sgd", lr=0.1, epochs=1, batch_size=1,
                                     random_state=seed).fit(X_COURSE, Y_COURSE)
        seen.add(round(float(model.coef_[0]), 12))
    assert seen == {1.28, 1.36}


def test_sgd_one_row_per_step_settles_at_the_minimum():
    """With batch_size=1 the two rows' gradients disagree at w = 1.6 (−0.8 and +0.8), so a constant step
    keeps w an O(lr) distance away; the decaying step lets it settle."""
    for seed in range(3):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = LinearRegression(fit_intercept=False, solver="sgd", batch_size=1, random_state=seed)
            model.fit(X_COURSE, Y_COURSE)
        assert model.coef_[0] == pytest.approx(1.6, abs=1e-3)


def test_normal_equations_match_sklearn_on_diabetes():
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ours, ref = LinearRegression().fit(X, y), sk.LinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-12)
    assert isinstance(ours.intercept_, float) and ours.coef_.shape == (10,)
    assert ours.rank_ == 10 and ours.singular_.shape == (10,)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-12)


def test_exact_solution_is_the_course_formula():
    """w = (XᵀX)⁻¹Xᵀy with a column of ones for the intercept."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.normal(size=30)
    X1 = np.column_stack([np.ones(30), X])
    w = np.linalg.inv(X1.T @ X1) @ X1.T @ y
    model = LinearRegression().fit(X, y)
    np.testing.assert_allclose(np.r_[model.intercept_, model.coef_], w, rtol=1e-10)


def test_gradient_descent_reaches_the_least_squares_objective_on_diabetes():
    X, y = diabetes()
    best = squared_error(LinearRegression().fit(X, y), X, y)
    model = LinearRegression(solver="gd", max_iter=5000).fit(X, y)
    assert squared_error(model, X, y) == pytest.approx(best, rel=1e-5)
    assert model.n_iter_ < 5000


def test_sgd_on_diabetes_gets_close():
    X, y = diabetes()
    best = squared_error(LinearRegression().fit(X, y), X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LinearRegression(solver="sgd", epochs=100, random_state=0).fit(X, y)
    assert squared_error(model, X, y) == pytest.approx(best, rel=2e-2)
    # the same seed gives the same fit
    again = LinearRegression(solver="sgd", epochs=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        np.testing.assert_array_equal(again.fit(X, y).coef_, again.fit(X, y).coef_)


@pytest.mark.parametrize("solver", ["normal", "gd", "sgd"])
def test_two_dimensional_y(solver):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, 1.0]])
    Y = X @ W.T + [1.0, -1.0] + 0.01 * rng.normal(size=(40, 2))
    model = LinearRegression(solver=solver, max_iter=3000, epochs=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, Y)
    single = [LinearRegression().fit(X, Y[:, k]) for k in range(2)]
    assert model.coef_.shape == (2, 3) and model.intercept_.shape == (2,)
    tol = 1e-10 if solver == "normal" else 1e-2
    np.testing.assert_allclose(model.coef_, [m.coef_ for m in single], atol=tol)
    np.testing.assert_allclose(model.intercept_, [m.intercept_ for m in single], atol=tol)
    assert model.predict(X).shape == (40, 2)


def test_near_singular_normal_equations_warn_with_the_condition_number():
    rng = np.random.default_rng(2)
    x = rng.normal(size=50)
    X = np.column_stack([x, 2 * x + 1e-9 * rng.normal(size=50), rng.normal(size=50)])
    y = x + rng.normal(size=50)
    with pytest.warns(IllConditionedWarning, match=r"condition number \d\.\d+e\+\d+") as record:
        LinearRegression().fit(X, y)
    assert "XᵀX" in str(record[0].message)
    # exactly collinear columns: rank 1 of 2, the minimum-norm solution, and an infinite condition number
    with pytest.warns(IllConditionedWarning, match="singular to working precision"):
        model = LinearRegression(fit_intercept=False).fit(np.column_stack([x, x]), 2 * x)
    assert model.rank_ == 1
    np.testing.assert_allclose(model.coef_, [1.0, 1.0], rtol=1e-10)
    with warnings.catch_warnings():  # a well-conditioned problem does not warn
        warnings.simplefilter("error", IllConditionedWarning)
        LinearRegression().fit(rng.normal(size=(20, 3)), rng.normal(size=20))


def test_dtype_follows_the_data_not_the_default_dtype():
    X, y = diabetes()
    previous = bp.get_default_dtype()
    try:
        bp.set_default_dtype(np.float32)
        for solver in ("normal", "gd"):
            model = LinearRegression(solver=solver, max_iter=50)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                assert model.fit(X, y).coef_.dtype == np.float64
        assert LinearRegression().fit(X.astype(np.float32), y).coef_.dtype == np.float32
        assert LinearRegression().fit(X.astype(int), y).coef_.dtype == np.float64
    finally:
        bp.set_default_dtype(previous)


def test_bad_hyperparameters_raise_at_fit():
    for params, match in [({"solver": "lbfgs"}, "solver must be one of 'normal', 'gd', 'sgd', got 'lbfgs'"),
                          ({"solver": "gd", "lr": -1.0}, "lr must be a number > 0"),
                          ({"solver": "sgd", "batch_size": 0}, "batch_size must be an integer ≥ 1"),
                          ({"solver": "gd", "max_iter": 2.5}, "max_iter must be an integer")]:
        model = LinearRegression(**params)  # the constructor only stores
        with pytest.raises(ValueError, match=match):
            model.fit(X_COURSE, Y_COURSE)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_diverging_gradient_descent_raises():
    with pytest.raises(FloatingPointError, match="Lower the learning rate"):
        LinearRegression(solver="gd", lr=100.0, max_iter=5000).fit(*diabetes())

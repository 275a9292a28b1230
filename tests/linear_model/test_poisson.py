"""PoissonRegressor: scikit-learn's objective reached by L-BFGS and by Newton's method (autodiff Hessians)."""
import numpy as np
import pytest

from backprop.linear_model import PoissonRegressor
from backprop.linear_model._poisson import poisson_deviance_terms
from tests.linear_model._data import diabetes


def poisson_objective(model, X, y, alpha):
    """(1/2n)·Σ deviance + (α/2)‖w‖²."""
    return poisson_deviance_terms(y, model.predict(X)).mean() / 2 + alpha / 2 * model.coef_ @ model.coef_


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("alpha", [0.01, 1.0])
def test_default_settings_reach_sklearn_objective(solver, alpha):
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ours = PoissonRegressor(alpha=alpha, solver=solver).fit(X, y)
    ref = sk.PoissonRegressor(alpha=alpha, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    best = poisson_objective(ref, X, y, alpha)
    assert poisson_objective(ours, X, y, alpha) == pytest.approx(best, rel=1e-7)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3 * np.abs(ref.coef_).max())
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-5)
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-5)  # D², the deviance explained
    assert ours.n_iter_ <= (8 if solver == "newton" else 100)


def test_tight_tolerance_matches_sklearn_coefficients():
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ref = sk.PoissonRegressor(alpha=0.1, solver="newton-cholesky", tol=1e-12, max_iter=1000).fit(X, y)
    for solver in ("lbfgs", "newton"):
        ours = PoissonRegressor(alpha=0.1, solver=solver, tol=1e-10).fit(X, y)
        np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-7)
        assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-8)


def test_log_link_recovers_a_doubling():
    """y = 2ˣ exactly: log μ = x·log 2 fits with zero deviance, so coef = log 2, intercept = 0."""
    X = np.arange(5.0).reshape(-1, 1)
    for solver in ("lbfgs", "newton"):
        model = PoissonRegressor(alpha=0, solver=solver, tol=1e-10).fit(X, 2.0 ** X.ravel())
        assert model.coef_[0] == pytest.approx(np.log(2), rel=1e-7)
        assert model.intercept_ == pytest.approx(0, abs=1e-7)
        np.testing.assert_allclose(model.predict([[5.0]]), [32.0], rtol=1e-6)


def test_without_intercept_and_with_a_large_penalty():
    X, y = diabetes()
    model = PoissonRegressor(fit_intercept=False, alpha=0.1).fit(X, np.ones_like(y))
    assert model.intercept_ == 0.0
    np.testing.assert_allclose(model.coef_, 0, atol=1e-6)  # log 1 = 0 needs no weights
    heavy = PoissonRegressor(alpha=1e6).fit(X, y)
    np.testing.assert_allclose(heavy.coef_, 0, atol=1e-4)
    assert heavy.intercept_ == pytest.approx(np.log(y.mean()), rel=1e-6)


def test_counts_must_be_nonnegative():
    X = np.ones((3, 1))
    with pytest.raises(ValueError, match=r"needs counts y ≥ 0, but y\[1\] = -2.0"):
        PoissonRegressor().fit(X, [1.0, -2.0, 3.0])
    with pytest.raises(ValueError, match="some y > 0"):
        PoissonRegressor().fit(X, [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="solver must be one of 'lbfgs', 'newton', got 'irls'"):
        PoissonRegressor(solver="irls").fit(X, [1.0, 2.0, 3.0])

"""Lasso: exact zeros, the optimality conditions, scikit-learn's objective and coefficients, lasso_path."""
import numpy as np
import pytest

from backprop.linear_model import Lasso, LinearRegression, lasso_path
from backprop.linear_model._lasso import duality_gap
from tests.linear_model._data import diabetes


def lasso_objective(model, X, y, alpha):
    """(1/2n)‖y − Xw − b‖² + α‖w‖₁."""
    r = y - X @ model.coef_ - model.intercept_
    return r @ r / (2 * len(y)) + alpha * np.abs(model.coef_).sum()


@pytest.mark.parametrize("alpha", [0.1, 1.0, 5.0])
def test_default_settings_reach_sklearn_objective_and_zeros(alpha):
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ours = Lasso(alpha=alpha).fit(X, y)
    ref = sk.Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    assert lasso_objective(ours, X, y, alpha) == pytest.approx(lasso_objective(ref, X, y, alpha), rel=1e-6)
    np.testing.assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)
    assert isinstance(ours.intercept_, float) and ours.n_iter_ < 1000


def test_tight_tolerance_matches_sklearn_coefficients():
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ours = Lasso(alpha=0.5, tol=1e-12, max_iter=5000).fit(X, y)
    ref = sk.Lasso(alpha=0.5, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-10)


def test_exact_zeros_and_optimality_conditions():
    """At the minimum, with r the residual: Xⱼᵀr/n = α·sign(wⱼ) where wⱼ ≠ 0, and |Xⱼᵀr/n| ≤ α where wⱼ = 0
    (the course's λ = 2nα: ‖Xw − y‖² + λ‖w‖₁ has the same minimiser)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 8))
    y = X[:, :3] @ [3.0, -2.0, 1.0] + 0.5 * rng.normal(size=80) + 4
    alpha = 0.3
    model = Lasso(alpha=alpha, tol=1e-12, max_iter=5000).fit(X, y)
    nonzero = model.coef_ != 0
    assert nonzero[:3].all() and not nonzero[3:].any()  # irrelevant features get exactly 0
    r = y - model.predict(X)
    correlation = X.T @ r / len(y)
    np.testing.assert_allclose(correlation[nonzero], alpha * np.sign(model.coef_[nonzero]), atol=1e-8)
    assert np.all(np.abs(correlation[~nonzero]) <= alpha + 1e-8)
    assert r.mean() == pytest.approx(0, abs=1e-10)  # the intercept is unpenalised
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    assert duality_gap(Xc, yc, model.coef_, alpha) == pytest.approx(0, abs=1e-10)


def test_alpha_above_alpha_max_gives_all_zeros():
    X, y = diabetes()
    alpha_max = np.abs((X - X.mean(axis=0)).T @ (y - y.mean())).max() / len(y)
    model = Lasso(alpha=alpha_max * 1.001).fit(X, y)
    assert np.all(model.coef_ == 0)
    assert model.intercept_ == pytest.approx(y.mean())
    assert np.count_nonzero(Lasso(alpha=alpha_max * 0.9).fit(X, y).coef_) >= 1


def test_alpha_zero_is_least_squares():
    X, y = diabetes()
    model = Lasso(alpha=0, tol=1e-10, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.coef_, LinearRegression().fit(X, y).coef_, rtol=1e-6)


def test_lasso_path_reaches_exact_zeros():
    X, y = diabetes()
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alphas, coefs, gaps = lasso_path(Xc, yc, n_alphas=20, tol=1e-10)
    assert alphas.shape == (20,) and coefs.shape == (10, 20) and gaps.shape == (20,)
    assert np.all(np.diff(alphas) < 0)
    assert np.abs(coefs[:, 0]).max() < 1e-12  # α_max: every coefficient 0 (up to rounding, at the boundary)
    nonzero = np.count_nonzero(coefs, axis=0)
    assert nonzero[1] <= 2  # exact zeros: just below α_max only one or two features have entered
    assert nonzero[-1] > nonzero[1] and np.all(np.diff(nonzero) >= -1)  # coefficients leave zero as α falls
    np.testing.assert_allclose(coefs[:, 5], Lasso(alpha=alphas[5], tol=1e-10).fit(X, y).coef_, atol=1e-5)
    # the gaps on scikit-learn's scale (½‖y − Xw‖² + nα‖w‖₁): ≥ 0, and within tol of it at these tight fits
    objective = 0.5 * np.sum((yc[:, None] - Xc @ coefs) ** 2, axis=0) + len(yc) * alphas * np.abs(coefs).sum(axis=0)
    assert np.all(gaps >= 0) and np.all(gaps <= 1e-9 * objective)
    linear_model = pytest.importorskip("sklearn.linear_model")
    _, theirs, their_gaps = linear_model.lasso_path(Xc, yc, alphas=alphas, tol=1e-10, max_iter=100000)
    np.testing.assert_allclose(coefs, theirs, atol=1e-4)
    assert their_gaps.shape == gaps.shape


def test_bad_hyperparameters_raise_at_fit():
    X, y = diabetes()
    with pytest.raises(ValueError, match="Lasso: alpha must be a number ≥ 0"):
        Lasso(alpha=-0.1).fit(X, y)
    with pytest.raises(ValueError, match="max_iter must be an integer ≥ 0"):
        Lasso(max_iter=-1).fit(X, y)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        Lasso().fit(X, np.column_stack([y, y]))

"""Ridge: the closed form with an unpenalised intercept, the problem book's exercise, sklearn, ridge_path."""
import warnings
from fractions import Fraction

import numpy as np
import pytest

from backprop.linear_model import IllConditionedWarning, LinearRegression, Ridge, ridge_path
from tests.linear_model._data import diabetes, squared_error

# The problem book's §5 ex. 5: three Pokémon weigh 6, 6, 10; model ŷ = β; loss Σ(yᵢ − β)² + λβ²
ONES, WEIGHTS = np.ones((3, 1)), np.array([6.0, 6.0, 10.0])


@pytest.mark.parametrize("lam", [0.0, 0.5, 1.0, 4 / 39, 10.0])
def test_problem_book_ridge_estimate(lam):
    """β̂ = Σy/(n + λ) = 22/(3 + λ): the larger λ, the smaller β̂."""
    model = Ridge(alpha=lam, fit_intercept=False).fit(ONES, WEIGHTS)
    assert model.coef_ == pytest.approx([22 / (3 + lam)], rel=1e-14)
    assert model.intercept_ == 0.0


def test_problem_book_leave_one_out_picks_lambda_4_39():
    """Leaving out yᵢ gives β̂₋ᵢ = (22 − yᵢ)/(2 + λ); CV(λ) = Σ(yᵢ − β̂₋ᵢ)² is smallest at 1/(2 + λ) = 39/82,
    λ = 4/39, where β̂ = 22/(3 + 4/39) = 858/121."""
    grid = sorted({i / 20 for i in range(41)} | {4 / 39})

    def loo_error(lam):
        errors = []
        for i in range(3):
            keep = np.arange(3) != i
            model = Ridge(alpha=lam, fit_intercept=False).fit(ONES[keep], WEIGHTS[keep])
            errors.append((WEIGHTS[i] - model.predict(ONES[i:i + 1])[0]) ** 2)
        return sum(errors)

    best = min(grid, key=loo_error)
    assert best == 4 / 39
    assert Fraction(best).limit_denominator(100) == Fraction(4, 39)
    beta = Ridge(alpha=best, fit_intercept=False).fit(ONES, WEIGHTS).coef_[0]
    assert beta == pytest.approx(858 / 121, rel=1e-14)
    assert round(beta, 2) == 7.09


@pytest.mark.parametrize("alpha", [0.0, 1.0, 30.0, 1000.0])
def test_matches_sklearn_ridge_on_diabetes(alpha):
    sk = pytest.importorskip("sklearn.linear_model")
    X, y = diabetes()
    ours, ref = Ridge(alpha=alpha).fit(X, y), sk.Ridge(alpha=alpha, solver="svd").fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-10)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-12)

    def objective(model):
        return squared_error(model, X, y) + alpha * model.coef_ @ model.coef_

    assert objective(ours) == pytest.approx(objective(ref), rel=1e-12)


def test_closed_form_leaves_the_intercept_unpenalised():
    """w = (XcᵀXc + αI)⁻¹Xcᵀyc on centred data, b = ȳ − x̄ᵀw; shifting y shifts only b."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(25, 4)) + 3, rng.normal(size=25)
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc + 2.5 * np.eye(4), Xc.T @ yc)
    model = Ridge(alpha=2.5).fit(X, y)
    np.testing.assert_allclose(model.coef_, w, rtol=1e-12)
    assert model.intercept_ == pytest.approx(y.mean() - X.mean(axis=0) @ w)
    shifted = Ridge(alpha=2.5).fit(X, y + 100)
    np.testing.assert_allclose(shifted.coef_, model.coef_, rtol=1e-10)
    assert shifted.intercept_ == pytest.approx(model.intercept_ + 100)


def test_alpha_zero_is_least_squares():
    X, y = diabetes()
    np.testing.assert_allclose(Ridge(alpha=0).fit(X, y).coef_, LinearRegression().fit(X, y).coef_, rtol=1e-10)


def test_two_dimensional_y():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(30, 3)), rng.normal(size=(30, 2))
    model = Ridge(alpha=0.7).fit(X, Y)
    assert model.coef_.shape == (2, 3) and model.intercept_.shape == (2,)
    for k in range(2):
        single = Ridge(alpha=0.7).fit(X, Y[:, k])
        np.testing.assert_allclose(model.coef_[k], single.coef_, rtol=1e-12)
        assert model.intercept_[k] == pytest.approx(single.intercept_)
    np.testing.assert_allclose(model.predict(X), X @ model.coef_.T + model.intercept_)


def test_collinear_features_warn_only_without_a_penalty():
    rng = np.random.default_rng(4)
    x = rng.normal(size=30)
    X, y = np.column_stack([x, x, rng.normal(size=30)]), rng.normal(size=30)
    with pytest.warns(IllConditionedWarning, match="condition number"):
        Ridge(alpha=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IllConditionedWarning)
        model = Ridge(alpha=1.0).fit(X, y)
    assert model.coef_[0] == pytest.approx(model.coef_[1])  # the penalty splits the weight evenly


def test_ridge_path_shrinks_without_exact_zeros():
    X, y = diabetes()
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    alphas, coefs = ridge_path(Xc, yc, [0.0, 1.0, 10.0, 100.0, 1e4])
    assert coefs.shape == (10, 5)
    norms = np.linalg.norm(coefs, axis=0)
    assert np.all(np.diff(norms) < 0)  # the larger λ, the smaller β
    assert np.all(coefs != 0)
    for a, column in zip(alphas, coefs.T):
        np.testing.assert_allclose(column, Ridge(alpha=a).fit(X, y).coef_, rtol=1e-10)
    _, coefs_2d = ridge_path(Xc, np.column_stack([yc, -yc]), [1.0, 2.0])
    assert coefs_2d.shape == (2, 10, 2)
    np.testing.assert_allclose(coefs_2d[1], -coefs_2d[0])
    with pytest.raises(ValueError, match="alphas ≥ 0"):
        ridge_path(Xc, yc, [-1.0])


def test_negative_alpha_raises_at_fit():
    with pytest.raises(ValueError, match=r"Ridge: alpha must be a number ≥ 0, got -1"):
        Ridge(alpha=-1).fit(ONES, WEIGHTS)

import pickle
from fractions import Fraction

import numpy as np
import pytest

from backprop.base import BaseEstimator, RegressorMixin, clone
from backprop.exceptions import NotFittedError
from backprop.model_selection import FitFailedWarning, GridSearchCV, KFold, LeaveOneOut, ParameterGrid, cross_val_score
from backprop.utils import check_is_fitted, validate_data

skms = pytest.importorskip("sklearn.model_selection")
linear_model = pytest.importorskip("sklearn.linear_model")


class PenalisedConstant(RegressorMixin, BaseEstimator):
    """Ridge without an intercept, w = (XᵀX + λI)⁻¹Xᵀy: on a column of ones, Masha's β̂ = Σy / (n + λ)."""

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.coef_ = np.linalg.solve(X.T @ X + self.alpha * np.eye(X.shape[1]), X.T @ y)
        return self

    def predict(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=np.float64) @ self.coef_


# The problem book's ridge exercise (001, §5.2, exercise 5): Masha weighed three pokémon.
ONES = np.ones((3, 1))
WEIGHTS = np.array([6.0, 6.0, 10.0])
LAMBDAS = [0.0, 0.05, 0.1, 4 / 39, 0.11, 0.2, 0.5, 1.0, 2.0, 5.0]


def test_ridge_exercise_beta_for_any_lambda():
    # б) β̂ = 22 / (3 + λ): the larger λ, the smaller β̂
    betas = [PenalisedConstant(alpha=lam).fit(ONES, WEIGHTS).coef_[0] for lam in LAMBDAS]
    np.testing.assert_allclose(betas, [22 / (3 + lam) for lam in LAMBDAS], rtol=1e-14)
    assert betas[0] == pytest.approx(22 / 3)  # а) λ = 0: the sample mean
    assert np.all(np.diff(betas) < 0)


def test_ridge_exercise_leave_one_out_picks_four_thirty_ninths():
    search = GridSearchCV(PenalisedConstant(), {"alpha": LAMBDAS}, cv=LeaveOneOut(),
                          scoring="neg_mean_squared_error").fit(ONES, WEIGHTS)
    # в) CV(λ) = [2(6 − 16/(2 + λ))² + (10 − 12/(2 + λ))²] / 3 is least at 1/(2 + λ) = 39/82, λ = 4/39
    assert search.best_params_ == {"alpha": 4 / 39}
    assert search.best_score_ == pytest.approx(-float(Fraction(39688, 5043)), rel=1e-12)
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(-8.0)  # λ = 0: errors 2², 2², 4²
    assert search.n_splits_ == 3
    # г) β̂ at λ_CV = 22 / (3 + 4/39) = 858/121 ≈ 7.09
    assert search.best_estimator_.coef_[0] == pytest.approx(858 / 121, rel=1e-12)
    assert search.predict([[1.0]])[0] == pytest.approx(7.0909, abs=1e-4)


def test_ridge_exercise_agrees_with_sklearn_ridge_search():
    ours = GridSearchCV(linear_model.Ridge(fit_intercept=False), {"alpha": LAMBDAS}, cv=LeaveOneOut(),
                        scoring="neg_mean_squared_error").fit(ONES, WEIGHTS)
    theirs = skms.GridSearchCV(linear_model.Ridge(fit_intercept=False), {"alpha": LAMBDAS}, cv=skms.LeaveOneOut(),
                               scoring="neg_mean_squared_error").fit(ONES, WEIGHTS)
    assert ours.best_params_ == theirs.best_params_ == {"alpha": 4 / 39}
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"],
                               rtol=1e-12)
    assert ours.best_estimator_.coef_[0] == pytest.approx(858 / 121)


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(25, 4))
    return X, X @ [1.0, 0.0, -2.0, 0.5] + 3 + rng.normal(size=25)


GRIDS = [{"alpha": [0.01, 1.0, 30.0]},
         {"alpha": np.array([0.1, 3.0]), "fit_intercept": [True, False]},
         [{"alpha": [0.5, 5.0]}, {"fit_intercept": [False], "alpha": [2.0]}]]


@pytest.mark.parametrize("grid", GRIDS, ids=range(len(GRIDS)))
@pytest.mark.parametrize("cv, scoring", [("kfold", None), ("kfold", "neg_mean_absolute_error"),
                                         ("loo", "neg_mean_squared_error")])  # R² is undefined on one sample
def test_search_agrees_with_sklearn(regression, grid, cv, scoring):
    X, y = regression
    ours_cv, their_cv = (KFold(4), skms.KFold(4)) if cv == "kfold" else (LeaveOneOut(), skms.LeaveOneOut())
    ours = GridSearchCV(linear_model.Ridge(), grid, cv=ours_cv, scoring=scoring, return_train_score=True).fit(X, y)
    theirs = skms.GridSearchCV(linear_model.Ridge(), grid, cv=their_cv, scoring=scoring,
                               return_train_score=True).fit(X, y)
    assert ours.best_params_ == theirs.best_params_ and ours.best_index_ == theirs.best_index_
    assert ours.best_score_ == pytest.approx(theirs.best_score_, rel=1e-12)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    assert set(ours.cv_results_) == set(theirs.cv_results_)
    for key, value in theirs.cv_results_.items():
        if key.endswith("_score"):
            np.testing.assert_allclose(ours.cv_results_[key], value, rtol=1e-12)
        elif key.startswith("param_"):
            assert ours.cv_results_[key].dtype == value.dtype
            np.testing.assert_array_equal(ours.cv_results_[key].mask, value.mask)
            assert ours.cv_results_[key].compressed().tolist() == value.compressed().tolist()
    assert ours.cv_results_["rank_test_score"].dtype == np.int32
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y), rel=1e-12)


def test_ties_go_to_the_first_best_candidate(regression):
    X, y = regression
    grid = {"copy_X": [True, False], "alpha": [1.0, 1.0 + 1e-15]}
    ours = GridSearchCV(linear_model.Ridge(), grid, cv=KFold(3)).fit(X, y)
    theirs = skms.GridSearchCV(linear_model.Ridge(), grid, cv=skms.KFold(3)).fit(X, y)
    np.testing.assert_array_equal(ours.cv_results_["rank_test_score"], theirs.cv_results_["rank_test_score"])
    assert ours.best_index_ == theirs.best_index_ == 0
    assert ours.best_params_ == {"alpha": 1.0, "copy_X": True}


def test_failed_candidates_rank_last():
    X, y = np.zeros((6, 1)), np.arange(6.0)
    grid = {"alpha": [-1e9, 1.0]}

    class Refuses(PenalisedConstant):
        def fit(self, X, y):
            if self.alpha < 0:
                raise ValueError("negative alpha")
            return super().fit(X + 1, y)

    with pytest.warns(FitFailedWarning, match="3 fits failed out of a total of 6"):
        search = GridSearchCV(Refuses(), grid, cv=KFold(3), scoring="neg_mean_squared_error").fit(X, y)
    assert search.cv_results_["rank_test_score"].tolist() == [2, 1] and search.best_params_ == {"alpha": 1.0}


def test_refit_false_and_unfitted(regression):
    X, y = regression
    search = GridSearchCV(linear_model.Ridge(), {"alpha": [1.0, 2.0]}, cv=3)
    with pytest.raises(NotFittedError, match="This GridSearchCV instance is not fitted yet"):
        search.predict(X)
    search.set_params(refit=False).fit(X, y)
    assert search.best_params_ in ({"alpha": 1.0}, {"alpha": 2.0}) and not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="initialized with `refit=False`. predict is available only after "
                                             "refitting"):
        search.predict(X)


def test_delegation_follows_the_estimator():
    assert hasattr(GridSearchCV(linear_model.Ridge(), {}), "predict")
    assert not hasattr(GridSearchCV(linear_model.Ridge(), {}), "predict_proba")
    classifier = GridSearchCV(linear_model.LogisticRegression(), {"C": [0.1, 10.0]}, cv=2, scoring="accuracy")
    assert hasattr(classifier, "predict_proba") and classifier._estimator_type == "classifier"
    X = np.r_[np.zeros((6, 1)), np.ones((6, 1))] + np.linspace(0, 0.1, 12)[:, None]
    y = np.array(["a"] * 6 + ["b"] * 6)
    classifier.fit(X, y)
    assert classifier.classes_.tolist() == ["a", "b"]
    assert classifier.predict_proba(X).shape == (12, 2) and classifier.n_features_in_ == 1
    assert classifier.score(X, y) == 1.0


def test_search_params_clone_and_repr(regression):
    X, y = regression
    search = GridSearchCV(linear_model.Ridge(), {"alpha": [1.0, 2.0]}, cv=LeaveOneOut(),
                          scoring="neg_mean_squared_error")
    assert search.get_params()["estimator__alpha"] == 1.0
    assert repr(search) == ("GridSearchCV(cv=LeaveOneOut(), estimator=Ridge(),\n"
                            "             param_grid={'alpha': [1.0, 2.0]},\n"
                            "             scoring='neg_mean_squared_error')")
    assert repr(search) == repr(skms.GridSearchCV(linear_model.Ridge(), {"alpha": [1.0, 2.0]}, cv=skms.LeaveOneOut(),
                                                  scoring="neg_mean_squared_error"))
    copy = clone(search.fit(X, y))
    assert not hasattr(copy, "best_params_") and copy.param_grid == search.param_grid
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_allclose(restored.predict(X), search.predict(X))


def test_nested_cross_validation(regression):
    X, y = regression
    inner = GridSearchCV(linear_model.Ridge(), {"alpha": [0.1, 10.0]}, cv=3)
    ours = cross_val_score(inner, X, y, cv=KFold(3))
    theirs = skms.cross_val_score(skms.GridSearchCV(linear_model.Ridge(), {"alpha": [0.1, 10.0]}, cv=3), X, y,
                                  cv=skms.KFold(3))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("grid", [{"b": [1, 2], "a": ["x", "y", "z"]}, [{"c": [0]}, {"a": [1], "b": (2, 3)}], {},
                                  [{}, {"a": [1]}]])
def test_parameter_grid_order_matches_sklearn(grid):
    assert list(ParameterGrid(grid)) == list(skms.ParameterGrid(grid))
    assert len(ParameterGrid(grid)) == len(skms.ParameterGrid(grid))


def test_parameter_grid_errors():
    with pytest.raises(TypeError, match="Parameter grid for parameter 'alpha' needs to be a list or a numpy array, "
                                        "but got 1.0 \\(of type float\\) instead. Single values need to be wrapped"):
        ParameterGrid({"alpha": 1.0})
    with pytest.raises(TypeError, match="needs to be a list"):
        ParameterGrid({"solver": "svd"})
    with pytest.raises(ValueError, match="need to be a non-empty sequence"):
        ParameterGrid({"alpha": []})
    with pytest.raises(ValueError, match="should be one-dimensional"):
        ParameterGrid({"alpha": np.ones((2, 2))})
    with pytest.raises(TypeError, match="should be a dict or a list of dicts"):
        ParameterGrid(3)

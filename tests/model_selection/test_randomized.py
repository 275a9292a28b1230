"""ParameterSampler and RandomizedSearchCV: scikit-learn's settings for int seeds, any object with rvs."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.model_selection import KFold, ParameterGrid, ParameterSampler, RandomizedSearchCV

skms = pytest.importorskip("sklearn.model_selection")
sklm = pytest.importorskip("sklearn.linear_model")
stats = pytest.importorskip("scipy.stats")


def assert_same_settings(ours, theirs):
    ours, theirs = list(ours), list(theirs)
    assert ours == theirs


GRIDS = [({"a": [1, 2, 3], "b": ["x", "y"]}, 3), ({"a": list(range(300))}, 2), ({"a": list(range(300))}, 250),
         ({"a": list(range(20)), "b": [0, 1]}, 39), ([{"a": [1, 2]}, {"b": [3, 4, 5]}], 4)]


@pytest.mark.parametrize("seed", [0, 1, 42])
def test_lists_are_sampled_without_replacement_as_sklearn(seed):
    for grid, n_iter in GRIDS:  # permutation, tracking selection and reservoir sampling, as scikit-learn picks
        assert_same_settings(ParameterSampler(grid, n_iter, random_state=seed),
                             skms.ParameterSampler(grid, n_iter, random_state=seed))
        assert len(ParameterSampler(grid, n_iter)) == len(skms.ParameterSampler(grid, n_iter))


@pytest.mark.parametrize("seed", [0, 3])
def test_distributions_are_drawn_as_sklearn(seed):
    dists = {"C": stats.loguniform(1e-3, 1e3), "kernel": ["rbf", "linear", "poly"], "k": stats.randint(1, 10)}
    assert_same_settings(ParameterSampler(dists, 6, random_state=seed),
                         skms.ParameterSampler(dists, 6, random_state=seed))
    several = [{"C": stats.uniform(0, 1)}, {"kernel": ["a", "b", "c"]}]
    assert_same_settings(ParameterSampler(several, 5, random_state=seed),
                         skms.ParameterSampler(several, 5, random_state=seed))


def test_whole_grid_when_n_iter_is_larger_and_any_rvs_object():
    with pytest.warns(UserWarning, match="total space of parameters 3 is smaller than n_iter=5"):
        settings = list(ParameterSampler({"a": [1, 2, 3]}, 5, random_state=0))
    assert sorted(s["a"] for s in settings) == [1, 2, 3]

    class Half:
        def rvs(self, random_state=None):
            return 0.5 * random_state.uniform()

    bp.manual_seed(0)
    first = list(ParameterSampler({"a": Half(), "b": [1, 2]}, 4))
    bp.manual_seed(0)
    assert first == list(ParameterSampler({"a": Half(), "b": [1, 2]}, 4))  # None follows bp.manual_seed
    generator_draws = list(ParameterSampler({"a": Half()}, 3, random_state=np.random.default_rng(0)))
    assert all(0 <= s["a"] < 0.5 for s in generator_draws)
    with pytest.raises(TypeError, match="not iterable or a distribution"):
        ParameterSampler({"a": 1.0}, 2)
    with pytest.raises(ValueError, match="n_iter must be a positive integer"):
        ParameterSampler({"a": [1]}, 0)


def test_parameter_grid_indexing_matches_iteration():
    grid = ParameterGrid([{"a": [1, 2, 3], "b": ["x", "y"]}, {"c": [True, False]}])
    assert [grid[i] for i in range(len(grid))] == list(grid) == list(skms.ParameterGrid(grid.param_grid))
    with pytest.raises(IndexError):
        grid[len(grid)]


def test_randomized_search_equals_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=40)
    dists = {"alpha": stats.loguniform(1e-2, 1e2), "fit_intercept": [True, False]}
    ours = RandomizedSearchCV(sklm.Ridge(), dists, n_iter=4, cv=KFold(3), random_state=0,
                              return_train_score=True).fit(X, y)
    theirs = skms.RandomizedSearchCV(sklm.Ridge(), dists, n_iter=4, cv=skms.KFold(3), random_state=0,
                                     return_train_score=True).fit(X, y)
    assert ours.cv_results_["params"] == theirs.cv_results_["params"]
    for key in ("mean_test_score", "std_test_score", "rank_test_score", "mean_train_score", "split2_test_score"):
        np.testing.assert_allclose(ours.cv_results_[key], theirs.cv_results_[key], rtol=1e-12)
    assert ours.best_params_ == theirs.best_params_ and ours.best_index_ == theirs.best_index_
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)
    assert ours.score(X, y) == pytest.approx(theirs.score(X, y))
    assert bp.base.clone(ours).get_params()["n_iter"] == 4


def test_randomized_search_with_our_pipeline_and_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2)) * [1, 100]
    y = X @ [1.0, 0.01]
    pipe = bp.pipeline.make_pipeline(bp.preprocessing.StandardScaler(), bp.linear_model.Ridge())
    search = RandomizedSearchCV(pipe, {"ridge__alpha": [0.01, 0.1, 1.0, 10.0]}, n_iter=2, cv=3, random_state=0)
    assert search.fit(X, y).best_params_["ridge__alpha"] in (0.01, 0.1, 1.0, 10.0)
    assert len(search.cv_results_["params"]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(RandomizedSearchCV(sklm.Ridge(), {"alpha": [0.1, 1.0]}, n_iter=2, cv=2),
                                  on_fail=None)
    assert not [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]


@pytest.mark.parametrize("refit", ["r2", False])
def test_searches_with_several_metrics_equal_sklearn(refit):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=30)
    scoring = ["r2", "neg_mean_squared_error"]
    for ours, theirs in [
            (bp.model_selection.GridSearchCV(sklm.Ridge(), {"alpha": [0.1, 100.0]}, cv=3, scoring=scoring,
                                             refit=refit, return_train_score=True),
             skms.GridSearchCV(sklm.Ridge(), {"alpha": [0.1, 100.0]}, cv=3, scoring=scoring, refit=refit,
                               return_train_score=True)),
            (RandomizedSearchCV(sklm.Ridge(), {"alpha": stats.uniform(0, 10)}, n_iter=3, cv=3, scoring=scoring,
                                refit=refit, random_state=0),
             skms.RandomizedSearchCV(sklm.Ridge(), {"alpha": stats.uniform(0, 10)}, n_iter=3, cv=3,
                                     scoring=scoring, refit=refit, random_state=0))]:
        ours.fit(X, y), theirs.fit(X, y)
        assert list(ours.cv_results_) == list(theirs.cv_results_)
        for key, value in theirs.cv_results_.items():
            if "_test_" in key or "_train_" in key or key.startswith("rank_"):
                np.testing.assert_allclose(ours.cv_results_[key], value, rtol=1e-12)
        assert hasattr(ours, "best_index_") == hasattr(theirs, "best_index_")
        if refit:
            assert ours.best_params_ == theirs.best_params_
            assert ours.score(X, y) == pytest.approx(theirs.score(X, y))
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        RandomizedSearchCV(sklm.Ridge(), {"alpha": [1.0]}, n_iter=1, scoring=scoring).fit(X, y)

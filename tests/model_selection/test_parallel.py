"""n_jobs: the fits of cross-validation and of the searches run through joblib (its process backend, or a Dask
cluster through joblib's dask backend) and give the serial results, score for score."""
import logging
import sys
import warnings

import numpy as np
import pytest

from backprop.exceptions import ConvergenceWarning
from backprop.linear_model import LinearRegression
from backprop.model_selection import (GridSearchCV, RandomizedSearchCV, cross_val_predict, cross_val_score,
                                      cross_validate)
from backprop.neural_network import MLPClassifier

joblib = pytest.importorskip("joblib", reason="n_jobs runs through joblib (the cli and dev extras install it)")

rng = np.random.default_rng(0)
X = rng.normal(size=(90, 4))
y = (X[:, 0] + X[:, 1] ** 2 > 0.8).astype(int) + (X[:, 2] > 0.5)  # three classes
GRID = {"alpha": [1e-4, 1e-1], "learning_rate_init": [1e-3, 3e-2]}


def seeded_mlp():
    # Adam from a seeded start: the result depends on random_state, so equal scores show each task fits a
    # clone with the same seed whichever process runs it
    return MLPClassifier(hidden_layer_sizes=(8,), max_iter=25, random_state=0)


def search_scores(search):
    """best_params_ and every per-split test score of a fitted search."""
    scores = {key: value for key, value in search.cv_results_.items() if "test_score" in key}
    return search.best_params_, scores


def assert_same_search(serial, parallel):
    (serial_best, serial_scores), (best, scores) = search_scores(serial), search_scores(parallel)
    assert best == serial_best
    assert scores.keys() == serial_scores.keys()
    for key in scores:
        np.testing.assert_array_equal(scores[key], serial_scores[key], err_msg=key)


@pytest.fixture(autouse=True)
def quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def test_grid_search_with_two_processes_equals_serial():
    serial = GridSearchCV(seeded_mlp(), GRID, cv=3).fit(X, y)
    parallel = GridSearchCV(seeded_mlp(), GRID, cv=3, n_jobs=2).fit(X, y)
    assert_same_search(serial, parallel)
    assert len(set(serial.cv_results_["mean_test_score"])) > 1  # the candidates differ: the check has teeth
    np.testing.assert_array_equal(parallel.predict(X), serial.predict(X))


def test_randomized_search_with_all_cores_equals_serial():
    distributions = {"alpha": [1e-5, 1e-4, 1e-3, 1e-2, 1e-1], "learning_rate_init": [1e-3, 1e-2, 3e-2]}
    serial = RandomizedSearchCV(seeded_mlp(), distributions, n_iter=3, cv=2, random_state=1).fit(X, y)
    parallel = RandomizedSearchCV(seeded_mlp(), distributions, n_iter=3, cv=2, random_state=1, n_jobs=-1).fit(X, y)
    assert_same_search(serial, parallel)


def test_cross_validation_functions_with_two_processes_equal_serial():
    np.testing.assert_array_equal(cross_val_score(seeded_mlp(), X, y, cv=3, n_jobs=2),
                                  cross_val_score(seeded_mlp(), X, y, cv=3))
    serial = cross_validate(seeded_mlp(), X, y, cv=3, scoring=["accuracy", "neg_log_loss"], return_train_score=True,
                            return_estimator=True)
    parallel = cross_validate(seeded_mlp(), X, y, cv=3, scoring=["accuracy", "neg_log_loss"],
                              return_train_score=True, return_estimator=True, n_jobs=2)
    for key in ("test_accuracy", "train_accuracy", "test_neg_log_loss", "train_neg_log_loss"):
        np.testing.assert_array_equal(parallel[key], serial[key], err_msg=key)
    for fitted, expected in zip(parallel["estimator"], serial["estimator"]):  # fitted in a worker, sent back
        np.testing.assert_array_equal(fitted.predict_proba(X), expected.predict_proba(X))
    np.testing.assert_array_equal(cross_val_predict(seeded_mlp(), X, y, cv=3, method="predict_proba", n_jobs=2),
                                  cross_val_predict(seeded_mlp(), X, y, cv=3, method="predict_proba"))


def test_without_joblib_a_plain_loop_runs(monkeypatch):
    expected = cross_val_score(LinearRegression(), X, X @ [1.0, 2.0, 0.0, -1.0], cv=3)
    monkeypatch.setitem(sys.modules, "joblib", None)  # import joblib now raises ImportError
    with pytest.warns(RuntimeWarning, match="n_jobs=2 needs joblib, which is not installed"):
        scores = cross_val_score(LinearRegression(), X, X @ [1.0, 2.0, 0.0, -1.0], cv=3, n_jobs=2)
    np.testing.assert_array_equal(scores, expected)
    search = GridSearchCV(seeded_mlp(), {"alpha": [1e-4, 1e-1]}, cv=2).fit(X, y)  # n_jobs=None: no warning
    assert search.best_params_ in [{"alpha": 1e-4}, {"alpha": 1e-1}]


@pytest.mark.parametrize("n_jobs", [0, 1.5, True, "2"])
def test_bad_n_jobs_is_named(n_jobs):
    with pytest.raises(ValueError, match=f"n_jobs must be None, a positive integer .* got {n_jobs!r}"):
        cross_val_score(LinearRegression(), X, X[:, 0], cv=2, n_jobs=n_jobs)


def test_grid_search_on_a_local_dask_cluster_equals_serial():
    distributed = pytest.importorskip("distributed", reason="the Dask check needs dask[distributed] (dev extra)")
    serial = GridSearchCV(seeded_mlp(), GRID, cv=3).fit(X, y)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
            on_cluster = GridSearchCV(seeded_mlp(), GRID, cv=3).fit(X, y)
        workers = set(client.scheduler_info()["workers"])
    assert_same_search(serial, on_cluster)
    ran_on = {task["worker"] for task in tasks.data}
    assert ran_on and ran_on <= workers, (ran_on, workers)  # the fits ran in the cluster's worker processes

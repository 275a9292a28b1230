import numpy as np
import pytest

import backprop as bp
from backprop.base import BaseEstimator, RegressorMixin
from backprop.model_selection import FitFailedWarning, KFold, LeaveOneOut, StratifiedKFold, cross_val_score
from tests.test_base import NearestMean

skms = pytest.importorskip("sklearn.model_selection")
linear_model = pytest.importorskip("sklearn.linear_model")
datasets = pytest.importorskip("sklearn.datasets")


class FailsOnLargeTargets(RegressorMixin, BaseEstimator):
    """Predicts the training mean, but refuses to fit when a target exceeds ``limit``."""

    def __init__(self, limit=np.inf):
        self.limit = limit

    def fit(self, X, y, sample_weight=None):
        if np.max(y) > self.limit:
            raise ValueError(f"target above {self.limit}")
        self.mean_ = np.average(y, weights=sample_weight)
        return self

    def predict(self, X):
        return np.full(len(X), self.mean_)


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(23, 3))
    return X, X @ [1.0, 2.0, -1.0] + 0.5 * rng.normal(size=23)


# R² of a single test sample is undefined, so leave-one-out is paired with the other scorers only
@pytest.mark.parametrize("scoring, cv", [
    (scoring, cv) for scoring in [None, "r2", "neg_mean_squared_error", "neg_mean_absolute_error",
                                  "neg_root_mean_squared_error"]
    for cv in ["kfold", "loo", "int", "pairs"] if not (cv == "loo" and scoring in (None, "r2"))])
def test_regression_scores_equal_sklearn(regression, scoring, cv):
    X, y = regression
    ours_cv, their_cv = {"kfold": (KFold(4), skms.KFold(4)), "loo": (LeaveOneOut(), skms.LeaveOneOut()),
                         "int": (3, 3), "pairs": ([(np.arange(5, 23), np.arange(5))],) * 2}[cv]
    ours = cross_val_score(linear_model.Ridge(alpha=0.3), X, y, cv=ours_cv, scoring=scoring)
    theirs = skms.cross_val_score(linear_model.Ridge(alpha=0.3), X, y, cv=their_cv, scoring=scoring)
    assert isinstance(ours, np.ndarray) and ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_default_cv_is_five_folds(regression):
    X, y = regression
    np.testing.assert_allclose(cross_val_score(linear_model.Ridge(), X, y),
                               skms.cross_val_score(linear_model.Ridge(), X, y), rtol=1e-12)
    assert len(cross_val_score(linear_model.Ridge(), X, y)) == 5


@pytest.mark.parametrize("scoring", [None, "accuracy", "f1_macro", "neg_log_loss"])
def test_classifier_default_cv_is_stratified_as_sklearn(scoring):
    naive_bayes = pytest.importorskip("sklearn.naive_bayes")
    X, y = datasets.load_iris(return_X_y=True)
    model = naive_bayes.GaussianNB()  # a fast classifier with predict_proba
    np.testing.assert_allclose(cross_val_score(model, X, y, scoring=scoring),
                               skms.cross_val_score(model, X, y, scoring=scoring), rtol=1e-9)


def test_our_classifier_gets_stratified_folds():
    X, y = datasets.load_iris(return_X_y=True)
    ours = cross_val_score(NearestMean(), X, y, cv=3)
    by_hand = [NearestMean().fit(X[train], y[train]).score(X[test], y[test])
               for train, test in StratifiedKFold(3).split(X, y)]
    np.testing.assert_allclose(ours, by_hand)
    # unstratified folds of iris's sorted labels would leave a class out of training and score poorly
    assert ours.min() > 0.8 and cross_val_score(NearestMean(), X, y, cv=KFold(3)).max() < 0.7


def test_callable_scoring_and_tensors(regression):
    X, y = regression
    calls = []

    def scorer(estimator, X_test, y_test):
        calls.append(len(X_test))
        return -np.max(np.abs(estimator.predict(X_test) - y_test))

    scores = cross_val_score(linear_model.Ridge(), X, y, cv=KFold(5), scoring=scorer)
    assert calls == [5, 5, 5, 4, 4] and np.all(scores < 0)
    X_labels = bp.tensor(np.r_[np.zeros((10, 2)), np.ones((10, 2))])
    y_labels = bp.tensor(np.r_[np.zeros(10), np.ones(10)])
    np.testing.assert_array_equal(cross_val_score(NearestMean(), X_labels, y_labels, cv=5), np.ones(5))


def test_fit_params_are_cut_to_the_training_rows(regression):
    X, y = regression
    weights = np.linspace(0.5, 2.0, len(y))
    ours = cross_val_score(linear_model.Ridge(), X, y, cv=KFold(4), params={"sample_weight": weights})
    theirs = skms.cross_val_score(linear_model.Ridge(), X, y, cv=skms.KFold(4), params={"sample_weight": weights})
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_failed_fits_score_nan_with_a_warning():
    X, y = np.zeros((6, 1)), np.array([1.0, 1.0, 1.0, 1.0, 9.0, 1.0])
    with pytest.warns(FitFailedWarning, match="2 fits failed out of a total of 3"):
        scores = cross_val_score(FailsOnLargeTargets(limit=5), X, y, cv=KFold(3),
                                 scoring="neg_mean_absolute_error")
    assert np.isnan(scores[0]) and np.isnan(scores[1]) and scores[2] == -4.0
    with pytest.warns(FitFailedWarning):
        assert cross_val_score(FailsOnLargeTargets(limit=5), X, y, cv=KFold(3), error_score=-1.0)[0] == -1.0
    with pytest.raises(ValueError, match="target above 5"):
        cross_val_score(FailsOnLargeTargets(limit=5), X, y, cv=KFold(3), error_score="raise")
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        cross_val_score(FailsOnLargeTargets(limit=0), X, y, cv=KFold(3))
    with pytest.raises(ValueError, match="error_score must be the string 'raise' or a numeric value"):
        cross_val_score(FailsOnLargeTargets(), X, y, error_score="ignore")


def test_scoring_errors(regression):
    X, y = regression
    with pytest.raises(ValueError, match="'mse' is not a valid scoring value"):
        cross_val_score(linear_model.Ridge(), X, y, scoring="mse")

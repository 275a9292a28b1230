"""cross_validate, cross_val_predict and weighted scoring in cross-validation, against scikit-learn."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.model_selection import KFold, cross_val_predict, cross_val_score, cross_validate

skms = pytest.importorskip("sklearn.model_selection")
sklm = pytest.importorskip("sklearn.linear_model")
skm = pytest.importorskip("sklearn.metrics")
skda = pytest.importorskip("sklearn.discriminant_analysis")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=40)
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    return X, y, labels, rng.uniform(0.1, 2.0, 40)


@pytest.mark.parametrize("scoring", [None, "r2", ["r2", "neg_mean_squared_error"],
                                     {"r2": "r2", "mae": "neg_mean_absolute_error"}])
def test_cross_validate_keys_and_scores_equal_sklearn(data, scoring):
    X, y, _, _ = data
    kwargs = {"cv": 4, "scoring": scoring, "return_train_score": True, "return_indices": True,
              "return_estimator": True}
    ours = cross_validate(sklm.Ridge(), X, y, **kwargs)
    theirs = skms.cross_validate(sklm.Ridge(), X, y, **kwargs)
    assert list(ours) == list(theirs)
    for key, value in theirs.items():
        if key.startswith(("test_", "train_")):
            np.testing.assert_allclose(ours[key], value, rtol=1e-12)
    assert ours["fit_time"].shape == ours["score_time"].shape == (4,) and np.all(ours["fit_time"] >= 0)
    for a, b in zip(ours["indices"]["test"], theirs["indices"]["test"]):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(ours["estimator"][0].coef_, theirs["estimator"][0].coef_)


def test_cross_validate_with_a_scorer_returning_a_dict(data):
    X, y, _, _ = data

    def two_scores(estimator, X_test, y_test):
        return {"r2": skm.r2_score(y_test, estimator.predict(X_test)), "max": float(np.max(y_test))}

    ours = cross_validate(sklm.Ridge(), X, y, cv=3, scoring=two_scores, return_train_score=True)
    theirs = skms.cross_validate(sklm.Ridge(), X, y, cv=3, scoring=two_scores, return_train_score=True)
    assert list(ours) == list(theirs)
    for key in ("test_r2", "train_r2", "test_max", "train_max"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-12)


def test_cross_validate_with_our_estimator_and_failures(data):
    X, y, _, _ = data
    ours = cross_validate(bp.linear_model.Ridge(), X, y, cv=KFold(3), scoring=["r2"])
    theirs = skms.cross_validate(sklm.Ridge(), X, y, cv=skms.KFold(3), scoring=["r2"])
    np.testing.assert_allclose(ours["test_r2"], theirs["test_r2"], rtol=1e-8)
    with pytest.raises(ValueError, match="Empty list"):
        cross_validate(sklm.Ridge(), X, y, scoring=[])
    with pytest.raises(ValueError, match="unique metric names"):
        cross_validate(sklm.Ridge(), X, y, scoring=["r2", "r2"])
    with pytest.warns(bp.model_selection.FitFailedWarning):
        result = cross_validate(sklm.Ridge(), X, y, cv=KFold(2), scoring=["r2", "neg_mean_squared_error"],
                                params={"sample_weight": np.r_[np.full(20, -np.inf), np.ones(20)]})
    assert np.isnan(result["test_r2"]).sum() == 1 and np.isnan(result["test_neg_mean_squared_error"]).sum() == 1


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba", "decision_function"])
def test_cross_val_predict_equals_sklearn(data, method):
    X, _, labels, _ = data
    lda = skda.LinearDiscriminantAnalysis()  # closed form: fast, with all four methods
    ours = cross_val_predict(lda, X, labels, cv=3, method=method)
    np.testing.assert_allclose(ours, skms.cross_val_predict(lda, X, labels, cv=3, method=method), rtol=1e-8)


def test_cross_val_predict_regression_missing_classes_and_partitions(data):
    X, y, _, _ = data
    np.testing.assert_allclose(cross_val_predict(bp.linear_model.Ridge(), X, y, cv=KFold(4)),
                               skms.cross_val_predict(sklm.Ridge(), X, y, cv=skms.KFold(4)), rtol=1e-8)
    rare = np.array([0] * 18 + [1] * 20 + [2] * 2)  # unshuffled folds: class 2 is missing from one training set
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method in ("predict_proba", "predict_log_proba"):
            ours = cross_val_predict(skda.LinearDiscriminantAnalysis(), X, rare, cv=KFold(3), method=method)
            theirs = skms.cross_val_predict(skda.LinearDiscriminantAnalysis(), X, rare, cv=skms.KFold(3),
                                            method=method)
            np.testing.assert_allclose(ours, theirs, rtol=1e-8)
        with pytest.raises(ValueError, match="Only 2 class/es in training fold"):
            cross_val_predict(skda.LinearDiscriminantAnalysis(), X, rare, cv=KFold(3), method="decision_function")
    with pytest.raises(ValueError, match="only works for partitions"):
        cross_val_predict(sklm.Ridge(), X, y, cv=skms.ShuffleSplit(2, random_state=0))


def test_sample_weight_reaches_fit_and_requesting_scorers(data):
    X, y, _, w = data
    # by default (as scikit-learn without metadata routing) the weights go to fit only
    np.testing.assert_allclose(cross_val_score(sklm.Ridge(), X, y, cv=KFold(3), params={"sample_weight": w}),
                               skms.cross_val_score(sklm.Ridge(), X, y, cv=skms.KFold(3),
                                                    params={"sample_weight": w}), rtol=1e-12)
    # a scorer that asks for them gets each scored fold's weights: scikit-learn's routed result
    scorer = bp.metrics.get_scorer("r2").set_score_request(sample_weight=True)
    ours = cross_validate(sklm.Ridge(), X, y, cv=KFold(3), scoring={"r2": scorer, "plain": "r2"},
                          params={"sample_weight": w}, return_train_score=True)
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        weighted = skm.make_scorer(skm.r2_score).set_score_request(sample_weight=True)
        theirs = skms.cross_validate(sklm.Ridge().set_fit_request(sample_weight=True), X, y, cv=skms.KFold(3),
                                     scoring={"r2": weighted, "plain": skm.make_scorer(skm.r2_score)
                                              .set_score_request(sample_weight=False)},
                                     params={"sample_weight": w}, return_train_score=True)
    for key in ("test_r2", "train_r2", "test_plain", "train_plain"):
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-12)
    assert not np.allclose(ours["test_r2"], ours["test_plain"])
    by_hand = [skm.r2_score(y[test], sklm.Ridge().fit(X[train], y[train], sample_weight=w[train]).predict(X[test]),
                            sample_weight=w[test]) for train, test in KFold(3).split(X)]
    np.testing.assert_allclose(ours["test_r2"], by_hand, rtol=1e-12)


def test_searches_pass_sample_weight_to_fit_and_requesting_scorers(data):
    X, y, _, w = data
    scorer = bp.metrics.make_scorer(skm.mean_squared_error, greater_is_better=False).set_score_request(
        sample_weight=True)
    search = bp.model_selection.GridSearchCV(sklm.Ridge(), {"alpha": [0.1, 10.0]}, cv=KFold(3), scoring=scorer)
    search.fit(X, y, sample_weight=w)
    expected = [np.mean([-skm.mean_squared_error(y[te], sklm.Ridge(alpha=a).fit(X[tr], y[tr], sample_weight=w[tr])
                                                 .predict(X[te]), sample_weight=w[te])
                         for tr, te in KFold(3).split(X)]) for a in (0.1, 10.0)]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], expected, rtol=1e-12)
    np.testing.assert_allclose(search.best_estimator_.coef_, sklm.Ridge(alpha=search.best_params_["alpha"])
                               .fit(X, y, sample_weight=w).coef_)
    assert search.score(X, y, sample_weight=w) == pytest.approx(
        -skm.mean_squared_error(y, search.predict(X), sample_weight=w))

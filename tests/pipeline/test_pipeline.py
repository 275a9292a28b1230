"""Pipeline and make_pipeline against scikit-learn's: parameters, cloning, delegation, tags, model selection."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.base import clone, is_classifier, is_regressor
from backprop.exceptions import NotFittedError
from backprop.pipeline import Pipeline, make_pipeline
from backprop.preprocessing import MinMaxScaler, OneHotEncoder, PolynomialFeatures, SimpleImputer, StandardScaler

skpipe = pytest.importorskip("sklearn.pipeline")
sklm = pytest.importorskip("sklearn.linear_model")
skpre = pytest.importorskip("sklearn.preprocessing")
skms = pytest.importorskip("sklearn.model_selection")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)) * [1, 10, 100]
    y = (X[:, 0] + X[:, 1] / 10 > 0).astype(int)
    return X, y


def both(*final):
    """Our scaler and scikit-learn's, each before a fresh copy of the same scikit-learn estimator."""
    return make_pipeline(StandardScaler(), *final), skpipe.make_pipeline(skpre.StandardScaler(), *map(clone, final))


def test_make_pipeline_names_steps_as_sklearn():
    steps = [StandardScaler(), PolynomialFeatures(), StandardScaler(), "passthrough", PolynomialFeatures(),
             bp.linear_model.Ridge()]
    sk_steps = [skpre.StandardScaler(), skpre.PolynomialFeatures(), skpre.StandardScaler(), "passthrough",
                skpre.PolynomialFeatures(), sklm.Ridge()]
    ours = [name for name, _ in make_pipeline(*steps).steps]
    assert ours == [name for name, _ in skpipe.make_pipeline(*sk_steps).steps]
    assert ours == ["standardscaler-1", "polynomialfeatures-1", "standardscaler-2", "passthrough",
                    "polynomialfeatures-2", "ridge"]


def test_predictions_scores_and_delegation_equal_sklearn(data):
    X, y = data
    ours, theirs = both(sklm.LogisticRegression())
    ours.fit(X, y), theirs.fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        np.testing.assert_allclose(getattr(ours, method)(X), getattr(theirs, method)(X), rtol=1e-10, atol=1e-12)
    w = np.linspace(0.5, 2, len(y))
    assert ours.score(X, y, sample_weight=w) == theirs.score(X, y, sample_weight=w)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.n_features_in_ == 3
    assert not hasattr(ours, "transform") and not hasattr(ours, "inverse_transform")
    assert hasattr(ours[:-1], "transform") and hasattr(ours[:-1], "inverse_transform")
    np.testing.assert_allclose(ours[:-1].transform(X), theirs[:-1].transform(X), rtol=1e-12)
    np.testing.assert_allclose(ours[:-1].inverse_transform(ours[:-1].transform(X)), X, rtol=1e-12)


def test_fit_params_reach_the_named_step(data):
    X, y = data
    w = np.where(y == 1, 3.0, 1.0)
    ours, theirs = both(sklm.LogisticRegression())
    ours.fit(X, y, logisticregression__sample_weight=w, standardscaler__sample_weight=w)
    theirs.fit(X, y, logisticregression__sample_weight=w, standardscaler__sample_weight=w)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-10)
    with pytest.raises(ValueError, match="stepname__parameter"):
        ours.fit(X, y, sample_weight=w)


def test_deep_params_set_params_and_clone(data):
    ours, theirs = both(sklm.LogisticRegression())
    assert set(ours.get_params()) == set(theirs.get_params())
    assert set(ours.get_params(deep=False)) == {"steps", "transform_input", "memory", "verbose"}
    ours.set_params(logisticregression__C=0.5, standardscaler__with_mean=False)
    assert ours.named_steps.logisticregression.C == 0.5 and not ours["standardscaler"].with_mean
    ours.set_params(standardscaler=MinMaxScaler())
    assert isinstance(ours[0], MinMaxScaler) and ours.get_params()["standardscaler"] is ours[0]
    from sklearn.base import clone as sk_clone

    for copy in (clone(ours), sk_clone(ours)):
        assert copy is not ours and copy[0] is not ours[0]
        assert copy.get_params()["logisticregression__C"] == 0.5
    X, y = data
    ours.fit(X, y)
    assert not hasattr(clone(ours)[-1], "coef_")


def test_get_feature_names_out_through_the_steps():
    X = np.array([["red", 1.0], ["green", np.nan], ["red", 3.0]], dtype=object)
    pipe = make_pipeline(OneHotEncoder(), StandardScaler(), PolynomialFeatures(degree=2, include_bias=False))
    theirs = skpipe.make_pipeline(skpre.OneHotEncoder(sparse_output=False), skpre.StandardScaler(),
                                  skpre.PolynomialFeatures(degree=2, include_bias=False))
    names = pipe.fit(X).get_feature_names_out(["colour", "size"])
    assert list(names) == list(theirs.fit(X).get_feature_names_out(["colour", "size"]))
    numeric = make_pipeline(SimpleImputer(), MinMaxScaler(), StandardScaler()).fit(np.array([[1.0, np.nan]] * 3))
    assert list(numeric.get_feature_names_out()) == ["x0"]  # the empty column is dropped by the imputer


def test_estimator_type_and_tags_follow_the_last_step():
    classifier, _ = both(sklm.LogisticRegression())
    regressor = make_pipeline(StandardScaler(), bp.linear_model.Ridge())
    transformer = make_pipeline(StandardScaler(), MinMaxScaler())
    assert is_classifier(classifier) and not is_regressor(classifier)
    assert is_regressor(regressor) and not is_classifier(regressor)
    assert not is_classifier(transformer) and not is_regressor(transformer)
    from sklearn.base import is_classifier as sk_is_classifier
    from sklearn.utils import get_tags

    assert sk_is_classifier(classifier)
    assert get_tags(classifier).estimator_type == "classifier"
    assert get_tags(regressor).estimator_type == "regressor"
    assert get_tags(transformer).transformer_tags is not None


def test_inside_cross_validation_and_grid_search_as_sklearn(data):
    X, y = data
    ours, theirs = both(sklm.LogisticRegression())
    np.testing.assert_allclose(bp.model_selection.cross_val_score(ours, X, y, cv=3),
                               skms.cross_val_score(theirs, X, y, cv=3), rtol=1e-12)
    target = X @ [1.0, 0.1, 0.01] + np.sin(X[:, 0])
    ours, theirs = both(sklm.Ridge())
    grid = {"ridge__alpha": [0.1, 10.0], "standardscaler": [StandardScaler(), "passthrough"]}
    sk_grid = {"ridge__alpha": [0.1, 10.0], "standardscaler": [skpre.StandardScaler(), "passthrough"]}
    search = bp.model_selection.GridSearchCV(ours, grid, cv=3).fit(X, target)
    sk_search = skms.GridSearchCV(theirs, sk_grid, cv=3).fit(X, target)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], sk_search.cv_results_["mean_test_score"])
    assert search.best_params_["ridge__alpha"] == sk_search.best_params_["ridge__alpha"]
    assert not hasattr(ours[0], "mean_")  # the search fitted clones, not the pipeline it was given


def test_passthrough_slicing_and_verbose(data, capsys):
    X, y = data
    pipe = Pipeline([("scale", "passthrough"), ("poly", PolynomialFeatures()), ("model", bp.linear_model.Ridge())],
                    verbose=True)
    pipe.fit(X, y)
    printed = capsys.readouterr().out.splitlines()
    sk_steps = [("scale", "passthrough"), ("poly", skpre.PolynomialFeatures()), ("model", sklm.Ridge())]
    skpipe.Pipeline(sk_steps, verbose=True).fit(X, y)
    expected = capsys.readouterr().out.splitlines()
    assert [line.split("total=")[0] for line in printed] == [line.split("total=")[0] for line in expected]
    assert all(len(line) == 70 and line.endswith("s") for line in printed)  # scikit-learn's layout
    assert len(pipe) == 3 and pipe[1:][0] is pipe["poly"]
    np.testing.assert_allclose(pipe.predict(X), pipe[-1].predict(pipe[:-1].transform(X)))
    only = Pipeline([("a", StandardScaler()), ("b", "passthrough")]).fit(X)
    np.testing.assert_allclose(only.transform(X), only.fit_transform(X))


def test_validation_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="not unique"):
        Pipeline([("a", StandardScaler()), ("a", bp.linear_model.Ridge())]).fit(X, y)
    with pytest.raises(ValueError, match="must not contain __"):
        Pipeline([("a__b", StandardScaler()), ("c", bp.linear_model.Ridge())]).fit(X, y)
    with pytest.raises(TypeError, match="intermediate steps should be transformers"):
        Pipeline([("a", bp.linear_model.Ridge()), ("b", bp.linear_model.Ridge())]).fit(X, y)
    with pytest.raises(ValueError, match="conflict with constructor arguments"):
        Pipeline([("steps", StandardScaler()), ("b", bp.linear_model.Ridge())]).fit(X, y)
    with pytest.raises(ValueError, match="memory"):
        Pipeline([("b", bp.linear_model.Ridge())], memory="cache").fit(X, y)
    with pytest.raises(ValueError, match="transform_input"):
        Pipeline([("b", bp.linear_model.Ridge())], transform_input=["groups"]).fit(X, y)
    assert not hasattr(make_pipeline(StandardScaler(), bp.linear_model.Ridge()), "predict_proba")
    with pytest.raises(NotFittedError):
        make_pipeline(StandardScaler(), bp.linear_model.Ridge()).predict(X)


@pytest.mark.parametrize("make", [lambda: make_pipeline(StandardScaler(), sklm.RidgeClassifier()),
                                  lambda: make_pipeline(MinMaxScaler(), bp.linear_model.Ridge())],
                         ids=["classifier", "regressor"])
def test_sklearn_estimator_checks(make):
    from sklearn.utils.estimator_checks import check_estimator

    # scikit-learn marks the same check as an expected failure of its own Pipeline: fit fits the steps in place
    expected = {"check_estimators_overwrite_params": "Pipeline fits its steps in place, as scikit-learn's"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(make(), on_fail=None, expected_failed_checks=expected)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed

import pickle
import warnings

import numpy as np
import pytest

from backprop.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier, is_regressor
from backprop.utils import check_classes, check_is_fitted, validate_data


class Least(RegressorMixin, BaseEstimator):
    """Least squares with an intercept: a regressor built the way the library's estimators are."""

    def __init__(self, fit_intercept=True, scale=1.0):
        self.fit_intercept = fit_intercept
        self.scale = scale

    def _design(self, X):
        return np.c_[X, np.ones(len(X))] if self.fit_intercept else X

    def fit(self, X, y):
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        self.coef_ = np.linalg.lstsq(self._design(X), y, rcond=None)[0]
        return self

    def predict(self, X):
        check_is_fitted(self)
        return self._design(validate_data(self, X, reset=False, dtype=np.float64)) @ self.coef_


class NearestMean(ClassifierMixin, BaseEstimator):
    """The class whose training mean is nearest."""

    def __init__(self, power=2):
        self.power = power

    def fit(self, X, y):
        X, y = validate_data(self, X, y, dtype=np.float64)
        self.classes_, encoded = check_classes(y, estimator=self)
        self.means_ = np.array([X[encoded == k].mean(axis=0) for k in range(len(self.classes_))])
        return self

    def predict(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        distance = (np.abs(X[:, None, :] - self.means_) ** self.power).sum(axis=-1)
        return self.classes_[np.argmin(distance, axis=1)]


class Pipeline2(BaseEstimator):
    def __init__(self, first=None, second=None, options=None):
        self.first = first
        self.second = second
        self.options = options


def sklearn_twin(cls):
    """The same class built on scikit-learn's BaseEstimator, as an oracle for the repr and params."""
    base = pytest.importorskip("sklearn.base")
    return type(cls.__name__, (base.BaseEstimator,), {"__init__": cls.__init__})


def test_get_params_and_nested_params():
    inner = Least(scale=2.0)
    outer = Pipeline2(first=inner, second=NearestMean())
    assert Least().get_params() == {"fit_intercept": True, "scale": 1.0}
    assert outer.get_params(deep=False) == {"first": inner, "second": outer.second, "options": None}
    deep = outer.get_params()
    assert deep["first__scale"] == 2.0 and deep["second__power"] == 2 and deep["first"] is inner
    assert set(deep) == {"first", "second", "options", "first__fit_intercept", "first__scale", "second__power"}


def test_set_params_reaches_nested_estimators():
    outer = Pipeline2(first=Least(), second=NearestMean())
    assert outer.set_params(first__scale=3.0, options={"a": 1}, second__power=1) is outer
    assert outer.first.scale == 3.0 and outer.second.power == 1 and outer.options == {"a": 1}
    assert outer.set_params() is outer
    with pytest.raises(ValueError, match=r"Invalid parameter 'alpha' for estimator Least\(\). Valid parameters are: "
                                         r"\['fit_intercept', 'scale'\]."):
        Least().set_params(alpha=1.0)
    with pytest.raises(ValueError, match="Invalid parameter 'alpha' for estimator Least"):
        outer.set_params(first__alpha=1.0)


def test_varargs_constructor_is_refused():
    class Bad(BaseEstimator):
        def __init__(self, *layers):
            self.layers = layers

    with pytest.raises(RuntimeError, match=r"should not take \*args"):
        Bad().get_params()


@pytest.mark.parametrize("make", [
    lambda cls: cls[0](),
    lambda cls: cls[0](scale=0.5),
    lambda cls: cls[0](fit_intercept=False, scale=float("nan")),
    lambda cls: cls[1](first=cls[0](scale=2), options={"k": [1, 2, 3]}),
    lambda cls: cls[1](first=cls[0](scale="long_value_" * 4, fit_intercept=False),
                       second=cls[0](scale=np.arange(4.0)), options=list(range(12))),
    lambda cls: cls[1](first=cls[1](first=cls[0](scale="x" * 40, fit_intercept=False), options="y" * 30)),
], ids=["default", "changed", "nan", "nested", "wrapped", "deeply-nested"])
def test_repr_matches_sklearn(make):
    ours = make((Least, Pipeline2))
    theirs = make((sklearn_twin(Least), sklearn_twin(Pipeline2)))
    assert repr(ours) == repr(theirs)


def test_repr_pins():
    assert repr(Least()) == "Least()"
    assert repr(Least(scale=0.5)) == "Least(scale=0.5)"


def test_clone_is_unfitted_with_equal_params():
    X, y = np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 4.0])
    fitted = Least(scale=2.0).fit(X, y)
    copy = clone(fitted)
    assert copy is not fitted and copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "coef_") and not hasattr(copy, "n_features_in_")
    outer = Pipeline2(first=fitted, options=[1, 2])
    outer_copy = clone(outer)
    assert outer_copy.first is not fitted and outer_copy.options == [1, 2] and outer_copy.options is not outer.options
    assert [type(e) for e in clone([Least(), NearestMean()])] == [Least, NearestMean]
    assert clone({"a": Least(scale=3)})["a"].scale == 3


def test_clone_of_non_estimators():
    with pytest.raises(TypeError, match="Cannot clone object"):
        clone(object())
    with pytest.raises(TypeError, match="does not seem to be an estimator"):
        clone(Least)
    data = {"x": [1, 2]}
    assert clone(data["x"], safe=False) == [1, 2] and clone(data["x"], safe=False) is not data["x"]


def test_clone_detects_a_constructor_that_modifies_its_parameters():
    class Modifies(BaseEstimator):
        def __init__(self, ratio=1.0):
            self.ratio = float(ratio) * 2

    with pytest.raises(RuntimeError, match="either does not set or modifies parameter ratio"):
        clone(Modifies())


def test_clone_interoperates_with_sklearn():
    base = pytest.importorskip("sklearn.base")
    linear_model = pytest.importorskip("sklearn.linear_model")
    theirs = clone(linear_model.Ridge(alpha=3.0))
    assert isinstance(theirs, linear_model.Ridge) and theirs.alpha == 3.0
    ours = base.clone(Least(scale=4.0))
    assert isinstance(ours, Least) and ours.scale == 4.0


def test_mixin_scores():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ [1.0, -2.0] + 0.5 + 0.1 * rng.normal(size=40)
    model = Least().fit(X, y)
    prediction = model.predict(X)
    expected = 1 - np.sum((y - prediction) ** 2) / np.sum((y - y.mean()) ** 2)
    assert isinstance(model.score(X, y), float)
    assert model.score(X, y) == pytest.approx(expected, rel=1e-12)
    labels = np.where(X[:, 0] > 0, "pos", "neg")
    classifier = NearestMean().fit(X, labels)
    assert classifier.classes_.tolist() == ["neg", "pos"]
    assert classifier.score(X, labels) == np.mean(classifier.predict(X) == labels)
    weights = np.arange(40.0)
    assert classifier.score(X, labels, sample_weight=weights) == pytest.approx(
        np.average(classifier.predict(X) == labels, weights=weights))


def test_is_classifier_and_is_regressor():
    linear_model = pytest.importorskip("sklearn.linear_model")
    assert is_classifier(NearestMean()) and not is_regressor(NearestMean())
    assert is_regressor(Least()) and not is_classifier(Least())
    assert not is_classifier(Pipeline2()) and not is_classifier(object())
    assert is_classifier(linear_model.LogisticRegression()) and is_regressor(linear_model.Ridge())


def test_sklearn_tags():
    utils = pytest.importorskip("sklearn.utils")
    assert utils.get_tags(Least()).estimator_type == "regressor"
    assert utils.get_tags(NearestMean()).estimator_type == "classifier"
    assert utils.get_tags(NearestMean()).target_tags.required
    assert utils.get_tags(Pipeline2()).estimator_type is None


def test_pickle_round_trip():
    X, y = np.arange(6.0).reshape(3, 2), np.array([1.0, 2.0, 4.0])
    model = Least(scale=2.0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    assert restored.get_params() == model.get_params()


@pytest.mark.parametrize("estimator", [Least(), NearestMean()], ids=["regressor", "classifier"])
def test_sklearn_estimator_checks(estimator):
    """A minimal estimator built on BaseEstimator and backprop.utils passes scikit-learn's own checks."""
    estimator_checks = pytest.importorskip("sklearn.utils.estimator_checks")
    with warnings.catch_warnings(record=True):  # skipped checks (no pandas) and "not sklearn's BaseEstimator"
        results = estimator_checks.check_estimator(estimator, on_fail=None)
    failed = {r["check_name"]: r["exception"] for r in results if r["status"] == "failed"}
    assert not failed
    assert sum(r["status"] == "passed" for r in results) > 40

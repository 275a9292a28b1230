import numpy as np
import pytest

from backprop import metrics

skm = pytest.importorskip("sklearn.metrics")
linear_model = pytest.importorskip("sklearn.linear_model")


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = X @ [1.0, -1.0, 2.0] + rng.normal(size=40) + 5
    return linear_model.Ridge().fit(X[:30], y[:30]), X[30:], y[30:]


@pytest.fixture(scope="module", params=[2, 3], ids=["binary", "multiclass"])
def classification(request):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 2))
    y = np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 1) * (request.param - 2)]
    return linear_model.LogisticRegression().fit(X[:60], y[:60]), X[60:], y[60:]


REGRESSION_NAMES = ["r2", "neg_mean_squared_error", "neg_root_mean_squared_error", "neg_mean_absolute_error",
                    "neg_mean_absolute_percentage_error"]
CLASSIFICATION_NAMES = ["accuracy", "neg_log_loss", "f1_macro", "precision_micro", "recall_weighted"]


@pytest.mark.parametrize("name", REGRESSION_NAMES)
def test_regression_scorers_agree_with_sklearn(name, regression):
    model, X, y = regression
    ours = metrics.get_scorer(name)(model, X, y)
    assert type(ours) is float
    assert ours == pytest.approx(skm.get_scorer(name)(model, X, y), rel=1e-12)


@pytest.mark.parametrize("name", CLASSIFICATION_NAMES)
def test_classification_scorers_agree_with_sklearn(name, classification):
    model, X, y = classification
    assert metrics.get_scorer(name)(model, X, y) == pytest.approx(skm.get_scorer(name)(model, X, y), rel=1e-12)


def test_binary_scorers_use_pos_label_one():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(50, 2))
    y = (X[:, 0] + 0.5 * rng.normal(size=50) > 0).astype(int)
    model = linear_model.LogisticRegression().fit(X, y)
    for name in ("precision", "recall", "f1", "neg_log_loss"):
        assert metrics.get_scorer(name)(model, X, y) == pytest.approx(skm.get_scorer(name)(model, X, y))


def test_make_scorer_and_sample_weight(regression):
    model, X, y = regression
    scorer = metrics.make_scorer(metrics.mean_squared_error, greater_is_better=False)
    assert scorer(model, X, y) == -metrics.mean_squared_error(y, model.predict(X))
    weights = np.arange(1.0, 11.0)
    assert scorer(model, X, y, sample_weight=weights) == pytest.approx(
        -metrics.mean_squared_error(y, model.predict(X), sample_weight=weights))
    assert repr(scorer) == ("make_scorer(mean_squared_error, greater_is_better=False, "
                            "response_method='predict')")
    assert repr(metrics.get_scorer("f1_macro")) == ("make_scorer(f1_score, response_method='predict', "
                                                    "pos_label=None, average='macro')")
    with pytest.raises(AttributeError, match="Ridge has none of the following attributes: predict_proba"):
        metrics.get_scorer("neg_log_loss")(model, X, y)


def test_check_scoring(regression):
    model, X, y = regression
    assert metrics.check_scoring(model)(model, X, y) == model.score(X, y)
    assert metrics.check_scoring(model, "r2")(model, X, y) == pytest.approx(model.score(X, y))

    def custom(estimator, X, y):
        return 1.0

    assert metrics.check_scoring(model, custom) is custom
    with pytest.raises(TypeError, match="should have a 'score' method"):
        metrics.check_scoring(object())
    with pytest.raises(ValueError, match="'accuracy_score' is not a valid scoring value. Use "
                                         r"sorted\(bp.metrics.get_scorer_names\(\)\)"):
        metrics.get_scorer("accuracy_score")
    with pytest.raises(ValueError, match="scoring should be None"):
        metrics.check_scoring(model, 3)
    assert {"accuracy", "r2", "neg_mean_squared_error", "neg_mean_absolute_error"} <= set(metrics.get_scorer_names())

"""bp.preprocessing against scikit-learn, and the course's XOR with a product feature."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import NotFittedError
from backprop.preprocessing import PolynomialFeatures, StandardScaler

sk = pytest.importorskip("sklearn.preprocessing")


def data(seed=0, n=40, p=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(3.0, 2.0, (n, p))
    X[:, 1] = 5.0  # a constant column
    return X


@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False), (False, False)])
def test_standard_scaler_agrees_with_sklearn(with_mean, with_std):
    X, X_new = data(0), data(1)
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    theirs = sk.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), rtol=1e-12, atol=1e-12)
    if with_std:
        np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
        assert ours.scale_[1] == 1.0  # constant column left unscaled
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X_new)), X_new, rtol=1e-12)


def test_standard_scaler_learns_from_the_training_rows_only():
    train, test = np.array([[0.0], [2.0]]), np.array([[4.0]])
    scaler = StandardScaler().fit(train)
    assert scaler.mean_[0] == 1.0 and scaler.scale_[0] == 1.0
    assert scaler.transform(test)[0, 0] == 3.0


def test_standard_scaler_errors():
    with pytest.raises(NotFittedError):
        StandardScaler().transform(np.ones((2, 2)))
    scaler = StandardScaler().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="2 features"):
        scaler.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match="infinity"):  # NaN is ignored (as scikit-learn), infinity is not
        StandardScaler().fit(np.array([[1.0], [np.inf]]))


@pytest.mark.parametrize("degree", [0, 1, 2, 3])
@pytest.mark.parametrize("interaction_only", [False, True])
@pytest.mark.parametrize("include_bias", [False, True])
def test_polynomial_features_agree_with_sklearn(degree, interaction_only, include_bias):
    X = data(2, n=6, p=3)
    if degree == 0 and not include_bias:  # no output column at all: both refuse
        with pytest.raises(ValueError):
            sk.PolynomialFeatures(degree, include_bias=False).fit(X)
        with pytest.raises(ValueError, match="no output features"):
            PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=False).fit(X)
        return
    ours = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    theirs = sk.PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-12)
    np.testing.assert_array_equal(ours.powers_, theirs.powers_)
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_the_course_xor_is_separable_with_the_product_feature():
    # The problem book §1: XOR needs a hidden layer, or one neuron on (x₁, x₂, x₁x₂).
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    features = PolynomialFeatures(interaction_only=True, include_bias=False).fit_transform(X)
    np.testing.assert_array_equal(features[:, 2], [0, 0, 0, 1])
    clf = bp.linear_model.Perceptron(tol=None, random_state=0).fit(features, y)
    np.testing.assert_array_equal(clf.predict(features), y)
    # without the product no linear classifier can get all four right
    plain = bp.linear_model.Perceptron(max_iter=50, tol=None, random_state=0).fit(X, y)
    assert (plain.predict(X) == y).sum() <= 3


def test_polynomial_features_bad_degree():
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=-1).fit(np.ones((2, 2)))


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit", "ignore:Skipping check")
@pytest.mark.parametrize("estimator", [StandardScaler(), PolynomialFeatures()], ids=lambda e: type(e).__name__)
def test_sklearn_estimator_checks(estimator):
    from sklearn.utils.estimator_checks import check_estimator

    results = check_estimator(estimator, on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed

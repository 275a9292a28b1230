"""bp.preprocessing against scikit-learn, and the course's XOR with a product feature."""
import warnings

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


@pytest.mark.parametrize("n_features, degree, interaction_only, include_bias",
                         [(3, 4, False, True), (3, 5, True, False), (4, 3, True, True), (1, 6, False, False),
                          (5, 2, False, False)])
def test_polynomial_features_equal_sklearn_for_higher_degrees(n_features, degree, interaction_only, include_bias):
    X = np.random.default_rng(3).normal(1.0, 2.0, (5, n_features))
    ours = PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    theirs = sk.PolynomialFeatures(degree, interaction_only=interaction_only, include_bias=include_bias).fit(X)
    assert ours.n_output_features_ == theirs.n_output_features_
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))  # same products in the same order
    np.testing.assert_array_equal(ours.powers_, theirs.powers_)
    assert ours.transform(X.astype(np.float32)).dtype == np.float32


def test_polynomial_features_count_without_listing_the_monomials():
    # degree 8 on 30 features: 48.9 million columns, counted with binomial coefficients (the issue saw 23 GB)
    poly = PolynomialFeatures(degree=8).fit(np.ones((2, 30)))
    assert poly.n_output_features_ == sk.PolynomialFeatures(degree=8).fit(np.ones((2, 30))).n_output_features_
    assert poly.n_output_features_ == 48_903_492
    # interaction_only stops at degree n_features however large degree is
    X = data(4, n=3, p=3)
    huge = PolynomialFeatures(degree=10**12, interaction_only=True).fit(X)
    np.testing.assert_array_equal(huge.transform(X), PolynomialFeatures(3, interaction_only=True).fit_transform(X))


def test_polynomial_features_refuse_more_columns_than_int64():
    with pytest.raises(ValueError, match="would have 8871412534840453463008 features"):
        sk.PolynomialFeatures(degree=50).fit(np.ones((2, 30)))  # scikit-learn refuses it as well
    with pytest.raises(ValueError, match="degree=50 on 30 features gives 8871412534840453463008 output .*int64"):
        PolynomialFeatures(degree=50).fit(np.ones((2, 30)))
    with pytest.raises(ValueError, match="degree"):
        PolynomialFeatures(degree=2.0).fit(np.ones((2, 2)))


def test_polynomial_features_refuse_an_output_beyond_memory_before_allocating(monkeypatch):
    X = np.ones((1, 30))
    poly = PolynomialFeatures(degree=20).fit(X)  # 4.7e13 columns: 350 TB for one row
    with pytest.raises(MemoryError, match=r"output would be an array of shape \(1, 47129212243960\) of float64, "
                                          r"351140\.0 GiB") as error:
        poly.transform(X)
    from backprop.preprocessing import _polynomial
    if _polynomial._available_memory() is not None:  # Linux: compared with MemAvailable, and says so
        assert "GiB of memory are available" in str(error.value)
    with pytest.raises(MemoryError, match="powers_"):
        _ = poly.powers_
    with pytest.raises(MemoryError, match="powers_"):
        poly.get_feature_names_out()
    # where the free memory is unknown (no /proc/meminfo), an array NumPy cannot index is still refused
    monkeypatch.setattr(_polynomial, "_available_memory", lambda: None)
    with pytest.raises(MemoryError, match=r"GiB; lower degree"):
        PolynomialFeatures(degree=34).fit(X).transform(X)
    assert PolynomialFeatures(degree=2).fit(X).transform(X).shape == (1, 496)


def test_polynomial_features_not_fitted():
    with pytest.raises(NotFittedError):
        PolynomialFeatures().transform(np.ones((2, 2)))
    with pytest.raises(NotFittedError):
        PolynomialFeatures().get_feature_names_out()


def test_standard_scaler_leaves_a_nearly_constant_column_unscaled_as_sklearn():
    # issue 18: 1e8 plus rounding noise; σ ≈ 1e-8 is below scikit-learn's _is_constant_feature bound, so σ is
    # taken as 1 and the noise stays noise (the CLI's own standardiser scaled it up to [0, 0.82, 0.82, 1.63])
    noisy = 1e8 + np.array([0.0, 1.0, 1.0, 2.0]) * np.spacing(1e8)
    X = np.column_stack([noisy, [1.0, 2.0, 3.0, 4.0]])
    ours, theirs = StandardScaler().fit(X), sk.StandardScaler().fit(X)
    np.testing.assert_array_equal(ours.scale_, theirs.scale_)
    assert ours.scale_[0] == 1.0 and ours.var_[0] > 0
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=1e-7)  # the means differ by 1 ulp
    assert np.abs(ours.transform(X)[:, 0]).max() < 1e-7
    # just above the bound a real spread is scaled, as scikit-learn does
    spread = np.column_stack([1e8 + np.array([0.0, 1.0, 1.0, 2.0]) * 1e-4])
    np.testing.assert_allclose(StandardScaler().fit(spread).scale_, sk.StandardScaler().fit(spread).scale_,
                               rtol=1e-6)
    assert StandardScaler().fit(spread).scale_[0] != 1.0


def test_standard_scaler_refuses_a_column_whose_variance_overflows():
    # issue 18: ±1e308 overflows σ²; scikit-learn then takes the column as constant and leaves it at ±1e308
    X = np.column_stack([[1.0, 2.0, 3.0, 4.0], [1e308, -1e308, 1e308, -1e308]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert sk.StandardScaler().fit(X).scale_[1] == 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy RuntimeWarning on the way to the error
        with pytest.raises(ValueError, match=r"column\(s\) \[1\] overflows float64 \(largest magnitudes \[1e\+308\]\)"):
            StandardScaler().fit(X)
        with pytest.raises(ValueError, match=r"column\(s\) \[0\]"):
            StandardScaler(with_mean=False).fit(np.array([[1e308], [1e308], [1.0]]))  # the mean overflows
        scaler = StandardScaler().fit(X[:2, :1])
        with pytest.raises(ValueError, match="overflows"):
            scaler.partial_fit(np.array([[1e308], [-1e308]]))
        assert scaler.mean_[0] == 1.5 and scaler.n_samples_seen_ == 2  # the refused batch changed nothing

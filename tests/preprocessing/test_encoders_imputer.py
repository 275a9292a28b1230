"""MinMaxScaler, OneHotEncoder, LabelEncoder, SimpleImputer and StandardScaler's weights and NaN, against sklearn."""
import warnings

import numpy as np
import pytest

from backprop.exceptions import NotFittedError
from backprop.preprocessing import LabelEncoder, MinMaxScaler, OneHotEncoder, SimpleImputer, StandardScaler

sk = pytest.importorskip("sklearn.preprocessing")
sk_impute = pytest.importorskip("sklearn.impute")


def with_nans(seed=0, n=30, p=4, dtype=np.float64):
    rng = np.random.default_rng(seed)
    X = rng.normal(3.0, 2.0, (n, p))
    X[:, 1] = 5.0
    X[rng.uniform(size=X.shape) < 0.2] = np.nan
    return X.astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False), (False, False)])
def test_standard_scaler_weights_and_nan_like_sklearn(dtype, weighted, with_mean, with_std):
    X = with_nans(dtype=dtype)
    w = np.random.default_rng(1).uniform(0, 2, len(X)) if weighted else None
    ours = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    theirs = sk.StandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert (a is None) == (b is None), name
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12)
            assert np.asarray(a).dtype == np.asarray(b).dtype, name
    Z = ours.transform(X)
    assert Z.dtype == dtype
    np.testing.assert_allclose(Z, theirs.transform(X), rtol=rtol, atol=1e-6)
    np.testing.assert_array_equal(np.isnan(Z), np.isnan(X))  # NaN passes through


@pytest.mark.parametrize("with_mean, with_std", [(True, True), (False, True), (True, False), (False, False)])
@pytest.mark.parametrize("weighted", [False, True])
def test_standard_scaler_partial_fit_like_sklearn(with_mean, with_std, weighted):
    X = with_nans(5, n=40)
    w = np.random.default_rng(2).uniform(0, 2, len(X)) if weighted else None
    ours = StandardScaler(with_mean=with_mean, with_std=with_std)
    theirs = sk.StandardScaler(with_mean=with_mean, with_std=with_std)
    for rows in (slice(0, 10), slice(10, 25), slice(25, 40)):
        batch_weights = None if w is None else w[rows]
        ours.partial_fit(X[rows], sample_weight=batch_weights)
        theirs.partial_fit(X[rows], sample_weight=batch_weights)
    for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
        a, b = getattr(ours, name), getattr(theirs, name)
        assert (a is None) == (b is None), name
        if b is not None:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    whole = StandardScaler(with_mean=with_mean, with_std=with_std).fit(X, sample_weight=w)
    if with_std:  # pooled over batches = fitted at once
        np.testing.assert_allclose(ours.var_, whole.var_, rtol=1e-10, atol=1e-12)


def test_standard_scaler_integer_weights_equal_repeated_rows():
    X = with_nans(2, n=8)
    counts = np.array([1, 2, 0, 3, 1, 1, 2, 1])
    weighted = StandardScaler().fit(X, sample_weight=counts)
    repeated = StandardScaler().fit(np.repeat(X, counts, axis=0))
    np.testing.assert_allclose(weighted.mean_, repeated.mean_, rtol=1e-12)
    np.testing.assert_allclose(weighted.var_, repeated.var_, rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="at least one non-zero"):
        StandardScaler().fit(X, sample_weight=np.zeros(8))


@pytest.mark.parametrize("kwargs", [{}, {"feature_range": (-2, 3)}, {"clip": True}])
def test_min_max_scaler_like_sklearn(kwargs):
    X, X_new = with_nans(0), with_nans(1) * 2
    ours, theirs = MinMaxScaler(**kwargs).fit(X), sk.MinMaxScaler(**kwargs).fit(X)
    for name in ("data_min_", "data_max_", "data_range_", "scale_", "min_"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, rtol=1e-12)
    with pytest.raises(ValueError, match="Minimum of desired feature range must be smaller"):
        MinMaxScaler((1, 0)).fit(X)


MIXED = np.array([["red", 1, 2.5], ["green", 3, np.nan], ["red", 3, 1.0], ["blue", 1, 2.5]], dtype=object)


@pytest.mark.parametrize("kwargs", [{}, {"drop": "first"}, {"drop": "if_binary"}, {"handle_unknown": "ignore"},
                                    {"dtype": np.int32}, {"categories": [["blue", "green", "red", "white"],
                                                                         [1, 3], [1.0, 2.5, np.nan]]}])
def test_one_hot_encoder_like_sklearn(kwargs):
    ours = OneHotEncoder(**kwargs).fit(MIXED)
    theirs = sk.OneHotEncoder(sparse_output=False, **kwargs).fit(MIXED)
    assert [list(map(str, c)) for c in ours.categories_] == [list(map(str, c)) for c in theirs.categories_]
    Z = ours.transform(MIXED)
    np.testing.assert_array_equal(Z, theirs.transform(MIXED))
    assert Z.dtype == theirs.transform(MIXED).dtype
    assert list(ours.get_feature_names_out(["colour", "n", "size"])) == \
        list(theirs.get_feature_names_out(["colour", "n", "size"]))
    assert str(ours.inverse_transform(Z)) == str(theirs.inverse_transform(Z))


def test_one_hot_encoder_lists_numbers_unknowns_and_errors():
    X = [["a", 1], ["b", 2], ["a", 2]]
    ours, theirs = OneHotEncoder().fit(X), sk.OneHotEncoder(sparse_output=False).fit(X)
    assert [c.tolist() for c in ours.categories_] == [c.tolist() for c in theirs.categories_]
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    with pytest.raises(ValueError, match=r"Found unknown categories \['c'\] in column 0 during transform"):
        ours.transform([["c", 1]])
    ignore = OneHotEncoder(handle_unknown="ignore").fit(X)
    np.testing.assert_array_equal(ignore.transform([["c", 2]]), [[0, 0, 0, 1]])
    assert ignore.inverse_transform([[0, 0, 0, 1]]).tolist() == [[None, 2]]
    with pytest.warns(UserWarning, match="unknown categories in columns \\[0\\]"):
        OneHotEncoder(handle_unknown="warn").fit(X).transform([["c", 2]])
    with pytest.raises(ValueError, match=r"sparse_output=True\) is not supported"):
        OneHotEncoder(sparse_output=True).fit(X)
    with pytest.raises(NotFittedError):
        OneHotEncoder().transform(X)
    with pytest.raises(ValueError, match="Unsorted categories"):
        OneHotEncoder(categories=[[3, 1]]).fit([[1], [3]])
    with pytest.raises(ValueError, match="during fit"):
        OneHotEncoder(categories=[["a"], [1, 2]]).fit(X)


def test_one_hot_encoder_missing_values_are_categories_as_sklearn():
    X = np.array([["nan", 1.0], [np.float64("nan"), None], ["a", 2.0], [None, np.nan]], dtype=object)
    ours, theirs = OneHotEncoder().fit(X), sk.OneHotEncoder(sparse_output=False).fit(X)
    assert [str(c.tolist()) for c in ours.categories_] == [str(c.tolist()) for c in theirs.categories_]
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    with pytest.raises(TypeError, match="uniformly strings or numbers"):
        OneHotEncoder().fit(np.array([["a"], [1]], dtype=object))


def test_label_encoder_like_sklearn():
    for y in (["paris", "tokyo", "paris", "amsterdam"], [3, 1, 2, 3, 1], [2.5, -1.0, 2.5]):
        ours, theirs = LabelEncoder().fit(y), sk.LabelEncoder().fit(y)
        np.testing.assert_array_equal(ours.classes_, theirs.classes_)
        np.testing.assert_array_equal(ours.fit_transform(y), theirs.fit_transform(y))
        np.testing.assert_array_equal(ours.inverse_transform([0, 1]), theirs.inverse_transform([0, 1]))
    le = LabelEncoder().fit(["a", "b"])
    with pytest.raises(ValueError, match=r"previously unseen labels: \['z'\]"):
        le.transform(["a", "z"])
    with pytest.raises(ValueError, match="previously unseen labels"):
        le.inverse_transform([5])
    assert le.transform([]).shape == (0,)


@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
@pytest.mark.parametrize("keep_empty_features", [False, True])
def test_simple_imputer_like_sklearn(strategy, keep_empty_features):
    X = np.round(with_nans(3, n=12))
    X[:, 3] = np.nan  # a column without any observed value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = SimpleImputer(strategy=strategy, keep_empty_features=keep_empty_features).fit(X)
        theirs = sk_impute.SimpleImputer(strategy=strategy, keep_empty_features=keep_empty_features).fit(X)
        np.testing.assert_allclose(ours.statistics_.astype(float), theirs.statistics_.astype(float))
        np.testing.assert_allclose(ours.transform(X), theirs.transform(X))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())
    if not keep_empty_features:
        with pytest.warns(UserWarning, match=r"Skipping features without any observed values: \[3\]"):
            ours.transform(X)


@pytest.mark.parametrize("strategy", ["mean", "most_frequent", "constant"])
def test_simple_imputer_add_indicator_like_sklearn(strategy):
    X = np.round(with_nans(4, n=12))
    X[:, 3], X[:, 0] = np.nan, 1.0  # an empty column, and one with nothing missing in fit
    X_new = X.copy()
    X_new[0, 0] = np.nan  # missing only at transform: no indicator column for it (as scikit-learn)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours = SimpleImputer(strategy=strategy, add_indicator=True).fit(X)
        theirs = sk_impute.SimpleImputer(strategy=strategy, add_indicator=True).fit(X)
        np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new))
    assert list(ours.get_feature_names_out()) == list(theirs.get_feature_names_out())


def test_simple_imputer_strings_integers_and_errors():
    X = np.array([["a", "x"], [np.nan, "y"], ["b", np.nan], ["b", "y"]], dtype=object)
    for strategy in ("most_frequent", "constant"):
        ours = SimpleImputer(strategy=strategy).fit(X)
        assert ours.transform(X).tolist() == sk_impute.SimpleImputer(strategy=strategy).fit(X).transform(X).tolist()
    rows = [["a", "x"], ["b", "y"], ["b", "?"]]
    ours = SimpleImputer(strategy="most_frequent", missing_values="?").fit_transform(rows)
    assert ours.tolist() == [["a", "x"], ["b", "y"], ["b", "x"]]
    X_int = np.array([[1, -1], [3, 4], [-1, 5], [3, 5]])
    for strategy in ("mean", "median", "most_frequent", "constant"):
        ours = SimpleImputer(missing_values=-1, strategy=strategy).fit_transform(X_int)
        theirs = sk_impute.SimpleImputer(missing_values=-1, strategy=strategy).fit_transform(X_int)
        assert ours.tolist() == theirs.tolist() and ours.dtype == theirs.dtype
    with pytest.raises(ValueError, match="Cannot use mean strategy with non-numeric data"):
        SimpleImputer().fit(X)
    with pytest.raises(ValueError, match="cannot be cast to the input data"):
        SimpleImputer(strategy="constant", fill_value="a").fit(X_int)
    with pytest.raises(ValueError, match="strategy must be one of"):
        SimpleImputer(strategy="mode").fit(X_int)


@pytest.mark.filterwarnings("ignore:Estimator .* does not inherit", "ignore:Skipping check")
@pytest.mark.parametrize("estimator", [MinMaxScaler(), OneHotEncoder(handle_unknown="ignore"), SimpleImputer(),
                                       SimpleImputer(strategy="most_frequent", add_indicator=True), LabelEncoder()],
                         ids=lambda e: repr(e))
def test_sklearn_estimator_checks(estimator):
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(estimator, on_fail=None)
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert not failed

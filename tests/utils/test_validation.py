import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.base import BaseEstimator
from backprop.exceptions import NotFittedError
from backprop.utils import (DataConversionWarning, check_array, check_consistent_length, check_is_fitted,
                            check_sample_weight, check_X_y, column_or_1d, validate_data)


class Frame:
    """A stand-in for a pandas DataFrame: string column names and an __array__."""

    def __init__(self, values, columns):
        self.values, self.columns = np.asarray(values, dtype=float), columns
        self.shape = self.values.shape

    def __array__(self, dtype=None, copy=None):
        return self.values


class Toy(BaseEstimator):
    def fit(self, X, y):
        validate_data(self, X, y)
        self.fitted_ = True
        return self


def test_check_array_converts_lists_and_tensors():
    np.testing.assert_array_equal(check_array([[1, 2], [3, 4]]), [[1, 2], [3, 4]])
    t = bp.tensor([[1.0, 2.0]], requires_grad=True)
    out = check_array(t, dtype=np.float64)
    assert isinstance(out, np.ndarray) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1.0, 2.0]])


def test_check_array_dtype_rules():
    assert check_array(np.ones((2, 2), dtype=np.int32)).dtype == np.int32  # 'numeric' keeps numbers
    assert check_array(np.array([[1, 2]], dtype=object)).dtype == np.float64
    assert check_array(np.ones((2, 2), np.float32), dtype=[np.float64, np.float32]).dtype == np.float32
    assert check_array(np.ones((2, 2), np.int64), dtype=[np.float64, np.float32]).dtype == np.float64
    with pytest.raises(ValueError, match="strings"):
        check_array([["a", "b"]])
    with pytest.raises(ValueError, match="X could not be converted to float64"):
        check_array(np.array([["a", 1]], dtype=object), dtype=np.float64)
    with pytest.raises(ValueError, match="Complex data not supported"):
        check_array(np.ones((2, 2), dtype=complex))


def test_check_array_copy():
    a = np.ones((2, 2))
    assert check_array(a) is a
    assert not np.shares_memory(check_array(a, copy=True), a)


def test_check_array_shape_errors():
    with pytest.raises(ValueError, match=r"(?s)Expected 2D array, got 1D array instead:\narray=\[1. 2.\]"
                                         r".*reshape\(-1, 1\)"):
        check_array([1.0, 2.0])
    with pytest.raises(ValueError, match="got scalar array"):
        check_array(3.0)
    with pytest.raises(ValueError, match="Found array with dim 3. X expected <= 2"):
        check_array(np.ones((2, 2, 2)))
    assert check_array(np.ones((2, 2, 2)), allow_nd=True).shape == (2, 2, 2)
    with pytest.raises(ValueError, match=r"0 sample\(s\) \(shape=\(0, 3\)\) while a minimum of 1 is required by Toy"):
        check_array(np.ones((0, 3)), estimator=Toy())
    with pytest.raises(ValueError, match=r"0 feature\(s\) \(shape=\(3, 0\)\)"):
        check_array(np.ones((3, 0)))


def test_check_array_sparse_is_refused():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="Sparse data was passed for X, but dense data is required"):
        check_array(sparse.csr_matrix(np.eye(2)))


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")])
def test_non_finite_values_name_the_first_bad_cell(bad, word):
    X = np.ones((4, 3))
    X[2, 1] = bad
    X[3, 0] = bad
    with pytest.raises(ValueError, match=rf"Input X contains {word} at row 2, column 1\."):
        check_array(X)
    y = np.ones(5)
    y[3] = bad
    with pytest.raises(ValueError, match=rf"Input y contains {word} at row 3\."):
        check_X_y(np.ones((5, 1)), y)


def test_allow_nan_and_no_check():
    X = np.array([[1.0, np.nan]])
    assert np.isnan(check_array(X, ensure_all_finite="allow-nan")[0, 1])
    assert np.isnan(check_array(X, ensure_all_finite=False)[0, 1])
    with pytest.raises(ValueError, match="infinity at row 0, column 0"):
        check_array([[np.inf, np.nan]], ensure_all_finite="allow-nan")


def test_overflowing_sum_is_not_mistaken_for_infinity():
    X = np.full((3, 1), np.finfo(np.float64).max)
    np.testing.assert_array_equal(check_array(X), X)


def test_column_or_1d():
    np.testing.assert_array_equal(column_or_1d([1, 2]), [1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert column_or_1d([[1], [2]]).shape == (2,)
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed when a 1d array was expected"):
        column_or_1d([[1], [2]], warn=True)
    with pytest.raises(ValueError, match=r"y should be a 1d array, got an array of shape \(2, 2\) instead"):
        column_or_1d(np.ones((2, 2)))


def test_check_consistent_length_names_both_lengths():
    check_consistent_length([1, 2], np.ones((2, 5)), None)
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 4\]"):
        check_consistent_length([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(TypeError, match="Singleton array"):
        check_consistent_length(np.float64(3.0), [1])


def test_check_X_y():
    X, y = check_X_y([[1.0], [2.0]], bp.tensor([0, 1]))
    assert X.shape == (2, 1) and y.tolist() == [0, 1]
    with pytest.raises(ValueError, match=r"X has 3 rows but y has 4.*\[3, 4\]"):
        check_X_y(np.ones((3, 2)), np.ones(4))
    with pytest.raises(ValueError, match="Toy requires y to be passed, but the target y is None"):
        check_X_y(np.ones((3, 2)), None, estimator=Toy())
    with pytest.raises(ValueError, match="y should be a 1d array"):
        check_X_y(np.ones((3, 2)), np.ones((3, 2)))
    assert check_X_y(np.ones((3, 2)), np.ones((3, 2)), multi_output=True)[1].shape == (3, 2)
    assert check_X_y(np.ones((2, 1)), np.array([1, 2], dtype=object), y_numeric=True)[1].dtype == np.float64
    assert check_X_y(np.ones((2, 1)), ["a", "b"])[1].tolist() == ["a", "b"]


def test_check_is_fitted():
    toy = Toy()
    with pytest.raises(NotFittedError, match="This Toy instance is not fitted yet. Call 'fit'"):
        check_is_fitted(toy)
    with pytest.raises(NotFittedError, match="custom Toy"):
        check_is_fitted(toy, msg="custom %(name)s")
    toy.fit([[1.0]], [1.0])
    check_is_fitted(toy)
    check_is_fitted(toy, "fitted_")
    with pytest.raises(NotFittedError):
        check_is_fitted(toy, ["fitted_", "missing_"])
    check_is_fitted(toy, ["fitted_", "missing_"], all_or_any=any)
    with pytest.raises(TypeError, match="is a class, not an instance"):
        check_is_fitted(Toy)
    with pytest.raises(TypeError, match="not an estimator instance"):
        check_is_fitted(object())


def test_not_fitted_error_is_also_sklearns():
    sklearn_exceptions = pytest.importorskip("sklearn.exceptions")
    with pytest.raises(sklearn_exceptions.NotFittedError) as info:
        check_is_fitted(Toy())
    assert isinstance(info.value, NotFittedError)
    assert isinstance(info.value, AttributeError) and isinstance(info.value, ValueError)


def test_validate_data_records_and_checks_n_features():
    toy = Toy()
    X, y = validate_data(toy, [[1.0, 2.0, 3.0]], [1.0])
    assert toy.n_features_in_ == 3 and X.shape == (1, 3) and y.shape == (1,)
    assert validate_data(toy, [[1.0, 2.0, 3.0]], reset=False).shape == (1, 3)
    with pytest.raises(ValueError, match="X has 2 features, but Toy is expecting 3 features as input."):
        validate_data(toy, [[1.0, 2.0]], reset=False)
    with pytest.warns(DataConversionWarning):
        assert validate_data(toy, y=[[1.0], [2.0]]).shape == (2,)
    with pytest.raises(ValueError, match="needs X, y or both"):
        validate_data(toy)


def test_validate_data_feature_names():
    toy = Toy()
    validate_data(toy, Frame([[1.0, 2.0]], ["a", "b"]), [1.0])
    assert toy.feature_names_in_.tolist() == ["a", "b"]
    validate_data(toy, Frame([[1.0, 2.0]], ["a", "b"]), reset=False)
    with pytest.raises(ValueError, match="The feature names should match those that were passed during fit"):
        validate_data(toy, Frame([[1.0, 2.0]], ["b", "a"]), reset=False)
    with pytest.warns(UserWarning, match="X does not have valid feature names, but Toy was fitted with feature"):
        validate_data(toy, [[1.0, 2.0]], reset=False)
    validate_data(toy, [[1.0, 2.0]], [1.0])
    assert not hasattr(toy, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but Toy was fitted without feature names"):
        validate_data(toy, Frame([[1.0, 2.0]], ["a", "b"]), reset=False)


def test_check_sample_weight():
    np.testing.assert_array_equal(check_sample_weight(None, 3), np.ones(3))
    np.testing.assert_array_equal(check_sample_weight(2, 2), [2.0, 2.0])
    assert check_sample_weight([1, 2], 2).dtype == np.float64
    with pytest.raises(ValueError, match="sample_weight has 3 entries but the data has 2 samples"):
        check_sample_weight([1, 2, 3], 2)
    with pytest.raises(ValueError, match="sample_weight contains NaN at row 1"):
        check_sample_weight([1, np.nan], 2)
    with pytest.raises(ValueError, match="must be 1D"):
        check_sample_weight(np.ones((2, 2)), 2)

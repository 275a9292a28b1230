"""Every regressor of bp.linear_model and bp.neural_network refuses a non-numeric y, naming y, its dtype and the first
bad value by row (issue 18); NaN or infinity in X or y is named by row and column, for in-memory input."""
import numpy as np
import pytest

from backprop import linear_model, neural_network

REGRESSORS = [lambda: linear_model.LinearRegression(), lambda: linear_model.Ridge(), lambda: linear_model.Lasso(),
              lambda: linear_model.PoissonRegressor(), lambda: neural_network.MLPRegressor(max_iter=2, random_state=0)]
IDS = ["LinearRegression", "Ridge", "Lasso", "PoissonRegressor", "MLPRegressor"]
X = np.random.default_rng(0).standard_normal((6, 2))
pytestmark = pytest.mark.filterwarnings("ignore::backprop.exceptions.ConvergenceWarning")  # max_iter=2 on purpose


@pytest.mark.parametrize("make", REGRESSORS, ids=IDS)
@pytest.mark.parametrize("y, shown", [(np.array(list("abcdef")), r"dtype <U1 and holds 'a' at row 0"),
                                      (np.array([1, 2, "x", 3, 4, 5], dtype=object),
                                       "dtype object and holds 'x' at row 2"),
                                      (np.array([1.0, 2j, 3, 4, 5, 6]),
                                       r"dtype complex128 and holds \(1\+0j\) at row 0"),
                                      (np.array([[1.0], [2.0], [{}], [4.0], [5.0], [6.0]], dtype=object),
                                       r"dtype object and holds \{\} at row 2, column 0")])
def test_a_regressor_refuses_a_non_numeric_y_naming_it(make, y, shown):
    estimator = make()
    with pytest.raises(ValueError, match=f"{type(estimator).__name__} needs a numeric target y, but y has {shown}; "
                                         "encode the target as numbers"):
        estimator.fit(X, y)


@pytest.mark.parametrize("make", REGRESSORS, ids=IDS)
def test_none_in_y_is_named_as_a_missing_value_by_row_and_numbers_as_objects_or_text_still_fit(make):
    with pytest.raises(ValueError, match="Input y contains NaN at row 3"):
        make().fit(X, np.array([1.0, 2.0, 3.0, None, 1.0, 2.0], dtype=object))
    y = np.array([1.0, 2.0, 3.0, 0.0, 1.0, 2.0])
    expected = make().fit(X, y).predict(X)
    np.testing.assert_allclose(make().fit(X, y.astype(object)).predict(X), expected)
    np.testing.assert_allclose(make().fit(X, y.astype(str)).predict(X), expected)


@pytest.mark.parametrize("make", REGRESSORS + [lambda: linear_model.LogisticRegression()], ids=IDS + ["Logistic"])
@pytest.mark.parametrize("bad, kind", [(np.nan, "NaN"), (np.inf, "infinity"), (-np.inf, "infinity")])
def test_non_finite_input_is_named_by_row_and_column(make, bad, kind):
    Xbad = X.copy()
    Xbad[4, 1] = bad
    with pytest.raises(ValueError, match=f"Input X contains {kind} at row 4, column 1"):
        make().fit(Xbad, np.arange(6) % 2)
    estimator = make().fit(X, np.arange(6) % 2)
    with pytest.raises(ValueError, match=f"Input X contains {kind} at row 4, column 1"):
        estimator.predict(Xbad)
    y = (np.arange(6) % 2).astype(float)
    y[5] = bad
    with pytest.raises(ValueError, match=f"Input y contains {kind} at row 5"):
        make().fit(X, y)

"""What every regressor shares: scikit-learn's estimator contract, clear input errors, pickling, dtypes."""
import pickle
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.base import clone
from backprop.exceptions import ConvergenceWarning, NotFittedError
from backprop.linear_model import Lasso, LinearRegression, PoissonRegressor, Ridge

# small iteration budgets keep scikit-learn's checks fast
ESTIMATORS = [LinearRegression(), LinearRegression(solver="gd", max_iter=50),
              LinearRegression(solver="sgd", epochs=5, random_state=0), Ridge(), Lasso(max_iter=100),
              PoissonRegressor(max_iter=20), PoissonRegressor(solver="newton", max_iter=10)]
IDS = [repr(e) for e in ESTIMATORS]

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 3))
y = np.exp(X @ [0.3, -0.2, 0.1]) + 1


def fitted(estimator, X=X, y=y):
    """A fitted clone; the small iteration budgets may stop before convergence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clone(estimator).fit(X, y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_input_errors_name_the_problem(estimator):
    bad = X.copy()
    bad[4, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN at row 4, column 2"):
        clone(estimator).fit(bad, y)
    bad[4, 2] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity at row 4, column 2"):
        clone(estimator).fit(bad, y)
    bad_y = y.copy()
    bad_y[7] = np.inf
    with pytest.raises(ValueError, match="Input y contains infinity at row 7"):
        clone(estimator).fit(X, bad_y)
    with pytest.raises(ValueError, match="X has 20 rows but y has 19"):
        clone(estimator).fit(X, y[:-1])
    with pytest.raises(NotFittedError, match=f"This {type(estimator).__name__} instance is not fitted yet"):
        clone(estimator).predict(X)
    model = fitted(estimator)
    with pytest.raises(ValueError, match=f"X has 2 features, but {type(estimator).__name__} is expecting 3"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        clone(estimator).fit(X[:, 0], y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_estimator_contract(estimator):
    unfitted = clone(estimator)
    params = unfitted.get_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = unfitted.fit(X, y)
    assert model is unfitted and model.n_features_in_ == 3
    assert model.get_params() == params  # fit does not change the hyperparameters
    assert clone(model).get_params() == params and not hasattr(clone(model), "coef_")
    prediction = model.predict(X)
    assert isinstance(prediction, np.ndarray) and prediction.shape == (20,)
    assert isinstance(model.score(X, y), float)
    assert isinstance(model.intercept_, float) and model.coef_.shape == (3,)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict(X), prediction)
    # lists and Tensors are accepted as well
    np.testing.assert_allclose(fitted(estimator, X.tolist(), y.tolist()).predict(X.tolist()), prediction)
    np.testing.assert_allclose(model.predict(bp.tensor(X, dtype=np.float64)), prediction)


def test_repr_shows_the_changed_parameters():
    assert repr(LinearRegression(solver="gd", lr=0.1)) == "LinearRegression(lr=0.1, solver='gd')"
    assert repr(Ridge()) == "Ridge()"
    assert repr(Lasso(alpha=0.5)) == "Lasso(alpha=0.5)"


def test_float32_input_is_kept():
    for estimator in ESTIMATORS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = clone(estimator).fit(X.astype(np.float32), y.astype(np.float32))
        assert model.coef_.dtype == np.float32, estimator


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=IDS)
def test_sklearn_estimator_checks(estimator):
    checks = pytest.importorskip("sklearn.utils.estimator_checks")
    from sklearn.exceptions import SkipTestWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", SkipTestWarning)  # pandas and array-API checks, where not installed
        warnings.filterwarnings("ignore", message=".*does not inherit from `sklearn.base.BaseEstimator`")
        checks.check_estimator(estimator)

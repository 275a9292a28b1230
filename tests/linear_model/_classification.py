"""Shared by the classifier tests: standardised data sets, cross-validated accuracy and the estimator contract."""
import contextlib
import functools
import pickle
import warnings

import numpy as np
import pytest

from backprop.base import clone
from backprop.exceptions import ConvergenceWarning, NotFittedError
from backprop.model_selection import cross_val_score

LOADERS = {"breast_cancer": "load_breast_cancer", "iris": "load_iris", "digits": "load_digits"}


@functools.cache
def _standardised(name):
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = getattr(datasets, LOADERS[name])(return_X_y=True)
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1), y


def standardised(name):
    """scikit-learn's data set ``name`` ('breast_cancer', 'iris', 'digits') with standardised columns; copies."""
    X, y = _standardised(name)
    return X.copy(), y.copy()


def single_threaded():
    """One BLAS thread: the many small fits of a cross-validation are many times slower when the BLAS
    threads of several test processes compete for the cores (scikit-learn's one-vs-one on digits: 18 s, not 0.6 s)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def cv_accuracy(estimator, name):
    """Mean accuracy over the 5 folds of ``StratifiedKFold(5)`` (unshuffled, as ours and scikit-learn's default)."""
    X, y = _standardised(name)
    with warnings.catch_warnings(), single_threaded():
        warnings.simplefilter("ignore")  # scikit-learn's LinearSVC(loss='hinge') stops at max_iter on digits
        return float(cross_val_score(estimator, X, y, cv=5).mean())


def fitted(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clone(estimator).fit(X, y)


rng = np.random.default_rng(0)
X_TOY = rng.normal(size=(30, 3))
Y_TOY = np.where(X_TOY[:, 0] + 0.5 * rng.normal(size=30) > 0, "yes", "no")


def check_classifier_contract(estimator):
    """String labels kept, shapes of the fitted attributes and outputs, NumPy/float types, clear errors, pickling."""
    name = type(estimator).__name__
    model = fitted(estimator, X_TOY, Y_TOY)
    assert model.classes_.tolist() == ["no", "yes"]
    predicted = model.predict(X_TOY)
    assert isinstance(predicted, np.ndarray) and predicted.shape == (30,) and set(predicted) <= {"no", "yes"}
    score = model.score(X_TOY, Y_TOY)
    assert type(score) is float and score > 0.7
    if hasattr(model, "decision_function"):
        assert model.decision_function(X_TOY).shape == (30,)
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(X_TOY)
        assert proba.shape == (30, 2)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
        np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], predicted)
    loaded = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(loaded.predict(X_TOY), predicted)

    with pytest.raises(ValueError, match=f"{name} needs samples of at least 2 classes.*only one class: 'yes'"):
        clone(estimator).fit(X_TOY, np.full(30, "yes"))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        clone(estimator).fit(X_TOY, X_TOY[:, 0])
    bad = X_TOY.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN at row 3, column 1"):
        clone(estimator).fit(bad, Y_TOY)
    with pytest.raises(ValueError, match="X has 30 rows but y has 29"):
        clone(estimator).fit(X_TOY, Y_TOY[:-1])
    with pytest.raises(NotFittedError, match=f"This {name} instance is not fitted yet"):
        clone(estimator).predict(X_TOY)
    with pytest.raises(ValueError, match=f"X has 2 features, but {name} is expecting 3 features"):
        model.predict(X_TOY[:, :2])


#: What scikit-learn itself marks as expected to fail for its SGD-like estimators (its Perceptron, SGDClassifier,
#: LinearSVC, LogisticRegression): a fit on weighted rows is not bitwise the fit on the repeated rows when the
#: solver visits rows in a random order, or stops at a tolerance (the two fits stop at different points).
WEIGHTS_NOT_REPETITION = {"check_sample_weight_equivalence_on_dense_data":
                          "sample_weight is not equivalent to removing/repeating samples."}


#: The SGD solvers ('sgd') on top: with a constant step on unscaled, noisy blobs whose class weights differ by
#: 10⁷, the plateau rule stops far from the optimum (no certificate, by design); the exact solvers pass.
SGD_EXPECTED = {**WEIGHTS_NOT_REPETITION, "check_class_weight_classifiers":
                "constant-step SGD on unscaled features stops on a plateau far from the optimum"}


def check_sklearn_estimator(estimator, expected_failed_checks=None):
    """scikit-learn's own estimator checks (``sklearn.utils.estimator_checks``): none may fail but those expected."""
    checks = pytest.importorskip("sklearn.utils.estimator_checks")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = checks.check_estimator(estimator, on_fail=None, expected_failed_checks=expected_failed_checks)
    failed = {r["check_name"]: str(r["exception"])[:500] for r in results if r["status"] == "failed"}
    assert not failed, failed

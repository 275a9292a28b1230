"""Cross-validation: fit on each fold's training rows, score on its test rows (``cross_val_score``)."""
import collections
import numbers
import time
import traceback
import warnings

import numpy as np

from ..base import clone, is_classifier
from ..metrics import check_scoring
from ..utils.validation import _num_samples
from ._split import _safe_indexing, check_cv


class FitFailedWarning(RuntimeWarning):
    """Some fits in a cross-validation failed; their scores were set to ``error_score``."""


def _check_error_score(error_score):
    if not (isinstance(error_score, str) and error_score == "raise") and not isinstance(error_score, numbers.Number):
        raise ValueError(f"error_score must be the string 'raise' or a numeric value, got {error_score!r}")


def _fit_and_score(estimator, X, y, scorer, train, test, *, parameters=None, fit_params=None,
                   error_score=np.nan, return_train_score=False):
    """Fit ``estimator`` (set to ``parameters``) on the rows ``train`` and score it on ``test``.

    Fit parameters with one entry per sample (``sample_weight``) are cut to the training rows.
    A failing fit raises if ``error_score='raise'``, else scores ``error_score`` and records the traceback.

    Returns
    -------
    dict
        test_score, fit_time, score_time, and train_score and fit_error where they apply.
    """
    n_samples = _num_samples(X)
    fit_params = {key: _safe_indexing(value, train) if hasattr(value, "__len__") and len(value) == n_samples
                  else value for key, value in (fit_params or {}).items()}
    if parameters:
        estimator.set_params(**clone(parameters, safe=False))
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    start = time.perf_counter()
    try:
        if y_train is None:
            estimator.fit(X_train, **fit_params)
        else:
            estimator.fit(X_train, y_train, **fit_params)
    except Exception:
        if isinstance(error_score, str):
            raise
        result = {"test_score": error_score, "fit_time": time.perf_counter() - start, "score_time": 0.0,
                  "fit_error": traceback.format_exc()}
        if return_train_score:
            result["train_score"] = error_score
        return result
    fit_time = time.perf_counter() - start
    test_score = scorer(estimator, _safe_indexing(X, test), _safe_indexing(y, test))
    result = {"test_score": test_score, "fit_time": fit_time, "score_time": time.perf_counter() - start - fit_time}
    if return_train_score:
        result["train_score"] = scorer(estimator, X_train, y_train)
    return result


def _warn_or_raise_about_fit_failures(results, error_score):
    errors = [r["fit_error"] for r in results if "fit_error" in r]
    if not errors:
        return
    details = "\n".join(f"{count} fits failed with the following error:\n{error}"
                        for error, count in collections.Counter(errors).items())
    if len(errors) == len(results):
        raise ValueError(f"All the {len(results)} fits failed.\nIt is very likely that your model is misconfigured."
                         "\nYou can try to debug the error by setting error_score='raise'.\n\nBelow are more "
                         f"details about the failures:\n{details}")
    warnings.warn(f"\n{len(errors)} fits failed out of a total of {len(results)}.\nThe score on these train-test "
                  f"partitions for these parameters will be set to {error_score}.\nIf these failures are not "
                  "expected, you can try to debug them by setting error_score='raise'.\n\nBelow are more details "
                  f"about the failures:\n{details}", FitFailedWarning, stacklevel=2)


def cross_val_score(estimator, X, y=None, *, groups=None, scoring=None, cv=None, params=None, error_score=np.nan):
    """The score of ``estimator`` on each cross-validation fold (a fresh clone is fitted per fold).

    Parameters
    ----------
    estimator : estimator
        Anything with ``fit`` and ``get_params`` (ours or scikit-learn's); it is cloned, not fitted.
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), optional
    groups : array-like, optional
        Passed to ``cv.split``.
    scoring : str, callable or None, default=None
        None: ``estimator.score``. A name: 'accuracy', 'r2', 'neg_mean_squared_error',
        'neg_mean_absolute_error', ... (``bp.metrics.get_scorer_names()``). A callable
        ``scorer(estimator, X_test, y_test) -> float``, greater is better.
    cv : int, cross-validator, iterable of (train, test) or None, default=None
        None means 5; an int k gives ``StratifiedKFold(k)`` for classifiers and ``KFold(k)`` otherwise,
        without shuffling (see :func:`check_cv`).
    params : dict, optional
        Passed to ``fit``; per-sample arrays (``sample_weight``) are cut to each fold's training rows.
    error_score : 'raise' or float, default=np.nan
        The score of a fold whose fit fails (with a ``FitFailedWarning``); 'raise' re-raises the error.

    Returns
    -------
    ndarray of shape (n_splits,)
    """
    _check_error_score(error_score)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorer = check_scoring(estimator, scoring)
    results = [_fit_and_score(clone(estimator), X, y, scorer, train, test, fit_params=params,
                              error_score=error_score)
               for train, test in cv.split(X, y, groups)]
    _warn_or_raise_about_fit_failures(results, error_score)
    return np.array([r["test_score"] for r in results])

"""Cross-validation: fit on each fold's training rows, score on its test rows (``cross_val_score``)."""
import collections
import numbers
import time
import traceback
import warnings

import numpy as np

from ..base import clone, is_classifier
from ..metrics import check_scoring
from ..utils.validation import _as_numpy, _num_samples
from ._parallel import run_tasks
from ._split import _indexable, _safe_indexing, check_cv


class FitFailedWarning(RuntimeWarning):
    """Some fits in a cross-validation failed; their scores were set to ``error_score``."""


def _check_error_score(error_score):
    if not (isinstance(error_score, str) and error_score == "raise") and not isinstance(error_score, numbers.Number):
        raise ValueError(f"error_score must be the string 'raise' or a numeric value, got {error_score!r}")


def _wants_sample_weight(scorer):
    """Whether a scorer asked for the test rows' weights (``set_score_request(sample_weight=True)``)."""
    routing = getattr(scorer, "get_metadata_routing", None)
    try:
        return routing is not None and routing().score.requests.get("sample_weight") is True
    except AttributeError:
        return False


def _score(scorer, estimator, X, y, sample_weight):
    """One score, or a dict of scores for a dict of scorers; each gets ``sample_weight`` only if it asked."""
    if isinstance(scorer, dict):
        return {name: _score(s, estimator, X, y, sample_weight) for name, s in scorer.items()}
    if sample_weight is not None and _wants_sample_weight(scorer):
        return scorer(estimator, X, y, sample_weight=sample_weight)
    return scorer(estimator, X, y)


def _is_per_sample(value, n_samples):
    return hasattr(value, "__len__") and not isinstance(value, str) and len(value) == n_samples


def _fold_params(params, n_samples, rows):
    """Fit parameters for one fold: those with one entry per sample (``sample_weight``) cut to ``rows``."""
    return {key: _safe_indexing(value, rows) if _is_per_sample(value, n_samples) else value
            for key, value in params.items()}


def _fit_and_score(estimator, X, y, scorer, train, test, *, parameters=None, fit_params=None,
                   error_score=np.nan, return_train_score=False, return_estimator=False):
    """Fit ``estimator`` (set to ``parameters``) on the rows ``train`` and score it on ``test``.

    Fit parameters with one entry per sample (``sample_weight``) are cut to the training rows; a scorer
    that asked for ``sample_weight`` gets the scored rows' weights. ``scorer`` may be a dict of scorers
    (then the scores are dicts). A failing fit raises if ``error_score='raise'``, else scores
    ``error_score`` and records the traceback.

    Returns
    -------
    dict
        test_score, fit_time, score_time, and train_score and fit_error where they apply.
    """
    n_samples = _num_samples(X)
    fit_params = fit_params or {}
    train_params = _fold_params(fit_params, n_samples, train)
    weights = fit_params.get("sample_weight")
    weights = weights if _is_per_sample(weights, n_samples) else None
    if parameters:
        estimator.set_params(**clone(parameters, safe=False))
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    start = time.perf_counter()
    try:
        if y_train is None:
            estimator.fit(X_train, **train_params)
        else:
            estimator.fit(X_train, y_train, **train_params)
    except Exception:
        if isinstance(error_score, str):
            raise
        failed = {name: error_score for name in scorer} if isinstance(scorer, dict) else error_score
        result = {"test_score": failed, "fit_time": time.perf_counter() - start, "score_time": 0.0,
                  "fit_error": traceback.format_exc()}
        if return_estimator:
            result["estimator"] = estimator
        if return_train_score:
            result["train_score"] = failed
        return result
    fit_time = time.perf_counter() - start
    test_score = _score(scorer, estimator, _safe_indexing(X, test), _safe_indexing(y, test),
                        _safe_indexing(weights, test))
    result = {"test_score": test_score, "fit_time": fit_time, "score_time": time.perf_counter() - start - fit_time}
    if return_train_score:
        result["train_score"] = _score(scorer, estimator, X_train, y_train, _safe_indexing(weights, train))
    if return_estimator:
        result["estimator"] = estimator
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


def cross_val_score(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None, params=None,
                    error_score=np.nan):
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
    n_jobs : int or None, default=None
        Fit the folds in parallel through ``joblib.Parallel(n_jobs)``: None is one job (or the number set by
        ``joblib.parallel_config``), -1 all cores. ``with joblib.parallel_config(backend="dask")`` runs them on
        a Dask cluster. Without joblib installed the folds run one after another. The results do not depend
        on ``n_jobs``: each fold fits its own clone and the scores keep the folds' order (a clone with
        ``random_state=None`` draws from its worker's generator, though: seed it for repeatable scores).
    params : dict, optional
        Passed to ``fit``; per-sample arrays (``sample_weight``) are cut to each fold's training rows. The
        scores are unweighted (scikit-learn's default) unless the scorer asks for the weights:
        ``scoring=bp.metrics.get_scorer("r2").set_score_request(sample_weight=True)`` scores each fold with
        its test rows' ``sample_weight``.
    error_score : 'raise' or float, default=np.nan
        The score of a fold whose fit fails (with a ``FitFailedWarning``); 'raise' re-raises the error.

    Returns
    -------
    ndarray of shape (n_splits,)
    """
    _check_error_score(error_score)
    X, y = _indexable(X), _indexable(y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorer = check_scoring(estimator, scoring)
    results = run_tasks(_fit_and_score, [((clone(estimator), X, y, scorer, train, test),
                                           dict(fit_params=params, error_score=error_score))
                                          for train, test in cv.split(X, y, groups)], n_jobs)
    _warn_or_raise_about_fit_failures(results, error_score)
    return np.array([r["test_score"] for r in results])


def _check_multimetric_scoring(estimator, scoring):
    """``{name: scorer}`` for a list, tuple or set of metric names or a dict of names to scorers/names."""
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        if not names:
            raise ValueError(f"Empty list was given. scoring should be a metric's name, a callable, or a non-empty "
                             f"list/tuple/set or dict of them, got {scoring!r}")
        if not all(isinstance(name, str) for name in names) or len(set(names)) != len(names):
            raise ValueError(f"A list, tuple or set of scorers must hold unique metric names (str), got {scoring!r}")
        return {name: check_scoring(estimator, name) for name in names}
    if isinstance(scoring, dict):
        if not scoring or not all(isinstance(name, str) for name in scoring):
            raise ValueError(f"A dict of scorers needs metric names (str) as its keys and at least one entry, got "
                             f"{scoring!r}")
        return {name: check_scoring(estimator, scorer) for name, scorer in scoring.items()}
    raise ValueError(f"scoring should be a list, tuple, set or dict for several metrics, got {scoring!r}")


def _scorers(estimator, scoring):
    """A dict of scorers for several metrics, else one scorer."""
    if isinstance(scoring, (list, tuple, set, dict)):
        return _check_multimetric_scoring(estimator, scoring)
    return check_scoring(estimator, scoring)


def cross_validate(estimator, X, y=None, *, groups=None, scoring=None, cv=None, n_jobs=None, params=None,
                   return_train_score=False, return_estimator=False, return_indices=False, error_score=np.nan):
    """Fit a clone of ``estimator`` on each fold's training rows; time it and score it, with one or several metrics.

    Parameters
    ----------
    estimator, X, y, groups, cv, n_jobs, error_score
        As in :func:`cross_val_score`.
    scoring : str, callable, list/tuple/set of str, dict of name to scorer, or None
        One metric (the result's key is ``test_score``) or several (``test_<name>`` each; also for a
        callable that returns a dict ``{name: score}``).
    params : dict, optional
        Passed to ``fit``, per-sample arrays cut to the training rows. A scorer made with
        ``.set_score_request(sample_weight=True)`` also gets ``sample_weight`` of the rows it scores.
    return_train_score : bool, default=False
        Also score each fold's training rows (``train_score`` or ``train_<name>``).
    return_estimator : bool, default=False
        Keep the fitted estimators (``estimator``).
    return_indices : bool, default=False
        Keep the folds' rows (``indices``: ``{'train': [...], 'test': [...]}``).

    Returns
    -------
    dict of ndarray of shape (n_splits,)
        ``fit_time``, ``score_time`` (seconds), then the scores, in scikit-learn's order of keys.

    Examples
    --------
    >>> from backprop.linear_model import LinearRegression
    >>> X = np.arange(12.0).reshape(6, 2); y = X @ [1.0, 2.0]
    >>> result = cross_validate(LinearRegression(), X, y, cv=3, scoring=["r2", "neg_mean_absolute_error"])
    >>> sorted(result)
    ['fit_time', 'score_time', 'test_neg_mean_absolute_error', 'test_r2']
    """
    _check_error_score(error_score)
    X, y = _indexable(X), _indexable(y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorer = _scorers(estimator, scoring)
    splits = list(cv.split(X, y, groups))
    results = run_tasks(_fit_and_score, [((clone(estimator), X, y, scorer, train, test),
                                           dict(fit_params=params, error_score=error_score,
                                                return_train_score=return_train_score,
                                                return_estimator=return_estimator))
                                          for train, test in splits], n_jobs)
    _warn_or_raise_about_fit_failures(results, error_score)
    out = {"fit_time": np.array([r["fit_time"] for r in results]),
           "score_time": np.array([r["score_time"] for r in results])}
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in results]
    if return_indices:
        out["indices"] = {"train": [train for train, _ in splits], "test": [test for _, test in splits]}
    # several metrics: a dict of scorers, or a callable scorer that returns a dict
    as_dict = next((r["test_score"] for r in results if isinstance(r["test_score"], dict)), None)
    for name in ["score"] if as_dict is None else list(as_dict):
        for kind in ("test", "train") if return_train_score else ("test",):
            scores = [r[f"{kind}_score"] for r in results]
            out[f"{kind}_{name}"] = np.array(scores if as_dict is None else
                                             [s[name] if isinstance(s, dict) else s for s in scores])
    return out


def _aligned(predictions, fold_classes, classes, method):
    """A fold's predictions placed in the columns of all the classes; a class missing from the fold's training
    rows gets scikit-learn's default (probability 0, else the lowest float), with its warning."""
    if len(fold_classes) == len(classes):
        return predictions
    advice = "To fix this, use a cross-validation technique resulting in properly stratified folds"
    warnings.warn(f"Number of classes in training fold ({len(fold_classes)}) does not match total number of classes "
                  f"({len(classes)}). Results may not be appropriate for your use case. {advice}", RuntimeWarning,
                  stacklevel=3)
    if method == "decision_function" and len(fold_classes) <= 2:
        raise ValueError(f"Only {len(fold_classes)} class/es in training fold, but {len(classes)} in overall dataset. "
                         f"This is not supported for decision_function with imbalanced folds. {advice}")
    fill = 0.0 if method == "predict_proba" else np.finfo(predictions.dtype).min
    full = np.full((len(predictions), len(classes)), fill, dtype=predictions.dtype)
    full[:, np.searchsorted(classes, fold_classes)] = predictions
    return full


def _fit_and_predict(estimator, X, y, train, test, fit_params, method):
    """Fit ``estimator`` on the rows ``train``; its ``method`` on the rows ``test``, and its classes (or None)."""
    train_params = _fold_params(fit_params, _num_samples(X), train)
    if y is None:
        estimator.fit(_safe_indexing(X, train), **train_params)
    else:
        estimator.fit(_safe_indexing(X, train), _safe_indexing(y, train), **train_params)
    predicted = _as_numpy(getattr(estimator, method)(_safe_indexing(X, test)))
    classes = getattr(estimator, "classes_", None)
    return predicted, None if classes is None else np.asarray(classes)


def cross_val_predict(estimator, X, y=None, *, groups=None, cv=None, n_jobs=None, params=None,
                      method="predict"):
    """Each sample's prediction by the clone that did not see it in training (the folds must partition the rows).

    Parameters
    ----------
    estimator, X, y, groups, cv, n_jobs, params
        As in :func:`cross_val_score`.
    method : {'predict', 'predict_proba', 'predict_log_proba', 'decision_function'}, default='predict'
        For a classifier, the columns are the sorted classes of y, whichever classes a fold saw.

    Returns
    -------
    ndarray of shape (n_samples,) or (n_samples, n_classes)
    """
    X, y = _indexable(X), _indexable(y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(cv.split(X, y, groups))
    test_rows = np.concatenate([test for _, test in splits])
    n_samples = _num_samples(X)
    if len(test_rows) != n_samples or not np.array_equal(np.sort(test_rows), np.arange(n_samples)):
        raise ValueError("cross_val_predict only works for partitions")
    classes = np.unique(_as_numpy(y)) if y is not None and is_classifier(estimator) else None
    folds = run_tasks(_fit_and_predict, [((clone(estimator), X, y, train, test, params or {}, method), {})
                                         for train, test in splits], n_jobs)
    predictions = []
    for predicted, fold_classes in folds:
        if classes is not None and method != "predict":
            predicted = _aligned(predicted, fold_classes, classes, method)
        predictions.append(predicted)
    inverse = np.empty(n_samples, dtype=np.intp)
    inverse[test_rows] = np.arange(n_samples)
    return np.concatenate(predictions)[inverse]

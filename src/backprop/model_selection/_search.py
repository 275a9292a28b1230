"""Exhaustive search over hyperparameter grids with cross-validation (``GridSearchCV``)."""
import itertools
import time
from collections.abc import Mapping, Sequence

import numpy as np

from ..base import BaseEstimator, _estimator_type, clone, is_classifier
from ..utils.validation import check_is_fitted
from ._parallel import run_tasks
from ._split import _indexable, check_cv
from ._validation import _check_error_score, _fit_and_score, _scorers, _warn_or_raise_about_fit_failures


class ParameterGrid:
    """Every combination of the values in a grid ``{name: [values]}``, or in each of a list of grids.

    Within a grid the names are taken in sorted order, the last one varying fastest (scikit-learn's order).

    Examples
    --------
    >>> list(ParameterGrid({"b": [True, False], "a": [1, 2]}))
    [{'a': 1, 'b': True}, {'a': 1, 'b': False}, {'a': 2, 'b': True}, {'a': 2, 'b': False}]
    """

    def __init__(self, param_grid):
        grids = [param_grid] if isinstance(param_grid, Mapping) else param_grid
        if not isinstance(grids, Sequence) or not all(isinstance(g, Mapping) for g in grids):
            raise TypeError(f"Parameter grid should be a dict or a list of dicts, got: {param_grid!r}")
        for grid in grids:
            for name, values in grid.items():
                if isinstance(values, np.ndarray) and values.ndim > 1:
                    raise ValueError(f"Parameter array for {name!r} should be one-dimensional, got: {values!r} "
                                     f"with shape {values.shape}")
                if isinstance(values, str) or not isinstance(values, (np.ndarray, Sequence)):
                    raise TypeError(f"Parameter grid for parameter {name!r} needs to be a list or a numpy array, "
                                    f"but got {values!r} (of type {type(values).__name__}) instead. Single values "
                                    "need to be wrapped in a list with one element.")
                if len(values) == 0:
                    raise ValueError(f"Parameter grid for parameter {name!r} need to be a non-empty sequence, got: "
                                     f"{values!r}")
        self.param_grid = grids

    def __iter__(self):
        for grid in self.param_grid:
            names = sorted(grid)
            for values in itertools.product(*(grid[name] for name in names)):
                yield dict(zip(names, values))

    def __len__(self):
        return sum(int(np.prod([len(v) for v in grid.values()])) for grid in self.param_grid)

    def __getitem__(self, index):
        """``list(grid)[index]`` without listing the grid (how random search samples it without replacement)."""
        for grid in self.param_grid:
            names = sorted(grid)
            size = int(np.prod([len(grid[name]) for name in names]))
            if index >= size:
                index -= size
                continue
            params = {}
            for name in reversed(names):  # the last name varies fastest
                index, offset = divmod(index, len(grid[name]))
                params[name] = grid[name][offset]
            return dict(sorted(params.items()))
        raise IndexError("ParameterGrid index out of range")


def _rank_descending(scores):
    """Rank 1 for the highest score, ties sharing the smallest rank; NaN ranks last."""
    if np.all(np.isnan(scores)):
        return np.ones(len(scores), dtype=np.int32)
    filled = np.where(np.isnan(scores), np.nanmin(scores) - 1, scores)
    return (1 + (filled[None, :] > filled[:, None]).sum(axis=1)).astype(np.int32)


def _param_column(candidates, name):
    """The values of one parameter over the candidates, masked where a candidate does not set it."""
    present = {i: params[name] for i, params in enumerate(candidates) if name in params}
    try:
        inferred = np.array(list(present.values()))
        dtype = inferred.dtype if inferred.dtype.kind != "U" and inferred.ndim == 1 else object
    except ValueError:
        dtype = object
    column = np.ma.MaskedArray(np.empty(len(candidates), dtype=dtype), mask=True)
    for i, value in present.items():
        column[i] = value
    return column


def _target_required(estimator):
    """Whether the estimator's scikit-learn tags say ``fit`` needs y (False when it has no tags)."""
    tags = getattr(estimator, "__sklearn_tags__", None)
    try:
        return bool(tags().target_tags.required) if tags is not None else False
    except ImportError:  # our estimators' tags import scikit-learn
        return False


class _DelegatedToBest:
    """``search.method(X)`` runs ``search.best_estimator_.method(X)``; absent if the estimator lacks it."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, search, owner=None):
        if search is None:
            return self
        estimator = getattr(search, "best_estimator_", search.estimator)
        if not hasattr(estimator, self.name):
            raise AttributeError(f"This {type(search).__name__} has no attribute {self.name!r}: its estimator "
                                 f"{type(estimator).__name__} has none.")

        def method(X):
            search._check_refitted(self.name)
            return getattr(search.best_estimator_, self.name)(X)

        method.__name__ = self.name
        return method


class _BaseSearchCV(BaseEstimator):
    """The searches' shared part: cross-validate each of ``_candidates()``, rank them, refit the best."""

    @property
    def _estimator_type(self):
        return _estimator_type(self.estimator)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        for field in ("estimator_type", "classifier_tags", "regressor_tags", "target_tags", "input_tags"):
            setattr(tags, field, getattr(inner, field))
        return tags

    def fit(self, X, y=None, *, groups=None, **fit_params):
        """Cross-validate every candidate, pick the best, and (with ``refit``) fit it on all of X, y.

        ``fit_params`` go to the estimator's ``fit``, per-sample arrays (``sample_weight``) cut to the training
        rows; a scorer made with ``.set_score_request(sample_weight=True)`` also gets the scored rows' weights.
        """
        _check_error_score(self.error_score)
        X, y = _indexable(X), _indexable(y)
        if y is None and _target_required(self.estimator):
            raise ValueError(f"{type(self.estimator).__name__} requires y to be passed, but the target y is None.")
        candidates = self._candidates()
        splits = list(check_cv(self.cv, y, classifier=is_classifier(self.estimator)).split(X, y, groups))
        scorer = _scorers(self.estimator, self.scoring)
        names = list(scorer) if isinstance(scorer, dict) else None
        if callable(self.refit):
            raise ValueError(f"refit={self.refit!r}: a callable refit is not supported; pass True, False or (with "
                             "several metrics) a metric's name.")
        if names is not None and self.refit is not False and self.refit not in names:
            raise ValueError("For multi-metric scoring, the parameter refit must be set to a scorer key to refit an "
                             "estimator with the best parameter setting on the whole data and make the best_* "
                             "attributes available for that metric. If this is not needed, refit should be set to "
                             f"False explicitly. {self.refit!r} was passed.")
        results = run_tasks(_fit_and_score, [((clone(self.estimator), X, y, scorer, train, test),
                                              dict(parameters=params, fit_params=fit_params,
                                                   error_score=self.error_score,
                                                   return_train_score=self.return_train_score))
                                             for params in candidates for train, test in splits], self.n_jobs)
        _warn_or_raise_about_fit_failures(results, self.error_score)
        self.cv_results_ = self._format_results(candidates, len(splits), results, names)
        self.multimetric_ = names is not None
        if names is None or self.refit:
            key = "score" if names is None else self.refit
            self.best_index_ = int(np.argmin(self.cv_results_[f"rank_test_{key}"]))
            self.best_score_ = float(self.cv_results_[f"mean_test_{key}"][self.best_index_])
            self.best_params_ = candidates[self.best_index_]
        if self.refit:
            start = time.perf_counter()
            best = clone(self.estimator).set_params(**clone(self.best_params_, safe=False))
            if y is None:
                best.fit(X, **fit_params)
            else:
                best.fit(X, y, **fit_params)
            self.best_estimator_ = best
            self.refit_time_ = time.perf_counter() - start
        self.scorer_ = scorer
        self.n_splits_ = len(splits)
        return self

    def _format_results(self, candidates, n_splits, results, names):
        """scikit-learn's ``cv_results_``; with several metrics (``names``) their columns end in ``_<name>``."""
        cv_results = {}

        def store(key, values, with_splits=False, rank=False):
            scores = np.array(values, dtype=np.float64).reshape(len(candidates), n_splits)
            if with_splits:
                cv_results.update((f"split{i}_{key}", scores[:, i]) for i in range(n_splits))
            cv_results[f"mean_{key}"] = scores.mean(axis=1)
            cv_results[f"std_{key}"] = scores.std(axis=1)
            if rank:
                cv_results[f"rank_{key}"] = _rank_descending(cv_results[f"mean_{key}"])

        store("fit_time", [r["fit_time"] for r in results])
        store("score_time", [r["score_time"] for r in results])
        for name in sorted({name for params in candidates for name in params}):
            cv_results[f"param_{name}"] = _param_column(candidates, name)
        cv_results["params"] = candidates
        for name in names or ["score"]:
            for kind in ("test", "train") if self.return_train_score else ("test",):
                values = [r[f"{kind}_score"] if names is None else r[f"{kind}_score"][name] for r in results]
                store(f"{kind}_{name}", values, with_splits=True, rank=kind == "test")
        return cv_results

    def _check_refitted(self, name):
        if not self.refit:
            raise AttributeError(f"This {type(self).__name__} instance was initialized with `refit=False`. {name} "
                                 "is available only after refitting on the best parameters. You can refit an "
                                 "estimator manually using the `best_params_` attribute")
        check_is_fitted(self)

    predict = _DelegatedToBest()
    predict_proba = _DelegatedToBest()
    predict_log_proba = _DelegatedToBest()
    decision_function = _DelegatedToBest()
    transform = _DelegatedToBest()
    inverse_transform = _DelegatedToBest()

    def score(self, X, y=None, sample_weight=None):
        """The best estimator's score on X, y, with ``scoring`` (or its own ``score``), a float."""
        self._check_refitted("score")
        scorer = self.scorer_[self.refit] if isinstance(self.scorer_, dict) else self.scorer_
        if sample_weight is None:
            return scorer(self.best_estimator_, X, y)
        return scorer(self.best_estimator_, X, y, sample_weight=sample_weight)

    @property
    def classes_(self):
        self._check_refitted("classes_")
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self):
        check_is_fitted(self)
        return self.best_estimator_.n_features_in_


class GridSearchCV(_BaseSearchCV):
    """Pick hyperparameters by cross-validation: score every combination in a grid, refit the best.

    Parameters
    ----------
    estimator : estimator
        Ours or scikit-learn's; it is cloned for each fit.
    param_grid : dict or list of dicts
        ``{parameter name: list of values}``; nested estimators' parameters as ``name__param``.
    scoring : str, callable, list/tuple/set of str, dict or None, default=None
        As in :func:`cross_val_score` (None uses ``estimator.score``), or several metrics as in
        :func:`cross_validate`: then ``cv_results_`` has ``mean_test_<name>`` etc. and ``refit`` names the
        metric that picks the best candidate (or is False).
    n_jobs : int or None, default=None
        Run the fits (candidates × folds) through ``joblib.Parallel(n_jobs)``, as :func:`cross_val_score`:
        None is one job (or ``joblib.parallel_config``'s), -1 all cores; ``with
        joblib.parallel_config(backend="dask")`` spreads them over a Dask cluster. ``cv_results_`` and
        ``best_params_`` do not depend on ``n_jobs`` when the estimator is deterministic or has an integer
        ``random_state`` (one with ``random_state=None`` draws from each worker's own generator). The refit
        runs here.
    refit : bool or str, default=True
        Fit ``best_estimator_`` on all the data with the best parameters, so that ``predict``, ``score``
        and the other methods delegate to it.
    cv : int, cross-validator, iterable of (train, test) or None, default=None
        As in :func:`cross_val_score` (None means 5 folds). ``LeaveOneOut()`` gives leave-one-out.
    error_score : 'raise' or float, default=np.nan
        The score of a failing fit.
    return_train_score : bool, default=False
        Also record the scores on the training folds.

    Attributes
    ----------
    cv_results_ : dict of arrays
        One entry per candidate: ``params``, ``param_<name>`` (masked arrays), ``split<i>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``, fit and score times.
    best_index_ : int
        The first candidate with the highest mean test score (ties go to the earlier one, as scikit-learn).
    best_score_ : float
    best_params_ : dict
    best_estimator_ : estimator
        Only with ``refit=True``.
    refit_time_ : float
    scorer_ : callable
    n_splits_ : int

    Notes
    -----
    A callable ``refit`` is not offered, nor scikit-learn's ``verbose`` and ``pre_dispatch``.

    Examples
    --------
    The problem book's ridge exercise, where leave-one-out picks λ = 4/39, is in
    tests/model_selection/test_search.py.
    """

    def __init__(self, estimator, param_grid, *, scoring=None, n_jobs=None, refit=True, cv=None,
                 error_score=np.nan, return_train_score=False):
        self.estimator = estimator
        self.param_grid = param_grid
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        return list(ParameterGrid(self.param_grid))

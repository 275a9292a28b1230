"""Scorers: ``scorer(estimator, X, y) -> float``, greater is better, as scikit-learn's ``scoring`` argument uses.

Metrics where smaller is better are negated (``'neg_mean_squared_error'``), so a search can always
maximise.
"""
import copy
from types import SimpleNamespace

import numpy as np

from ._classification import accuracy_score, f1_score, log_loss, precision_score, recall_score
from ._ranking import average_precision_score, roc_auc_score
from ._report import balanced_accuracy_score
from ._regression import (mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, r2_score,
                          root_mean_squared_error)


class _ScoreRequest:
    """Whether cross-validation passes the test rows' ``sample_weight`` to the scorer (off by default)."""

    def set_score_request(self, *, sample_weight=None):
        """``sample_weight=True``: in ``cross_val_score``, ``cross_validate`` and the searches, score each test
        fold with its rows' ``sample_weight`` (from ``params``/fit parameters), as scikit-learn does when
        metadata routing is enabled and requested. Returns the scorer."""
        self._requests = {"sample_weight": sample_weight}
        return self

    def get_metadata_routing(self):
        """The request in scikit-learn's shape: ``scorer.get_metadata_routing().score.requests``."""
        return SimpleNamespace(score=SimpleNamespace(requests=dict(getattr(self, "_requests", {}))))


class _Scorer(_ScoreRequest):
    def __init__(self, score_func, sign, kwargs, response_method):
        self._score_func, self._sign, self._kwargs = score_func, sign, kwargs
        self._response_method = response_method

    def _response(self, estimator, X):
        methods = (self._response_method,) if isinstance(self._response_method, str) else self._response_method
        name = next((m for m in methods if hasattr(estimator, m)), None)
        if name is None:
            raise AttributeError(f"{type(estimator).__name__} has none of the following attributes: "
                                 f"{', '.join(methods)}.")
        y_pred = getattr(estimator, name)(X)
        classes = getattr(estimator, "classes_", None)
        if name == "predict_proba" and classes is not None and len(classes) == 2 and np.ndim(y_pred) == 2:
            # binary: the probability of the positive class, as scikit-learn passes it
            pos_label = self._kwargs.get("pos_label")
            pos_label = classes[-1] if pos_label is None else pos_label
            y_pred = np.asarray(y_pred)[:, np.flatnonzero(np.asarray(classes) == pos_label)[0]]
        return y_pred

    def __call__(self, estimator, X, y_true, sample_weight=None):
        kwargs = dict(self._kwargs)
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        return self._sign * float(self._score_func(y_true, self._response(estimator, X), **kwargs))

    def __repr__(self):
        options = "".join(f", {key}={value!r}" for key, value in self._kwargs.items())
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        return (f"make_scorer({self._score_func.__name__}{sign}, response_method={self._response_method!r}"
                f"{options})")


class _PassthroughScorer(_ScoreRequest):
    """The estimator's own ``score`` method (what ``scoring=None`` means)."""

    def __call__(self, estimator, X, y_true, sample_weight=None):
        if sample_weight is None:
            return estimator.score(X, y_true)
        return estimator.score(X, y_true, sample_weight=sample_weight)

    def __repr__(self):
        return "_PassthroughScorer()"


def make_scorer(score_func, *, response_method="predict", greater_is_better=True, **kwargs):
    """A scorer from a metric ``score_func(y_true, y_pred, **kwargs)``.

    Parameters
    ----------
    score_func : callable
    response_method : str or tuple of str, default='predict'
        The estimator's method giving y_pred ('predict', 'predict_proba', 'decision_function'; a tuple
        takes the first one the estimator has). For a binary ``predict_proba`` the metric gets the
        positive class's column.
    greater_is_better : bool, default=True
        False for a loss: the scorer returns its negative.
    **kwargs
        Passed to ``score_func``.
    """
    return _Scorer(score_func, 1 if greater_is_better else -1, kwargs, response_method)


_SCORERS = {
    "accuracy": make_scorer(accuracy_score),
    "r2": make_scorer(r2_score),
    "neg_mean_squared_error": make_scorer(mean_squared_error, greater_is_better=False),
    "neg_root_mean_squared_error": make_scorer(root_mean_squared_error, greater_is_better=False),
    "neg_mean_absolute_error": make_scorer(mean_absolute_error, greater_is_better=False),
    "neg_mean_absolute_percentage_error": make_scorer(mean_absolute_percentage_error, greater_is_better=False),
    "neg_log_loss": make_scorer(log_loss, greater_is_better=False, response_method="predict_proba"),
    "balanced_accuracy": make_scorer(balanced_accuracy_score),
    "roc_auc": make_scorer(roc_auc_score, response_method=("decision_function", "predict_proba")),
    "average_precision": make_scorer(average_precision_score,
                                     response_method=("decision_function", "predict_proba")),
}
for _multi_class in ("ovr", "ovo"):
    _SCORERS[f"roc_auc_{_multi_class}"] = make_scorer(roc_auc_score, response_method="predict_proba",
                                                      multi_class=_multi_class)
    _SCORERS[f"roc_auc_{_multi_class}_weighted"] = make_scorer(roc_auc_score, response_method="predict_proba",
                                                               multi_class=_multi_class, average="weighted")
for _name, _metric in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
    _SCORERS[_name] = make_scorer(_metric, average="binary")
    for _average in ("macro", "micro", "weighted"):
        _SCORERS[f"{_name}_{_average}"] = make_scorer(_metric, pos_label=None, average=_average)


def get_scorer_names():
    """The names ``scoring=`` accepts."""
    return sorted(_SCORERS)


def get_scorer(scoring):
    """The scorer registered under a name (a callable is returned as it is)."""
    if isinstance(scoring, str):
        if scoring not in _SCORERS:
            raise ValueError(f"{scoring!r} is not a valid scoring value. Use sorted(bp.metrics.get_scorer_names()) "
                             "to get valid options.")
        return copy.deepcopy(_SCORERS[scoring])
    return scoring


def check_scoring(estimator=None, scoring=None):
    """The scorer for ``scoring``: a name, a callable ``scorer(estimator, X, y)``, or None for ``estimator.score``."""
    if isinstance(scoring, str):
        return get_scorer(scoring)
    if callable(scoring):
        return scoring
    if scoring is None:
        if not hasattr(estimator, "score"):
            raise TypeError("If no scoring is specified, the estimator passed should have a 'score' method. The "
                            f"estimator {estimator!r} does not.")
        return _PassthroughScorer()
    raise ValueError(f"scoring should be None, a metric's name or a callable scorer(estimator, X, y), got "
                     f"{scoring!r}")

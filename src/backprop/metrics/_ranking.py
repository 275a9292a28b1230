"""Metrics of scores rather than labels: ROC and precision–recall curves, ROC AUC, average precision.

A score is any number that grows with the belief in the positive class (``predict_proba``'s column,
``decision_function``). Results equal scikit-learn's, thresholds included.
"""
import itertools
import warnings

import numpy as np

from ..utils.multiclass import type_of_target
from ..utils.validation import assert_all_finite, check_array, check_consistent_length, check_sample_weight
from ..utils.validation import column_or_1d
from ._regression import UndefinedMetricWarning


def _pos_label(pos_label, y_true):
    """``pos_label``, or 1 when y_true's classes are {0, 1} or {−1, 1} (or one of them); else an error."""
    if pos_label is not None:
        return pos_label
    classes = np.unique(y_true)
    if classes.dtype.kind in "OUS" or not set(classes.tolist()) <= {0, 1} and not set(classes.tolist()) <= {-1, 1}:
        shown = "{" + ", ".join(map(repr, classes.tolist())) + "}"
        raise ValueError(f"y_true takes value in {shown} and pos_label is not specified: either make y_true take "
                         "value in {0, 1} or {-1, 1} or pass pos_label explicitly.")
    return 1


def _binary_clf_curve(y_true, y_score, pos_label=None, sample_weight=None):
    """False and true positives (counts or weights) at each distinct score, highest first, and the scores."""
    kind = type_of_target(y_true, input_name="y_true")
    if not (kind == "binary" or (kind == "multiclass" and pos_label is not None)):
        raise ValueError(f"{kind} format is not supported")
    check_consistent_length(y_true, y_score, sample_weight)
    y_true, y_score = column_or_1d(y_true, input_name="y_true"), column_or_1d(y_score, input_name="y_score")
    assert_all_finite(y_score, input_name="y_score")
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, len(y_true))
        kept = sample_weight != 0
        y_true, y_score, sample_weight = y_true[kept], y_score[kept], sample_weight[kept]
    positive = (y_true == _pos_label(pos_label, y_true)).astype(np.float64)
    order = np.argsort(-y_score.astype(np.float64), kind="stable")
    y_score, positive = y_score[order], positive[order]
    weight = 1.0 if sample_weight is None else sample_weight[order]
    threshold_idxs = np.r_[np.flatnonzero(np.diff(y_score)), len(positive) - 1]
    tps = np.cumsum(positive * weight)[threshold_idxs]
    if sample_weight is None:
        fps = 1 + threshold_idxs - tps
    else:
        fps = np.cumsum((1 - positive) * weight)[threshold_idxs]
    return fps, tps, y_score[threshold_idxs]


def roc_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=True):
    """The receiver operating characteristic: false and true positive rates as the threshold falls.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels; with labels other than {0, 1} or {−1, 1} give ``pos_label``.
    y_score : array-like of shape (n_samples,)
        Scores of the positive class.
    pos_label : int, float, bool or str, optional
    sample_weight : array-like of shape (n_samples,), optional
    drop_intermediate : bool, default=True
        Drop thresholds whose points lie on a straight segment between their neighbours (they do not
        change the plotted curve or its area), as scikit-learn does.

    Returns
    -------
    fpr, tpr : ndarray
        Increasing rates; both start at 0 (the threshold +∞).
    thresholds : ndarray
        Decreasing; ``thresholds[0]`` is ``inf``.

    Examples
    --------
    >>> fpr, tpr, thresholds = roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    >>> fpr.tolist(), tpr.tolist(), thresholds.tolist()
    ([0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0], [inf, 0.8, 0.4, 0.35, 0.1])
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and len(fps) > 2:
        corners = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        fps, tps, thresholds = fps[corners], tps[corners], thresholds[corners]
    fps, tps = np.r_[0.0, fps], np.r_[0.0, tps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    rates = []
    for counts, kind, rate in ((fps, "negative", "false"), (tps, "positive", "true")):
        if counts[-1] <= 0:
            warnings.warn(f"No {kind} samples in y_true, {rate} positive value should be meaningless",
                          UndefinedMetricWarning, stacklevel=2)
            rates.append(np.full(counts.shape, np.nan))
        else:
            rates.append(counts / counts[-1])
    return rates[0], rates[1], thresholds


def precision_recall_curve(y_true, y_score, *, pos_label=None, sample_weight=None, drop_intermediate=False):
    """Precision and recall at every distinct score taken as the threshold.

    Parameters as :func:`roc_curve`; ``drop_intermediate`` keeps only the first and last threshold of
    each run with the same recall.

    Returns
    -------
    precision : ndarray
        Ends with 1 (no sample predicted positive).
    recall : ndarray
        Decreasing, ends with 0.
    thresholds : ndarray
        Increasing, one fewer than precision and recall.
    """
    fps, tps, thresholds = _binary_clf_curve(y_true, y_score, pos_label, sample_weight)
    if drop_intermediate and len(fps) > 2:
        kept = np.flatnonzero(np.r_[True, np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:])), True])
        fps, tps, thresholds = fps[kept], tps[kept], thresholds[kept]
    predicted = tps + fps
    precision = np.divide(tps, predicted, out=np.zeros_like(tps), where=predicted != 0)
    if tps[-1] == 0:
        warnings.warn("No positive class found in y_true, recall is set to one for all thresholds.", UserWarning,
                      stacklevel=2)
        recall = np.ones_like(tps)
    else:
        recall = tps / tps[-1]
    return np.r_[precision[::-1], 1.0], np.r_[recall[::-1], 0.0], thresholds[::-1]


def _binarize(y_true, classes):
    return (column_or_1d(y_true)[:, None] == np.asarray(classes)[None, :]).astype(np.int64)


def _average_binary_score(metric, y_true, y_score, average, sample_weight):
    """A binary metric of each indicator column (or of all cells, 'micro'), averaged as scikit-learn does."""
    if average not in (None, "micro", "macro", "weighted"):
        raise ValueError(f"average has to be one of (None, 'micro', 'macro', 'weighted'), got {average!r}")
    if y_true.ndim == 1:
        return metric(y_true, y_score, sample_weight=sample_weight)
    weights = None if sample_weight is None else check_sample_weight(sample_weight, len(y_true))
    if average == "micro":
        return metric(y_true.ravel(), y_score.ravel(),
                      sample_weight=None if weights is None else np.repeat(weights, y_true.shape[1]))
    scores = np.array([metric(y_true[:, c], y_score[:, c], sample_weight=weights) for c in range(y_true.shape[1])])
    if average is None:
        return scores
    average_weight = None
    if average == "weighted":
        average_weight = (y_true if weights is None else y_true * weights[:, None]).sum(axis=0).astype(np.float64)
        if np.isclose(average_weight.sum(), 0):
            return 0.0
        scores[average_weight == 0] = 0
    return float(np.average(scores, weights=average_weight))


def _area(fpr, tpr):
    return float(np.trapezoid(tpr, fpr))


def _binary_roc_auc(y_true, y_score, sample_weight=None, max_fpr=None):
    if len(np.unique(y_true)) != 2:
        warnings.warn("Only one class is present in y_true. ROC AUC score is not defined in that case.",
                      UndefinedMetricWarning, stacklevel=3)
        return np.nan
    fpr, tpr, _ = roc_curve(y_true, y_score, sample_weight=sample_weight)
    if max_fpr is None or max_fpr == 1:
        return _area(fpr, tpr)
    if not 0 < max_fpr <= 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr = np.append(tpr[:stop], np.interp(max_fpr, fpr[stop - 1: stop + 1], tpr[stop - 1: stop + 1]))
    fpr = np.append(fpr[:stop], max_fpr)
    min_area, max_area = 0.5 * max_fpr ** 2, max_fpr  # McClish: 0.5 for a random score, 1 for a perfect one
    return 0.5 * (1 + (_area(fpr, tpr) - min_area) / (max_area - min_area))


def _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, sample_weight):
    if y_score.ndim != 2:
        raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains multiple "
                         f"classes. Got `y_score.shape={y_score.shape}`.")
    if not np.allclose(1, y_score.sum(axis=1)):
        raise ValueError("Target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to "
                         "1.0 over classes")
    averages = ("micro", "macro", "weighted", None) if multi_class == "ovr" else ("macro", "weighted", None)
    if average not in averages:
        raise ValueError(f"average must be one of {averages} for multiclass problems")
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(f"multi_class={multi_class!r} is not supported for multiclass ROC AUC, multi_class must be "
                         "in ('ovo', 'ovr')")
    if labels is not None:
        classes = column_or_1d(labels)
        if len(np.unique(classes)) != len(classes):
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(np.unique(classes), classes):
            raise ValueError("Parameter 'labels' must be ordered")
        if len(classes) != y_score.shape[1]:
            raise ValueError(f"Number of given labels, {len(classes)}, not equal to the number of columns in "
                             f"'y_score', {y_score.shape[1]}")
        if len(np.setdiff1d(y_true, classes)):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes = np.unique(y_true)
        if len(classes) != y_score.shape[1]:
            raise ValueError("Number of classes in y_true not equal to the number of columns in 'y_score'")
    if multi_class == "ovr":
        return _average_binary_score(_binary_roc_auc, _binarize(y_true, classes), y_score, average, sample_weight)
    if average is None:
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if sample_weight is not None:
        raise ValueError("sample_weight is not supported for multiclass one-vs-one ROC AUC, 'sample_weight' must be "
                         "None in this case.")
    encoded = np.searchsorted(classes, y_true)
    present = np.unique(encoded)
    pair_scores, prevalence = [], []
    for a, b in itertools.combinations(present, 2):  # Hand & Till: both directions of each pair of classes
        in_pair = (encoded == a) | (encoded == b)
        prevalence.append(in_pair.mean())
        pair_scores.append((_binary_roc_auc(encoded[in_pair] == a, y_score[in_pair, a])
                            + _binary_roc_auc(encoded[in_pair] == b, y_score[in_pair, b])) / 2)
    return float(np.average(pair_scores, weights=prevalence if average == "weighted" else None))


def roc_auc_score(y_true, y_score, *, average="macro", sample_weight=None, max_fpr=None, multi_class="raise",
                  labels=None):
    """Area under the ROC curve: the probability that a random positive scores above a random negative.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: the score of the larger label (or both columns' probabilities: the second is used only
        when there are more than two columns). Multiclass: probabilities summing to 1 per row, columns
        in the order of the sorted labels (or ``labels``).
    average : {'macro', 'weighted', 'micro'} or None, default='macro'
        Multiclass: the mean over classes ('ovr') or pairs of classes ('ovo'), weighted by prevalence
        with 'weighted'; 'micro' (ovr only) pools all the one-vs-rest cells.
    sample_weight : array-like, optional
        Not with ``multi_class='ovo'``.
    max_fpr : float in (0, 1], optional
        Binary only: the standardised (McClish) partial area up to this false positive rate.
    multi_class : {'raise', 'ovr', 'ovo'}, default='raise'
        Must be set for a multiclass y_true: one-vs-rest, or Hand & Till's one-vs-one.
    labels : array-like, optional
        Multiclass: the labels of y_score's columns, sorted.

    Returns
    -------
    float (ndarray per class for ``average=None`` with 'ovr')

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    kind = type_of_target(y_true, input_name="y_true")
    y_true = column_or_1d(y_true, input_name="y_true")
    y_score = check_array(y_score, ensure_2d=False, input_name="y_score")
    if kind == "multiclass" or (kind == "binary" and y_score.ndim == 2 and y_score.shape[1] > 2):
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(f"Partial AUC computation not available in multiclass setting, 'max_fpr' must be set "
                             f"to `None`, received `max_fpr={max_fpr}` instead")
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_roc_auc(y_true, y_score, labels, multi_class, average, sample_weight)
    if kind != "binary":
        raise ValueError(f"{kind} format is not supported")
    y_binary = (y_true == np.unique(y_true)[-1]).astype(np.int64) if len(np.unique(y_true)) == 2 else \
        np.zeros(len(y_true), dtype=np.int64)
    return _binary_roc_auc(y_binary, column_or_1d(y_score, input_name="y_score"), sample_weight, max_fpr)


def average_precision_score(y_true, y_score, *, average="macro", pos_label=1, sample_weight=None):
    """Average precision: Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the thresholds, the precision–recall curve's step integral.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Binary labels, or multiclass labels (then one-vs-rest, y_score one column per sorted label).
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
    average : {'macro', 'weighted', 'micro'} or None, default='macro'
        How the multiclass one-vs-rest scores are combined.
    pos_label : int, float, bool or str, default=1
        Binary only.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float (ndarray per class for ``average=None``)

    Examples
    --------
    >>> round(average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 4)
    0.8333
    """
    def binary_average_precision(y, score, sample_weight=None, pos_label=pos_label):
        precision, recall, _ = precision_recall_curve(y, score, pos_label=pos_label, sample_weight=sample_weight)
        return float(max(0.0, -np.sum(np.diff(recall) * precision[:-1])))

    kind = type_of_target(y_true, input_name="y_true")
    y_true = column_or_1d(y_true, input_name="y_true")
    y_score = check_array(y_score, ensure_2d=False, input_name="y_score")
    present = np.unique(y_true)
    if kind == "binary":
        if len(present) == 2 and pos_label not in present.tolist():
            raise ValueError(f"pos_label={pos_label} is not a valid label. It should be one of {present}")
        return binary_average_precision(y_true, column_or_1d(y_score), sample_weight)
    if kind != "multiclass":
        raise ValueError(f"{kind} format is not supported")
    if pos_label != 1:
        raise ValueError("Parameter pos_label is fixed to 1 for multiclass y_true. Do not set pos_label or set "
                         "pos_label to 1.")
    y_onehot = _binarize(y_true, present)
    if y_score.shape != y_onehot.shape:
        raise ValueError("`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains multiple "
                         f"classes. Got `y_score.shape={y_score.shape}`.")
    return _average_binary_score(lambda y, s, sample_weight: binary_average_precision(y, s, sample_weight, 1),
                                 y_onehot, y_score, average, sample_weight)

"""Classification metrics for binary and multiclass labels, with scikit-learn's signatures and results.

Labels may be numbers or strings (lists, arrays or Tensors); probabilities are computed in float64 and
scores are returned as Python floats (arrays with ``average=None``). Multi-label indicator targets are
not supported.
"""
import warnings

import numpy as np

from ..utils.multiclass import type_of_target, unique_labels
from ..utils.validation import check_array, check_consistent_length, check_sample_weight, column_or_1d
from ._regression import UndefinedMetricWarning

_AVERAGES = (None, "micro", "macro", "weighted", "binary")


def _check_targets(y_true, y_pred):
    """The task ('binary' or 'multiclass'), the sorted labels present, and both targets as 1-D arrays."""
    check_consistent_length(y_true, y_pred)
    type_true, type_pred = type_of_target(y_true, "y_true"), type_of_target(y_pred, "y_pred")
    if len(y_true) == 0:
        raise ValueError("Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample is "
                         "required.")
    kinds = {type_true, type_pred}
    if kinds == {"binary", "multiclass"}:
        kinds = {"multiclass"}
    if len(kinds) > 1:
        raise ValueError(f"Classification metrics can't handle a mix of {type_true} and {type_pred} targets")
    kind = kinds.pop()
    if kind not in ("binary", "multiclass"):
        raise ValueError(f"{kind} is not supported: backprop.metrics takes one label per sample")
    y_true, y_pred = column_or_1d(y_true, input_name="y_true"), column_or_1d(y_pred, input_name="y_pred")
    labels = unique_labels(y_true, y_pred)
    return ("multiclass" if len(labels) > 2 else kind), labels, y_true, y_pred


def _encode(y, labels):
    """Each entry of y as its position in ``labels``, −1 where it is not among them."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    position = np.clip(np.searchsorted(sorted_labels, y), 0, len(labels) - 1)
    return np.where(sorted_labels[position] == y, order[position], -1)


def _weights(sample_weight, n_samples):
    return None if sample_weight is None else check_sample_weight(sample_weight, n_samples)


def accuracy_score(y_true, y_pred, *, normalize=True, sample_weight=None):
    """The fraction (or with ``normalize=False`` the number, or total weight) of correctly predicted labels.

    Examples
    --------
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    """
    _, _, y_true, y_pred = _check_targets(y_true, y_pred)
    correct = y_true == y_pred
    weights = _weights(sample_weight, len(correct))
    if normalize:
        return float(np.average(correct, weights=weights))
    return float(correct.sum() if weights is None else correct @ weights)


def zero_one_loss(y_true, y_pred, *, normalize=True, sample_weight=None):
    """The fraction (or number, or weight) of misclassified samples: 1 − accuracy."""
    correct = accuracy_score(y_true, y_pred, normalize=normalize, sample_weight=sample_weight)
    if normalize:
        return 1.0 - correct
    total = len(column_or_1d(y_true)) if sample_weight is None else float(np.sum(sample_weight))
    return float(total - correct)


def confusion_matrix(y_true, y_pred, *, labels=None, sample_weight=None, normalize=None):
    """C[i, j] = the number (or weight) of samples of true class ``labels[i]`` predicted as ``labels[j]``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : array-like of shape (n_classes,), optional
        The rows' and columns' order; samples whose labels are not listed are left out. Default: the
        sorted labels found in y_true and y_pred.
    sample_weight : array-like of shape (n_samples,), optional
    normalize : {'true', 'pred', 'all'}, optional
        Divide by the rows' sums, the columns' sums or the total (0/0 gives 0).

    Returns
    -------
    ndarray of shape (n_classes, n_classes)
        Integer counts, or floats with float weights or ``normalize``.

    Examples
    --------
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(f"normalize must be one of {{'true', 'pred', 'all', None}}, got {normalize!r}")
    _, present, y_true, y_pred = _check_targets(y_true, y_pred)
    if labels is None:
        labels = present
    else:
        labels = np.asarray(labels)
        if labels.size == 0:
            raise ValueError("'labels' should contain at least one label.")
        if len(np.unique(labels)) != len(labels):
            raise ValueError(f"labels must be unique, got {labels.tolist()}")
        if not np.isin(y_true, labels).any():
            raise ValueError("At least one label specified must be in y_true")
    n = len(labels)
    true_index, pred_index = _encode(y_true, labels), _encode(y_pred, labels)
    kept = (true_index >= 0) & (pred_index >= 0)
    weights = _weights(sample_weight, len(y_true))
    cells = true_index[kept] * n + pred_index[kept]
    cm = np.bincount(cells, weights=None if weights is None else weights[kept], minlength=n * n).reshape(n, n)
    if sample_weight is not None and np.asarray(sample_weight).dtype.kind in "biu":
        cm = cm.astype(np.int64)
    with np.errstate(all="ignore"):
        if normalize == "true":
            cm = cm / cm.sum(axis=1, keepdims=True)
        elif normalize == "pred":
            cm = cm / cm.sum(axis=0, keepdims=True)
        elif normalize == "all":
            cm = cm / cm.sum()
    cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn("A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to have the "
                      "correct shape, use the 'labels' parameter to pass all known labels.", UserWarning,
                      stacklevel=2)
    return cm


def _zero_division_value(zero_division):
    if isinstance(zero_division, str) and zero_division == "warn":
        return 0.0
    if isinstance(zero_division, (int, float)) and not isinstance(zero_division, bool):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return np.nan
    raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")


def _prf_divide(numerator, denominator, metric, modifier, warn_for, zero_division):
    """numerator / denominator, with ``zero_division``'s value (and maybe a warning) where denominator = 0."""
    zero = denominator == 0
    result = np.asarray(numerator, dtype=np.float64) / np.where(zero, 1.0, denominator)
    if zero.any():
        result[zero] = _zero_division_value(zero_division)
        if isinstance(zero_division, str) and metric in warn_for:
            where = "due to" if result.size == 1 else "in labels with"
            warnings.warn(f"{metric.capitalize()} is ill-defined and being set to 0.0 {where} no {modifier} "
                          "samples. Use `zero_division` parameter to control this behavior.",
                          UndefinedMetricWarning, stacklevel=3)
    return result


def _nan_average(values, weights):
    """The (weighted) mean ignoring NaN; zero total weight falls back to the plain mean, as scikit-learn."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or not np.any(weights[keep]):
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


def _set_wise_labels(y_true, y_pred, average, labels, pos_label):
    """Validate ``average`` and ``pos_label``; the labels to score and both targets as 1-D arrays."""
    if average not in _AVERAGES:
        raise ValueError(f"average has to be one of {_AVERAGES}, got {average!r}")
    kind, present, y_true, y_pred = _check_targets(y_true, y_pred)
    if average == "binary":
        if kind != "binary":
            raise ValueError(f"Target is {kind} but average='binary'. Please choose another average setting, "
                             f"one of {list(_AVERAGES[:-1])}.")
        if pos_label not in present.tolist() and len(present) >= 2:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one of {present}")
        labels = [pos_label]
    elif pos_label not in (None, 1):
        warnings.warn(f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' (got "
                      f"{average!r}). You may use labels=[pos_label] to specify a single positive class.",
                      UserWarning, stacklevel=3)
    return labels, present, y_true, y_pred


def precision_recall_fscore_support(y_true, y_pred, *, beta=1.0, labels=None, pos_label=1, average=None,
                                    warn_for=("precision", "recall", "f-score"), sample_weight=None,
                                    zero_division="warn"):
    """Precision TP/(TP + FP), recall TP/(TP + FN), F_β and support (the number of true samples) per label.

    F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP), the weighted harmonic mean of precision and recall.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    beta : float, default=1.0
    labels : array-like, optional
        The labels to score (and, for averages, to average over). Default: all labels present.
    pos_label : int, float, bool or str, default=1
        The positive class when ``average='binary'``; ignored (with a warning if set) otherwise.
    average : {'binary', 'micro', 'macro', 'weighted'} or None, default=None
        None: one score per label. 'binary': the scores of ``pos_label`` (binary targets only). 'micro':
        from the TP, FP, FN counts summed over labels. 'macro': the unweighted mean of the labels' scores.
        'weighted': their mean weighted by support.
    warn_for : tuple of str
        Which of 'precision', 'recall', 'f-score' warn when undefined.
    sample_weight : array-like of shape (n_samples,), optional
    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'
        The value where a score divides by zero; 'warn' gives 0.0 and an ``UndefinedMetricWarning``.
        NaN scores are left out of averages.

    Returns
    -------
    precision, recall, fbeta : float, or ndarray of shape (n_labels,) when ``average`` is None
    support : ndarray of shape (n_labels,), or None when averaged
    """
    _zero_division_value(zero_division)
    labels, present, y_true, y_pred = _set_wise_labels(y_true, y_pred, average, labels, pos_label)
    if labels is None:
        labels = present
    n_labels = len(labels)
    all_labels = np.hstack([labels, np.setdiff1d(present, labels)])
    true_index, pred_index = _encode(y_true, all_labels), _encode(y_pred, all_labels)
    weights = _weights(sample_weight, len(y_true))
    hit = true_index == pred_index

    def count(index, where=slice(None)):
        return np.bincount(index[where], weights=None if weights is None else weights[where],
                           minlength=len(all_labels))[:n_labels]

    tp_sum, pred_sum, true_sum = count(true_index, hit), count(pred_index), count(true_index)
    if average == "micro":
        tp_sum, pred_sum, true_sum = (np.atleast_1d(s.sum()) for s in (tp_sum, pred_sum, true_sum))
    precision = _prf_divide(tp_sum, pred_sum, "precision", "predicted", warn_for, zero_division)
    recall = _prf_divide(tp_sum, true_sum, "recall", "true", warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta ** 2
        f_score = _prf_divide((1 + beta2) * tp_sum, beta2 * true_sum + pred_sum, "f-score", "true nor predicted",
                              warn_for, zero_division)
    if average is None:
        return precision, recall, f_score, true_sum
    weights = true_sum if average == "weighted" else None
    return _nan_average(precision, weights), _nan_average(recall, weights), _nan_average(f_score, weights), None


def precision_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                    zero_division="warn"):
    """Precision TP / (TP + FP): of the samples predicted positive, the fraction that are.

    Parameters as :func:`precision_recall_fscore_support` (but ``average='binary'`` by default).

    Examples
    --------
    >>> precision_score([0, 1, 1, 0], [1, 1, 1, 0])  # doctest: +ELLIPSIS
    0.666...
    """
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                                           warn_for=("precision",), sample_weight=sample_weight,
                                           zero_division=zero_division)[0]


def recall_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
                 zero_division="warn"):
    """Recall TP / (TP + FN): of the positive samples, the fraction predicted positive.

    Parameters as :func:`precision_recall_fscore_support` (but ``average='binary'`` by default).
    """
    return precision_recall_fscore_support(y_true, y_pred, labels=labels, pos_label=pos_label, average=average,
                                           warn_for=("recall",), sample_weight=sample_weight,
                                           zero_division=zero_division)[1]


def fbeta_score(y_true, y_pred, *, beta, labels=None, pos_label=1, average="binary", sample_weight=None,
                zero_division="warn"):
    """F_β = (1 + β²)·TP / ((1 + β²)·TP + β²·FN + FP); β > 1 favours recall.

    Parameters as :func:`precision_recall_fscore_support` (but ``average='binary'`` by default).
    """
    return precision_recall_fscore_support(y_true, y_pred, beta=beta, labels=labels, pos_label=pos_label,
                                           average=average, warn_for=("f-score",), sample_weight=sample_weight,
                                           zero_division=zero_division)[2]


def f1_score(y_true, y_pred, *, labels=None, pos_label=1, average="binary", sample_weight=None,
             zero_division="warn"):
    """F1 = 2·TP / (2·TP + FN + FP), the harmonic mean of precision and recall.

    Parameters as :func:`precision_recall_fscore_support` (but ``average='binary'`` by default).
    """
    return fbeta_score(y_true, y_pred, beta=1.0, labels=labels, pos_label=pos_label, average=average,
                       sample_weight=sample_weight, zero_division=zero_division)


def _one_hot(y_true, labels):
    """Y[i, k] = 1 where y_true[i] is the k-th class (sorted), and the classes."""
    y_true = column_or_1d(y_true, input_name="y_true")
    if labels is None:
        classes = np.unique(y_true)
    else:
        classes = np.unique(labels)
        if len(classes) == len(labels) and np.any(classes != np.asarray(labels)):
            warnings.warn(f"Labels passed were {labels}. But this function assumes labels are ordered "
                          f"lexicographically. Pass the ordered labels={classes.tolist()} and ensure that the "
                          "columns of y_proba correspond to this ordering.", UserWarning, stacklevel=3)
        missing = set(np.setdiff1d(y_true, classes).tolist())
        if missing:
            raise ValueError(f"y_true contains values {missing} not belonging to the passed labels {labels}.")
    if len(classes) == 1:
        if labels is None:
            raise ValueError(f"y_true contains only one label ({classes[0]}). Please provide the list of all "
                             "expected class labels explicitly through the labels argument.")
        raise ValueError(f"The labels array needs to contain at least two labels, got {classes}.")
    return (y_true[:, None] == classes[None, :]).astype(np.float64), classes


def log_loss(y_true, y_proba, *, normalize=True, sample_weight=None, labels=None):
    """Cross-entropy −(1/n) Σᵢ Σₖ yᵢₖ log pᵢₖ of predicted probabilities against true labels.

    Probabilities are clipped to [ε, 1 − ε], ε the machine epsilon of their dtype (scikit-learn's current
    behaviour; a row that does not sum to one gives a warning, not a rescaling).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Probabilities of the classes in sorted order, as ``predict_proba`` returns them; a 1-D array is the
        probability of the larger of two classes. (scikit-learn ≤ 1.8 called this argument ``y_pred``.)
    normalize : bool, default=True
        The mean over samples; False gives the sum.
    sample_weight : array-like of shape (n_samples,), optional
    labels : array-like, optional
        All the classes, when y_true does not contain them all.

    Returns
    -------
    float

    Examples
    --------
    >>> log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]])  # doctest: +ELLIPSIS
    0.2161...
    """
    y_proba = check_array(y_proba, ensure_2d=False, dtype=[np.float64, np.float32], input_name="y_proba")
    if y_proba.max() > 1:
        raise ValueError(f"y_prob contains values greater than 1: {y_proba.max()}")
    if y_proba.min() < 0:
        raise ValueError(f"y_prob contains values lower than 0: {y_proba.min()}")
    check_consistent_length(y_proba, y_true, sample_weight)
    weights = _weights(sample_weight, len(y_proba))
    y_onehot, classes = _one_hot(y_true, labels)
    if y_proba.ndim == 1:
        y_proba = y_proba[:, None]
    if y_proba.shape[1] == 1:
        y_proba = np.hstack([1 - y_proba, y_proba])
    eps = np.finfo(y_proba.dtype).eps
    if not np.allclose(y_proba.sum(axis=1), 1, rtol=np.sqrt(eps), atol=0):
        warnings.warn("The y_prob values do not sum to one. Make sure to pass probabilities.", UserWarning,
                      stacklevel=2)
    if len(classes) != y_proba.shape[1]:
        if labels is None:
            raise ValueError(f"y_true and y_prob contain different number of classes: {len(classes)} vs "
                             f"{y_proba.shape[1]}. Please provide the true labels explicitly through the labels "
                             f"argument. Classes found in y_true: {classes}")
        raise ValueError(f"The number of classes in labels is different from that in y_prob. Classes found in "
                         f"labels: {classes}")
    # clipped at the input dtype's epsilon (as scikit-learn), then summed in float64
    losses = -np.sum(y_onehot * np.log(np.clip(y_proba, eps, 1 - eps).astype(np.float64)), axis=1)
    if normalize:
        return float(np.average(losses, weights=weights))
    return float(losses.sum() if weights is None else losses @ weights)

"""Per-class summaries of a classifier's labels: ``balanced_accuracy_score`` and ``classification_report``."""
import warnings

import numpy as np

from ._classification import confusion_matrix, precision_recall_fscore_support
from ..utils.multiclass import unique_labels


def balanced_accuracy_score(y_true, y_pred, *, sample_weight=None, adjusted=False):
    """The mean over classes of the recall: each class counts the same, however rare.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    sample_weight : array-like of shape (n_samples,), optional
    adjusted : bool, default=False
        Rescale so that chance scores 0 and a perfect prediction 1: (score − 1/K) / (1 − 1/K).

    Examples
    --------
    >>> balanced_accuracy_score([0, 1, 0, 0, 1, 0], [0, 1, 0, 0, 0, 1])
    0.625
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one label only: the 1×1 matrix is what we want here
        cm = confusion_matrix(y_true, y_pred, sample_weight=sample_weight)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_class = np.diag(cm) / cm.sum(axis=1)
    if np.any(np.isnan(per_class)):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
        per_class = per_class[~np.isnan(per_class)]
    score = np.mean(per_class)
    if adjusted:
        chance = 1 / len(per_class)
        score = (score - chance) / (1 - chance)
    return float(score)


def classification_report(y_true, y_pred, *, labels=None, target_names=None, sample_weight=None, digits=2,
                          output_dict=False, zero_division="warn"):
    """Precision, recall, F1 and support of each class, then their accuracy, macro and weighted averages.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    labels : array-like, optional
        The classes to report, in this order. Default: the sorted labels present.
    target_names : list of str, optional
        Display names of ``labels``.
    sample_weight : array-like of shape (n_samples,), optional
    digits : int, default=2
        Decimals in the text (not in the dict).
    output_dict : bool, default=False
        Return ``{class: {'precision': …, 'recall': …, 'f1-score': …, 'support': …}, 'accuracy': …,
        'macro avg': {…}, 'weighted avg': {…}}`` instead of text.
    zero_division : {'warn', 0.0, 1.0, np.nan}, default='warn'

    Returns
    -------
    str or dict
        scikit-learn's text, character for character, or its dict. When ``labels`` leave out a class
        that occurs, the 'accuracy' row becomes 'micro avg'.

    Examples
    --------
    >>> print(classification_report([0, 1, 1], [0, 1, 0]))
                  precision    recall  f1-score   support
    <BLANKLINE>
               0       0.50      1.00      0.67         1
               1       1.00      0.50      0.67         2
    <BLANKLINE>
        accuracy                           0.67         3
       macro avg       0.75      0.75      0.67         3
    weighted avg       0.83      0.67      0.67         3
    <BLANKLINE>
    """
    present = unique_labels(y_true, y_pred)
    labels_given = labels is not None
    labels = np.asarray(labels) if labels_given else present
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if not labels_given:
            raise ValueError(f"Number of classes, {len(labels)}, does not match size of target_names, "
                             f"{len(target_names)}. Try specifying the labels parameter")
        warnings.warn(f"labels size, {len(labels)}, does not match size of target_names, {len(target_names)}",
                      UserWarning, stacklevel=2)
    if target_names is None:
        target_names = [f"{label}" for label in labels]
    headers = ["precision", "recall", "f1-score", "support"]
    common = {"labels": labels, "sample_weight": sample_weight, "zero_division": zero_division}
    p, r, f1, s = precision_recall_fscore_support(y_true, y_pred, average=None, **common)
    rows = list(zip(target_names, p, r, f1, s))
    averages = []
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(y_true, y_pred, average=average, **common)
        averages.append((heading, avg_p, avg_r, avg_f1, np.sum(s)))
    if output_dict:
        report = {name: dict(zip(headers, map(float, scores))) for name, *scores in rows + averages}
        if "accuracy" in report:
            report["accuracy"] = report["accuracy"]["precision"]
        return report
    width = max(max(len(name) for name in target_names), len("weighted avg"), digits)
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    text = ("{:>{width}s} " + " {:>9}" * len(headers)).format("", *headers, width=width) + "\n\n"
    text += "".join(row_fmt.format(*row, width=width, digits=digits) for row in rows) + "\n"
    for heading, *values in averages:
        if heading == "accuracy":
            text += ("{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f} {:>9}\n").format(
                heading, "", "", values[2], values[3], width=width, digits=digits)
        else:
            text += row_fmt.format(heading, *values, width=width, digits=digits)
    return text

"""What kind of target an array holds (scikit-learn's ``type_of_target``) and the labels it uses."""
import numpy as np

from .validation import _as_numpy, _estimator_name, assert_all_finite


def _is_integral(values):
    return values.dtype.kind in "biu" or (values.dtype.kind == "f" and np.all(values == np.round(values)))


def type_of_target(y, input_name="y"):
    """The kind of target ``y`` holds, as scikit-learn names it.

    Returns
    -------
    str
        'continuous' (floats that are not all integers), 'binary' (at most two distinct values),
        'multiclass' (more than two), 'multilabel-indicator' (a 2-D 0/1 matrix), the same with
        '-multioutput' for several columns, or 'unknown'.
    """
    if isinstance(y, str) or not (hasattr(y, "__len__") or hasattr(y, "__array__")):
        raise ValueError(f"Expected array-like (array or non-string sequence), got {y!r}")
    try:
        y = _as_numpy(y)
    except ValueError:  # ragged nested sequences
        return "unknown"
    if y.ndim not in (1, 2) or (y.dtype == object and y.size and not isinstance(y.flat[0], str)):
        return "unknown"
    if y.size == 0:
        return "binary" if y.ndim == 1 else "unknown"
    multioutput = y.ndim == 2 and y.shape[1] > 1
    if y.dtype.kind == "f" and not _is_integral(y):
        assert_all_finite(y, input_name=input_name)
        return "continuous-multioutput" if multioutput else "continuous"
    if multioutput:
        values = np.unique(y)
        if len(values) < 3 and y.dtype.kind in "biuf" and set(values.tolist()) <= {0, 1}:
            return "multilabel-indicator"
        return "multiclass-multioutput"
    return "multiclass" if len(np.unique(y)) > 2 else "binary"


def unique_labels(*ys):
    """The sorted union of the labels in binary or multiclass targets (strings and numbers may not mix)."""
    if not ys:
        raise ValueError("No argument has been passed.")
    kinds = {type_of_target(y) for y in ys}
    if kinds == {"binary", "multiclass"}:
        kinds = {"multiclass"}
    if len(kinds) > 1:
        raise ValueError(f"Mix type of y not allowed, got types {kinds}")
    if kinds == {"multilabel-indicator"}:
        widths = {_as_numpy(y).shape[1] for y in ys}
        if len(widths) > 1:
            raise ValueError(f"Multi-label binary indicator input with different numbers of labels: {widths}")
        return np.arange(widths.pop())
    labels = set()
    for y in ys:
        labels.update(np.unique(_as_numpy(y)).tolist())
    if len({isinstance(label, str) for label in labels}) > 1:
        raise ValueError("Mix of label input types (string and number)")
    return np.asarray(sorted(labels))


def check_classification_targets(y):
    """Raise ``ValueError`` unless ``y`` holds class labels (binary, multiclass or multi-label)."""
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass", "multiclass-multioutput", "multilabel-indicator"):
        raise ValueError(f"Unknown label type: {kind}. Maybe you are trying to fit a classifier, which expects "
                         "discrete classes on a regression target with continuous values.")


def check_classes(y, *, estimator=None):
    """The classes of a classifier's 1-D target and y encoded as their indices.

    Raises ``ValueError`` for a continuous target and for a target with a single class, naming the class.

    Returns
    -------
    classes : ndarray of shape (n_classes,)
        Sorted, as the classifier's ``classes_``.
    y_encoded : ndarray of shape (n_samples,)
        ``classes[y_encoded] == y``.
    """
    check_classification_targets(y)
    classes, y_encoded = np.unique(_as_numpy(y), return_inverse=True)
    if len(classes) < 2:
        name = _estimator_name(estimator) or "A classifier"
        raise ValueError(f"{name} needs samples of at least 2 classes in the data, but the data contains only "
                         f"one class: {classes.tolist()[0]!r}")
    return classes, y_encoded.reshape(-1)

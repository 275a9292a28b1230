"""The checks of optimizer hyperparameters, shared by every optimizer: each error names the hyperparameter and
its value, in PyTorch's wording ("Invalid learning rate: -0.1"), and is stricter than PyTorch where PyTorch
accepts a value that then trains wrongly."""
import inspect
import math
import numbers

import numpy as np

_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_nonnegative(group, *names, at_most=math.inf):
    """Raise ``ValueError("Invalid learning rate: -0.1 ...")`` (PyTorch's wording) for a value that is not a
    finite number in [0, ``at_most``]: stricter than PyTorch, which lets an infinite or NaN rate turn the weights
    into NaN. A value that is not a number at all (``'x'``, None, True) raises ``TypeError``, as PyTorch's
    comparison does."""
    for name in names:
        value = group[name]
        label = f"Invalid {_LABELS.get(name, name + ' value')}: {value!r}"
        if not _is_real(value):
            raise TypeError(f"{label} ({name} must be a number, not {type(value).__name__})")
        if not 0 <= value <= at_most or value == math.inf:
            bound = f"{name} must be a finite number >= 0" if at_most == math.inf else f"it must lie in [0, {at_most}]"
            raise ValueError(f"{label} ({bound})")


def flag_names(init):
    """The keyword parameters of an optimizer's ``__init__`` whose default is a bool (``amsgrad``, ``maximize``...)."""
    return tuple(name for name, p in inspect.signature(init).parameters.items() if isinstance(p.default, bool))


def check_flags(group, names):
    """Raise ``TypeError`` naming a flag (one of ``names``) whose value is not a bool (PyTorch takes
    ``amsgrad='no'`` as true)."""
    for name in names:
        if name in group and not isinstance(group[name], (bool, np.bool_)):
            raise TypeError(f"Invalid {name} value: {group[name]!r} ({name} must be True or False)")


def check_betas(group):
    """Raise ``ValueError`` naming ``betas`` unless it is a pair of numbers in [0, 1) (PyTorch's wording for a β
    out of range; PyTorch takes a triple and fails at the first step). The pair is stored as a tuple."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list, np.ndarray)) or len(betas) != 2:
        raise ValueError(f"Invalid betas: {betas!r} (a pair (beta1, beta2) is needed)")
    for i, beta in enumerate(betas):
        if not _is_real(beta) or not 0 <= beta < 1:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta!r} (it must lie in [0, 1))")
    group["betas"] = tuple(betas)

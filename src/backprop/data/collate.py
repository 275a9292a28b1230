"""``default_collate``: a list of samples → one batch, field by field, as ``torch.utils.data.default_collate``.

The stacking is done on NumPy arrays (``collate_arrays``); ``to_tensors`` then makes the batch's arrays
Tensors. The ``DataLoader`` keeps the two steps apart: worker processes collate, the main process casts
float batches to the loader's dtype and wraps them.
"""
import collections.abc

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.tensor import Tensor
from .dataset import to_tensor


def _stack(samples):
    arrays = [s.data if isinstance(s, Tensor) else np.asarray(s) for s in samples]
    for array in arrays:
        if array.dtype.kind not in "biuf":
            raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
                            f"found an array of dtype {array.dtype}")
    for i, array in enumerate(arrays[1:], 1):
        if array.shape != arrays[0].shape:
            raise RuntimeError(f"default_collate: stack expects each sample to be equal size, but got "
                               f"{list(arrays[0].shape)} at entry 0 and {list(array.shape)} at entry {i}")
    return np.stack(arrays)


def collate_arrays(samples):
    """Collate ``samples`` (a list) into one batch whose leaves are NumPy arrays (see :func:`default_collate`)."""
    first = samples[0]
    if isinstance(first, (str, bytes)):
        return list(samples)
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        return _stack(samples)
    if isinstance(first, bool):
        return np.array(samples, dtype=bool)
    if isinstance(first, float):
        return np.array(samples, dtype=get_default_dtype())
    if isinstance(first, int):
        return np.array(samples, dtype=np.int64)
    if isinstance(first, collections.abc.Mapping):
        fields = {key: collate_arrays([s[key] for s in samples]) for key in first}
        try:
            return type(first)(fields)
        except TypeError:  # a mapping that cannot be built from a dict
            return fields
    if isinstance(first, (tuple, list)):
        if any(len(s) != len(first) for s in samples):
            raise RuntimeError(f"default_collate: each sample should have the same number of fields, got "
                               f"{sorted({len(s) for s in samples})}")
        fields = [collate_arrays(list(column)) for column in zip(*samples, strict=True)]
        if isinstance(first, tuple):
            return type(first)(*fields) if hasattr(first, "_fields") else tuple(fields)
        return fields
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found "
                    f"{type(first).__name__}")


def to_tensors(batch, dtype=None, cast=True):
    """``batch`` with every NumPy array made a Tensor, through dicts, tuples, namedtuples and lists.

    With ``cast``, float arrays take ``dtype`` (default: the default float dtype) and memmap reads become
    arrays in memory, as :func:`~backprop.data.to_tensor`; without it, arrays are wrapped as they are.
    """
    if isinstance(batch, np.ndarray):
        return to_tensor(batch, dtype) if cast else Tensor.wrap(batch)
    if isinstance(batch, collections.abc.Mapping):
        fields = {key: to_tensors(value, dtype, cast) for key, value in batch.items()}
        try:
            return type(batch)(fields)
        except TypeError:
            return fields
    if isinstance(batch, tuple):
        fields = [to_tensors(value, dtype, cast) for value in batch]
        return type(batch)(*fields) if hasattr(batch, "_fields") else tuple(fields)
    if isinstance(batch, list):
        return [to_tensors(value, dtype, cast) for value in batch]
    return batch


def default_collate(batch):
    """Stack a list of samples into one batch along a new first axis, field by field, as PyTorch's.

    - arrays, Tensors and NumPy scalars are stacked into a Tensor of their dtype (all of one shape);
    - Python floats give a Tensor of the default float dtype (PyTorch: float64), ints int64, bools bool;
    - strings (and bytes) stay a list;
    - dicts, tuples, namedtuples and lists are collated field by field, recursively, keeping their type (a
      tuple gives a tuple, where PyTorch gives a list; both unpack the same).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> batch = bp.data.default_collate([{"x": np.zeros(2), "label": 1, "name": "a"},
    ...                                  {"x": np.ones(2), "label": 0, "name": "b"}])
    >>> batch["x"].shape, batch["label"].tolist(), batch["name"]
    ((2, 2), [1, 0], ['a', 'b'])
    """
    return to_tensors(collate_arrays(list(batch)), cast=False)

"""``bp.save`` / ``bp.load`` for objects of any shape: weights, and PyTorch-style checkpoints such as
``{'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3, 'losses': [...]}``.

A module, or a flat dict of name → array, is written as a plain safetensors file (``weights``), which
``safetensors.torch.load_file`` and every other safetensors reader open; ``bp.load`` gives back the flat
dict of NumPy arrays. Any other object is written as safetensors plus two JSON trees in the file's header:

- ``data``: the object with each array replaced by the name of its safetensors entry (named by its path,
  ``model/0.weight``, ``optimizer/state/0/exp_avg``), each dict by the list of its values, tuples by lists;
- ``schema``: the same shape, holding the types: ``{"dict": [keys...], "items": [...]}``, ``{"list": [...]}``,
  ``{"tuple": [...]}``, and at the leaves ``"value"`` (a JSON number, string, bool or None), ``"array"``,
  ``"tensor"``, ``"tensor_requires_grad"`` or ``"numpy_scalar"``.

The user's keys appear only as values inside the schema's key lists, never as JSON object keys, so no key
(``"__tuple__"``, ``"__array__"``, ``"dict"``) can be mistaken for a marker, and a key keeps its type (an
optimizer's ``state`` is keyed by int). Nothing is pickled, so loading a file can never run code.
"""
import json
import numbers

import numpy as np

from ..autograd.tensor import Tensor
from .safetensors import CheckpointError, _safetensors, atomic_write, read

_FORMAT = "backprop.state/2"
_FORMAT_V1 = "backprop.state/1"  # save_state's format before bp.save took any object; still read
_RESERVED = ("format", "data", "schema")
_TENSOR_TAGS = {"tensor": False, "tensor_requires_grad": True}


def _flat_arrays(obj):
    """``obj`` as name → contiguous numeric ndarray when it is a flat dict of arrays, else None."""
    if not isinstance(obj, dict):
        return None
    arrays = {}
    for name, value in obj.items():
        if not isinstance(name, str) or not isinstance(value, (np.ndarray, Tensor)):
            return None
        array = value.data if isinstance(value, Tensor) else value
        if array.dtype.kind not in "biuf":
            return None  # the structured path refuses it with a message naming the key
        arrays[name] = np.asarray(array, order="C")
    return arrays


def _checked_array(array, path):
    if array.dtype.kind not in "biuf":
        raise TypeError(f"cannot save {'/'.join(path) or 'the object'}: an array of dtype {array.dtype}; "
                        "arrays in a checkpoint must hold numbers or bools (safetensors stores no strings or "
                        "objects; put strings in a list)")
    return np.asarray(array.astype(array.dtype.newbyteorder("="), copy=False), order="C")


def _store(array, path, arrays):
    name = "/".join(path) or "value"
    if name in arrays:
        name = f"{name}#{len(arrays)}"
    arrays[name] = array
    return name


def _encode(value, path, arrays):
    """``(data, schema)`` of ``value``; its arrays go into ``arrays`` under their path's name."""
    if isinstance(value, Tensor):
        name = _store(_checked_array(value.data, path), path, arrays)
        return name, "tensor_requires_grad" if value.requires_grad else "tensor"
    if isinstance(value, np.ndarray):
        return _store(_checked_array(value, path), path, arrays), "array"
    if isinstance(value, np.generic):
        return _store(_checked_array(np.asarray(value), path), path, arrays), "numpy_scalar"
    if value is None or isinstance(value, (str, bool, numbers.Integral, float)):
        return (int(value) if isinstance(value, numbers.Integral) and not isinstance(value, bool)
                else value), "value"
    if isinstance(value, dict):
        keys, data, items = [], [], []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, numbers.Integral)):
                raise TypeError(f"cannot save {'/'.join(path) or 'the object'}: dict key {key!r} is a "
                                f"{type(key).__name__}; keys must be str or int")
            key = key if isinstance(key, str) else int(key)
            item_data, item_schema = _encode(item, path + (str(key),), arrays)
            keys.append(key)
            data.append(item_data)
            items.append(item_schema)
        return data, {"dict": keys, "items": items}
    if isinstance(value, (list, tuple)):
        pairs = [_encode(v, path + (str(i),), arrays) for i, v in enumerate(value)]
        return [d for d, _ in pairs], {"tuple" if isinstance(value, tuple) else "list": [s for _, s in pairs]}
    raise TypeError(f"cannot save {'/'.join(path) or 'the object'}: a {type(value).__name__} is neither an "
                    "array, a Tensor, a number, a string, None, nor a dict, list or tuple of these (backprop "
                    "checkpoints hold no pickled objects)")


def _decode(data, schema, arrays):
    if isinstance(schema, str):
        if schema == "value":
            return data
        if schema == "array":
            return arrays[data]
        if schema == "numpy_scalar":
            return arrays[data][()]
        tensor = Tensor.wrap(arrays[data])
        return tensor.requires_grad_() if _TENSOR_TAGS[schema] else tensor
    if "dict" in schema:
        return {k: _decode(d, s, arrays) for k, d, s in zip(schema["dict"], data, schema["items"], strict=True)}
    (kind, items), = schema.items()
    if kind not in ("list", "tuple"):
        raise ValueError(f"unknown schema node {kind!r}")
    values = [_decode(d, s, arrays) for d, s in zip(data, items, strict=True)]
    return tuple(values) if kind == "tuple" else values


def _decode_v1(value, arrays):
    """The tree of a ``backprop.state/1`` file: markers inside the user's dicts (hence the collisions the
    current format avoids)."""
    if isinstance(value, list):
        return [_decode_v1(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__tuple__" in value:
        return tuple(_decode_v1(v, arrays) for v in value["__tuple__"])
    if "__items__" in value:
        return {_decode_v1(k, arrays): _decode_v1(v, arrays) for k, v in value["__items__"]}
    return {k: _decode_v1(v, arrays) for k, v in value.items()}


def save(obj, path, metadata=None):
    """Save weights or a checkpoint of any shape to one safetensors file, atomically; never pickle.

    Parameters
    ----------
    obj : Module, Optimizer, dict, list, tuple, array, Tensor, number, str or None
        An object with ``state_dict()`` (a module, an optimizer, a scheduler) is saved as its state dict.
        A flat dict of name → array or Tensor (a module's state dict) becomes a plain safetensors file,
        readable by ``safetensors.torch.load_file``. Anything else is nested dicts (keys str or int), lists
        and tuples of arrays, Tensors, NumPy scalars, Python numbers, strings and None, e.g.
        ``{'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3}``.
    path : str or path-like
        Replaced atomically: a crash while writing leaves the previous file intact.
    metadata : dict of str → str, optional
        Free text stored in the file's header (safetensors allows only strings there). In a checkpoint of
        any shape, the keys ``format``, ``data`` and ``schema`` are the format's own.

    Raises
    ------
    TypeError
        An object that would need pickle (a function, a class instance), an array of strings or objects,
        or a dict key that is neither str nor int; the message names its path in ``obj``.

    Examples
    --------
    >>> bp.save(model, "model.safetensors")                                 # doctest: +SKIP
    >>> bp.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3},
    ...         "checkpoint.safetensors")                                   # doctest: +SKIP
    """
    if hasattr(obj, "state_dict") and callable(obj.state_dict):
        obj = obj.state_dict()
    if metadata is not None:
        bad = {k: v for k, v in metadata.items() if not (isinstance(k, str) and isinstance(v, str))}
        if bad:
            raise TypeError(f"bp.save: metadata must map strings to strings, got {bad!r}")
    safetensors = _safetensors()
    arrays = _flat_arrays(obj)
    if arrays is not None:
        atomic_write(path, safetensors.numpy.save(arrays, metadata=metadata))
        return
    taken = sorted(set(metadata or ()) & set(_RESERVED))
    if taken:
        raise ValueError(f"bp.save: metadata keys {taken} are the checkpoint format's own; rename them")
    arrays = {}
    data, schema = _encode(obj, (), arrays)
    header = {**(metadata or {}), "format": _FORMAT, "data": json.dumps(data), "schema": json.dumps(schema)}
    atomic_write(path, safetensors.numpy.save(arrays, metadata=header))


def load(path):
    """Load what ``bp.save`` wrote (or any safetensors file); nothing in a file can run code.

    Returns
    -------
    object
        A plain safetensors file (``bp.save(model)``, ``safetensors.torch.save_file``): the flat dict of
        name → ``numpy.ndarray``, in the file's dtypes, which ``Module.load_state_dict`` accepts. A
        checkpoint of any shape: the object saved, as ``torch.load`` returns it: dicts with their keys'
        types (str or int) and order, lists, tuples, numbers, strings and None as they were, Tensors as
        Tensors (``requires_grad`` kept) and arrays as NumPy arrays, NumPy scalars as NumPy scalars.
        A dict subclass (``OrderedDict``) comes back as a dict, a namedtuple as a tuple.
        A file written by ``save_state`` before this format existed loads too.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        The file is truncated, corrupted, not a safetensors file, or its header does not match its
        arrays; the message names the file.
    """
    arrays, metadata = read(path)
    form = metadata.get("format")
    if form not in (_FORMAT, _FORMAT_V1):
        return arrays
    try:
        if form == _FORMAT_V1:
            return _decode_v1(json.loads(metadata["state"]), arrays)
        return _decode(json.loads(metadata["data"]), json.loads(metadata["schema"]), arrays)
    except (KeyError, ValueError, TypeError, AttributeError) as e:
        raise CheckpointError(f"{str(path)!r}: corrupted checkpoint header ({type(e).__name__}: {e})") from e


save_state = save
load_state = load

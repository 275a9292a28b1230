"""Save nested training state (weights, optimizer state, epoch, random state) in one safetensors file.

Arrays become safetensors tensors, named by their path in the state (``model/0.weight``,
``optimizer/state/0/exp_avg``); everything else (numbers, strings, lists, the random generator's state)
is JSON in the file's metadata. Nothing is pickled, so loading a checkpoint cannot run code.
"""
import json

import numpy as np

from ..autograd.tensor import Tensor
from .safetensors import CheckpointError, _safetensors, atomic_write, read

_FORMAT = "backprop.state/1"


def _encode(value, path, arrays):
    """The JSON form of ``value``; its arrays go into ``arrays`` under their path and leave a reference."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        name = "/".join(path)
        if name in arrays:
            name = f"{name}#{len(arrays)}"
        arrays[name] = np.asarray(value, order="C")
        return {"__array__": name}
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {k: _encode(v, path + (k,), arrays) for k, v in value.items()}
        # JSON objects have string keys only: keep other keys (an optimizer's parameter indices) as pairs.
        return {"__items__": [[_encode(k, path, arrays), _encode(v, path + (str(k),), arrays)]
                              for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, path + (str(i),), arrays) for i, v in enumerate(value)]}
    if isinstance(value, list):
        return [_encode(v, path + (str(i),), arrays) for i, v in enumerate(value)]
    raise TypeError(f"cannot save {'/'.join(path) or 'the state'}: a {type(value).__name__} is neither an "
                    "array nor a JSON value (backprop checkpoints hold no pickled objects)")


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        return arrays[value["__array__"]]
    if "__tuple__" in value:
        return tuple(_decode(v, arrays) for v in value["__tuple__"])
    if "__items__" in value:
        return {_decode(k, arrays): _decode(v, arrays) for k, v in value["__items__"]}
    return {k: _decode(v, arrays) for k, v in value.items()}


def save_state(state, path):
    """Write a nested state to one safetensors file, atomically.

    Parameters
    ----------
    state : dict
        Nested dicts, lists and tuples whose leaves are arrays or Tensors (stored as safetensors tensors)
        or JSON values (numbers, strings, bools, None). Dict keys other than strings (an optimizer's
        integer parameter indices) and tuples survive the round trip.
    path : str or path-like
    """
    arrays = {}
    tree = json.dumps(_encode(state, (), arrays))
    atomic_write(path, _safetensors().numpy.save(arrays, metadata={"format": _FORMAT, "state": tree}))


def load_state(path):
    """Read a state written by ``save_state``: the same nesting, arrays as NumPy arrays.

    Raises
    ------
    CheckpointError
        The file is unreadable (truncated, corrupted) or is not a backprop state file (e.g. plain weights
        from ``bp.save``); the message names the file.
    """
    arrays, metadata = read(path)
    if metadata.get("format") != _FORMAT:
        raise CheckpointError(f"{str(path)!r} is not a backprop checkpoint (its header has format "
                              f"{metadata.get('format')!r}, expected {_FORMAT!r}); plain weights load with "
                              "bp.load")
    try:
        return _decode(json.loads(metadata["state"]), arrays)
    except (KeyError, ValueError) as e:
        raise CheckpointError(f"{str(path)!r}: corrupted checkpoint header ({type(e).__name__}: {e})") from e

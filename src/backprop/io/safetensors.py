"""Save and load weights in the safetensors format: raw arrays plus a JSON header, never pickle.

A pickle file (PyTorch's ``torch.save``) is a program: loading it can run any code its author wrote. A
safetensors file is only data, a JSON header naming each array's dtype, shape and byte range, followed by
the bytes. So opening a model file from anywhere can never run code, and files are exchanged with PyTorch
(``safetensors.torch.save_file``), JAX, TensorFlow and the Hugging Face hub.

The ``safetensors`` package is optional (``pip install safetensors``, or the ``io`` extra:
``pip install backprop[io]``); it is imported only when a file is read or written.
"""
import os
import uuid

import numpy as np

from ..autograd.tensor import Tensor


class CheckpointError(ValueError):
    """A weights or checkpoint file that cannot be read, or that does not fit what it is loaded into.

    The message names the file and the problem (truncated, corrupted, not a safetensors file, missing or
    mis-shaped entries).
    """


def _safetensors():
    try:
        import safetensors.numpy
    except ImportError:
        raise ImportError("saving and loading weights needs the safetensors package: "
                          "pip install safetensors (or pip install backprop[io])") from None
    return safetensors


def atomic_write(path, data):
    """Write ``data`` (bytes) to ``path`` atomically: all of it or, after a crash, the old file untouched.

    The bytes go to a temporary file in the same folder, are flushed to disk, and the temporary file then
    replaces ``path`` with ``os.replace``, an atomic rename on POSIX and Windows. A crash while writing
    leaves only the temporary file (removed when Python is still able to), never a half-written ``path``.
    """
    path = os.fspath(path)
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)),
                       f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _as_state_dict(obj):
    """A module's ``state_dict()``, or the dict itself, as name → contiguous ndarray."""
    state = obj.state_dict() if hasattr(obj, "state_dict") else obj
    if not isinstance(state, dict):
        raise TypeError(f"bp.save expects a Module or a dict of name → array, got {type(obj).__name__}")
    arrays = {}
    for name, value in state.items():
        if not isinstance(name, str):
            raise TypeError(f"bp.save: state dict keys must be strings, got {name!r}")
        arrays[name] = np.asarray(value.data if isinstance(value, Tensor) else value, order="C")
        if arrays[name].dtype.kind not in "biuf":
            raise TypeError(f"bp.save: entry {name!r} is not a numeric array (dtype {arrays[name].dtype})")
    return arrays


def save(obj, path, metadata=None):
    """Save a module's weights, or a dict of arrays, to a safetensors file (atomically).

    Parameters
    ----------
    obj : Module or dict
        A module (its ``state_dict()`` is saved: parameters and buffers) or a dict name → array or Tensor.
    path : str or path-like
        The file to write; it is replaced atomically, so a crash never leaves a half-written file.
    metadata : dict of str → str, optional
        Free text stored in the file's header (safetensors allows only strings there).

    Examples
    --------
    >>> bp.save(model, "model.safetensors")                       # doctest: +SKIP
    >>> model.load_state_dict(bp.load("model.safetensors"))       # doctest: +SKIP
    """
    arrays = _as_state_dict(obj)
    if metadata is not None:
        bad = {k: v for k, v in metadata.items() if not (isinstance(k, str) and isinstance(v, str))}
        if bad:
            raise TypeError(f"bp.save: metadata must map strings to strings, got {bad!r}")
    atomic_write(path, _safetensors().numpy.save(arrays, metadata=metadata))


def read(path):
    """Read a safetensors file: ``(arrays, metadata)``, name → ndarray and the header's str → str dict.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        The file is truncated, corrupted, not a safetensors file, or holds a dtype NumPy lacks (bfloat16).
    """
    safetensors = _safetensors()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no weights file at {path!r}")
    try:
        with safetensors.safe_open(path, framework="np") as f:
            names = f.keys()  # a safe_open handle is not a dict: it has no __iter__
            return {name: f.get_tensor(name) for name in names}, f.metadata() or {}
    except Exception as e:
        raise CheckpointError(
            f"cannot read {path!r} as a safetensors file ({e}): it may be truncated, corrupted or in another "
            "format (backprop never loads pickle files such as torch.save's)") from e


def load(path):
    """Load the arrays of a safetensors file, written by ``bp.save`` or by another library.

    Returns
    -------
    dict of str → numpy.ndarray
        Each entry's name and array, with the dtype stored in the file (entries in the file's order,
        sorted by name). ``Module.load_state_dict`` accepts it directly, e.g. a PyTorch state dict saved
        with ``safetensors.torch.save_file`` loads into the equivalent ``bp`` model.

    Raises
    ------
    FileNotFoundError, CheckpointError
        See ``read``; the message names the file.
    """
    return read(path)[0]


def load_model(model, path, strict=True):
    """Load a weights file into ``model`` in place: ``model.load_state_dict(bp.load(path))`` with errors
    that name the file.

    Raises
    ------
    CheckpointError
        The file cannot be read, or its entries do not fit the model (missing, unexpected, mis-shaped).
    """
    arrays = load(path)
    try:
        return model.load_state_dict(arrays, strict=strict)
    except (KeyError, ValueError, RuntimeError, TypeError) as e:
        raise CheckpointError(f"{os.fspath(path)!r} does not fit {type(model).__name__}: {e}") from e

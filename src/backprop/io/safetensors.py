"""The safetensors format underneath ``bp.save``/``bp.load``: raw arrays plus a JSON header, never pickle.

A pickle file (PyTorch's ``torch.save``) is a program: loading it can run any code its author wrote. A
safetensors file is only data, a JSON header naming each array's dtype, shape and byte range, followed by
the bytes. So opening a model file from anywhere can never run code, and files are exchanged with PyTorch
(``safetensors.torch.save_file``), JAX, TensorFlow and the Hugging Face hub.

The ``safetensors`` package is optional (``pip install safetensors``, or the ``io`` extra:
``pip install backprop[io]``); it is imported only when a file is read or written.
"""
import errno
import os
import uuid


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

    Every ``OSError`` names ``path``, never the temporary file: a missing folder (``FileNotFoundError``),
    ``path`` being a directory (``IsADirectoryError``), a read-only folder or a full disk; nothing is changed.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "Is a directory (give a file name inside it)", path)
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise NotADirectoryError(errno.ENOTDIR, f"Not a directory ({folder!r} is a file)", path)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"No such file or directory (the folder {folder!r} does not "
                                "exist; create it first)", path)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        if os.path.exists(tmp):
            os.remove(tmp)
        if isinstance(error, OSError) and error.errno is not None and error.filename in (None, tmp):
            raise type(error)(error.errno, error.strerror, path) from None
        raise


def read(path):
    """Read a safetensors file: ``(arrays, metadata)``, name → ndarray and the header's str → str dict.

    Raises
    ------
    FileNotFoundError
        No file at ``path``.
    CheckpointError
        The file is truncated, corrupted, not a safetensors file, or holds a dtype NumPy lacks (bfloat16).
    """
    # a safe_open handle is not a dict: it has no __iter__
    return _opened(path, lambda f: ({name: f.get_tensor(name) for name in f.keys()}, f.metadata() or {}))


def read_metadata(path):
    """The header's str → str metadata of a safetensors file, without reading its arrays (what a run's
    files record about the run that wrote them). Raises as ``read``."""
    return _opened(path, lambda f: f.metadata() or {})


def _opened(path, take):
    """``take(handle)`` of the safetensors file at ``path``, its failures as ``read`` documents them."""
    safetensors = _safetensors()
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no weights file at {path!r}")
    try:
        with safetensors.safe_open(path, framework="np") as f:
            return take(f)
    except Exception as e:
        raise CheckpointError(
            f"cannot read {path!r} as a safetensors file ({e}): it may be truncated, corrupted or in another "
            "format (backprop never loads pickle files such as torch.save's)") from e


def load_model(model, path, strict=True):
    """Load a weights file (``bp.save(model, path)``, or any plain safetensors file) into ``model`` in place:
    ``model.load_state_dict(bp.load(path))`` with errors that name the file.

    Raises
    ------
    CheckpointError
        The file cannot be read, or its entries do not fit the model (missing, unexpected, mis-shaped).
    """
    arrays = read(path)[0]
    try:
        return model.load_state_dict(arrays, strict=strict)
    except (KeyError, ValueError, RuntimeError, TypeError) as e:
        raise CheckpointError(f"{os.fspath(path)!r} does not fit {type(model).__name__}: {e}") from e

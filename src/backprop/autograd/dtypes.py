"""The default float dtype and the conversion of user data into arrays."""
import numpy as np

_default = [np.dtype(np.float32)]

# PyTorch's dtype names, as NumPy dtypes (``bp.float32 is np.dtype('float32')``).
float16 = half = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = double = np.dtype(np.float64)
int32 = np.dtype(np.int32)
int64 = long = np.dtype(np.int64)
bool_ = np.dtype(np.bool_)

# What ``Tensor.type()`` calls each dtype, as PyTorch's legacy tensor types.
TYPE_NAMES = {np.dtype(np.float16): "HalfTensor", np.dtype(np.float32): "FloatTensor",
              np.dtype(np.float64): "DoubleTensor", np.dtype(np.int8): "CharTensor",
              np.dtype(np.uint8): "ByteTensor", np.dtype(np.int16): "ShortTensor",
              np.dtype(np.int32): "IntTensor", np.dtype(np.int64): "LongTensor", np.dtype(np.bool_): "BoolTensor"}


def get_default_dtype():
    """The float dtype new tensors take (a NumPy dtype; float32 unless changed)."""
    return _default[0]


def set_default_dtype(dtype):
    """Set the float dtype of new tensors and parameters: ``bp.set_default_dtype(np.float64)``."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"the default dtype must be a floating-point dtype, got {dtype}")
    _default[0] = dtype


# The floating dtypes that a NumPy array or scalar keeps when it becomes a tensor (as ``torch.tensor``).
KEPT_FLOAT_DTYPES = frozenset((float16, float32, float64))


def as_array(data, dtype=None, copy=False):
    """Convert ``data`` to an ndarray, as ``torch.tensor`` does: a NumPy array or scalar keeps its
    float16/32/64 dtype; Python floats (and lists of them) and other float dtypes take the default
    dtype; ints and bools keep theirs.

    With ``copy=False`` an array already of the right dtype is returned as it is (shared).

    Raises TypeError for non-numeric (object, string) data, naming what was received.
    """
    from .tensor import Tensor

    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dtype = np.dtype(dtype)
    try:
        arr = np.array(data, dtype=dtype, copy=copy) if copy else np.asarray(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise TypeError(f"cannot make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype.kind not in "biufc":
        raise TypeError(
            f"cannot make a tensor from non-numeric data (NumPy dtype {arr.dtype}); "
            "pass numbers, nested lists of numbers or a numeric array")
    if dtype is None and arr.dtype.kind == "f" and arr.dtype != _default[0] and not (
            isinstance(data, (np.ndarray, np.generic)) and arr.dtype in KEPT_FLOAT_DTYPES):
        arr = arr.astype(_default[0])
    return arr

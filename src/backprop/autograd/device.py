"""Devices, as PyTorch names them: backprop computes with NumPy, so every tensor lives on the CPU.

``bp.device('cpu')`` exists so that code written for PyTorch (``x.to(device)``, ``model.to('cpu')``,
``torch.device('cuda' if torch.cuda.is_available() else 'cpu')``) runs unchanged. Asking to move
anything to another device raises :class:`RuntimeError` instead of silently staying on the CPU.
"""

import numpy as np

NO_GPU = "backprop runs on the CPU; no GPU backend is installed"
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "meta")


class device:
    """A device name: ``bp.device('cpu')`` (``.type == 'cpu'``, ``str() == 'cpu'``).

    ``bp.device('cuda')`` can be named, as in PyTorch, but moving a tensor or a model there raises.
    """

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):  # noqa: A002  (PyTorch's parameter name)
        if isinstance(type, device):
            type, index = type.type, type.index
        kind, _, number = str(type).partition(":")
        if kind not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device "
                               f"string: {type}")
        object.__setattr__(self, "type", kind)
        object.__setattr__(self, "index", int(number) if number else index)

    def __setattr__(self, name, value):
        raise AttributeError("a device is immutable")

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"


CPU = device("cpu")


def is_device(arg):
    """Whether ``arg`` names a device (``bp.device`` or a string such as ``'cpu'`` or ``'cuda:0'``)."""
    return isinstance(arg, device) or (isinstance(arg, str) and arg.partition(":")[0] in DEVICE_TYPES)


def check_cpu(where):
    """``where`` (a device, its name, or None) as the CPU device; any other device raises RuntimeError."""
    if where is None:
        return CPU
    dev = where if isinstance(where, device) else device(where)
    if dev.type != "cpu":
        raise RuntimeError(f"{NO_GPU} (asked for device '{dev}')")
    return CPU


def to_arguments(args, device=None, dtype=None):
    """The target dtype of PyTorch's ``to(...)`` call forms: ``to(dtype)``, ``to(device)``,
    ``to(other_tensor)`` (its dtype), ``to(device, dtype)`` and the keywords. The device must be the
    CPU (else RuntimeError); the dtype is None when none was given."""
    from .tensor import Tensor  # (tensor.py imports this module)

    for arg in args:
        if isinstance(arg, Tensor):
            dtype = arg.dtype
        elif is_device(arg):
            device = arg
        else:
            dtype = arg
    check_cpu(device)
    return None if dtype is None else np.dtype(dtype)

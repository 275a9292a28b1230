"""The autodiff core: Tensor, the op base class, the reverse-mode engine, grad mode, gradcheck.

Nothing here imports ``backprop.ops``: the ops package installs Tensor's operators and methods.
"""
from .tensor import Tensor
from .function import Function, Op
from .node import Context
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .engine import backward, grad
from . import graph

__all__ = ["Tensor", "Context", "Function", "Op", "enable_grad", "inference_mode", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "backward", "grad", "graph"]

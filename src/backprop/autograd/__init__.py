"""The autodiff core: Tensor, the op base class, the reverse-mode engine, grad mode, gradcheck."""
from .tensor import Tensor
from .function import Context, Function, Op
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine import backward, grad

__all__ = ["Tensor", "Context", "Function", "Op", "enable_grad", "is_grad_enabled", "no_grad",
           "set_grad_enabled", "backward", "grad"]

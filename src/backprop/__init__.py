"""backprop: neural networks and the backpropagation algorithm from first principles, on NumPy.

>>> import backprop as bp
>>> x = bp.tensor(1.0, requires_grad=True); y = bp.tensor(2.0, requires_grad=True)
>>> f = x**2 + x*y + (x + y)**2
>>> f.backward(); x.grad.item(), y.grad.item()
(10.0, 7.0)
"""
from .autograd import (Context, Function, Op, Tensor, backward, enable_grad, grad, inference_mode,
                       is_grad_enabled, no_grad, set_grad_enabled)
from .autograd.device import device
from .autograd.dtypes import (double, float16, float32, float64, get_default_dtype, half, int32, int64, long,
                              set_default_dtype)
from .autograd.dtypes import bool_ as bool  # noqa: A004  (PyTorch's name; the builtin is not used here)
from .autograd.factory import (arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, is_tensor,
                               linspace, multinomial, ones, ones_like, rand, rand_like, randint, randn,
                               randn_like, randperm, tensor, zeros, zeros_like)
from .autograd.functional import hessian, jacobian
from .autograd.gradcheck import gradcheck, gradgradcheck
from .exceptions import DoubleBackwardError, ShapeError
from . import ops  # noqa: F401  (imported for its effect: installs Tensor's operators and methods)
from .ops.activations import log_softmax, logit, logsigmoid, logsumexp, relu, sigmoid, softmax, softplus, tanh
from .ops.elementwise import (abs, add, clamp, clip, div, eq, exp, ge, gt, le, log, lt, maximum, minimum, mul, ne,
                              neg, pow, sqrt, sub, where)
from .ops.trigonometric import cos, sin
from .ops.elementwise_more import (all, any, clone, cumsum, floor_divide, isinf, isnan, log1p, norm, prod, remainder,
                                   sign, std)
from .ops.linalg import matmul
from .ops.reduce import amax, amin, argmax, argmin, mean, sum, var
from .ops.sorting import argsort, max, min, sort, topk
from .ops.indexing import chunk, einsum, flip, gather, index_select, masked_fill, repeat, scatter_add, unbind
from .ops.shape import (broadcast_to, cat, concatenate, flatten, permute, reshape, split, squeeze, stack, transpose,
                        unsqueeze)
from .random import Generator, manual_seed
from . import cuda, linalg, random

# The public names of ``from backprop import *``; the lazy submodules (nn, optim, ...) load on first use.
__all__ = ["Context", "Function", "Op", "Tensor", "backward", "enable_grad", "grad", "inference_mode",
           "is_grad_enabled", "no_grad", "set_grad_enabled", "get_default_dtype", "set_default_dtype", "arange", "eye",
           "device", "float16", "float32", "float64", "half", "double", "int32", "int64", "long", "bool",
           "as_tensor", "empty", "empty_like", "is_tensor", "linspace", "randint", "randperm", "cuda",
           "from_numpy", "full", "full_like", "multinomial", "ones", "ones_like", "rand", "rand_like",
           "randn", "randn_like", "tensor", "zeros", "zeros_like", "hessian", "jacobian", "gradcheck",
           "gradgradcheck", "DoubleBackwardError", "ShapeError", "log_softmax", "logit", "logsigmoid",
           "logsumexp", "relu", "sigmoid", "softmax", "softplus", "tanh", "abs", "add", "clamp", "clip",
           "cos", "div", "eq", "exp", "ge", "gt", "le", "log", "lt", "maximum", "minimum", "mul", "ne", "neg",
           "pow", "sin", "sqrt", "sub", "where", "matmul", "argmax", "argmin", "amax", "amin", "argsort", "max",
           "mean", "min", "sort", "sum", "topk", "var",
           "broadcast_to", "cat", "concatenate", "flatten", "permute", "reshape", "split", "squeeze", "stack",
           "transpose", "unsqueeze", "manual_seed", "linalg", "random",
           "chunk", "einsum", "flip", "gather", "index_select", "masked_fill", "repeat", "scatter_add", "unbind"]

__all__ += ["all", "any", "clone", "cumsum", "floor_divide", "isinf", "isnan", "log1p", "norm", "prod", "remainder",
            "sign", "std"]
__all__ += ["Generator"]

__version__ = "0.1.0"

# Submodules load on first use, so ``import backprop`` stays fast and light.
_LAZY_MODULES = {"nn": "backprop.nn", "F": "backprop.nn.functional", "optim": "backprop.optim",
                 "data": "backprop.data", "train": "backprop.train", "io": "backprop.io",
                 "metrics": "backprop.metrics", "model_selection": "backprop.model_selection",
                 "linear_model": "backprop.linear_model", "explain": "backprop.explain",
                 "pipeline": "backprop.pipeline",
                 "preprocessing": "backprop.preprocessing", "neural_network": "backprop.neural_network",
                 "multiclass": "backprop.multiclass", "distributed": "backprop.distributed"}
_LAZY_ATTRS = {"save": ("backprop.io", "save"), "load": ("backprop.io", "load"), "jit": ("backprop.jit", "jit")}


def __getattr__(name):
    import importlib

    if name in _LAZY_MODULES:
        value = importlib.import_module(_LAZY_MODULES[name])
    elif name in _LAZY_ATTRS:
        module, attr = _LAZY_ATTRS[name]
        value = getattr(importlib.import_module(module), attr)
    else:
        raise AttributeError(f"module 'backprop' has no attribute {name!r}")
    globals()[name] = value  # later reads (bp.F.relu in a forward pass) are plain lookups
    return value

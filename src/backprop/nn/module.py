"""``Module``, the building block of networks, and ``Parameter``, the tensors a module learns (``torch.nn``).

A module finds its parameters, buffers and submodules by attribute assignment::

    class TwoLayer(bp.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = bp.nn.Linear(2, 3)     # a submodule: its parameters are ours too
            self.out = bp.nn.Linear(3, 1)

        def forward(self, x):
            return self.out(bp.relu(self.hidden(x)))

``named_parameters()`` then yields ``hidden.weight``, ``hidden.bias``, ``out.weight``, ``out.bias``:
the keys of ``state_dict()``, which PyTorch's equivalent model shares.
"""
from collections import OrderedDict, namedtuple

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.graph import increment_version, zero_grad
from ..autograd.device import NO_GPU, to_arguments
from ..autograd.tensor import Tensor
from ._inputs import (  # noqa: F401  (input_tensor: re-exported, bp.explain imports it here)
    as_inputs,
    input_tensor,
    refuse_complex_input,
    state_value,
)
from .hooks import HookMixin, call_with_hooks


class Parameter(Tensor):
    """A tensor that a :class:`Module` learns: it requires grad, and assigning it to a module registers it.

    Parameters
    ----------
    data : array_like or Tensor, optional
        The initial values; a Tensor's or an array's dtype is kept (PyTorch keeps the tensor's),
        a list takes the default float dtype. Unlike PyTorch the values are copied, not shared.
    requires_grad : bool, default True
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty(0, get_default_dtype())
        super().__init__(data, requires_grad=requires_grad, dtype=getattr(data, "dtype", None))

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict(strict=False)`` could not match, as PyTorch returns it."""

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


# The hooks' ordered dicts (handle id -> hook) and the marks of hooks registered with_kwargs or always_call.
_HOOK_DICTS = ("_forward_pre_hooks", "_forward_pre_hooks_with_kwargs", "_forward_hooks", "_forward_hooks_with_kwargs",
               "_forward_hooks_always_called", "_backward_pre_hooks", "_backward_hooks")


def _count_change(attributes, name):
    """Move ``attribute_version`` on after a plain attribute was set or deleted (not ``training``, nor before
    ``Module.__init__`` made the counter)."""
    if name != "training" and name != "attribute_version" and "attribute_version" in attributes:
        attributes["attribute_version"] += 1


def _quoted(keys):
    return ", ".join(f'"{k}"' for k in keys)


def _addindent(text, spaces):
    lines = text.split("\n")
    return lines[0] + "".join("\n" + " " * spaces + line for line in lines[1:])


class Module(HookMixin):
    """Base class of every layer and network (``torch.nn.Module``).

    Subclasses call ``super().__init__()`` first, assign their :class:`Parameter`\\ s and submodules
    as attributes, register non-learned state with :meth:`register_buffer`, and define ``forward``.
    Calling the module calls ``forward``.

    ``train()``/``eval()`` set ``training`` on the module and its submodules; only dropout and batch
    norm behave differently. Whether a graph is recorded depends only on ``bp.no_grad()``.

    ``attribute_version`` (read it, never set it) counts how many times an attribute of this module (not of
    its submodules) was set or deleted: a parameter, buffer or submodule, or a setting such as Dropout's
    ``p``; not ``training``, the flag ``train()``/``eval()`` set. A captured step (``bp.jit``) notes it and
    captures again when it changes: a layer swapped for another (``model[2] = nn.Linear(4, 1)``) or a
    dropout rate lowered is new work, not a replay. (A plain attribute, not a property: a replay reads it
    for every module.)

    Hooks (PyTorch's ``register_forward_pre_hook``, ``register_forward_hook``,
    ``register_full_backward_pre_hook``, ``register_full_backward_hook``) are described in :mod:`backprop.nn.hooks`.
    """

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "attribute_version", 0)
        for name in _HOOK_DICTS:  # see nn/hooks.py; __call__ only tests whether they are empty
            object.__setattr__(self, name, OrderedDict())

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" method')

    def __call__(self, *args, **kwargs):
        if args:
            if args[0].__class__ is not Tensor:
                args = as_inputs(self, args)
            elif args[0].data.dtype.kind == "c":
                refuse_complex_input(self, args[0])
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or self._backward_pre_hooks:
            return call_with_hooks(self, args, kwargs)
        return self.forward(*args, **kwargs)

    # -- registration -----------------------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        if isinstance(value, Parameter) or name in d.get("_parameters", ()):
            self.register_parameter(name, value)  # None stands for an absent parameter (a disabled bias)
        elif isinstance(value, Module) or name in d.get("_modules", ()):
            self.add_module(name, value)
        elif name in d.get("_buffers", ()):
            self.register_buffer(name, value, name not in self._non_persistent)
        else:
            object.__setattr__(self, name, value)
            _count_change(d, name)

    def __getattr__(self, name):
        # Called only when ordinary lookup fails. Registered values are also kept in the instance dict
        # (layers read their parameters on every forward pass, and a dict hit is the fastest lookup);
        # the registries are still searched, for code that fills them directly as PyTorch's allows.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d.get(registry, ()):
                return d[registry][name]
        if "_parameters" not in d and name in _HOOK_DICTS + ("_parameters", "_buffers", "_modules"):
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}': "
                                 "its __init__ must call super().__init__() first")
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        if any(name in self.__dict__[r] for r in ("_parameters", "_buffers", "_modules")):
            self._forget(name)
        else:
            object.__delattr__(self, name)
            _count_change(self.__dict__, name)

    def _forget(self, name):
        """Drop what ``name`` was (plain attribute, parameter, buffer, submodule) before it is re-bound."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            d[registry].pop(name, None)
        self._non_persistent.discard(name)
        d["attribute_version"] += 1  # every registration and removal comes through here

    def _check_initialised(self, kind):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")

    def register_parameter(self, name, param):
        """Add ``param`` (a :class:`Parameter`, or None for an absent one such as a disabled bias)."""
        self._check_initialised("parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            "(bp.nn.Parameter or None required)")
        self._forget(name)
        self._parameters[name] = self.__dict__[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor the module keeps but does not learn (running statistics); it goes into the state dict
        unless ``persistent=False``."""
        self._check_initialised("buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            "(bp.Tensor or None required)")
        self._forget(name)
        self._buffers[name] = self.__dict__[name] = tensor
        if persistent:
            self._non_persistent.discard(name)
        else:
            self._non_persistent.add(name)

    def add_module(self, name, module):
        """Add a submodule under ``name`` (the same as assigning it as an attribute)."""
        self._check_initialised("module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name)
        self._modules[name] = self.__dict__[name] = module

    register_module = add_module

    # -- traversal -----------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix=""):
        """(name, module) for this module and every submodule, depth first; each module once."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        """(name, module) for the direct submodules."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse):
        seen = set()
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or id(value) in seen:
                    continue
                seen.add(id(value))
                yield (f"{module_prefix}.{name}" if module_prefix else name), value

    def named_parameters(self, prefix="", recurse=True):
        """(dotted name, parameter) for every parameter, each shared parameter once."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True):
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call ``fn`` on every submodule, then on this module (a custom initialisation); returns self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- mode, gradients, dtype ------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (``mode=True``) or evaluation mode on this module and its submodules."""
        if not isinstance(mode, bool):
            raise TypeError(f"training mode is expected to be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self):
        """Evaluation mode: dropout off, batch norm uses its running statistics. Same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Switch gradient recording for every parameter (freeze a part of a network with False)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the parameters' gradients: to None (the default, as PyTorch) or to zeros in place."""
        zero_grad(self.parameters(), set_to_none)

    def to(self, *args, device=None, dtype=None):
        """Convert the floating-point parameters and buffers (and gradients) to ``dtype``, in place.

        ``model.to(np.float64)``, ``model.to("float64")``, ``model.to(bp.float64)``, ``model.to(tensor)``
        (its dtype). A device (``"cpu"``, ``bp.device("cpu")``) is accepted, since everything lives in
        NumPy; any other device raises. Integer buffers such as ``num_batches_tracked`` stay.
        """
        dtype = to_arguments(args, device, dtype)
        if dtype is None:
            return self
        if dtype.kind != "f":
            raise TypeError(f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            if t.dtype.kind == "f" and t.dtype != dtype:
                t.data = t.data.astype(dtype)
                increment_version(t)
                if t.grad is not None:
                    t.grad = t.grad.data.astype(dtype)
        return self

    def cpu(self):
        return self

    def cuda(self, device=None):
        raise RuntimeError(NO_GPU)

    def double(self):
        """Convert to float64 (for gradient checks and precise training)."""
        return self.to(np.float64)

    def float(self):
        """Convert to float32."""
        return self.to(np.float32)

    # -- state dict ------------------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """An ordered dict of every parameter and persistent buffer by dotted name (PyTorch's keys and order).

        The values share memory with the module (detached tensors; the parameters themselves with
        ``keep_vars=True``); copy them to keep a snapshot.
        """
        destination = OrderedDict() if destination is None else destination
        for registry in ("_parameters", "_buffers"):
            for name, t in getattr(self, registry).items():
                if t is not None and name not in self._non_persistent:
                    destination[prefix + name] = t if keep_vars else t.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy values from ``state_dict`` into the parameters and buffers, in place.

        Values may be Tensors, NumPy arrays or anything ``np.asarray`` takes (a PyTorch state dict's
        CPU tensors too); they are converted to each parameter's dtype. Nothing is copied unless every
        shape matches. Raises RuntimeError listing the mis-shaped keys (with both shapes) and, when
        ``strict``, the missing and unexpected keys. Returns ``(missing_keys, unexpected_keys)``.
        """
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        values, errors = {}, []
        for key, target in own.items():
            if key not in state_dict:
                continue
            value, error = state_value(key, state_dict[key])
            if error:
                errors.append(error)
            elif value.shape != target.shape:
                errors.append(f"size mismatch for {key}: copying a param with shape {value.shape} from "
                              f"checkpoint, the shape in current model is {target.shape}.")
            values[key] = value
        if strict:
            if unexpected:
                errors.insert(0, f"Unexpected key(s) in state_dict: {_quoted(unexpected)}.")
            if missing:
                errors.insert(0, f"Missing key(s) in state_dict: {_quoted(missing)}.")
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for key, value in values.items():
            target = own[key]
            target.data[...] = value
            increment_version(target)
        return _IncompatibleKeys(missing, unexpected)

    # -- printing --------------------------------------------------------------------------------
    def extra_repr(self):
        """The layer's settings shown inside its repr, e.g. ``in_features=2, out_features=3, bias=True``."""
        return ""

    def __repr__(self):
        extra_lines = self.extra_repr().split("\n") if self.extra_repr() else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif extra_lines or child_lines:
            body = "\n  " + "\n  ".join(extra_lines + child_lines) + "\n"
        return f"{type(self).__name__}({body})"

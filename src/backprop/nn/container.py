"""Containers: ``Sequential``, ``ModuleList`` and ``ModuleDict`` (modules), ``ParameterList`` and ``ParameterDict``."""
from collections import OrderedDict

from .module import Module, Parameter


class _ModuleSequence(Module):
    """What ``Sequential`` and ``ModuleList`` share: modules in order, addressed by position."""

    def _key(self, index):
        n = len(self._modules)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of length {n}")
        return list(self._modules)[index % n]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return self._from_items(list(self._modules.items())[index])
        return self._modules[self._key(index)]

    def __setitem__(self, index, module):
        setattr(self, self._key(index), module)

    def __delitem__(self, index):
        modules = list(self._modules.values())
        del modules[index]
        self._renumber(modules)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def _renumber(self, modules):
        # As PyTorch: after a deletion or insertion the keys are positions again, so append cannot collide.
        for name in list(self._modules):
            self._forget(name)
        self.extend(modules)

    def append(self, module):
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules):
        for module in modules:
            self.append(module)
        return self

    def insert(self, index, module):
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(Linear(2, 3), ReLU(), Linear(3, 1))``.

    Also ``Sequential(OrderedDict(name=module, …))`` for named layers. Indexing gives a layer and a
    slice gives a ``Sequential`` of those layers (their names kept), so ``model[:2](x)`` returns the
    hidden features (the course's z₁, z₂, …) of a network ``model``.
    """

    def __init__(self, *modules):
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            self.extend(modules)

    @classmethod
    def _from_items(cls, items):
        return cls(OrderedDict(items))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (a plain Python list would hide them).

    Supports indexing, slicing, ``len``, iteration, ``append``, ``extend`` and ``insert``;
    it has no ``forward``: the owning module decides how to call its members.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @classmethod
    def _from_items(cls, items):
        return cls(module for _, module in items)


class ModuleDict(Module):
    """Modules held by name, their parameters registered under those names (PyTorch's ``nn.ModuleDict``).

    ``ModuleDict({'enc': Linear(4, 8), 'dec': Linear(8, 4)})``; supports ``d[key]``, assignment,
    ``del``, ``in``, ``len``, iteration over the keys (in insertion order), ``keys``, ``values``,
    ``items``, ``update``, ``pop`` and ``clear``. It has no ``forward``.
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        _put(self, self._modules, self.add_module, _key("ModuleDict", key), module)

    def __delitem__(self, key):
        if key not in self._modules:
            raise KeyError(key)
        self._forget(key)

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def keys(self):
        return self._modules.keys()

    def values(self):
        return self._modules.values()

    def items(self):
        return self._modules.items()

    def update(self, modules):
        """Add (or replace) the modules of a mapping or of an iterable of (key, module) pairs."""
        for key, module in (modules.items() if hasattr(modules, "items") else modules):
            self[key] = module

    def pop(self, key):
        module = self[key]
        del self[key]
        return module

    def clear(self):
        for key in list(self._modules):
            self._forget(key)


def _put(owner, registry, register, key, value):
    """``register(key, value)``, keeping an existing key in its place, as PyTorch's ordered dicts do
    (registering anew would move it to the end, and the state dict's order with it)."""
    if key not in registry:
        register(key, value)
        return
    items = [(k, value if k == key else v) for k, v in registry.items()]
    for k, _ in items:
        owner._forget(k)
    for k, v in items:
        register(k, v)


def _key(owner, key):
    if not isinstance(key, str):
        raise TypeError(f"{owner} keys must be strings, got {key!r} ({type(key).__name__})")
    return key


def _as_parameter(value):
    """A Parameter as it is; any other tensor or array becomes one (as PyTorch's parameter containers do)."""
    return value if isinstance(value, Parameter) or value is None else Parameter(value)


class ParameterList(Module):
    """Parameters held in a list, registered as ``'0'``, ``'1'``, … (PyTorch's ``nn.ParameterList``).

    Tensors and arrays given to it become :class:`Parameter`\\ s. Supports indexing (a slice gives a
    new ``ParameterList``), assignment, ``len``, iteration, ``append`` and ``extend``.
    """

    def __init__(self, values=None):
        super().__init__()
        if values is not None:
            self.extend(values)

    def _name(self, index):
        n = len(self._parameters)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for ParameterList of length {n}")
        return str(index % n)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return ParameterList(list(self)[index])
        return self._parameters[self._name(index)]

    def __setitem__(self, index, value):
        _put(self, self._parameters, self.register_parameter, self._name(index), _as_parameter(value))

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters.values())

    def append(self, value):
        """Add ``value`` at the end; returns self."""
        self.register_parameter(str(len(self)), _as_parameter(value))
        return self

    def extend(self, values):
        for value in values:
            self.append(value)
        return self

    def extra_repr(self):
        return "\n".join(f"({i}): Parameter of shape {tuple(p.shape)}" for i, p in enumerate(self))


class ParameterDict(Module):
    """Parameters held by name (PyTorch's ``nn.ParameterDict``); tensors and arrays become
    :class:`Parameter`\\ s. Supports ``d[key]``, assignment, ``del``, ``in``, ``len``, iteration over
    the keys, ``keys``, ``values``, ``items``, ``update``, ``pop`` and ``clear``.
    """

    def __init__(self, parameters=None):
        super().__init__()
        if parameters is not None:
            self.update(parameters)

    def __getitem__(self, key):
        return self._parameters[key]

    def __setitem__(self, key, value):
        _put(self, self._parameters, self.register_parameter, _key("ParameterDict", key), _as_parameter(value))

    def __delitem__(self, key):
        if key not in self._parameters:
            raise KeyError(key)
        self._forget(key)

    def __len__(self):
        return len(self._parameters)

    def __iter__(self):
        return iter(self._parameters)

    def __contains__(self, key):
        return key in self._parameters

    def keys(self):
        return self._parameters.keys()

    def values(self):
        return self._parameters.values()

    def items(self):
        return self._parameters.items()

    def update(self, parameters):
        """Add (or replace) the parameters of a mapping or of an iterable of (key, value) pairs."""
        for key, value in (parameters.items() if hasattr(parameters, "items") else parameters):
            self[key] = value

    def pop(self, key):
        value = self[key]
        del self[key]
        return value

    def clear(self):
        for key in list(self._parameters):
            self._forget(key)

    def extra_repr(self):
        return "\n".join(f"({k}): Parameter of shape {tuple(p.shape)}" for k, p in self.items())

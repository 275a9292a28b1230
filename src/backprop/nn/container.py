"""Containers: ``Sequential`` (modules applied in order) and ``ModuleList`` (modules held in a list)."""
from collections import OrderedDict

from .module import Module


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

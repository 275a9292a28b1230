"""What a call must match before it replays a capture: its signature, and the state the program reads as
constants.

:func:`signature` is the key of the capture cache (the inputs' shapes and dtypes, grad mode, the modules'
training flags, …); :class:`Guards` checks what a program took as constants (each parameter's array, the
optimizer's groups and state, which ``.grad`` were set). Both cost more than a small network's step can
spare, so for the capture a function replayed last, :func:`fast_match` generates one straight-line
function doing both checks at once; a call it does not match takes the general path.
"""
import numpy as np

from ..autograd import Tensor, is_grad_enabled
from ..autograd.dtypes import get_default_dtype
from ..autograd.recording import grads_unset, hook_changes
from .program import BoundNames, generate, literal


# what the generated checks call
_PRESET = {"Tensor": Tensor, "ndarray": np.ndarray, "is_grad_enabled": is_grad_enabled,
           "get_default_dtype": get_default_dtype, "hook_changes": hook_changes, "grads_unset": grads_unset}


def signature(args, kwargs, modules):
    """``(arrays, key)``: the call's input arrays, in order, and its capture-cache key."""
    arrays, parts = [], []
    for value in (*args, *kwargs.values()) if kwargs else args:
        if value.__class__ is Tensor:
            data = value.data
            arrays.append(data)
            parts.append((data.shape, data.dtype, value.requires_grad))
        elif isinstance(value, np.ndarray):
            arrays.append(value)
            parts.append(("array", value.shape, value.dtype))
        else:
            try:
                parts.append(("value", type(value), value, hash(value)))
            except TypeError:
                parts.append(("object", id(value)))
    # BACKPROP_GEMM is not part of it: a replay calls the matrix product eager mode calls, through whichever
    # backend is selected (and reading os.environ costs as much as the rest of this key).
    key = (*parts, tuple(kwargs), is_grad_enabled(), get_default_dtype(), hook_changes(),
           *[m.training for m in modules])
    return arrays, key


class Guards:
    """What a replay checks first: the arrays and settings the program reads as constants are still those, and
    the step still refers to the same modules, optimizers and tensors, set as they were.

    ``bindings`` are ``(where, object)`` pairs: a closure cell ``(cell, None)`` or a namespace ``(dict, name)``
    that gave the object when the step was recorded (a model rebound to a new one is not replayed). Each of
    ``modules`` keeps its settings: its public attributes with plain values (Dropout's ``p``, a loss's
    ``reduction``, ``structure_version``, which a swapped layer changes). ``hold()`` is generated from the same
    lines as the guard part of :func:`fast_match`: truthy when they hold.
    """

    def __init__(self, rec, bindings, modules):
        self.bindings = tuple(bindings)
        self.settings = tuple((m, name, value) for m in modules for name, value in vars(m).items()
                              if name.isidentifier() and not name.startswith("_") and name != "training"
                              and _plain(value))
        self.params = tuple((t, t.data, t.requires_grad) for t in rec.params.values())
        self.leaves, self.unset = tuple(rec.entry), tuple(rec.entry.values())  # which .grad were None
        optimizers = {id(o): o for o, _ in rec.updates}.values()
        self.optimizers = tuple((o, tuple(o.param_groups), tuple(tuple(g["params"]) for g in o.param_groups),
                                 o.state) for o in optimizers)
        names = BoundNames(_PRESET)
        self.hold, _ = generate("hold()", [*_match_guards(self, names), "return True"], names, "guard")


def fast_match(key, modules, guards):
    """A function ``match(args, kwargs)`` giving the call's input arrays when the call has ``key`` (from
    :func:`signature`) and ``guards`` hold, else None. It is stricter than the two: a number or other
    object among the arguments must be the very object of the capture (an equal one takes the general path)."""
    names, lines = BoundNames(_PRESET), []
    n_values = len(key) - 4 - len(modules)  # the key: the values' parts, then their keywords, then the modes
    kwarg_names = key[n_values]
    n_args = n_values - len(kwarg_names)
    lines.append(f"if len(args) != {n_args}: return None")
    if kwarg_names:
        lines += [f"if tuple(kwargs) != {kwarg_names!r}: return None", "values = (*args, *kwargs.values())"]
    else:
        lines += ["if kwargs: return None", "values = args"]
    if n_values:
        lines.append(f"{''.join(f'v{i}, ' for i in range(n_values))}= values")
    arrays = []
    for i, part in enumerate(key[:n_values]):
        lines += _match_value(f"v{i}", part, names, arrays)
    grad_enabled, dtype, hooks = key[n_values + 1:n_values + 4]
    lines.append(f"if is_grad_enabled() is not {grad_enabled!r} or get_default_dtype() != {names(dtype)} "
                 f"or hook_changes() != {hooks!r}: return None")
    lines += [f"if {names(m)}.training is not {flag!r}: return None" for m, flag in zip(modules, key[n_values + 4:])]
    lines += _match_guards(guards, names)
    lines.append(f"return [{', '.join(arrays)}]")
    return generate("match(args, kwargs)", lines, names, "guard")[0]


def _match_value(v, part, names, arrays):
    """Lines checking one argument ``v`` against its part of the signature."""
    kind = part[0]
    if kind == "array":
        arrays.append(v)
        return [f"if not isinstance({v}, ndarray) or {v}.shape != {part[1]!r} or {v}.dtype != {names(part[2])}: "
                "return None"]
    if kind == "value":
        return [f"if {v} is not {names(part[2])}: return None"]
    if kind == "object":
        return [f"if id({v}) != {part[1]}: return None"]
    shape, dtype, requires_grad = part
    d = "d" + v[1:]
    arrays.append(d)
    return [f"if {v}.__class__ is not Tensor or {v}.requires_grad is not {requires_grad!r}: return None",
            f"{d} = {v}.data",
            f"if {d}.shape != {shape!r} or {d}.dtype != {names(dtype)}: return None"]


def _match_guards(guards, names):
    """Lines doing what :meth:`Guards.hold` does, with every object it compares bound by name."""
    lines = [f"if {names(where)}.cell_contents is not {names(obj)}: return None" if key is None else
             f"if {names(where)}.get({key!r}) is not {names(obj)}: return None"
             for (where, key), obj in guards.bindings]
    # a NaN setting is compared by identity (it equals nothing); training flags are in the signature
    lines += [f"if {names(m)}.{name} != {literal(value)}: return None" if literal(value) is not None else
              f"if {names(m)}.{name} is not {names(value)}: return None" for m, name, value in guards.settings]
    lines += [f"if {names(t)}.data is not {names(data)} or {names(t)}.requires_grad is not {rg!r}: return None"
             for t, data, rg in guards.params]
    if guards.leaves:
        lines.append(f"if grads_unset({names(guards.leaves)}) != {guards.unset!r}: return None")
    for opt, groups, params, state in guards.optimizers:
        o = names(opt)
        lines += [f"groups = {o}.param_groups",
                  f"if {o}.state is not {names(state)} or len(groups) != {len(groups)}: return None"]
        for i, (group, ps) in enumerate(zip(groups, params)):
            same = "".join(f" or ps[{j}] is not {names(p)}" for j, p in enumerate(ps))
            lines += [f"if groups[{i}] is not {names(group)}: return None",
                      f"ps = groups[{i}]['params']",
                      f"if len(ps) != {len(ps)}{same}: return None"]
    return lines


def _plain(value):
    """Whether a module's attribute is a setting (a number, string, None, or a tuple of them)."""
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (int, float, str, np.number, np.bool_))

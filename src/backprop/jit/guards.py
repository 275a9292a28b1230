"""What a call must match before it replays a capture: its signature, and the state the program reads as
constants.

:func:`signature` is the key of the capture cache (the inputs' shapes and dtypes, grad mode, the modules'
training flags, …); :class:`Guards` checks what a program took as constants (each parameter's array, the
optimizer's groups and state, which ``.grad`` were set, what the step's names give, each module's
``attribute_version``).
Both cost more than a small network's step can
spare, so for the capture a function replayed last, :func:`fast_match` generates one straight-line
function doing both checks at once; a call it does not match takes the general path.
"""
import reprlib
from types import CellType

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
    the step still refers to the same modules, optimizers, tensors and values, set as they were.

    ``bindings`` are ``((where, name), object)`` pairs: a closure cell or a namespace (globals, an instance's
    attributes) that gave the object, or a plain value (a number, a string), under ``name`` when the step
    was recorded: a model rebound to another, or a loss weight set to another number, is not replayed.
    Each of ``modules`` keeps its ``attribute_version``, which a swapped layer or a new dropout rate moves on.
    ``hold()`` is generated from the same checks as the guard part of :func:`fast_match`: truthy when they
    hold; ``why()`` says what the first failing check found changed (None when all hold).
    """

    def __init__(self, rec, bindings, modules):
        self.bindings = tuple(bindings)
        self.versions = tuple((m, m.attribute_version) for m in modules)
        self.params = tuple((t, t.data, t.requires_grad) for t in rec.params.values())
        self.leaves, self.unset = tuple(rec.entry), tuple(rec.entry.values())  # which .grad were None
        optimizers = {id(o): o for o, _ in rec.updates}.values()
        self.optimizers = tuple((o, tuple(o.param_groups), tuple(tuple(g["params"]) for g in o.param_groups),
                                 o.state) for o in optimizers)
        self._names = BoundNames(_PRESET)
        self._checks = _checks(self, self._names)
        self.hold, _ = generate("hold()", [*_lines(self._checks, "None"), "return True"], self._names, "guard")
        self._why = None

    def why(self):
        """What the first failing check found changed, or None (generated at its first call: only a capture
        whose guards failed needs it)."""
        if self._why is None:
            self._why, _ = generate("why()", [*_lines(self._checks), "return None"], self._names, "guard")
        return self._why()


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
    lines += _lines(_checks(guards, names), "None")
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


def _checks(guards, names):
    """The guards as ``(condition, what changed)`` pairs, in order, each condition true when its guard fails;
    a pair ``(statement, None)`` sets a local name for the conditions after it."""
    checks = []
    for (where, name), obj in guards.bindings:
        read = f"{names(where)}.cell_contents" if isinstance(where, CellType) else f"{names(where)}.get({name!r})"
        what = (f"{name!r} changed from {reprlib.repr(obj)}" if is_setting(obj) else
                f"{name!r} was bound to another {type(obj).__name__}")
        checks += [(f"t = {read}", None), (_differs("t", obj, names), what)]
    checks += [(f"{names(m)}.attribute_version != {version}",
                f"an attribute of {type(m).__name__} was set (a layer, a parameter or a setting such as a rate)")
               for m, version in guards.versions]
    checks += [(f"{names(t)}.data is not {names(data)} or {names(t)}.requires_grad is not {rg!r}",
                f"a tensor of shape {data.shape} it reads got another array or requires_grad")
               for t, data, rg in guards.params]
    if guards.leaves:
        checks.append((f"grads_unset({names(guards.leaves)}) != {guards.unset!r}", "which .grad were set changed"))
    for opt, groups, params, state in guards.optimizers:
        o, what = names(opt), f"{type(opt).__name__}'s parameter groups or state changed"
        checks += [(f"groups = {o}.param_groups", None),
                   (f"{o}.state is not {names(state)} or len(groups) != {len(groups)}", what)]
        for i, (group, ps) in enumerate(zip(groups, params)):
            same = "".join(f" or ps[{j}] is not {names(p)}" for j, p in enumerate(ps))
            checks += [(f"groups[{i}] is not {names(group)}", what), (f"ps = groups[{i}]['params']", None),
                       (f"len(ps) != {len(ps)}{same}", what)]
    return checks


def _lines(checks, answer=None):
    """Python lines running ``checks``: a failing one returns ``answer`` (the text of what changed when None)."""
    return [condition if what is None else f"if {condition}: return {answer or repr(what)}"
            for condition, what in checks]


def _differs(expression, value, names):
    """A condition true when ``expression`` (a local name) is not ``value``: equality for an int, a float or a
    short string, without calling another type's ``!=`` (an array's gives an array); identity for the rest
    (a long text is not written into the check and compared at every call)."""
    if value is None or value is True or value is False:
        return f"{expression} is not {value!r}"
    if type(value) in (int, float, str) and literal(value) is not None and len(literal(value)) <= 80:
        return f"{expression}.__class__ is not {type(value).__name__} or {expression} != {literal(value)}"
    return f"{expression} is not {names(value)}"


def is_setting(value):
    """Whether a value is a plain setting: a number, a string, None, or a tuple of them."""
    if isinstance(value, tuple):
        return all(is_setting(v) for v in value)
    return value is None or isinstance(value, (int, float, str, np.number, np.bool_))

"""A recorded step as one generated Python function: what a replay runs.

Each instruction of the recorder (:mod:`backprop.jit.recorder`) becomes a line or two of Python: an op's
``forward`` on its :class:`~backprop.autograd.recording.ReplayContext`, a backward formula, a gradient
sum, an optimizer's update function. Registers are the function's local variables (``r0``, ``r1``, …);
constants and the functions called are names bound once in its globals. A replay is one call of that
function on the new inputs: no Tensor, no graph node, no heap, the same NumPy calls in the same order as
eager mode, so the numbers are bitwise the same. Straight-line code costs less per instruction than a
list of closures over a register list, which is most of a small network's replay. ``Program.source``
shows the text::

    r2 = Linear_forward(ctx0, r0, p0_weight, p0_bias)
    if r2.__class__ is not ndarray: r2 = as_array(ctx0, r2)
"""
import itertools
import keyword
import linecache
import math
import re
import weakref
from operator import itemgetter

import numpy as np

from ..autograd import Tensor
from ..autograd.broadcasting import cast, sum_to
from ..autograd.graph import increment_version
from ..autograd.recording import clear_grads, increment_versions, set_grads
from ..optim import Workspace
from .memory import frees, lend_buffers, new_each_replay, output_registers
from .recorder import Const


def _as_array(ctx, value):
    """An op's result as the engine keeps it (a NumPy scalar becomes a 0-d array, in ctx's saves too)."""
    array = np.asarray(value)
    saved = ctx.__dict__
    for name, v in saved.items():
        if v is value:
            saved[name] = array
    return array


def _as_tuple(grads):
    if isinstance(grads, tuple):
        return grads
    return tuple(grads) if isinstance(grads, list) else (grads,)


# the generated functions' own variables (replay: registers and temporaries; guard: arguments and values)
_LOCAL = re.compile(r"r\d+|[vd]\d+|arrays|args|kwargs|values|groups|ps|g|s|t")


class BoundNames:
    """The objects a generated function's names stand for in its globals, one name per object: ``names(value,
    hint)`` gives it (``hint``, or a name from ``hints``, makes the source readable)."""

    def __init__(self, preset=(), hints=None):
        self.bound = dict(preset)
        self.hints = hints or {}  # id(object) -> a readable name for it (a parameter's, from its module)
        self._by_id = {}

    def __call__(self, value, hint="k"):
        name = self._by_id.get(id(value))
        if name is None:
            hint = self.hints.get(id(value), hint)
            hint = hint if hint.isidentifier() and not _LOCAL.fullmatch(hint) else "k"
            name = hint if hint not in self.bound else f"{hint}_{len(self._by_id)}"
            self._by_id[id(value)] = name
            self.bound[name] = value
        return name


_GENERATED = itertools.count(1)


def generate(header, lines, names, kind):
    """``(function, source)``: ``def header:`` with ``lines`` as its body, compiled with ``names.bound`` as its
    globals. A traceback through it shows its lines (kept in ``linecache`` while the function lives)."""
    source = f"def {header}:\n" + "".join(f"    {line}\n" for line in lines)
    filename = f"<bp.jit {kind} {next(_GENERATED)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = dict(names.bound)
    exec(compile(source, filename, "exec"), namespace)
    function = namespace[header.partition("(")[0]]
    weakref.finalize(function, linecache.cache.pop, filename, None)
    return function, source


class _Source:
    """What the replay's lines are written with: the names they use, and which registers they have set."""

    def __init__(self, hints, workspace):
        self.name = BoundNames({
            "ndarray": np.ndarray, "as_array": _as_array, "as_tuple": _as_tuple, "sum_to": sum_to, "cast": cast,
            "copyto": np.copyto, "increment_version": increment_version, "set_grads": set_grads,
            "clear_grads": clear_grads, "increment_versions": increment_versions, "wrap": Tensor.wrap}, hints)
        self.workspace = workspace  # shared by the update calls, one after the other
        self.defined = set()  # registers written so far
        self.unset = set()  # registers read before any instruction writes them: None, as eagerly

    def read(self, source):
        """The expression for a register or a constant an instruction reads (a literal when it is one)."""
        if isinstance(source, Const):
            value = source.value
            return literal(value) or self.name(value, str(value) if isinstance(value, np.dtype) else "k")
        if source not in self.defined:
            self.unset.add(source)
        return f"r{source}"

    def write(self, register):
        self.defined.add(register)
        return f"r{register}"


def literal(value):
    """``value`` as Python source when it is a plain number, string, None or a tuple of them, else None."""
    kind = type(value)
    if value is None or kind in (bool, int, str) or (kind is float and math.isfinite(value)):
        return repr(value)
    if kind is tuple and all(literal(v) for v in value):
        return repr(value)
    return None


def _keyword(name, expression):
    """A keyword argument in a call: ``name=expression``, or unpacked from a dict when ``name`` cannot be
    written so (a function taking ``**kwargs`` may be given any string)."""
    if name.isidentifier() and not keyword.iskeyword(name):
        return f"{name}={expression}"
    return f"**{{{name!r}: {expression}}}"


def _forward(ins, src, rec):
    _, index, op, sources, options, out = ins
    ctx = src.name(rec.contexts[index], f"ctx{index}")
    args = [ctx, *map(src.read, sources), *(_keyword(k, _argument(s, src)) for k, s in options)]
    r = src.write(out)
    lines = [f"{r} = {src.name(op.forward, op.__name__ + '_forward')}({', '.join(args)})",
             f"if {r}.__class__ is not ndarray: {r} = as_array({ctx}, {r})"]  # a NumPy scalar: a 0-d array
    if not rec.contexts[index].needs_input_grad:
        lines.append(f"{ctx}.release()")  # no backward will read what this call saved
    return lines


def _backward(ins, src, rec):
    _, index, g, outs, free = ins
    ctx = rec.contexts[index]
    name = src.name(ctx, f"ctx{index}")
    lines = [f"g = {src.name(ctx.op.backward, ctx.op.__name__ + '_backward')}({name}, {src.read(g)})",
             "if g.__class__ is not tuple: g = as_tuple(g)"]
    lines += [f"{src.write(r)} = g[{k}]" for k, r in enumerate(outs) if r is not None]
    if free:
        lines.append(f"{name}.release()")
    return lines


def _fit(ins, src, rec):
    _, source, shape, dtype, out = ins
    g, r, dtype = src.read(source), src.write(out), src.name(dtype, f"{dtype}")
    return [f"{r} = {g} if {g}.shape == {shape!r} else sum_to({g}, {shape!r})",
            f"if {r}.dtype != {dtype}: {r} = cast({r}, {dtype})"]


def _seed(ins, src, rec):
    _, shape, dtype, out = ins
    # a new array, as eagerly (a backward formula may hand it on to a .grad)
    return [f"{src.write(out)} = {src.name(np.ones(shape, dtype), 'ones')}.copy()"]


def _sum(ins, src, rec):
    _, a, b, out = ins
    return [f"{src.write(out)} = {src.read(a)} + {src.read(b)}"]


def _copy(ins, src, rec):
    _, source, out = ins
    return [f"{src.write(out)} = {src.read(source)}.copy()"]


def _add(ins, src, rec):
    _, held, source = ins
    return [f"{src.read(held)} += {src.read(source)}"]  # in place: the array keeps its identity


def _fill0(ins, src, rec):
    return [f"{src.read(ins[1])}.fill(0)"]


def _clear(ins, src, rec):
    return [f"clear_grads({src.name(tuple(ins[1]), 'cleared')})"]


def _item(ins, src, rec):
    _, source, out = ins
    return [f"{src.write(out)} = {src.read(source)}.item()"]


def _argument(spec, src):
    """The expression for a replayable call's argument or an op's option, from its recorded spec."""
    if not isinstance(spec, tuple):
        return src.read(spec)
    kind, parts = spec
    items = "".join(f"{_argument(p, src)}, " for p in parts)
    if kind is tuple:
        return f"({items})"
    return f"[{items}]" if kind is list else f"{src.name(kind)}(({items}))"


def _call(ins, src, rec):
    _, fn, (args, kwargs), many, outs = ins
    arguments = [_argument(a, src) for a in args] + [_keyword(k, _argument(v, src)) for k, v in kwargs]
    call = f"{src.name(fn, getattr(fn, '__name__', 'call'))}({', '.join(arguments)})"
    targets = [(i, src.write(r)) for i, r in enumerate(outs) if not isinstance(r, Const)]
    if many:
        return [f"t = {call}", *(f"{r} = t[{i}]" for i, r in targets)]
    return [f"{targets[0][1]} = {call}" if targets else call]


def _copy_into(ins, src, rec):
    _, tensor, dst, source = ins
    lines = [f"copyto({src.read(dst)}, {src.read(source)}, casting='same_kind')"]
    if isinstance(dst, Const):  # a parameter written in place: its version moves on, as eagerly
        lines.append(f"increment_version({src.name(tensor, 'tensor')})")
    return lines


def _hyper(ins, src, rec):
    _, optimizer, group, out = ins
    names = tuple(optimizer.hyperparameters)
    # a tuple, in one C call (itemgetter of one key gives the value itself)
    read = itemgetter(*names) if len(names) > 1 else lambda g, name=names[0]: (g[name],)
    # read at every replay: a scheduler's new lr needs no new capture
    return [f"{src.write(out)} = {src.name(read, 'read_hyperparameters')}({src.name(group, 'group')})"]


# bytes: an update of a smaller parameter allocates its temporaries (NumPy's cache of small blocks is
# cheaper than lending them); a larger one reuses the program's workspace
REUSE_ABOVE = 1 << 16


def _update(ins, src, rec):
    _, optimizer, update, param, g, hyper = ins
    state, p = src.name(optimizer.state, "state"), src.name(param, "tensor")
    # the parameter's version is increased at the end of the replay (no graph reads it before)
    call = (f"{src.name(update, update.__name__)}({src.name(param.data, 'data')}, {src.read(g)}, s, "
            f"*{src.read(hyper)})")
    lines = [f"s = {state}.get({p})", f"if s is None: s = {state}[{p}] = {{}}"]
    if param.data.nbytes < REUSE_ABOVE:
        return [*lines, call]
    # the update's temporaries: the program's buffers, not new arrays
    return [*lines, f"with {src.name(src.workspace, 'workspace')}:", f"    {call}"]


_BUILDERS = {"forward": _forward, "backward": _backward, "fit": _fit, "seed": _seed, "sum": _sum, "copy": _copy,
             "add": _add, "fill0": _fill0, "item": _item, "call": _call, "copy_into": _copy_into,
             "hyper": _hyper, "clear": _clear, "update": _update}


class Program:
    """The compiled step: ``run(arrays)`` replays it on new input arrays and returns the outputs.

    ``source`` is the text of the generated function; ``exit_flags`` are (module, training flag) pairs
    the step sets (``model.train()`` inside it), set again at the end of every replay; ``hints`` names
    objects in the source (``{id(param.data): "fc1_weight"}``).
    """

    def __init__(self, rec, output_spec, exit_flags=(), hints=None):
        # what leaves the replay: the returned values and the .grad arrays
        kept = {r for r, _ in rec.grads.values() if r is not None} | set(output_registers(output_spec))
        self.lent_bytes = lend_buffers(rec, kept)
        src = _Source(hints, Workspace())
        self.workspace = src.workspace
        src.defined.update(r for r, _ in rec.inputs)
        src.defined.update(r for _, r in rec.entry_grads)
        body = []
        let_go = frees(rec.code, rec.layouts, kept)
        for i, ins in enumerate(rec.code):
            body += _BUILDERS[ins[0]](ins, src, rec)
            body += [f"r{r} = None" for r in let_go.get(i, ())]
        body += _epilogue(rec, output_spec, exit_flags, src)
        head = [f"r{r} = arrays[{position}]" for r, position in rec.inputs]
        head += [f"r{r} = {src.name(leaf, 'leaf')}.grad.data" for leaf, r in rec.entry_grads]
        head += [f"r{r} = None" for r in sorted(src.unset)]
        # an attribute, not a method: one frame less per replay
        self.run, self.source = generate("replay(arrays)", head + body, src.name, "replay")
        self.n_ops = len(rec.contexts)


def _epilogue(rec, output_spec, exit_flags, src):
    """Lines after the last instruction: the .grad of each leaf, the versions of the parameters updated,
    the training flags the step set, and the returned value."""
    registers = sorted({r for r, _ in rec.grads.values() if r is not None})
    position = {r: i for i, r in enumerate(registers)}
    # a leaf whose gradient is a new Tensor eagerly keeps the one made at the last replay while its array is
    # the same (a lent buffer): the replay then makes no Tensor, as a CUDA graph's gradients stay put
    plan = tuple((leaf, len(registers) if r is None else position[r], [None] if new else None)
                 for leaf, (r, new) in rec.grads.items())
    lines = [f"set_grads({src.name(plan, 'grads')}, ({''.join(src.read(r) + ', ' for r in registers)}None,))"]
    updated = tuple(ins[3] for ins in rec.code if ins[0] == "update")
    if updated:
        lines.append(f"increment_versions({src.name(updated, 'updated')})")
    lines += [f"{src.name(module, 'module')}.training = {flag!r}" for module, flag in exit_flags]
    return [*lines, f"return {_output(output_spec, src, new_each_replay(rec.code, rec.contexts))}"]


def _output(spec, src, new_each_replay):
    """The expression building the returned value: Tensors and numbers that no later replay changes."""
    kind = spec[0]
    if kind == "tensor":
        r = src.read(spec[1])
        return f"wrap({r})" if spec[1] in new_each_replay else f"wrap({r}.copy())"
    if kind == "value":
        return src.read(spec[1])
    if kind == "const":
        return src.name(spec[1].value, "constant")
    parts = [_output(s, src, new_each_replay) for s in spec[2]]
    container = spec[1]
    if container is dict:
        return "{" + "".join(f"{literal(k) or src.name(k, 'key')}: {p}, " for k, p in zip(spec[3], parts)) + "}"
    items = "".join(p + ", " for p in parts)
    if container is tuple:
        return f"({items})"
    if container is list:
        return f"[{items}]"
    # a named tuple is made from an iterable by _make; another sequence type by its constructor
    make = container._make if hasattr(container, "_make") else container
    return f"{src.name(make, container.__name__)}(({items}))"

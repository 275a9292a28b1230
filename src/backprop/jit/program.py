"""A recorded step as a list of closures over a register list: what a replay runs.

Each instruction of the recorder (:mod:`backprop.jit.recorder`) becomes one small function of the
registers ``R``: an op's ``forward`` on a :class:`~backprop.autograd.recording.ReplayContext`, a
backward formula, a gradient sum, an optimizer's update function. Constants are put in their
registers once; a replay copies that list, puts the new inputs in, and runs the closures in order:
no Tensor, no graph node, no heap, the same NumPy calls in the same order as eager mode, so the
numbers are bitwise the same.
"""
from functools import partial
from operator import itemgetter

import numpy as np

from ..autograd import Tensor
from ..autograd.broadcasting import cast, sum_to
from ..autograd.graph import increment_version
from ..autograd.recording import increment_versions, set_grads
from ..optim import Workspace
from .memory import freeing, lend_buffers, new_each_replay, output_registers
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


def _forward(ins, reg, rec):
    _, index, op, sources, options, out = ins
    ctx, forward = rec.contexts[index], op.forward
    regs = [reg(s) for s in sources]
    fixed = {k: s.value for k, s in options if isinstance(s, Const)}
    live = tuple((k, s) for k, s in options if not isinstance(s, Const))
    args = itemgetter(*regs) if len(regs) > 1 else (lambda R: (R[regs[0]],)) if regs else (lambda R: ())
    release = not ctx.needs_input_grad  # no backward will read what this call saves

    if live or release or not 1 <= len(regs) <= 3:
        def step(R):
            kwargs = {**fixed, **{k: R[r] for k, r in live}} if live else fixed
            y = forward(ctx, *args(R), **kwargs)
            R[out] = y if y.__class__ is np.ndarray else _as_array(ctx, y)
            if release:
                ctx.release()

        return step
    # The common cases, written out (a call through itemgetter and *args costs more than the NumPy work of
    # a small op): one to three inputs, options fixed, a backward to come.
    a, b, c = (regs + [None, None])[:3]
    if len(regs) == 1:
        def step(R):
            y = forward(ctx, R[a], **fixed)
            R[out] = y if y.__class__ is np.ndarray else _as_array(ctx, y)
    elif len(regs) == 2:
        def step(R):
            y = forward(ctx, R[a], R[b], **fixed)
            R[out] = y if y.__class__ is np.ndarray else _as_array(ctx, y)
    else:
        def step(R):
            y = forward(ctx, R[a], R[b], R[c], **fixed)
            R[out] = y if y.__class__ is np.ndarray else _as_array(ctx, y)
    return step


def _backward(ins, reg, rec):
    _, index, g, outs, free = ins
    ctx = rec.contexts[index]
    backward = ctx.op.backward
    pairs = tuple((k, r) for k, r in enumerate(outs) if r is not None)

    def step(R):
        grads = backward(ctx, R[g])
        if grads.__class__ is not tuple:
            grads = _as_tuple(grads)
        for k, r in pairs:
            R[r] = grads[k]
        if free:
            ctx.release()

    return step


def _fit(ins, reg, rec):
    _, src, shape, dtype, out = ins

    def step(R):
        gi = R[src]
        if gi.shape != shape:
            gi = sum_to(gi, shape)
        if gi.dtype != dtype:
            gi = cast(gi, dtype)
        R[out] = gi

    return step


def _seed(ins, reg, rec):
    _, shape, dtype, out = ins
    ones = np.ones(shape, dtype)

    def step(R):
        R[out] = ones.copy()  # a new array, as eagerly (a backward formula may hand it on to a .grad)

    return step


def _sum(ins, reg, rec):
    _, a, b, out = ins

    def step(R):
        R[out] = R[a] + R[b]

    return step


def _copy(ins, reg, rec):
    _, src, out = ins

    def step(R):
        R[out] = R[src].copy()

    return step


def _add(ins, reg, rec):
    _, held, src = ins

    def step(R):
        held_array = R[held]
        held_array += R[src]

    return step


def _fill0(ins, reg, rec):
    r = ins[1]

    def step(R):
        R[r].fill(0)

    return step


def _clear(ins, reg, rec):
    none = reg(Const(None))
    plan = tuple((t, none, True) for t in ins[1])

    def step(R):
        set_grads(plan, R)

    return step


def _item(ins, reg, rec):
    _, src, out = ins

    def step(R):
        R[out] = R[src].item()

    return step


def _call_args(spec, reg):
    """A function of R giving a replayable call's argument, from its recorded spec."""
    if isinstance(spec, tuple):
        kind, parts = spec
        getters = [_call_args(p, reg) for p in parts]
        return lambda R: kind(g(R) for g in getters)
    r = reg(spec)
    return lambda R: R[r]


def _call(ins, reg, rec):
    _, fn, (args, kwargs), many, outs = ins
    targets = tuple((i, r) for i, r in enumerate(outs) if not isinstance(r, Const))
    if kwargs or len(args) < 2 or any(isinstance(a, tuple) for a in args):
        getters = [_call_args(a, reg) for a in args]
        named = [(k, _call_args(v, reg)) for k, v in kwargs]

        def arguments(R):
            return [g(R) for g in getters], {k: g(R) for k, g in named}
    else:  # the common case, positional registers and constants: one C call gathers them
        gather, no_keywords = itemgetter(*[reg(a) for a in args]), {}

        def arguments(R):
            return gather(R), no_keywords

    def step(R):
        positional, keywords = arguments(R)
        result = fn(*positional, **keywords)
        parts = result if many else (result,)
        for i, r in targets:
            R[r] = parts[i]

    return step


def _copy_into(ins, reg, rec):
    _, tensor, dst, src = ins
    is_param = isinstance(dst, Const)
    dst = reg(dst)

    def step(R):
        np.copyto(R[dst], R[src], casting="same_kind")
        if is_param:
            increment_version(tensor)

    return step


def _hyper(ins, reg, rec):
    _, optimizer, group, out = ins
    names = tuple(optimizer.hyperparameters)
    read = itemgetter(*names) if len(names) > 1 else lambda g: (g[names[0]],)  # a tuple, in one C call

    def step(R):
        R[out] = read(group)  # read at every replay: a scheduler's new lr needs no new capture

    return step


# bytes: an update of a smaller parameter allocates its temporaries (NumPy's cache of small blocks is
# cheaper than lending them); a larger one reuses the program's workspace
REUSE_ABOVE = 1 << 16


def _update(ins, reg, rec, workspace):
    _, optimizer, update, param, g, hyper = ins
    data, state = param.data, optimizer.state

    def step(R):  # the parameter's version is increased at the end of the replay (no graph reads it before)
        param_state = state.get(param)
        if param_state is None:
            param_state = state[param] = {}
        update(data, R[g], param_state, *R[hyper])

    if data.nbytes < REUSE_ABOVE:
        return step

    def step_in_workspace(R):  # the update's temporaries: the program's buffers, not new arrays
        with workspace:
            step(R)

    return step_in_workspace


_BUILDERS = {"forward": _forward, "backward": _backward, "fit": _fit, "seed": _seed, "sum": _sum, "copy": _copy,
             "add": _add, "fill0": _fill0, "item": _item, "call": _call, "copy_into": _copy_into,
             "hyper": _hyper, "clear": _clear}


class Program:
    """The compiled step: ``run(arrays)`` replays it on new input arrays and returns the outputs."""

    def __init__(self, rec, output_spec):
        template = [None] * len(rec.keep)

        def reg(source):
            if isinstance(source, Const):
                template.append(source.value)
                return len(template) - 1
            return source

        # what leaves the replay: the returned values and the .grad arrays
        kept = {r for r, _ in rec.grads.values() if r is not None} | set(output_registers(output_spec))
        self.lent_bytes = lend_buffers(rec, kept)
        self.workspace = Workspace()  # shared by the update calls, one after the other
        builders = {**_BUILDERS, "update": partial(_update, workspace=self.workspace)}
        steps = [builders[ins[0]](ins, reg, rec) for ins in rec.code]
        self.output = _output(output_spec, reg, new_each_replay(rec.code, rec.contexts))
        self.template = template
        self.inputs = tuple(rec.inputs)
        self.entry_grads = tuple(rec.entry_grads)
        template.append(None)  # the register of a .grad set to None
        self.grads = tuple((leaf, len(template) - 1 if r is None else r, new) for leaf, (r, new) in rec.grads.items())
        self.steps = freeing(steps, rec.code, rec.layouts, kept)
        self.n_ops = len(rec.contexts)
        self.updated = tuple(ins[3] for ins in rec.code if ins[0] == "update")
        self.exit_flags = ()  # (module, training flag) pairs the step sets (model.train() inside it)

    def run(self, arrays):
        R = self.template.copy()
        for r, position in self.inputs:
            R[r] = arrays[position]
        for leaf, r in self.entry_grads:
            R[r] = leaf.grad.data
        for step in self.steps:
            step(R)
        set_grads(self.grads, R)
        increment_versions(self.updated)
        for module, flag in self.exit_flags:
            module.training = flag
        return self.output(R)


def _output(spec, reg, new_each_replay):
    """A function of R building the returned value: Tensors and numbers that no later replay changes."""
    kind = spec[0]
    if kind == "tensor":
        r = spec[1]
        if r in new_each_replay:
            return lambda R: Tensor.wrap(R[r])
        return lambda R: Tensor.wrap(R[r].copy())
    if kind == "value":
        r = spec[1]
        return lambda R: R[r]
    if kind == "const":
        value = spec[1].value
        return lambda R: value
    parts = [_output(s, reg, new_each_replay) for s in spec[2]]
    container = spec[1]
    if container is dict:
        keys = spec[3]
        return lambda R: {k: p(R) for k, p in zip(keys, parts)}
    return lambda R: container(p(R) for p in parts)

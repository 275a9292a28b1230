"""The recorder: turns the engine's report of one eager step into a program of array instructions.

Every array the step computes gets a *register*, found again by its identity: the jit function's
inputs, each op's output, each gradient, the results of replayable calls. Anything else an op reads is
a constant (:class:`Const`): a parameter's array (its identity is guarded), a number, an option. An
instruction is a tuple ``(kind, ...)`` whose fields are registers, constants and static values
(op classes, flags); :mod:`backprop.jit.program` turns the list into one generated function.
"""
import hashlib

import numpy as np

from ..autograd import Tensor
from ..autograd.recording import ReplayContext


class Const:
    """A value an instruction reads that no register holds: it must be the same at every call."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def matches(self, other):
        """Whether two recordings read the same constant here: the same object, or for a small value
        (a number, a 0-d array, a tuple of them, a dtype) an equal one; an array with dimensions must be
        the very same object (a new one at every call is data made outside the recorded ops)."""
        a, b = self.value, other.value
        if a is b:
            return True
        if type(a) is not type(b) or isinstance(a, Tensor) or (isinstance(a, np.ndarray) and a.ndim):
            return False
        if isinstance(a, (tuple, list)):
            return len(a) == len(b) and all(Const(x).matches(Const(y)) for x, y in zip(a, b))
        try:
            return bool(a == b)
        except (TypeError, ValueError):
            return False


class Unsupported(Exception):
    """The step does something a replay cannot repeat; the message says what."""


class Recorder:
    """Receives the engine's events (:mod:`backprop.autograd.recording`) during one eager call."""

    def __init__(self, inputs, known_params, input_leaves=(), digests=None):
        self.reg = {}  # id(array or number) -> register
        self.keep = []  # register -> the value at capture (kept alive so that ids stay unique)
        self.inputs = []  # (register, position in the flattened inputs)
        self.code = []
        self.contexts = []  # op index -> ReplayContext
        self.nodes = {}  # the eager graph node -> op index
        self.reason = None
        self.params = {}  # id -> Tensor made before the step, read as a constant (its array's identity is guarded)
        self.known = list(known_params)
        self.known_ids = {id(p) for p in self.known}
        self.input_leaves = {id(t) for t in input_leaves}  # arguments that require grad: new at every call
        self.grads = {}  # leaf -> [register of its .grad or None, whether the Tensor is a new one]
        self.entry = {}  # leaf -> whether its .grad was None when the step began
        self.entry_none = {id(p): p.grad is None for p in self.known}
        self.entry_grads = []  # (leaf, register): .grad arrays the step finds and uses
        self.updates = []  # (optimizer, group) pairs seen
        self.keeps_output = set()  # op indices whose backward reads the op's own output (saved for it)
        for position, array in inputs:
            self.inputs.append((self.new(array), position))
        # id(array) -> (array, digest) for the parameters, buffers and gradients: their values as the recorded
        # instructions left them (at the start, or after the last one that wrote them). A value found otherwise
        # was written outside ops (p.data *= 0.9, p.grad.numpy()[...] = 0), which a replay would not repeat.
        self.expected = dict(digests or {})
        for p in self.known:
            if p.grad is not None:
                self.wrote(p.grad.data)

    # -- registers ---------------------------------------------------------------------------------
    def new(self, value):
        self.reg[id(value)] = len(self.keep)
        self.keep.append(value)
        return len(self.keep) - 1

    def source(self, value, tensor=None):
        """The register holding ``value`` (an array or an item's number), or a Const."""
        r = self.reg.get(id(value))
        if r is not None:
            return r
        if isinstance(value, np.ndarray):
            leaf = self._grad_owner(value)
            if leaf is not None:
                return self._entry_grad(leaf, value)
            if tensor is not None:  # a parameter, or a tensor made before the step (a constant such as a mask)
                self.params[id(tensor)] = tensor
        return Const(value)

    def _grad_owner(self, array):
        for p in self.known:
            g = p.grad
            if g is not None and g.data is array:
                return p
        return None

    def _entry_grad(self, leaf, array):
        self._touch(leaf)
        r = self.new(array)
        self.entry_grads.append((leaf, r))
        self.grads[leaf] = [r, False]
        return r

    def _touch(self, leaf):
        if leaf not in self.entry and leaf not in self.grads:
            self.entry[leaf] = self.entry_none.get(id(leaf), leaf.grad is None)
            if id(leaf) not in self.known_ids:
                self.known_ids.add(id(leaf))
                self.known.append(leaf)

    def _option(self, value):
        """An op's keyword option: a register or a constant; a tuple or list holding arrays is taken apart (an
        index ``(rows, y)`` holding the step's targets must be the new targets at each replay)."""
        if isinstance(value, (tuple, list)) and any(True for _ in _arrays(value)):
            return (type(value), tuple(self._option(v) for v in value))
        return self.source(value)

    def _spec(self, value):
        """Arguments of a replayable call: registers or constants, lists and tuples taken apart."""
        if isinstance(value, Tensor):
            r = self.reg.get(id(value.data))
            if r is not None:
                raise Unsupported(f"a replayable call got a Tensor computed in the step (shape {value.shape})")
            return Const(value)
        if isinstance(value, (list, tuple)) and any(isinstance(v, (np.ndarray, Tensor)) for v in value):
            return (type(value), tuple(self._spec(v) for v in value))
        return self.source(value)

    def _fail(self, reason):
        if self.reason is None:
            self.reason = reason

    def _check(self, array, what):
        """Fail when ``array`` (a parameter's, a buffer's, a gradient's) changed since the recorded
        instructions last left it."""
        known = self.expected.get(id(array))
        if known is not None and known[0] is array and digest(array) != known[1]:
            self._fail(f"{what} of shape {array.shape} was changed outside ops (through .data or .numpy()?): "
                       "change it with an in-place op under bp.no_grad()")

    def unrecorded_change(self):
        """Check every tracked array at the end of the step (a write after its last recorded one)."""
        for array, _ in list(self.expected.values()):
            self._check(array, "an array the step uses")
        return self.reason

    # -- the engine's events -----------------------------------------------------------------------
    def unsupported(self, reason):
        self._fail(reason)

    def forward(self, op, ctx, args, raw, kwargs, out, recorded):
        index = len(self.contexts)
        needs = ctx.needs_input_grad if recorded else ()
        self.contexts.append(ReplayContext(op, needs, len(raw), out.shape, out.dtype))
        if recorded:
            self.nodes[ctx] = index
            if any(isinstance(v, np.ndarray) and np.may_share_memory(v, out.data) for v in ctx.saved.values()):
                self.keeps_output.add(index)
        for a, r in zip(args, raw):
            if isinstance(a, Tensor) and id(r) not in self.reg:
                self._check(r, "a tensor the step reads")
        if any(a.dtype == np.bool_ and id(a) in self.reg for a in _arrays(tuple(kwargs.values()))):
            self._fail(f"{op.__name__} selects by a boolean mask computed in the step, so how many elements it "
                       "gives depends on the values (a data-dependent shape)")
        sources = tuple(self.source(r, a if isinstance(a, Tensor) else None) for a, r in zip(args, raw))
        options = tuple((k, self._option(v)) for k, v in kwargs.items())
        self.code.append(("forward", index, op, sources, options, self.new(out.data)))

    def call(self, fn, args, kwargs, result):
        try:
            spec = (tuple(self._spec(a) for a in args), tuple((k, self._spec(v)) for k, v in kwargs.items()))
        except Unsupported as e:
            return self._fail(str(e))
        for array in _arrays((args, tuple(kwargs.values()))):
            if id(array) in self.expected:
                self.wrote(array)  # a replayable call may write them (clipping gradients, running statistics)
        parts = result if isinstance(result, tuple) else (result,)
        outs = tuple(self.new(v) if isinstance(v, (np.ndarray, np.generic, float)) else Const(v) for v in parts)
        self.code.append(("call", fn, spec, isinstance(result, tuple), outs))

    def item(self, tensor, value):
        r = self.reg.get(id(tensor.data))
        if r is None:
            return self._fail("item() of a tensor not computed in the step")
        if type(value) in (int, bool):
            # Python shares small ints and the two bools between all their uses: such a value is not found again
            # by its identity (a dim=1 elsewhere would read it), only returned by value (number_register)
            self.keep.append(value)
            self.code.append(("item", r, len(self.keep) - 1))
            return
        self.code.append(("item", r, self.new(value)))

    def number_register(self, value):
        """The register of a number the step returns: the ``.item()`` it comes from, or None for a number
        computed outside the recorded ops (or equal to several items', which a replay could not tell apart)."""
        if type(value) not in (int, bool):
            return self.reg.get(id(value))
        found = [ins[2] for ins in self.code if ins[0] == "item"
                 and type(self.keep[ins[2]]) is type(value) and self.keep[ins[2]] == value]
        return found[0] if len(found) == 1 else None

    def seeds(self, roots, seeds, unsupported_mode, retain_graph):
        if unsupported_mode:
            return self._fail("bp.grad or backward(create_graph=True) in the step")
        self.free = not retain_graph
        for root, seed in zip(roots, seeds):
            if root.grad_fn not in self.nodes:
                return self._fail("backward from a tensor not computed in the step")
            self.code.append(("seed", seed.shape, seed.dtype, self.new(seed)))

    def backward(self, node, grad_output, input_grads):
        index = self.nodes.get(node)
        g = self.reg.get(id(grad_output))
        if index is None or g is None:
            return self._fail(f"a backward pass through {node.op.__name__} computed before the step")
        outs = tuple(None if gi is None else self.reg.get(id(gi)) if id(gi) in self.reg else self.new(gi)
                     for gi in input_grads)
        self.code.append(("backward", index, g, outs, self.free))

    def fit(self, before, after):
        r = self.reg.get(id(before))
        if r is None:
            return self._fail("a gradient fitted to its input that was not recorded")
        self.code.append(("fit", r, after.shape, after.dtype, self.new(after)))

    def sum(self, a, b, total):
        ra, rb = self.reg.get(id(a)), self.reg.get(id(b))
        if ra is None or rb is None:
            return self._fail("a gradient sum of arrays that were not recorded")
        self.code.append(("sum", ra, rb, self.new(total)))

    def store(self, leaf, grad, how, held, result):
        if id(leaf) in self.input_leaves:
            return self._fail("a gradient reaches an argument (x.grad): a replay would give it to this call's tensor")
        self._touch(leaf)
        r = self.reg.get(id(grad))
        if r is None:
            return self._fail("a gradient stored that was not recorded")
        self.wrote(result if how != "add" else held)
        if how == "set":
            if result is not grad:
                self.code.append(("copy", r, out := self.new(result)))
                r = out
            self.grads[leaf] = [r, True]
            return
        h = self.reg.get(id(held))
        if h is None:
            h = self._entry_grad(leaf, held)
        if how == "sum":
            self.code.append(("sum", h, r, out := self.new(result)))
            self.grads[leaf] = [out, self.grads.get(leaf, [None, False])[1]]
        else:
            self.code.append(("add", h, r))

    def zero_grad(self, tensors, set_to_none):
        if set_to_none:  # as eagerly, the old gradients are let go here, not at the end of the replay
            self.code.append(("clear", tuple(tensors)))
        for t in tensors:
            self._touch(t)
            if t.grad is None:
                continue
            if set_to_none:
                self.grads[t] = [None, True]
            else:
                state = self.grads.get(t)
                r = state[0] if state is not None and state[0] is not None else self._entry_grad(t, t.grad.data)
                self.code.append(("fill0", r))
                self.expected.pop(id(t.grad.data), None)  # zeroed after this event: checked again once written

    def grad_assigned(self, leaf, value):
        """``leaf.grad = value`` in the step: None lets the gradient go, as ``zero_grad()`` does; a Tensor the
        step computed becomes the gradient (a replay gives that array again)."""
        if value is None:
            return self.zero_grad([leaf], True)
        r = self.reg.get(id(value.data))
        if r is None:
            return self._fail(f"a .grad set to an array not computed in the step (shape {value.shape})")
        self._touch(leaf)
        self.grads[leaf] = [r, True]
        self.wrote(value.data)

    def copy_into(self, tensor, result):
        src = self.reg.get(id(result.data))
        if src is None:
            return self._fail("an in-place op whose result was not recorded")
        dst = self.source(tensor.data, tensor)
        # the tensor matters only when it holds a constant (its version moves on); a gradient clipped in place
        # is a new Tensor at every call
        self.code.append(("copy_into", tensor if isinstance(dst, Const) else None, dst, src))
        self.wrote(tensor.data)

    def update(self, optimizer, update, param, grad, group):
        r = self.reg.get(id(grad))
        if r is None:
            r = self._entry_grad(param, grad) if param.grad is not None and param.grad.data is grad else None
        if r is None:
            return self._fail(f"{type(optimizer).__name__} updated a parameter with a gradient not recorded")
        self._check(param.data, "a parameter")
        self._check(grad, "a gradient")
        self.params[id(param)] = param
        if not any(o is optimizer for o, _ in self.updates):
            self.updates.append((optimizer, group))
        last = self.code[-1] if self.code else None
        if not (last and last[0] == "update" and last[1] is optimizer and self.hyper[1] is group):
            self.keep.append(None)  # a register for the group's hyperparameters, read once per step
            self.hyper = (len(self.keep) - 1, group)
            self.code.append(("hyper", optimizer, group, self.hyper[0]))
        self.code.append(("update", optimizer, update, param, r, self.hyper[0]))

    def wrote(self, array):
        """A recorded instruction has just written ``array``: these are its values now."""
        self.expected[id(array)] = (array, digest(array))

    # -- comparing two recordings ------------------------------------------------------------------
    def same_program(self, other):
        """Whether ``other`` recorded the same instructions (constants by :meth:`Const.matches`)."""
        if len(self.code) != len(other.code) or self.inputs != other.inputs:
            return False
        return all(_same(a, b) for a, b in zip(self.code, other.code))


def digest(array):
    """A fingerprint of the array's bytes (its shape and dtype cannot change in place)."""
    return hashlib.blake2b(np.ascontiguousarray(array).view(np.uint8), digest_size=16).digest()


def _arrays(value):
    """The arrays in nested tuples and lists (a replayable call's arguments), a Tensor's included."""
    if isinstance(value, Tensor):
        yield value.data
    elif isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _arrays(v)


def _same(a, b):
    if isinstance(a, Const):
        return isinstance(b, Const) and a.matches(b)
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (Tensor, dict)) or callable(a):
        return a is b
    return type(a) is type(b) and a == b

"""``bp.jit``: record a training step once, then replay its array work without rebuilding the graph."""
import functools
import inspect
import re
import threading

import numpy as np

from ..autograd import Tensor
from ..autograd.recording import must_run_eagerly, record_with
from ..nn import Module
from ..optim import Optimizer
from .guards import Guards, fast_match, is_setting, signature
from .program import Program
from .recorder import Const, Recorder, Unsupported, _same
from .verify import State, check_same

CACHE_SIZE = 8  # signatures kept per function (the latest 8 new ones): a short last batch keeps its own
MAX_RECORDINGS = 4  # eager calls recorded for one signature before it is left eager
MAX_STALE_CAPTURES = 3  # captures in a row found changed before their first replay: then the step stays eager


class _Capture:
    """What one signature (input shapes and dtypes, modes) has: its recordings, then its program."""

    def __init__(self, key):
        self.key = key
        self.previous = None  # the last recording, to compare the next one with
        self.recordings = 0
        self.program = None
        self.guards = self.match = None  # Guards, and the generated check of signature and guards at once
        self.reason = None  # why this signature runs eagerly, once it is known that it must
        self.replays_before = 0  # the function's replay count when this program was made
        self.stale = 0  # programs in a row whose guards failed before their first replay


class JitFunction:
    """A function whose calls after the first two replay the recorded array work (see :func:`jit`).

    Attributes
    ----------
    captures : int
        How many programs were captured (a re-capture after a guard failed counts again).
    last_replay : bool
        Whether the last call replayed (False when it ran eagerly).
    eager_reason : str or None
        Why the last call ran eagerly while it could have replayed (a trace, a hook, an op a replay
        cannot repeat); None when it replayed or was still being recorded.
    source : str or None
        The Python source a replay runs (see :attr:`source`): ``print(step.source)``.
    """

    def __init__(self, fn, check_every=None):
        if check_every is not None and (not isinstance(check_every, int) or check_every < 1):
            raise ValueError(f"check_every must be a positive int or None, got {check_every!r}")
        functools.update_wrapper(self, fn)
        self.fn, self.check_every = fn, check_every
        self.captures, self.last_replay, self.eager_reason = 0, False, None
        self.replays = 0
        self._cache = {}
        self._last = None  # the capture replayed last, tried first by its generated check
        self._modules = self._optimizers = self._tensors = self._bindings = None
        self._busy = threading.Lock()

    @property
    def source(self):
        """The Python source a replay runs, for the capture replayed last (None before the first replay).

        One line or two per recorded instruction: each op's ``forward`` and ``backward`` on its replay
        context, the optimizer's update functions, the gradients stored; parameters are named as in their
        module's ``state_dict`` (``0.weight`` as ``p0_weight``), other leaf tensors by the name the step
        uses (``w``), and registers ``r0``, ``r1``, … hold the arrays in between.
        """
        return None if self._last is None else self._last.program.source

    def __repr__(self):
        return f"<bp.jit of {getattr(self.fn, '__qualname__', self.fn)!r}: {self.captures} capture(s)>"

    def __get__(self, instance, owner):  # a decorated method: bind it, keeping one cache per instance
        if instance is None:
            return self
        bound = self.__dict__.setdefault("_bound", {})
        method = bound.get(id(instance))
        if method is None or method.fn.__self__ is not instance:  # new, or an id reused by another object
            method = bound[id(instance)] = JitFunction(self.fn.__get__(instance, owner), self.check_every)
        return method

    def __call__(self, *args, **kwargs):
        # A program's buffers and replay contexts serve one call at a time: a call from another thread while
        # one runs (a server answering two requests at once) runs eagerly instead of sharing them.
        if not self._busy.acquire(False):
            self.last_replay = False
            return self._eager("called while another call of this function was running (another thread)",
                               args, kwargs)
        try:  # the whole call inline: a replay of a small step is short enough for one more frame to show
            self.last_replay = False
            reason = must_run_eagerly()
            if reason is not None:
                return self._eager(reason, args, kwargs)
            capture = self._last
            arrays = None if capture is None else capture.match(args, kwargs)
            if arrays is None:  # not the signature replayed last, or something it reads changed
                capture, arrays, ready = self._lookup(args, kwargs)
                if not ready:
                    return self._record(capture, arrays, args, kwargs) if capture.reason is None else (
                        self._eager(capture.reason, args, kwargs))
            self.replays += 1
            if self.check_every is not None and self.replays % self.check_every == 0:
                return self._checked(capture, arrays, args, kwargs)
            self.last_replay, self.eager_reason = True, None
            return capture.program.run(arrays)
        finally:
            self._busy.release()

    def _lookup(self, args, kwargs):
        """``(capture, arrays, ready)``: the call's capture, its input arrays, and whether it replays now."""
        if self._modules is None:
            self._discover(args, kwargs)
        arrays, key = signature(args, kwargs, self._modules)
        capture = self._cache.get(key)
        if (capture is None or capture.program is None and capture.reason is None
                or capture.program is not None and not capture.guards.hold()):
            # A new signature, a call to record, or a capture whose guards failed: look again for what the step
            # refers to (a name bound to another model, a layer swapped, a module passed in), on which the
            # signature's training flags depend.
            self._discover(args, kwargs)
            arrays, key = signature(args, kwargs, self._modules)
            capture = self._cache.get(key)
            if capture is None:
                capture = self._cache[key] = _Capture(key)
                if len(self._cache) > CACHE_SIZE:
                    del self._cache[next(iter(self._cache))]  # the signature seen first
        ready = capture.program is not None and capture.reason is None and bool(capture.guards.hold())
        if capture.program is not None and not ready:
            # a parameter, the optimizer, a .grad, a name or a module changed: new work, recorded afresh, unless
            # it changes at every call (a counter the step reads), where capturing again would never pay
            changed = capture.guards.why()
            capture.stale = capture.stale + 1 if self.replays == capture.replays_before else 0
            capture.program = capture.previous = None
            capture.recordings = 0
            if capture.stale >= MAX_STALE_CAPTURES:
                capture.reason = (f"the step cannot be replayed: what it reads changes from call to call ({changed} "
                                  f"after each of its last {capture.stale} captures, before their first replay)")
        self._last = capture if ready else None
        return capture, arrays, ready

    def _discover(self, args, kwargs):
        self._modules, self._optimizers, self._tensors, self._bindings = _discover(self.fn, args, kwargs)

    def _eager(self, reason, args, kwargs):
        self.eager_reason = reason
        return self.fn(*args, **kwargs)

    def _record(self, capture, arrays, args, kwargs):
        state = State(self._modules, self._optimizers, self._tensors)
        rec = Recorder(enumerate(arrays), state.params,
                       [v for v in (*args, *kwargs.values()) if isinstance(v, Tensor) and v.requires_grad],
                       state.digests())
        with record_with(rec):
            result = self.fn(*args, **kwargs)
        capture.recordings += 1
        try:
            if rec.unrecorded_change() is not None:
                raise Unsupported(rec.reason)
            state.check_unrecorded_changes()
            output = _output_spec(result, rec)
        except Unsupported as e:
            capture.reason = self.eager_reason = f"the step cannot be replayed: {e}"
            return result
        # each register's array, (shape, dtype): which to let go early, which buffers to lend
        rec.layouts = [(v.shape, v.dtype) if isinstance(v, np.ndarray) else None for v in rec.keep]
        rec.keep[:] = [None] * len(rec.keep)  # the call's arrays: no longer needed once ids are resolved
        previous, capture.previous = capture.previous, (rec, output)
        if previous is not None and previous[0].same_program(rec) and _same(previous[1], output):
            # The earlier recording holds every array of its call: let it go before compiling (whose
            # memory can then come from what it held).
            capture.previous = previous = None
            capture.program = Program(rec, output, state.changed_flags(), _names(self._modules, self._tensors))
            capture.guards = Guards(rec, self._bindings, self._modules)
            capture.match = fast_match(capture.key, self._modules, capture.guards)
            capture.replays_before = self.replays
            self.captures += 1
        elif capture.recordings >= MAX_RECORDINGS:
            capture.reason = self.eager_reason = (
                f"the step cannot be replayed: {capture.recordings} calls recorded different work (Python "
                "control flow, or arrays made outside ops, change from call to call)")
        return result

    def _checked(self, capture, arrays, args, kwargs):
        """Replay, then rerun eagerly from the same state; raise if the two differ."""
        tracked = (self._modules, self._optimizers, self._tensors)
        before = State(*tracked, copy=True)
        replayed = capture.program.run(arrays)
        after_replay = State(*tracked, copy=True)
        before.restore()
        eager = self.fn(*args, **kwargs)
        check_same(replayed, eager, after_replay, State(*tracked, copy=True))
        self.eager_reason = None
        return eager


def _output_spec(value, rec, numbers=None):
    """How a replay builds the returned value: from registers (a Tensor's values, an item's number); other
    objects (None, a string) are returned as they are. ``numbers``: the registers of numbers returned so far."""
    numbers = set() if numbers is None else numbers
    if isinstance(value, Tensor):
        r = rec.reg.get(id(value.data))
        if r is None:
            raise Unsupported(f"it returns a tensor (shape {value.shape}) not computed by recorded ops")
        return ("tensor", r)
    if isinstance(value, (int, float, complex, np.number, np.bool_)):
        r = rec.number_register(value)
        if r is None or r in numbers:  # a metric rounded or counted in Python would be the first call's forever
            raise Unsupported(f"it returns the number {value!r}, not one .item() of a tensor it computed: return "
                              "the tensor, or its .item()")
        numbers.add(r)
        return ("value", r)
    if isinstance(value, (tuple, list)):
        return ("seq", type(value), tuple(_output_spec(v, rec, numbers) for v in value))
    if isinstance(value, dict):
        return ("seq", dict, tuple(_output_spec(v, rec, numbers) for v in value.values()), tuple(value))
    if isinstance(value, np.ndarray):
        raise Unsupported("it returns an array not computed by recorded ops")
    return ("const", Const(value))


def _names(modules, tensors):
    """``{id(array): name}`` for the generated source to read: the parameters and buffers of ``modules``,
    named as in the first module's ``state_dict`` that has them (``0.weight`` becomes ``p0_weight``), and
    the leaf ``tensors`` by the name the step knows them under (``w``)."""
    names = {}
    named = [item for module in modules for item in (*module.named_parameters(), *module.named_buffers())]
    named += [(name, tensor) for tensor, name in tensors.items() if name is not None]
    for name, tensor in named:
        name = re.sub(r"\W", "_", name)
        name = name if name[:1].isalpha() or name[:1] == "_" else f"p{name}"
        names.setdefault(id(tensor.data), name)
        names.setdefault(id(tensor), f"{name}_tensor")
    return names


def _discover(fn, args, kwargs):
    """The modules (with their submodules), optimizers and leaf tensors (to train, or constants) a step uses:
    in its closure, the globals it names, its bound instance's attributes, its arguments, and the same for
    the functions found there (two levels). Their modes and groups are guarded, their values checked when recording.
    The leaf tensors come as ``{tensor: the name it was found under, or None}``; the bindings as
    ``(where, object)`` for each of them, and each plain value (a number, a string), found by a name,
    ``where`` saying how to look that name up again (:class:`~backprop.jit.guards.Guards` checks it still
    gives the object, or an equal value)."""
    found = [(None, v, None) for v in (*args, *kwargs.values())] + _referenced(fn, depth=2)
    modules, optimizers, tensors, bindings = {}, {}, {}, {}
    for name, obj, where in found:
        if isinstance(obj, Module):
            for m in obj.modules():
                modules.setdefault(id(m), m)
        elif isinstance(obj, Optimizer):
            optimizers.setdefault(id(obj), obj)
        elif isinstance(obj, Tensor):  # a leaf to train, or a constant (a mask) the step reads
            if obj.grad_fn is None:
                tensors.setdefault(id(obj), (obj, name))
        elif isinstance(getattr(obj, "optimizer", None), Optimizer):  # a learning-rate scheduler
            optimizers.setdefault(id(obj.optimizer), obj.optimizer)
        elif not is_setting(obj):  # a function, a NumPy module: not guarded (a replay cannot see Python)
            continue
        if where is not None:
            bindings.setdefault((id(where[0]), where[1]), (where, obj))
    return list(modules.values()), list(optimizers.values()), dict(tensors.values()), list(bindings.values())


def _referenced(fn, depth):
    """``(name, object, where)`` for what ``fn`` refers to: closure variables ``(cell, name)``, named globals
    ``(globals, name)``, a bound instance (named None, ``where`` None) and its attributes ``(its __dict__,
    name)``; ``where`` is None for an attribute the method's code never names (a counter it leaves alone
    must not be guarded)."""
    target = inspect.unwrap(fn)
    owner = getattr(target, "__self__", None)
    if owner is not None:
        target = getattr(target, "__func__", target)
    try:
        names = inspect.getclosurevars(target)
    except TypeError:  # a builtin or a callable object: only its arguments (and attributes) are known
        names = None
    found = []
    if owner is not None:
        found.append((None, owner, None))
        if hasattr(owner, "__dict__"):
            attributes, used = vars(owner), names.unbound if names is not None else ()
            found += [(name, value, (attributes, name) if name in used else None)
                      for name, value in attributes.items()]
    if names is None:
        return found
    # getclosurevars lists the free variables in the order of the function's closure cells
    cells = dict(zip(names.nonlocals, target.__closure__ or ()))
    named = [(name, value, (cells[name], name)) for name, value in names.nonlocals.items()]
    named += [(name, value, (target.__globals__, name)) for name, value in names.globals.items()]
    found += named
    if depth > 1:
        for _, value, _ in named:
            if inspect.isfunction(value) or inspect.ismethod(value):
                found += _referenced(value, depth - 1)
    return found


def jit(fn=None, *, check_every=None):
    """Capture a training step and replay its array work (tinygrad's ``TinyJit``, a CUDA graph's idea).

    ``@bp.jit`` or ``@bp.jit(check_every=N)`` on a function that runs a whole step::

        @bp.jit
        def train_step(x, y):
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss

    The first two calls with a signature (input shapes and dtypes, grad mode, the modules' training
    flags, the default dtype, the hooks registered) run eagerly and record the array
    work: each op's forward, the backward formulas that ran, the gradient sums and stores, the
    optimizer's update calls, random draws. When both recorded the same work, later calls replay it
    on the new inputs: no Tensor, graph node or heap is built, and the numbers are bitwise eager mode's.
    A replay first checks that each parameter keeps its array and ``requires_grad``, that the optimizer
    keeps its groups and state (``load_state_dict`` re-captures) and which ``.grad`` were set; the
    optimizer's hyperparameters and state are read live, so a scheduler's new ``lr`` needs no new capture.
    It also checks that the names the step reads (globals, closure variables, the attributes of a jitted
    method's instance) still give the same model, optimizer and tensors, and equal numbers and strings;
    and that no attribute of a module was set since (``Module.attribute_version``: a parameter, buffer or
    submodule, or a setting such as Dropout's ``p``). A model rebound to another, a layer swapped, a
    dropout rate or a loss weight changed is captured anew, never replayed as it was. When what the step
    reads changes at every call (a counter), capturing again would never pay: after 3 captures in a row
    that changed before their first replay the step stays eager, and ``step.eager_reason`` says what changed.
    Up to 8 signatures are kept (a short last batch has its own). Returned Tensors and numbers are fresh; a
    returned number must be the ``.item()`` of a tensor the step computed (a loss rounded or a count made in
    Python would be the recorded call's at every replay, so such a step runs eagerly).

    Memory, as a hand-written step keeps it: a replay writes each Linear layer's output and gradients into
    arrays it made once (``Function.writes_into_buffers``), computes ReLU and tanh in place over a layer
    output nothing else reads, and lends the updates of large parameters their temporaries
    (``bp.optim.Workspace``). So, as with a CUDA graph's static memory, a parameter's ``.grad`` after a
    replay is the same Tensor, with the same array, as after the replay before, holding the new gradient: copy it
    (``p.grad.clone()``) to keep one step's gradient. For the same reason a program serves one call at a
    time: a call made while another thread is inside the function runs eagerly.

    As with ``TinyJit`` and CUDA graphs, a replay cannot see Python: control flow that would take another
    branch, arrays changed through ``.data`` or computed outside ops are not repeated. Steps where this is
    detected (work that differs between recorded calls; a parameter, buffer or gradient written through
    ``.data`` or ``.numpy()``; a boolean mask whose count of elements follows the data; a scheduler stepped
    inside) run eagerly, and ``step.eager_reason`` says why. Random draws (dropout, ``bp.randn_like``),
    tensors made in the step (``bp.zeros``, ``bp.tensor``), ``p.grad = None`` and in-place ops under
    ``bp.no_grad()`` are repeated. Under ``bp.explain.trace``,
    while a hook would run (module, tensor and optimizer hooks, ``DistributedDataParallel``'s gradient
    hooks) or with ``create_graph``, the step runs eagerly, so a trace shows the real computation.

    ``print(step.source)`` shows what a replay runs: a generated Python function, a line or two per recorded
    instruction (``r2 = Linear_forward(ctx0, r0, p0_weight, p0_bias)``, ``sgd_update(p0_weight, r18, s, …)``).

    ``check_every=N`` replays every Nth replayable call, reruns it eagerly from the same state and
    raises ``RuntimeError`` if the results, parameters or optimizer state differ.
    """
    if fn is None:
        return lambda f: JitFunction(f, check_every)
    return JitFunction(fn, check_every)

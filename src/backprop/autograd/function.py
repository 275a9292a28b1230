"""Ops: ``Function``, an op's forward and backward formulas declared once, and ``apply``, which runs the
op and records it in the graph (a :class:`~backprop.autograd.node.Context`).

Every op of the library, and every op a user declares, is a subclass of :class:`Function`.
Calling ``Op.apply(*inputs)`` runs ``forward`` on raw NumPy arrays and, when some input requires a
gradient and recording is on, leaves a ``Context`` in the graph: the node that the backward pass
visits to call ``backward``. The formulas are data: ``forward_formula``, ``backward_formulas`` keyed
by input name (checked against ``forward``'s parameters when the class is created) and
``intermediates``; docstrings, traces and graphs read them.
"""
import inspect
import itertools
import weakref

import numpy as np

from ..exceptions import DoubleBackwardError, ShapeError
from .grad_mode import STATE
from .hooks import call_hook
from .node import Context

_sequence = itertools.count(1)  # numbers graph nodes in creation order (Context.seq)
_engine_state = STATE.get  # bound once: looking the method up on every op call allocates a method object


class Function:
    """Base class of every op: a forward formula and its backward (vector-Jacobian) formula, in one place.

    Subclass it to declare an op, as the library does for its own (PyTorch's ``autograd.Function``)::

        class Cube(bp.Function):
            forward_formula = "y = x³"
            backward_formulas = {"x": "dx = dy · 3x²"}

            @staticmethod
            def forward(ctx, x):
                ctx.save(x=x)
                return x ** 3

            @staticmethod
            def backward(ctx, dy):
                return dy * 3 * ctx.x ** 2

        y = Cube.apply(t)

    ``forward(ctx, *inputs, **options)`` receives raw NumPy arrays in place of Tensors (other arguments
    as given) and returns one array. ``backward(ctx, dy)`` receives the gradient of the output and returns
    one gradient per positional input (a tuple, or a single value for a one-input op; ``None`` where
    none is needed). It may use ``ctx``'s saved values and attributes, NumPy operators and the
    functions of ``backprop.ops.dispatch`` (``exp``, ``where``, ``sum_to`` …), which work on arrays and
    Tensors alike: written that way, the one formula runs as plain NumPy on the first-order path and is
    recorded as a graph under ``create_graph=True``, giving gradients of gradients. A gradient may have
    the input's broadcast shape: the engine sums it back to the input's shape.

    The formulas are declared as data: ``forward_formula``; ``backward_formulas``, one per input name
    of ``forward`` (``{"x": "dX = dZ·W", "weight": "dW = dZᵀ·X"}``; the inputs of ``forward(ctx,
    *tensors)`` are ``tensors[0]``, ``tensors[1]``, …), or a single ``backward_formula`` shown for every
    input; and ``intermediates`` (``{"g": "g = softmax(z)"}``), values a fused op shows with
    ``ctx.show(g=g)``. An op whose formulas depend on its options or mode overrides :meth:`formulas`.

    An op whose backward cannot be differentiated sets ``supports_double_backward = False``; then
    differentiating its gradient raises :class:`~backprop.exceptions.DoubleBackwardError` naming it.
    An op with ``differentiable = False`` (comparisons, argmax) never records a graph.

    An op with ``writes_into_buffers = True`` writes its output into ``ctx.out_buffer`` and each input's
    gradient into ``ctx.grad_buffers[i]`` with ``out=`` when they are arrays. Eagerly they are None (NumPy
    allocates); a replayed step (``bp.jit``) gives each call arrays it made once, of the shape and dtype
    the call produced when the step was captured, as a hand-written step reuses its buffers.
    """

    forward_formula = ""
    backward_formulas = {}  # input name -> the formula of that input's gradient
    backward_formula = ""  # or one formula shown for every input (a user's op may keep this)
    intermediates = {}  # name -> formula of a value the op shows with ctx.show
    supports_double_backward = True
    differentiable = True
    input_names = ()  # forward's positional parameters after ctx, read when the class is created
    variadic_input = None  # the name of forward's *args parameter, if it has one
    writes_into_buffers = False  # forward and backward use ctx.out_buffer and ctx.grad_buffers
    # An elementwise op whose backward never reads its input: a replay may lend it its input's own array as
    # ctx.out_buffer (in place) when nothing else reads or keeps that input.
    may_overwrite_input = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.input_names, cls.variadic_input = _positional_parameters(cls.forward)
        for key in cls.backward_formulas:
            if not cls._is_input_name(key):
                raise TypeError(
                    f"{cls.__name__}.backward_formulas names {key!r}, which is not an input of "
                    f"forward(ctx, {', '.join(cls._signature_names())})")
        if cls.backward_formulas and cls.backward_formula:
            raise TypeError(f"{cls.__name__} declares both backward_formula and backward_formulas: keep one")
        if cls.__doc__ and (cls.forward_formula or cls.backward_formulas or cls.backward_formula):
            cls.__doc__ = inspect.cleandoc(cls.__doc__) + "\n\nFormulas\n--------\n" + cls.formula_text()

    @classmethod
    def _signature_names(cls):
        return list(cls.input_names) + ([f"*{cls.variadic_input}"] if cls.variadic_input else [])

    @classmethod
    def _is_input_name(cls, key):
        if key in cls.input_names:
            return True
        var = cls.variadic_input
        return var is not None and key.startswith(var + "[") and key.endswith("]") and key[len(var) + 1:-1].isdigit()

    @classmethod
    def input_names_for(cls, n_inputs):
        """The names of ``n_inputs`` positional inputs: forward's parameters, then ``tensors[i]`` for ``*tensors``."""
        names = cls.input_names[:n_inputs]
        extra = n_inputs - len(names)
        if extra > 0 and cls.variadic_input:
            start = len(names) - len(cls.input_names)
            names += tuple(f"{cls.variadic_input}[{i}]" for i in range(start, start + extra))
        return names

    @classmethod
    def formulas(cls, ctx=None):
        """``(forward_formula, {input name: backward formula})``: as declared, or as applied at the call ``ctx``.

        An op whose formulas depend on its options or mode (batch norm in eval mode, a convolution
        without bias, the axis of a reduction) overrides this; it is called only when an observer or
        the graph view asks, never on the hot path.
        """
        if cls.backward_formulas:
            return cls.forward_formula, dict(cls.backward_formulas)
        names = cls.input_names_for(len(ctx.edges)) if ctx is not None else cls._signature_names()
        return cls.forward_formula, {n: cls.backward_formula for n in names} if cls.backward_formula else {}

    @classmethod
    def formula_text(cls):
        """The declared formulas as the lines of a docstring section (``help(bp.sigmoid)`` shows them)."""
        forward, backward = cls.formulas()
        lines = [f"forward:   {forward}"] if forward else []
        lines += [f"backward:  {f}" + (f"   ({name})" if len(backward) > 1 and name not in f else "")
                  for name, f in backward.items()]
        lines += [f"shown:     {f}" for f in cls.intermediates.values()]
        return "\n".join(lines)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on Tensors (NumPy arrays and numbers count as constants) and record it."""
        raw = []
        edges = []  # per input, where its gradient goes: its graph node, itself (a leaf) or nowhere
        needs = []
        record = False
        for a in args:
            if isinstance(a, _Tensor):
                raw.append(a.data)
                if a.requires_grad:
                    edges.append(a._ctx or a)
                    needs.append(True)
                    record = True
                    continue
            else:
                raw.append(a)
            edges.append(None)
            needs.append(False)
        state = _engine_state()
        ctx = Context(cls)
        record = record and state.grad_enabled and cls.differentiable
        if record:
            ctx.edges = tuple(edges)
            ctx.needs_input_grad = tuple(needs)
            ctx.seq = next(_sequence)
        observed = state.observed
        try:
            if observed:
                returned = _forward_observed(cls, ctx, raw, kwargs, state)
            else:
                returned = cls.forward(ctx, *raw, **kwargs)
        except ValueError as e:
            if "broadcast" not in str(e):
                raise
            shapes = " and ".join(str(np.shape(r)) for r in raw)
            raise ShapeError(f"{cls.__name__.lower()}: shapes {shapes} cannot be broadcast together") from None
        data = returned if type(returned) is np.ndarray else np.asarray(returned)
        if record:
            ctx.shape, ctx.dtype = data.shape, data.dtype
            out = _Tensor._make(data, ctx)
            ctx._out = weakref.ref(out)
        else:
            out = _Tensor._make(data, None)
        if data.base is not None or (raw and data is raw[0]):
            _track_view(out, args)
        if record and ctx._saved:
            ctx._bind(args, raw, returned, out)  # after _track_view: a saved output checks the right counter
        if observed:
            if state.on_forward:
                node = ctx if record else None
                for _, observer in state.on_forward:
                    call_hook(observer, cls, args, kwargs, out, node, state.depth, where="(an op observer)")
            if state.recorder is not None and state.depth == 0:
                state.recorder.forward(cls, ctx, args, raw, kwargs, out, record)
        return out


Op = Function


def _positional_parameters(forward):
    """``forward``'s positional parameter names after ``ctx``, and the name of its ``*args`` (or None).

    Read from the code object of a plain function (a staticmethod): ``inspect.signature`` costs 50 µs
    per op class, a tenth of backprop's import time. Anything else goes through inspect.
    """
    code = getattr(forward, "__code__", None)
    if code is None or hasattr(forward, "__self__") or hasattr(forward, "__wrapped__"):
        params = list(inspect.signature(forward).parameters.values())[1:]
        return (tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)),
                next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None))
    names = code.co_varnames
    star = names[code.co_argcount + code.co_kwonlyargcount] if code.co_flags & inspect.CO_VARARGS else None
    return tuple(names[1:code.co_argcount]), star


def _forward_observed(cls, ctx, raw, kwargs, state):
    """``forward`` while an observer watches: the op keeps what it shows, and ops it calls see depth + 1."""
    ctx.__dict__["_shown"] = {}
    token = STATE.set(state.replace(depth=state.depth + 1))
    try:
        return cls.forward(ctx, *raw, **kwargs)
    finally:
        STATE.reset(token)


def _track_view(out, args):
    """If ``out`` shares an input's memory (reshape, transpose and basic slicing give views), it shares
    that input's version counter, as PyTorch's views do, so that writing through either one is seen
    by the other's saved values; and it remembers the tensors it is a view of, for in-place checks."""
    owner = out.data if out.data.base is None else out.data.base
    for a in args:
        if isinstance(a, _Tensor) and (a.data is owner or a.data.base is owner):
            out._vc = a._vc
            out._base = (weakref.ref(a),) + a._base
            return


class DoubleBackwardBarrier(Function):
    """Stands for the gradient of an op without second derivatives, inside a recorded backward pass.

    Its forward passes the first-order gradient through; differentiating it raises, naming the op.
    """

    @staticmethod
    def forward(ctx, grad, *sources, op_name):
        ctx.op_name = op_name
        return grad

    @staticmethod
    def backward(ctx, dy):
        raise DoubleBackwardError(
            f"{ctx.op_name} does not support double backward: its gradient is not differentiable "
            "in backprop. Use a composition of differentiable ops if you need higher derivatives.")


from .tensor import Tensor as _Tensor  # noqa: E402  (a Tensor is what apply returns)

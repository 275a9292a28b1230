"""Module hooks: code that runs around a module's forward pass and when its gradients are computed.

The names, signatures and call order are PyTorch's (``torch.nn.Module._call_impl``):

1. forward pre-hooks, ``hook(module, args)`` (or ``hook(module, args, kwargs)`` when registered
   ``with_kwargs=True``), which may return replacement ``args`` (or ``(args, kwargs)``);
2. if the module has backward hooks, its tensor inputs are passed through an identity op (below);
3. ``forward``;
4. forward hooks, ``hook(module, args, output)`` (or ``hook(module, args, kwargs, output)``), which may
   return a replacement output;
5. if the module has backward hooks, its tensor outputs are passed through an identity op.

A registration returns a :class:`~backprop.autograd.hooks.RemovableHandle`. The hooks live in the
module's ordered dicts ``_forward_pre_hooks``, ``_forward_hooks``, ``_backward_pre_hooks`` and
``_backward_hooks`` (handle id → hook); ``Module.__call__`` looks at them only when one is non-empty.

Backward hooks need every gradient of a group of tensors (the module's outputs, or its inputs) at
once, in one node, while an op here has a single output. So each group goes through a *gate*: one
node ``_HookGate`` that takes all the group's tensors and gives a dummy scalar, then one ``_HookPass``
per tensor, ``y = x``, which also takes the gate's scalar. In backward, each ``_HookPass`` holds its
``dy`` for the group and sends a zero to the gate. The gate was created before the passes, so the
engine, which visits nodes latest-created first, reaches it only after every pass the gradient
reached: its backward then sees the whole group (``None`` where no gradient came), calls the hooks,
and returns the (possibly replaced) gradients to the original tensors. The outputs' gate records
``grad_output`` and runs the backward pre-hooks; the inputs' gate, reached later, calls
``hook(module, grad_input, grad_output)``.
"""
import warnings

import numpy as np

from ..autograd.function import Function
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.hooks import RemovableHandle, call_hook
from ..autograd.tensor import Tensor

_ZERO = np.zeros(())  # the gate's gradient from each pass (read-only: shared)
_ZERO.flags.writeable = False


def add_hook(hooks, hook, prepend=False, flags=()):
    """Put ``hook`` in the ordered dict ``hooks`` (at the front with ``prepend``); mark its id in each
    dict of ``flags`` (``with_kwargs``, ``always_call``). The handle removes it from all of them."""
    def remove(key):
        hooks.pop(key, None)
        for marks in flags:
            marks.pop(key, None)

    handle = RemovableHandle(remove)
    hooks[handle.id] = hook
    for marks in flags:
        marks[handle.id] = True
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


class _HookGate(Function):
    """One node for a group of tensors: its backward sees all their gradients at once."""

    forward_formula = "gate = 0 (one node that sees every gradient of the group)"
    backward_formula = "dx = hook(dy) for each tensor of the group"

    @staticmethod
    def forward(ctx, *tensors, group):
        ctx.hook_group = group
        return np.zeros(())

    @staticmethod
    def backward(ctx, dgate):
        group = ctx.hook_group
        grads, group.held = tuple(group.held), [None] * len(group.held)
        return group.on_grads(grads, ctx.create_graph)


class _HookPass(Function):
    """``y = x`` for one tensor of a group; its gradient goes on through the group's gate."""

    forward_formula = "y = x"
    backward_formulas = {"x": "dx = dy (through the gate, after the hooks)", "gate": "dgate = 0"}

    @staticmethod
    def forward(ctx, x, gate, *, group, slot):
        ctx.hook_group, ctx.slot = group, slot
        return x

    @staticmethod
    def backward(ctx, dy):
        ctx.hook_group.held[ctx.slot] = dy
        return None, _ZERO


class _Group:
    """The tensors of one side (inputs or outputs) of one module call, and what their gate calls."""

    __slots__ = ("held", "on_grads")

    def __init__(self, size, on_grads):
        self.held = [None] * size
        self.on_grads = on_grads


def _through_gate(items, on_grads):
    """Pass the tensors of ``items`` that require grad through a gate calling ``on_grads``.

    Returns the new items (same type) and the positions of the gated tensors, or ``items`` and None
    when no tensor requires grad (or recording is off), as PyTorch's ``BackwardHook`` does.
    """
    index = [i for i, a in enumerate(items) if isinstance(a, Tensor) and a.requires_grad]
    if not index or not is_grad_enabled():
        return items, None
    group = _Group(len(index), on_grads)
    gate = _HookGate.apply(*(items[i] for i in index), group=group)
    new = list(items)
    for slot, i in enumerate(index):
        new[i] = _HookPass.apply(items[i], gate, group=group, slot=slot)
    return (tuple(new) if type(items) is tuple else type(items)(*new)), index


def _shown(g, graph):
    """A gradient as a hook sees it: a Tensor (the engine's array itself, or its recorded Tensor)."""
    return g if g is None or isinstance(g, Tensor) else Tensor.wrap(g)


def _taken(g, graph):
    """A gradient a hook returned, in the engine's form: an array, or a Tensor when recording."""
    if g is None:
        return None
    if isinstance(g, Tensor):
        return g if graph else g.data
    g = np.asarray(g)
    return Tensor.wrap(g) if graph else g


def _pack(index, values, size):
    res = [None] * size
    for i, v in zip(index, values):
        res[i] = v
    return tuple(res)


class BackwardHook:
    """The backward hooks of one module call (PyTorch's ``torch.utils.hooks.BackwardHook``)."""

    def __init__(self, module, hooks, pre_hooks):
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs = None
        self.n_inputs = self.n_outputs = -1
        self.input_index = self.output_index = None
        self.input_like = ()

    def setup_input_hook(self, args):
        # Shapes and dtypes of the tensor arguments, for the zeros PyTorch shows where no gradient came
        self.input_like = [(i, a.shape, a.dtype) for i, a in enumerate(args) if isinstance(a, Tensor)]
        args, self.input_index = _through_gate(args, self._on_input_grads)
        self.n_inputs = len(args)
        return args

    def setup_output_hook(self, result):
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        outputs, self.output_index = _through_gate(outputs, self._on_output_grads)
        self.n_outputs = len(outputs)
        return outputs[0] if single else outputs

    def _on_output_grads(self, grads, graph):
        self.grad_outputs = _pack(self.output_index, [_shown(g, graph) for g in grads], self.n_outputs)
        for hook in self.pre_hooks:
            out = call_hook(hook, self.module, self.grad_outputs, where="(Module.register_full_backward_pre_hook)")
            if out is None:
                continue
            if len(out) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(out)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(out)
        grad_outputs = self.grad_outputs
        if self.input_index is None:
            # No input requires grad: the inputs' gate will not be reached, so the hooks run here.
            warnings.warn("Full backward hook is firing when gradients are computed with respect to module "
                          "outputs since no inputs require gradients.", stacklevel=2)
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = call_hook(hook, self.module, grad_inputs, grad_outputs,
                                where="(Module.register_full_backward_hook)")
                if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")
            self.grad_outputs = None
        return tuple(_taken(grad_outputs[i], graph) for i in self.output_index)

    def _on_input_grads(self, grads, graph):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs (double backward).
            return grads
        # As in PyTorch, every tensor argument gets a gradient, zeros where none came (an input that
        # does not require grad, or one the outputs do not depend on); other arguments get None.
        res = [None] * self.n_inputs
        for i, shape, dtype in self.input_like:
            res[i] = np.zeros(shape, dtype)
        for i, g in zip(self.input_index, grads):
            if g is not None:
                res[i] = g
        res = tuple(_shown(g, graph) for g in res)
        for hook in self.hooks:
            out = call_hook(hook, self.module, res, self.grad_outputs, where="(Module.register_full_backward_hook)")
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = tuple(out)
        self.grad_outputs = None
        return tuple(_taken(res[i], graph) for i in self.input_index)


def call_with_hooks(module, args, kwargs):
    """``module(*args, **kwargs)`` when the module has hooks (``torch.nn.Module._call_impl``)."""
    result = None
    called = set()  # always_call forward hooks that ran
    try:
        hooks = list(module._backward_hooks.values())
        pre_hooks = list(module._backward_pre_hooks.values())
        with_kwargs = module._forward_pre_hooks_with_kwargs
        for key, hook in list(module._forward_pre_hooks.items()):
            if key in with_kwargs:
                out = call_hook(hook, module, args, kwargs, where="(Module.register_forward_pre_hook)")
                if out is not None:
                    if not (isinstance(out, tuple) and len(out) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {out}.")
                    args, kwargs = out
            else:
                out = call_hook(hook, module, args, where="(Module.register_forward_pre_hook)")
                if out is not None:
                    args = out if isinstance(out, tuple) else (out,)
        bw_hook = None
        if hooks or pre_hooks:
            bw_hook = BackwardHook(module, hooks, pre_hooks)
            args = bw_hook.setup_input_hook(args)
        result = module.forward(*args, **kwargs)
        with_kwargs = module._forward_hooks_with_kwargs
        for key, hook in list(module._forward_hooks.items()):
            if key in module._forward_hooks_always_called:
                called.add(key)
            if key in with_kwargs:
                out = call_hook(hook, module, args, kwargs, result, where="(Module.register_forward_hook)")
            else:
                out = call_hook(hook, module, args, result, where="(Module.register_forward_hook)")
            if out is not None:
                result = out
        if bw_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a tuple of "
                              f"Tensors but received {type(result)}", stacklevel=3)
            result = bw_hook.setup_output_hook(result)
        return result
    except Exception:
        for key, hook in list(module._forward_hooks.items()):
            if key not in module._forward_hooks_always_called or key in called:
                continue
            try:
                if key in module._forward_hooks_with_kwargs:
                    out = hook(module, args, kwargs, result)
                else:
                    out = hook(module, args, result)
                if out is not None:
                    result = out
            except Exception as e:
                warnings.warn("module forward hook with ``always_call=True`` raised an exception that was "
                              f"silenced as another error was raised in forward: {e}", stacklevel=3)
        raise


class HookMixin:
    """The hook registrations of :class:`~backprop.nn.Module` (PyTorch's names and signatures)."""

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each ``forward``; it may return new ``args`` (a non-tuple is
        wrapped in a tuple). With ``with_kwargs=True``: ``hook(module, args, kwargs)``, returning None or
        ``(args, kwargs)``. Hooks run in the order registered; ``prepend=True`` puts this one first.
        Returns a handle: ``handle.remove()``, or ``with handle:``."""
        flags = (self._forward_pre_hooks_with_kwargs,) if with_kwargs else ()
        return add_hook(self._forward_pre_hooks, hook, prepend, flags)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """Call ``hook(module, args, output)`` after each ``forward`` (``hook(module, args, kwargs, output)``
        with ``with_kwargs=True``); a value it returns replaces the output. With ``always_call=True`` it
        also runs when ``forward`` (or an earlier hook) raises. Returns a removable handle."""
        flags = ((self._forward_hooks_with_kwargs,) if with_kwargs else ()) + (
            (self._forward_hooks_always_called,) if always_call else ())
        return add_hook(self._forward_hooks, hook, prepend, flags)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs are known, before
        the gradients of its inputs are computed; it may return a replacement ``grad_output`` tuple.
        Returns a removable handle."""
        return add_hook(self._backward_pre_hooks, hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` once the gradients of the module's inputs are known.

        ``grad_input`` has one entry per positional argument of the call and ``grad_output`` one per
        output (a tuple of outputs, or the one output), with None where there is no gradient (not a
        Tensor, no grad required, not reached). The hook may return a replacement ``grad_input`` tuple,
        which is what flows on. If no input requires grad it is called, with ``grad_input`` all None,
        when the outputs' gradients are known. Returns a removable handle.
        """
        return add_hook(self._backward_hooks, hook, prepend)

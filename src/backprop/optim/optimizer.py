"""``Optimizer``: parameter groups, per-parameter state, ``state_dict``; the maths lives in each ``*_update``.

Every optimizer is a thin class over a pure function on arrays (``sgd_update``, ``adam_update``, ...).
The class checks the hyperparameters, keeps the state of each parameter and, in :meth:`Optimizer.step`,
calls the function once per parameter with that parameter's array, its gradient, its state and the
hyperparameters of its group. The function changes the parameter array in place and returns its
intermediate values (moments, bias-corrected moments, the step taken) so that a trace can show them.

Each class declares, as data: ``hyperparameters`` (the names, in the order the update function takes
them), ``algorithm`` (the update as pseudo-code) and ``intermediates`` (name → formula of each value
the update function returns). The docstrings and ``bp.explain``'s traces read these declarations.
"""
import copy
import inspect

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.graph import increment_version, zero_grad
from ..autograd.hooks import add_to_dict, call_hook
from ..autograd.recording import current_recorder
from ..autograd.tensor import Tensor
from ._checks import check_betas, check_flags, check_nonnegative, flag_names  # noqa: F401  (re-exported)
from .workspace import temporary
from ._hooks import (  # noqa: F401  (register_optimizer_update_hook: re-exported, bp.explain imports it here)
    UPDATE_HOOKS,
    register_optimizer_update_hook,
    with_step_hooks,
)

def effective_grad(param, grad, weight_decay, maximize):
    """g = ±grad + weight_decay·θ (L2 penalty folded into the gradient); ``grad`` itself is never changed."""
    if weight_decay == 0 and not maximize:
        return grad
    g = np.multiply(param, weight_decay, out=temporary(param, grad))
    if maximize:
        g -= grad
    else:
        g += grad
    return g


def zeros_state(state, name, param):
    """``state[name]``, created as zeros of ``param``'s shape and dtype on first use."""
    if name not in state:
        state[name] = np.zeros_like(param)
    return state[name]


class Optimizer:
    """Base class of the optimizers: parameter groups, state, ``zero_grad``, ``step``, ``state_dict``.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        The tensors to optimize, or parameter groups: dicts with a ``'params'`` entry (the group's
        tensors) and any hyperparameters that differ from ``defaults`` for that group.
    defaults : dict
        Every hyperparameter of the optimizer with its default; a group leaves out the ones it shares.

    Attributes
    ----------
    param_groups : list of dict
        One dict per group: ``'params'`` (a list of tensors) and every hyperparameter.
    state : dict
        Tensor → dict of that parameter's state arrays (momentum buffer, moments, ``step``), filled on
        the parameter's first update.

    Notes
    -----
    A subclass declares, as class attributes:

    ``update``
        Its pure update function ``update(param, grad, state, *hyperparameters)`` (a ``staticmethod``).
    ``hyperparameters`` : tuple of str
        The names of the hyperparameters, in the order ``update`` takes them after ``(param, grad,
        state)``; the keys of ``defaults``. Checked against ``update``'s signature when the class is
        created.
    ``algorithm`` : str
        The update as pseudo-code, dedented when the class is created; appended to the class's and to ``update``'s
        docstrings as an "Algorithm" section.
    ``intermediates`` : dict of str to str
        Name → formula of each entry of the dict ``update`` returns (the ``info`` an update hook gets).

    and overrides ``_validate(group)``. :meth:`step` calls ``update(param.data, grad, state, *hyper)``
    for every parameter whose ``.grad`` is set, outside the graph, and then
    :func:`~backprop.autograd.graph.increment_version` on the parameter (a pending backward that saved
    the old values then raises instead of using changed ones).

    Hooks, with PyTorch's names and order: :meth:`register_step_pre_hook` and
    :meth:`register_step_post_hook` run around every ``step`` (a subclass's own ``step`` included),
    :meth:`register_update_hook` after each parameter's update; ``bp.optim`` has the global
    counterparts (``register_optimizer_step_pre_hook``, ...), per thread.
    """

    update = None
    flags = ()  # the hyperparameters that are bools, read from each subclass's __init__ when it is created
    hyperparameters = ()
    algorithm = ""
    intermediates = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "algorithm" in cls.__dict__:
            cls.algorithm = inspect.cleandoc(cls.algorithm)  # written indented in the class body
        if "step" in cls.__dict__:
            cls.step = with_step_hooks(cls.__dict__["step"])
        cls.flags = flag_names(cls.__init__)
        if "update" in cls.__dict__ and cls.update is not None:
            params = list(inspect.signature(cls.update).parameters)[3:]
            if tuple(params) != tuple(cls.hyperparameters):
                raise TypeError(f"{cls.__name__}.hyperparameters is {cls.hyperparameters}, but "
                                f"{cls.update.__name__} takes {tuple(params)} after (param, grad, state)")
            if cls.algorithm and cls.update.__doc__ and "\nAlgorithm\n" not in cls.update.__doc__:
                cls.update.__doc__ = _with_algorithm(cls.update.__doc__, cls.algorithm)
        if cls.algorithm and cls.__doc__:
            cls.__doc__ = _with_algorithm(cls.__doc__, cls.algorithm)

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = {}
        self.param_groups = []
        self._update_hooks = {}
        self._step_pre_hooks = {}
        self._step_post_hooks = {}
        self._in_step = False
        if isinstance(params, Tensor):
            raise TypeError("params should be an iterable of Tensors or dicts, but got a single Tensor: "
                            "wrap it in a list")
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def _validate(self, group):
        """Raise ``ValueError`` naming any bad hyperparameter of ``group`` other than ``lr`` and the flags;
        subclasses override."""

    def _check_group(self, group):
        """The checks of every group, whichever way it comes (constructor, :meth:`add_param_group`,
        :meth:`load_state_dict`): ``lr`` a finite number ≥ 0, the flags bools, then :meth:`_validate`."""
        if "lr" in group:
            check_nonnegative(group, "lr")
        check_flags(group, self.flags)
        self._validate(group)

    def add_param_group(self, param_group):
        """Add a group of parameters, with its own hyperparameters (the others from ``defaults``).

        Useful to train new layers with their own learning rate, or to unfreeze layers while training.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"a parameter group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group["params"]  # KeyError('params'), as PyTorch: a group without it would train nothing
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError("parameters must be given in an ordered collection (a list), not a set: "
                            "the order of a set changes between runs")
        group["params"] = params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"an optimizer can only optimize Tensors, but one of the params is a "
                                f"{type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor: optimize the leaves it was computed from")
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)
        _check_no_repeats(params, self.param_groups)
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to ``None`` (default), or to zeros in place, so that
        the next backward accumulates into the same arrays (see :func:`backprop.autograd.graph.zero_grad`).
        """
        zero_grad((p for group in self.param_groups for p in group["params"]), set_to_none)

    @with_step_hooks
    def step(self, closure=None):
        """Update every parameter that has a gradient, in place; returns ``closure()``'s loss if given.

        Parameters
        ----------
        closure : callable, optional
            Re-evaluates the model and returns the loss (with gradients recorded), as in PyTorch.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        found = UPDATE_HOOKS.get()
        hooks = (*self._update_hooks.values(), *(hook for _, hook in found)) if found else \
            tuple(self._update_hooks.values())
        update, state = self.update, self.state
        recorder = current_recorder()  # a captured step (bp.jit) repeats each update call in its replays
        # Positionally, in the update function's order: a call with keywords costs more, and this one
        # is made for every parameter at every step.
        names = self.hyperparameters
        for index, group in enumerate(self.param_groups):
            hyper = [group[name] for name in names]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                grad, data = grad.data, p.data
                if grad.shape != data.shape:  # .grad's setter checks; p.data may have been replaced since
                    raise ValueError(f"{type(self).__name__}.step: a gradient of shape {grad.shape} was "
                                     f"set for a parameter of shape {p.shape}")
                before = data.copy() if hooks else None
                param_state = state.get(p)
                if param_state is None:
                    param_state = state[p] = {}
                if recorder is not None:  # first: the recorder checks what the update is about to read
                    recorder.update(self, update, p, grad, group)
                info = update(data, grad, param_state, *hyper)
                increment_version(p)
                if recorder is not None:
                    recorder.wrote(data)
                if hooks:
                    where = f"after {type(self).__name__}'s update of a parameter"
                    for hook in hooks:
                        call_hook(hook, self, p, dict(info, group=index, param_before=before, grad=grad),
                                  where=where)
        return loss

    def register_step_pre_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` before each :meth:`step` (PyTorch's method).

        ``args`` is the call's whole positional tuple, the optimizer first, as in PyTorch; the hook may
        return ``(new_args, new_kwargs)`` to replace them. Runs after the global pre hooks
        (``bp.optim.register_optimizer_step_pre_hook``). Returns a
        :class:`~backprop.autograd.hooks.RemovableHandle`.
        """
        return add_to_dict(self._step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """Call ``hook(optimizer, args, kwargs)`` after each :meth:`step` (PyTorch's method).

        Runs before the global post hooks. Returns a :class:`~backprop.autograd.hooks.RemovableHandle`.
        """
        return add_to_dict(self._step_post_hooks, hook)

    def register_update_hook(self, hook):
        """Call ``hook(optimizer, param, info)`` after each parameter's update in :meth:`step` (for traces).

        ``info`` is a dict: the update function's intermediates (the keys of :attr:`intermediates`, e.g.
        Adam's ``step``, ``g``, ``m``, ``v``, ``m_hat``, ``v_hat``, ``delta``) plus ``group`` (the group's
        index), ``param_before`` (a copy of the values before the update) and ``grad`` (the gradient
        used). Arrays in ``info`` may be the optimizer's own state arrays, which later steps change: copy
        what you keep. This optimizer's update hooks run before the global ones
        (``bp.optim.register_optimizer_update_hook``). Returns a
        :class:`~backprop.autograd.hooks.RemovableHandle`.
        """
        return add_to_dict(self._update_hooks, hook)

    def state_dict(self):
        """The optimizer's state in PyTorch's layout, with copied arrays.

        ``{'state': {index: {name: array or int}}, 'param_groups': [{..., 'params': [index, ...]}]}``,
        where parameters are numbered in order across the groups.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: {k: _copy_value(v) for k, v in s.items()}
                 for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict` (also a ``torch.optim`` state dict of the same optimizer).

        The groups' hyperparameters are replaced by the saved ones; the state arrays are copied and
        cast to their parameter's dtype, so that training continues exactly where it stopped.
        """
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(f"loaded state dict has {len(saved_groups)} parameter groups, but the optimizer "
                             f"has {len(self.param_groups)}")
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(f"loaded state dict's parameter group {i} has {len(saved['params'])} "
                                 f"parameters, but the optimizer's has {len(group['params'])}")
        params = {i: p for saved, group in zip(saved_groups, self.param_groups)
                  for i, p in zip(saved["params"], group["params"])}
        state = {}
        for key, values in state_dict["state"].items():
            try:
                p = params[int(key)]
            except (KeyError, TypeError, ValueError):
                raise ValueError(f"loaded state dict holds state for parameter {key!r}, which none of its "
                                 f"parameter groups lists") from None
            state[p] = {name: _load_value(name, v, p, key) for name, v in values.items()}
        new_groups = []
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            new = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            for name, default in self.defaults.items():  # an older state dict: as PyTorch's __setstate__
                new.setdefault(name, default)
            try:  # a tampered file must not set lr='x' or a negative lr (gradient ascent)
                self._check_group(new)
            except (TypeError, ValueError) as e:
                raise ValueError(f"loaded state dict's parameter group {i}: {e}") from None
            new["params"] = group["params"]
            new_groups.append(new)
        self.state, self.param_groups = state, new_groups

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines + [")"])


def _check_no_repeats(params, groups):
    """Raise ``ValueError`` naming the index of a parameter listed twice in ``params`` or already in ``groups``.

    PyTorch's wording; stricter than PyTorch, which only warns about a repeat within a group and then updates
    that parameter twice a step.
    """
    where = {id(p): (g, i) for g, group in enumerate(groups) for i, p in enumerate(group["params"])}
    new = len(groups)
    for i, p in enumerate(params):
        if id(p) in where:
            g, first = where[id(p)]
            problem = ("optimizer contains a parameter group with duplicate parameters" if g == new else
                       "some parameters appear in more than one parameter group")
            raise ValueError(f"{problem}: parameter {i} of parameter group {new} (shape {tuple(p.shape)}) is "
                             f"already parameter {first} of parameter group {g}; list each parameter once")
        where[id(p)] = (new, i)


def _with_algorithm(doc, algorithm):
    """``doc`` with an "Algorithm" section showing ``algorithm`` as a literal block."""
    body = "\n".join("    " + line if line else "" for line in inspect.cleandoc(algorithm).splitlines())
    return inspect.cleandoc(doc) + "\n\nAlgorithm\n---------\n::\n\n" + body + "\n"


def _copy_value(value):
    return value.copy() if isinstance(value, np.ndarray) else copy.deepcopy(value)


def _load_value(name, value, param, key):
    """A saved state entry as ours: ``step`` an int, arrays (ndarray, Tensor, torch tensor) copied in the
    parameter's dtype, with shape, dtype and values checked (a tampered file would train on NaN)."""
    if value is None:  # PyTorch's SGD keeps momentum_buffer=None when momentum is 0
        return None
    if isinstance(value, Tensor):
        value = value.data
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"state {name!r} of parameter {key} is not numeric (dtype {array.dtype}): {value!r}")
    if not np.isfinite(array).all():
        raise ValueError(f"state {name!r} of parameter {key} holds non-finite values (NaN or infinity)")
    if name == "step":  # PyTorch keeps it as a float tensor, tensor(3.)
        if array.shape != () or array < 0 or array != np.floor(array):
            raise ValueError(f"state 'step' of parameter {key} must be a non-negative integer, got {value!r}")
        return int(array.item())
    array = array.astype(param.dtype, copy=True)
    if array.shape != param.shape:
        raise ValueError(f"state {name!r} of parameter {key} has shape {array.shape}, but the parameter has "
                         f"shape {param.shape}")
    return array

"""``trace``: record every number of a forward pass, a backward pass and optimizer steps.

>>> import backprop as bp
>>> x = bp.tensor(1.0, requires_grad=True); y = bp.tensor(2.0, requires_grad=True)
>>> with bp.explain.trace(names={"x": x, "y": y}) as tr:
...     f = x**2 + x*y + (x + y)**2
...     f.backward()
>>> [s["output"]["name"] for s in tr.forward]
['v1', 'v2', 'v3', 'v4', 'v5', 'v6']
>>> tr.gradients[0]["name"], float(tr.gradients[0]["grad"])
('x', 10.0)

Inside the context, an op observer (:func:`backprop.autograd.graph.register_op_observer`) and an
optimizer update hook report each op call, each node's backward and each parameter update; the
trace copies the numbers and reads the formulas from the graph's nodes (``node.backward_formulas``,
one per input). Both watch the thread (or asyncio task) that entered the trace, and are removed on
leaving it: outside any trace nothing is recorded.

An op call whose result was written into one of its inputs (``W -= lr * W.grad``, ``h += 1``,
``t.copy_(s)``) is an in-place update: its event has kind ``'inplace_update'`` and names the updated
tensor, which keeps its name. The trace recognises it when the next event comes (or the trace
ends): the call's result is gone and an input's version (``tensor._version``) went up, its values
now those of the result (or, when recorded, its ``grad_fn`` the call's node). A call that did not
enter the graph carries a ``reason`` code: ``'no_grad'`` (grad mode was off: ``bp.no_grad``,
``inference_mode``), ``'no_input_requires_grad'`` or ``'not_differentiable'``.
"""
import json
import weakref

from ..autograd.graph import AccumulateGrad, register_op_observer
from ..autograd.tensor import Tensor
from ..optim.optimizer import register_optimizer_update_hook
from . import _trace_values as V, render
from .i18n import labels
from .recording import formulas_at, unrecorded_reason

__all__ = ["Trace", "trace"]

_AUTO, _GIVEN = 0, 1  # where a tensor's name came from: numbered by the trace, or given by the user


def trace(model=None, names=None, threshold=16, precision=6):
    """A context manager recording every number of the computations inside it.

    Parameters
    ----------
    model : Module, optional
        Its parameters are named as in ``model.named_parameters()`` (``'0.weight'`` …).
    names : dict of str → Tensor, optional
        Names for other tensors, such as the data: ``names={"x": x, "y": y}``.
    threshold : int, default 16
        Arrays with at most this many elements are shown whole in the rendered views; larger
        ones are summarised by shape, mean, min, max and their first elements. JSON holds all.
    precision : int, default 6
        Significant digits of the numbers shown in the rendered views.

    Returns
    -------
    Trace
        Use it as ``with bp.explain.trace() as tr: ...``, then ``print(tr)``, ``tr.to_markdown()``,
        ``tr.to_latex()`` or ``tr.to_json()``, each with ``lang='en'`` or ``lang='ru'``.

    Notes
    -----
    Tensors are named, in this order of preference, by ``names``, by ``model``, by ``tensor.name``
    (also when set after the op, while the tensor is alive at the end of the trace), else
    automatically: ``x0, x1, …`` for tensors made outside the trace and ``vk`` for the output of
    the trace's k-th op. Under ``backward(create_graph=True)`` the ops of the backward formulas are
    themselves recorded, as forward steps.
    """
    return Trace(model=model, names=names, threshold=threshold, precision=precision)


class Trace:
    """The record made by :func:`trace`: forward steps, backward steps and optimizer updates, in order.

    Attributes
    ----------
    forward, backward, updates : list of dict
        The steps of each kind, with NumPy arrays (see :meth:`to_dict` for their fields).
    gradients : list of dict
        ``name``, ``value``, ``grad`` of every leaf that requires grad and has a gradient, at the
        end of the trace (live while it is active).
    """

    def __init__(self, model=None, names=None, threshold=16, precision=6):
        self.threshold, self.precision = threshold, precision
        self._events = []
        self._labels = []  # key → [name, source]
        self._tensors = {}  # id(tensor) → (weak reference, key)
        self._nodes = {}  # id(graph node) → (weak reference, forward step number, key of its output)
        self._counts = {"x": 0, "v": 0}
        self._active = False
        self._gradients = []
        self._handles = ()
        self._owners = {}  # key → weak reference to the tensor first given that key
        self._pending = None  # the last op call, until it is known whether it updated an input in place
        given = dict(model.named_parameters()) if model is not None else {}
        given.update(names or {})
        for name, t in given.items():
            if not isinstance(t, Tensor):
                raise TypeError(f"trace: names must map names to Tensors, but {name!r} is a "
                                f"{type(t).__name__}")
            key = self._key(t, name, _GIVEN)
            if t.grad_fn is not None:  # an output computed before the trace, whose backward it may see
                self._nodes[id(t.grad_fn)] = (weakref.ref(t.grad_fn), None, key)

    # -- recording ----------------------------------------------------------------------------
    def __enter__(self):
        if self._active:
            raise RuntimeError("this trace is already active")
        self._handles = (register_op_observer(on_forward=self._on_forward, on_backward=self._on_backward),
                         register_optimizer_update_hook(self._on_update))
        self._active = True
        return self

    def __exit__(self, *exc_info):
        self._settle()
        for handle in self._handles:
            handle.remove()
        self._handles = ()
        self._active = False
        self._refresh_names()
        self._gradients = self._leaf_gradients()
        return False

    def _key(self, tensor, name=None, source=_AUTO):
        """The number under which ``tensor``'s name is kept, given one on first sight."""
        entry = self._tensors.get(id(tensor))
        if entry is not None and entry[0]() is tensor:
            return entry[1]
        if name is None and tensor.grad_fn is not None and not tensor.name:
            # A copy at a known node (an in-place op reads a snapshot of its target): the node's output name.
            node_entry = self._nodes.get(id(tensor.grad_fn))
            if node_entry is not None and node_entry[0]() is tensor.grad_fn:
                self._tensors[id(tensor)] = (weakref.ref(tensor), node_entry[2])
                return node_entry[2]
        if name is None:
            name = tensor.name or self._next_name("x")
            source = _GIVEN if tensor.name else source
        key = self._label(name, source)
        self._tensors[id(tensor)] = (weakref.ref(tensor), key)
        self._owners[key] = weakref.ref(tensor)
        return key

    def _label(self, name, source):
        self._labels.append([name, source])
        return len(self._labels) - 1

    def _next_name(self, prefix):
        name = f"{prefix}{self._counts[prefix]}"
        self._counts[prefix] += 1
        return name

    def _node_key(self, node):
        """(forward step, output key) of a graph node; the step is None for nodes made before the trace,
        whose output is named as given in ``names``, else automatically."""
        entry = self._nodes.get(id(node))
        if entry is not None and entry[0]() is node:
            return entry[1], entry[2]
        key = self._label(self._next_name("x"), _AUTO)
        self._nodes[id(node)] = (weakref.ref(node), None, key)
        return None, key

    def _edge_key(self, node):
        """The key of the tensor that a ``next_functions`` entry stands for: a leaf, an op's output or none."""
        if node is None:
            return None
        if isinstance(node, AccumulateGrad):
            return self._key(node.variable)
        return self._node_key(node)[1]

    def _on_forward(self, op, args, options, out, node, depth):
        if depth:
            return  # a helper op run by another op's forward: the outer op's step shows its formula
        self._settle()
        names = node.input_names if node is not None else op.input_names_for(len(args))
        forward, formulas = ((node.forward_formula, node.backward_formulas) if node is not None
                             else formulas_at(op, args, options))
        inputs, candidates = [], []
        for position, (param, a) in enumerate(zip(names, args)):
            if isinstance(a, Tensor):
                key = self._key(a)
                inputs.append({"param": param, "key": key, "value": a.data.copy(),
                               "requires_grad": a.requires_grad})
                # what the call may write into: the input itself, or the tensor a snapshot was taken of
                owner = self._owners.get(key)
                for t in dict.fromkeys(x for x in (a, owner() if owner is not None else None) if x is not None):
                    candidates.append((weakref.ref(t), t._version, key, position))
            else:
                inputs.append({"param": param, "key": None, "value": V.copy(a), "requires_grad": False})
        self._counts["v"] += 1
        step = self._counts["v"]
        key = self._key(out, out.name or f"v{step}", _GIVEN if out.name else _AUTO)
        if node is not None:
            self._nodes[id(node)] = (weakref.ref(node), step, key)
        event = {"kind": "forward", "step": step, "op": op.__name__, "formula": forward,
                 "backward_formula": V.joined(formulas.get(n) for n in names),
                 "recorded": node is not None, "reason": None if node is not None else unrecorded_reason(op, args),
                 "inputs": inputs, "options": {k: V.copy(v) for k, v in options.items()},
                 "intermediates": {} if node is None else {
                     name: {"formula": f, "value": V.copy(v)} for name, (f, v) in node.intermediates.items()},
                 "output": {"key": key, "value": out.data.copy()}}
        self._events.append(event)
        if candidates:
            self._pending = (event, weakref.ref(out), candidates,
                             None if node is None else weakref.ref(node))

    def _settle(self):
        """Decide whether the last op call updated one of its inputs in place (see the module's notes)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        event, out_ref, candidates, node_ref = pending
        if out_ref() is not None:
            return  # its result lives on: an ordinary call
        node = None if node_ref is None else node_ref()
        after = event["output"]["value"]
        for ref, version, key, position in candidates:
            t = ref()
            if t is None or t._version <= version:
                continue
            if node_ref is not None:
                hit = node is not None and t.grad_fn is node
            else:
                hit = V.same_values(t.data, after)
            if hit:
                self._inplace(event, t, key, position, node)
                return

    def _inplace(self, event, target, key, position, node):
        """Turn a forward event into the in-place update of ``target`` (which keeps its name)."""
        out_key = event["output"]["key"]
        if node is None:
            if event["step"] == self._counts["v"]:
                self._counts["v"] -= 1  # no new value is named: the next op's output takes its number
            event["step"] = None
        else:
            self._nodes[id(node)] = (weakref.ref(node), event["step"], key)
        for tid, (ref, k) in list(self._tensors.items()):
            if k == out_key and ref() is None:
                del self._tensors[tid]
        event.update(kind="inplace_update", key=key, target_param=event["inputs"][position]["param"],
                     before=event["inputs"][position]["value"], after=target.data.copy())
        event["output"] = {"key": key, "value": event["after"]}

    def _on_backward(self, node, grad_output, input_grads):
        self._settle()
        step, key = self._node_key(node)
        formulas = node.backward_formulas
        inputs = []
        for param, (edge, _), g in zip(node.input_names, node.next_functions, input_grads):
            inputs.append({"param": param, "key": self._edge_key(edge), "grad": None if g is None else V.copy(g),
                           "formula": formulas.get(param, "") if g is not None else ""})
        self._events.append({"kind": "backward", "node": step, "op": node.op.__name__,
                             "formula": V.joined(i["formula"] for i in inputs), "output": {"key": key},
                             "grad_output": V.copy(grad_output), "inputs": inputs})

    def _on_update(self, optimizer, param, info):
        self._settle()
        info = dict(info)
        group = info.pop("group")
        hyper = {k: v for k, v in optimizer.param_groups[group].items() if k != "params"}
        self._events.append({"kind": "update", "optimizer": type(optimizer).__name__, "key": self._key(param),
                             "group": group, "hyperparameters": hyper,
                             "formula": V.algorithm(type(optimizer)),
                             "before": info.pop("param_before"), "grad": V.copy(info.pop("grad")),
                             "state": {k: V.copy(v) for k, v in info.items()}, "after": param.data.copy()})

    # -- names and results ----------------------------------------------------------------------
    def _refresh_names(self):
        """Take up ``tensor.name`` set after the tensor was recorded, for tensors still alive."""
        for ref, key in self._tensors.values():
            t = ref()
            if t is not None and t.name and self._labels[key][1] == _AUTO:
                self._labels[key] = [t.name, _GIVEN]

    def _name(self, key):
        return None if key is None else self._labels[key][0]

    def _leaf_gradients(self):
        rows = []
        for ref, key in sorted(self._tensors.values(), key=lambda e: e[1]):
            t = ref()
            if t is not None and t.is_leaf and t.requires_grad and t.grad is not None:
                rows.append({"name": self._name(key), "value": t.data.copy(), "grad": V.copy(t.grad)})
        return rows

    def _resolved(self):
        """The events with names in place of keys, shapes added, NumPy arrays kept."""
        if self._active:
            self._settle()
            self._refresh_names()
        return V.resolved(self._events, self._name)

    def _of_kind(self, kind):
        return [e for e in self._resolved() if e["kind"] == kind]

    @property
    def events(self):
        """Every step in the order it happened (``kind``: forward, inplace_update, backward, update), as dicts
        with names in place of tensors; the views (``bp.explain.render``) take this list."""
        return self._resolved()

    @property
    def forward(self):
        return self._of_kind("forward")

    @property
    def backward(self):
        return self._of_kind("backward")

    @property
    def updates(self):
        return self._of_kind("update")

    @property
    def gradients(self):
        return self._leaf_gradients() if self._active else self._gradients

    # -- renderings ---------------------------------------------------------------------------
    def to_dict(self):
        """Everything recorded, as plain Python (arrays as nested lists), enough to recompute each step.

        ``{'format': 'backprop.explain.trace', 'version': 1, 'events': [...], 'gradients': [...]}``.
        Each event has ``kind`` (``'forward'``, ``'inplace_update'``, ``'backward'`` or ``'update'``)
        and ``index`` (its position, from 1). A forward event: ``step`` (k of the output's name
        ``vk``), ``op``, ``formula``, ``backward_formula`` (both as applied at this call),
        ``recorded`` (whether it entered the graph), ``reason`` (None when recorded, else
        ``'no_grad'``, ``'no_input_requires_grad'`` or ``'not_differentiable'``), ``inputs``
        (``param``: the name in the op's formula, ``name``: the tensor's, None for constants,
        ``value``, ``shape``), ``options``, ``intermediates`` (a fused op's intermediate values:
        name → ``formula``, ``value``), ``output`` (``name``, ``value``, ``shape``, ``dtype``),
        ``grad_shape``. An in-place update (a call whose result was written into an input) has a
        forward event's fields (``step`` None when not recorded) and ``name`` (the updated
        tensor's), ``target_param``, ``before``, ``after``, ``shape``. A backward event: ``node``
        (the forward step whose backward ran, None if recorded before the trace), ``op``,
        ``formula``, ``output`` (``name``, ``shape``), ``grad_output`` (the upstream gradient),
        ``inputs`` (``param``, ``name``, ``grad``: the gradient passed on, summed to the input's
        shape, or None; ``formula``: that input's backward formula, "" where no gradient flowed;
        ``shape``); its ``formula`` joins the inputs' formulas. An update event: ``optimizer``,
        ``param``, ``group``, ``hyperparameters``, ``formula``, ``before``, ``grad``, ``state``
        (the update's intermediates), ``after``, ``shape``.
        """
        return {"format": "backprop.explain.trace", "version": 1, "events": V.plain(self._resolved()),
                "gradients": V.plain(self.gradients)}

    def to_json(self, lang="en", indent=None):
        """:meth:`to_dict` as JSON text, with the section titles in ``lang`` under ``'labels'``."""
        words = labels(lang)
        data = dict(self.to_dict(), lang=lang,
                    labels={k: words[k] for k in ("forward", "inplace_update", "backward", "update", "gradients")
                            if k in words})
        return json.dumps(data, ensure_ascii=False, indent=indent)

    def _options(self, threshold, precision):
        return {"threshold": self.threshold if threshold is None else threshold,
                    "precision": self.precision if precision is None else precision}

    def to_text(self, lang="en", threshold=None, precision=None, width=100, layout="blocks"):
        """The console view in ``lang``: one block per step (``layout="blocks"``, lines of at most ``width``
        columns unless one unbreakable token is longer), or a wide table per phase (``layout="table"``)."""
        return render.to_text(self._resolved(), self.gradients, lang, **self._options(threshold, precision),
                              width=width, layout=layout)

    def to_markdown(self, lang="en", threshold=None, precision=None):
        """Markdown tables, as :meth:`to_text`."""
        return render.to_markdown(self._resolved(), self.gradients, lang,
                                  **self._options(threshold, precision))

    def to_latex(self, lang="en", threshold=None, precision=None, standalone=False):
        """LaTeX tables with the formulas in math mode, for a write-up (needs ``amsmath``).

        ``standalone=True`` wraps them in a complete document (with Cyrillic fonts for ``'ru'``).
        """
        return render.to_latex(self._resolved(), self.gradients, lang, standalone=standalone,
                               **self._options(threshold, precision))

    def __str__(self):
        return self.to_text()

    def _repr_markdown_(self):
        return self.to_markdown()

    def __repr__(self):
        kinds = ("forward", "inplace_update", "backward", "update")
        counts = {k: sum(e["kind"] == k for e in self._events) for k in kinds}
        inplace = f"{counts['inplace_update']} in-place, " if counts["inplace_update"] else ""
        return (f"<Trace: {counts['forward']} forward, {inplace}{counts['backward']} backward, "
                f"{counts['update']} optimizer steps{', active' if self._active else ''}>")

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
"""
import json
import numbers
import weakref

import numpy as np

from ..autograd.graph import AccumulateGrad, register_op_observer
from ..autograd.tensor import Tensor
from ..optim.optimizer import register_optimizer_update_hook
from . import render
from .i18n import labels

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


def _copy(value):
    """A copy of an array or Tensor's values (a Tensor gradient under create_graph gives its array)."""
    if isinstance(value, Tensor):
        value = value.data
    return np.array(value, copy=True) if isinstance(value, (np.ndarray, np.generic)) else value


def _joined(formulas):
    """The distinct formulas, in order, as one line (an op declaring one formula for every input shows it once)."""
    return ",  ".join(dict.fromkeys(f for f in formulas if f))


def _algorithm(optimizer_class):
    """The optimizer's update as pseudo-code: its declared ``algorithm`` ("" when it declares none)."""
    return getattr(optimizer_class, "algorithm", "") or ""


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
        if name is None:
            name = tensor.name or self._next_name("x")
            source = _GIVEN if tensor.name else source
        key = self._label(name, source)
        self._tensors[id(tensor)] = (weakref.ref(tensor), key)
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
        names = node.input_names if node is not None else op.input_names_for(len(args))
        formulas = node.backward_formulas if node is not None else op.formulas()[1]
        inputs = []
        for param, a in zip(names, args):
            if isinstance(a, Tensor):
                inputs.append({"param": param, "key": self._key(a), "value": a.data.copy(),
                               "requires_grad": a.requires_grad})
            else:
                inputs.append({"param": param, "key": None, "value": _copy(a), "requires_grad": False})
        self._counts["v"] += 1
        step = self._counts["v"]
        key = self._key(out, out.name or f"v{step}", _GIVEN if out.name else _AUTO)
        if node is not None:
            self._nodes[id(node)] = (weakref.ref(node), step, key)
        self._events.append({"kind": "forward", "step": step, "op": op.__name__,
                             "formula": node.forward_formula if node is not None else op.formulas()[0],
                             "backward_formula": _joined(formulas.get(n) for n in names),
                             "recorded": node is not None,
                             "inputs": inputs, "options": {k: _copy(v) for k, v in options.items()},
                             "intermediates": {} if node is None else {
                                 name: {"formula": f, "value": _copy(v)}
                                 for name, (f, v) in node.intermediates.items()},
                             "output": {"key": key, "value": out.data.copy()}})

    def _on_backward(self, node, grad_output, input_grads):
        step, key = self._node_key(node)
        formulas = node.backward_formulas
        inputs = []
        for param, (edge, _), g in zip(node.input_names, node.next_functions, input_grads):
            inputs.append({"param": param, "key": self._edge_key(edge), "grad": None if g is None else _copy(g),
                           "formula": formulas.get(param, "") if g is not None else ""})
        self._events.append({"kind": "backward", "node": step, "op": node.op.__name__,
                             "formula": _joined(i["formula"] for i in inputs), "output": {"key": key},
                             "grad_output": _copy(grad_output), "inputs": inputs})

    def _on_update(self, optimizer, param, info):
        info = dict(info)
        group = info.pop("group")
        hyper = {k: v for k, v in optimizer.param_groups[group].items() if k != "params"}
        self._events.append({"kind": "update", "optimizer": type(optimizer).__name__, "key": self._key(param),
                             "group": group, "hyperparameters": hyper,
                             "formula": _algorithm(type(optimizer)),
                             "before": info.pop("param_before"), "grad": _copy(info.pop("grad")),
                             "state": {k: _copy(v) for k, v in info.items()}, "after": param.data.copy()})

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
                rows.append({"name": self._name(key), "value": t.data.copy(), "grad": _copy(t.grad)})
        return rows

    def _resolved(self):
        """The events with names in place of keys, shapes added, NumPy arrays kept."""
        if self._active:
            self._refresh_names()
        grad_shapes = {e["node"]: np.shape(e["grad_output"]) for e in self._events if e["kind"] == "backward"}
        out = []
        for index, e in enumerate(self._events, 1):
            r = {"index": index}
            r.update({k: v for k, v in e.items() if k not in ("inputs", "output", "key")})
            if e["kind"] == "forward":
                r["inputs"] = [{"param": i["param"], "name": self._name(i["key"]), "value": i["value"],
                                    "shape": _shape(i["value"]), "requires_grad": i["requires_grad"]}
                               for i in e["inputs"]]
                value = e["output"]["value"]
                r["output"] = {"name": self._name(e["output"]["key"]), "value": value, "shape": value.shape,
                               "dtype": str(value.dtype)}
                r["grad_shape"] = grad_shapes.get(e["step"])
            elif e["kind"] == "backward":
                r["output"] = {"name": self._name(e["output"]["key"]), "shape": np.shape(e["grad_output"])}
                r["inputs"] = [{"param": i["param"], "name": self._name(i["key"]), "grad": i["grad"],
                                "formula": i["formula"], "shape": None if i["grad"] is None else np.shape(i["grad"])}
                               for i in e["inputs"]]
            else:
                r["param"], r["shape"] = self._name(e["key"]), e["after"].shape
            out.append(r)
        return out

    def _of_kind(self, kind):
        return [e for e in self._resolved() if e["kind"] == kind]

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
        Each event has ``kind`` (``'forward'``, ``'backward'`` or ``'update'``) and ``index`` (its
        position, from 1). A forward event: ``step`` (k of the output's name ``vk``), ``op``,
        ``formula``, ``backward_formula``, ``recorded`` (whether it entered the graph), ``inputs``
        (``param``: the name in the op's formula, ``name``: the tensor's, None for constants,
        ``value``, ``shape``), ``options``, ``intermediates`` (a fused op's intermediate values:
        name → ``formula``, ``value``), ``output`` (``name``, ``value``, ``shape``, ``dtype``),
        ``grad_shape``. A backward event: ``node`` (the forward step whose backward ran, None if
        recorded before the trace), ``op``, ``formula``, ``output`` (``name``, ``shape``),
        ``grad_output`` (the upstream gradient), ``inputs`` (``param``, ``name``, ``grad``: the
        gradient passed on, summed to the input's shape, or None; ``formula``: that input's backward
        formula, "" where no gradient flowed; ``shape``); its ``formula`` joins the inputs' formulas. An update event:
        ``optimizer``, ``param``, ``group``, ``hyperparameters``, ``formula``, ``before``, ``grad``,
        ``state`` (the update's intermediates), ``after``, ``shape``.
        """
        return {"format": "backprop.explain.trace", "version": 1, "events": _plain(self._resolved()),
                "gradients": _plain(self.gradients)}

    def to_json(self, lang="en", indent=None):
        """:meth:`to_dict` as JSON text, with the section titles in ``lang`` under ``'labels'``."""
        words = labels(lang)
        data = dict(self.to_dict(), lang=lang,
                    labels={k: words[k] for k in ("forward", "backward", "update", "gradients")})
        return json.dumps(data, ensure_ascii=False, indent=indent)

    def _options(self, threshold, precision):
        return {"threshold": self.threshold if threshold is None else threshold,
                    "precision": self.precision if precision is None else precision}

    def to_text(self, lang="en", threshold=None, precision=None):
        """A console table per phase (forward, backward, optimizer step), in ``lang``."""
        return render.to_text(self._resolved(), self.gradients, lang, **self._options(threshold, precision))

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
        counts = {k: sum(e["kind"] == k for e in self._events) for k in ("forward", "backward", "update")}
        return (f"<Trace: {counts['forward']} forward, {counts['backward']} backward, "
                f"{counts['update']} optimizer steps{', active' if self._active else ''}>")


def _shape(value):
    """The shape of an array or number; None for other constants (axes, None, strings)."""
    numeric = isinstance(value, (np.ndarray, np.generic, numbers.Number)) and not isinstance(value, bool)
    return np.shape(value) if numeric else None


def _plain(value):
    """``value`` as JSON-ready Python: arrays as nested lists, tuples as lists, other objects by repr."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist() if value.dtype.kind in "biuf" else str(value)
    if value is None or isinstance(value, (bool, str, numbers.Integral, numbers.Real)):
        return value
    return getattr(value, "__name__", None) or repr(value)

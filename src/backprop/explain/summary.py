"""A model summary like Keras's ``model.summary()``: layers, output shapes, parameter counts, trainability.

The problem book's network with 12 inputs and hidden layers of 300, 200 and 100 neurons::

    >>> import backprop as bp
    >>> nn = bp.nn
    >>> model = nn.Sequential(nn.Linear(12, 300), nn.ReLU(), nn.Linear(300, 200), nn.ReLU(),
    ...                       nn.Linear(200, 100), nn.ReLU(), nn.Linear(100, 1))
    >>> bp.explain.summary(model, (1, 12)).total_params  # (12+1)·300 + (300+1)·200 + (200+1)·100 + 101
    84301

Also :func:`watch_calls`, which the diagnostics and the model gradient check use to see every
layer's input and output during a forward pass (through the layers' forward hooks).
"""
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from ..autograd.dtypes import get_default_dtype
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..nn.linear import Linear
from . import _format as fmt
from .i18n import labels

__all__ = ["LayerSummary", "ModelSummary", "summary", "watch_calls"]


def layers(model):
    """(name, module) of the modules a summary lists: those without submodules, and any with its own
    parameters; the model itself is called ``model`` when it is such a module."""
    found = []
    for name, m in model.named_modules():
        has_children = any(True for _ in m.children())
        if not has_children or any(True for _ in m.parameters(recurse=False)):
            found.append((name or "model", m))
    return found


@contextmanager
def watch_calls(model, callback):
    """Call ``callback(name, module, inputs, output)`` after each call of a layer of ``model`` (see
    :func:`layers`) while the block runs; the hooks are removed afterwards, also on errors.

    It registers a forward hook on each layer (:meth:`~backprop.nn.Module.register_forward_hook`),
    which works for any module (``Sequential`` or a custom ``forward``) without changing it.
    """
    handles = []

    def hook_for(name):
        def hook(module, args, output):
            callback(name, module, args, output)
        return hook

    try:
        for name, module in layers(model):
            handles.append(module.register_forward_hook(hook_for(name)))
        yield
    finally:
        for handle in handles:
            handle.remove()


@dataclass
class LayerSummary:
    """One row of a summary."""
    name: str
    type: str
    output_shape: tuple  # None when the layer was not called
    params: int
    trainable: int
    formula: str  # how the count comes about: "(12 + 1)·300" for a Linear layer

    @property
    def trainable_text(self):
        return self.trainable_in("en")

    def trainable_in(self, lang):
        """'yes', 'no' or 'partly' (every, none or some of the layer's parameters trained) in ``lang``."""
        if self.params == 0:
            return "—"
        key = "yes" if self.trainable == self.params else ("no" if self.trainable == 0 else "partly")
        return labels(lang)[key]


def _formula(module):
    own = [p for p in module.parameters(recurse=False)]
    if isinstance(module, Linear) and module.weight is not None:
        n_in, n_out = module.in_features, module.out_features
        return f"({n_in} + 1)·{n_out}" if module.bias is not None else f"{n_in}·{n_out}"
    return " + ".join("·".join(map(str, p.shape)) or "1" for p in own)


class ModelSummary:
    """The rows and totals of :func:`summary`; ``print`` it for the table.

    Attributes
    ----------
    rows : list of LayerSummary
        In the order the layers were called (layers never called come last).
    total_params, trainable_params, non_trainable_params : int
        Counted over the model's parameters (a shared parameter once); trainable means
        ``requires_grad``. Buffers (batch norm's running statistics) are not parameters:
        ``buffer_elements`` counts them.
    input_shape : tuple or None
    """

    def __init__(self, model, rows, input_shape, lang="en"):
        self.rows, self.input_shape, self.lang = rows, input_shape, lang
        params = list(model.parameters())
        self.total_params = sum(p.numel() for p in params)
        self.trainable_params = sum(p.numel() for p in params if p.requires_grad)
        self.non_trainable_params = self.total_params - self.trainable_params
        self.buffer_elements = sum(b.numel() for b in model.buffers())
        self.model_name = type(model).__name__

    def _cells(self):
        return [(f"{r.name} ({r.type})", "—" if r.output_shape is None else fmt.shape(r.output_shape),
                 fmt.count(r.params), (f"= {r.formula}" if any(c in r.formula for c in "+·") else ""),
                 r.trainable_in(self.lang))
                for r in self.rows]

    def _footer(self):
        words = labels(self.lang)
        lines = [f"{words['total_params']}: {fmt.count(self.total_params)}",
                 f"{words['trainable_params']}: {fmt.count(self.trainable_params)}",
                 f"{words['non_trainable_params']}: {fmt.count(self.non_trainable_params)}"]
        if self.buffer_elements:
            lines.append(f"{words['buffers']}: {fmt.count(self.buffer_elements)}")
        return lines

    def _header(self):
        return list(labels(self.lang)["summary_header"])

    def __str__(self):
        words = labels(self.lang)
        head = f'{words["model"]}: "{self.model_name}"' + (
            "" if self.input_shape is None else f", {words['input_shape']} {fmt.shape(self.input_shape)}")
        body = fmt.table(self._header(), self._cells(), ["<", "<", ">", "<", "<"])
        return "\n".join([head, body, "-" * fmt.width(body.split("\n")[1])] + self._footer())

    __repr__ = __str__

    def to_markdown(self):
        lines = ["| " + " | ".join(self._header()) + " |", "|---|---|---:|---|---|"]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |" for cells in self._cells()]
        return "\n".join(lines + [""] + [f"- {line}" for line in self._footer()])


def _shape_of(out):
    return tuple(out.shape) if isinstance(out, (Tensor, np.ndarray)) else None


def summary(model, input_size=None, *, input=None, dtype=None, lang="en"):
    """Summarise ``model``: each layer's output shape, parameter count and whether it is trained.

    Parameters
    ----------
    model : bp.nn.Module
    input_size : tuple of int, optional
        The shape of an input batch, batch axis first (``(1, 12)``), as ``torchinfo.summary``; a
        forward pass on random values of that shape gives the output shapes.
    input : Tensor or array_like, optional
        A sample batch to run instead of random values.
    dtype : numpy dtype, optional
        The dtype of the random input (default: the model's first parameter's, else the default float).
    lang : {'en', 'ru'}, default 'en'
        The language of the printed table (layer and type names stay).

    Returns
    -------
    ModelSummary

    Notes
    -----
    The forward pass runs in evaluation mode under ``bp.no_grad()``, so batch norm's running
    statistics, the random generator and the model's modes are left as they were. Without an
    input the output shapes are shown as "—".
    """
    labels(lang)
    shapes, order = {}, []
    if input is None and input_size is not None:
        if dtype is None:
            dtype = next((p.dtype for p in model.parameters()), get_default_dtype())
        input = Tensor(np.random.default_rng(0).standard_normal(tuple(input_size)).astype(dtype))
    if input is not None:
        # an array (a list becomes one) is converted by the model to its parameters' dtype
        input = input if isinstance(input, (Tensor, np.ndarray)) else np.asarray(input)

        def seen(name, module, args, out):
            if name not in shapes:
                shapes[name] = _shape_of(out)
                order.append(name)

        modes = [(m, m.training) for m in model.modules()]
        model.eval()
        try:
            with no_grad(), watch_calls(model, seen):
                model(input)
        finally:
            for m, mode in modes:
                object.__setattr__(m, "training", mode)
    listed = layers(model)
    rank = {name: i for i, name in enumerate(order)}
    listed.sort(key=lambda item: rank.get(item[0], len(rank)))
    rows = []
    for name, m in listed:
        own = list(m.parameters(recurse=False))
        rows.append(LayerSummary(name, type(m).__name__, shapes.get(name), sum(p.numel() for p in own),
                                 sum(p.numel() for p in own if p.requires_grad), _formula(m)))
    return ModelSummary(model, rows, None if input is None else tuple(input.shape), lang=lang)

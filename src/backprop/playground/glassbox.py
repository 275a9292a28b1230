"""The glass box: one training step on one point, in a copy of the session's network, traced by
``bp.explain.trace`` and rendered as HTML in the page's language.

The copy gets the session's weights and optimizer state, so its step is the step the session would take on
that point alone; the session itself is left as it was. Besides the trace (``to_dict`` and its HTML tables),
the page gets each neuron's value and the gradient of the loss with respect to it, to write on the drawing.
"""
import copy
import html
import numbers

import numpy as np

from .. import explain, tensor
from ..explain.i18n import labels
from ..explain.render import tables
from ..random import use_generator
from . import data
from .network import ACTIVATION_MODULES, build_model, build_optimizer, objective, targets


# Said above the tables when the network has batch norm, in the page's language.
EVAL_MODE_NOTE = {
    "en": "Batch norm cannot normalise a single point: this step runs in evaluation mode (running statistics, "
          "no dropout).",
    "ru": "Батч-нормализация не может нормировать одну точку: этот шаг выполнен в режиме оценки (накопленные "
          "статистики, без дропаута).",
}


def nearest_point(network, x, y):
    """The index (among all points) of the data point nearest to (x, y)."""
    return int(np.argmin(np.hypot(network.points.X[:, 0] - x, network.points.X[:, 1] - y)))


def copy_of(network):
    """A new model and optimizer holding the session's weights and optimizer state (the session untouched)."""
    settings = network.settings
    with use_generator(0):  # the copy's own initial weights are overwritten at once
        model = build_model(settings, len(settings.features), network.model[-1].out_features)
    model.load_state_dict(copy.deepcopy(network.model.state_dict()))
    optimizer = build_optimizer(settings, model)
    optimizer.load_state_dict(copy.deepcopy(network.optimizer.state_dict()))
    return model, optimizer


def traced_step(network, index, lang="en"):
    """Trace one step on point ``index``. Returns a dict: ``point`` (x1, x2, label), ``trace`` (the trace's
    ``to_dict``), ``html`` (its tables), ``neurons`` ({"layer-index": {"value", "grad"}} for the hidden and
    output neurons) and ``loss``."""
    settings = network.settings
    model, optimizer = copy_of(network)
    # Batch norm cannot normalise one row: with it, the step runs in evaluation mode (running statistics).
    model.train(not settings.batchnorm)
    x = tensor(data.features(network.points.X[index:index + 1], settings.features), dtype=np.float32)
    y = targets(settings, network.classes, network.points.y[index:index + 1])
    seen, handles = [], []

    def watch(module, inputs, output):
        entry = {"value": output.data[0].copy(), "grad": None}
        seen.append(entry)
        handles.append(output.register_hook(lambda g: entry.__setitem__("grad", np.asarray(g.data)[0].copy())))

    handles += [m.register_forward_hook(watch) for m in model
                if type(m) in ACTIVATION_MODULES.values() or m is model[-1]]
    # Dropout draws from a copy of the session's generator, so the session's own stream is not moved.
    with use_generator(copy.deepcopy(network.rng)), explain.trace(model=model, names={"x": x, "y": y}) as tr:
        optimizer.zero_grad()
        loss = objective(model, network.loss_fn, settings, x, y)
        loss.backward()
        optimizer.step()
    for handle in handles:
        handle.remove()
    neurons = {}
    for layer, entry in enumerate(seen, 1):
        grads = entry["grad"] if entry["grad"] is not None else np.zeros_like(entry["value"])
        for i, (value, grad) in enumerate(zip(entry["value"].tolist(), grads.tolist())):
            neurons[f"{layer}-{i}"] = {"value": value, "grad": grad}
    label = network.points.y[index]
    return {"point": [float(network.points.X[index, 0]), float(network.points.X[index, 1]),
                      label.item() if hasattr(label, "item") else label],
            "index": index, "loss": float(loss.item()), "trace": tr.to_dict(),
            "html": (f'<p class="note">{EVAL_MODE_NOTE[lang]}</p>' if settings.batchnorm else "")
            + trace_html(tr, lang), "neurons": neurons}


# -- HTML ---------------------------------------------------------------------------------------------------
def _number(x):
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    return str(int(x)) if isinstance(x, numbers.Integral) else f"{float(x):.6g}"


def _value(v):
    if v is None:
        return "—"
    if isinstance(v, str):
        return v
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        return str(v)
    if a.ndim == 0:
        return _number(a.item())
    return "[" + ", ".join(_value(sub) for sub in a) + "]"


def _fragment(kind, content):
    if kind == "value":
        return f'<span class="v">{html.escape(_value(content))}</span>'
    if kind == "shape":
        return "—" if content is None else html.escape("×".join(map(str, content)) or "scalar")
    if kind == "grad":
        return f'<span class="n">∂L/∂{html.escape(str(content))}</span>'
    if kind == "name":
        return f'<span class="n">{html.escape(str(content))}</span>'
    if kind == "formula":
        return f'<span class="f">{html.escape(str(content))}</span>'
    if kind == "indent":
        return "&nbsp;" * 4 * int(content)
    return html.escape(str(content))


def _line(line):
    return "".join(_fragment(kind, content) for kind, content in line)


def trace_html(tr, lang):
    """The trace's tables (``bp.explain.render.tables``) as HTML, the words in ``lang``."""
    parts = []
    for title, notes, header, rows in tables(tr.events, tr.gradients, lang):
        parts.append(f"<h3>{html.escape(title)}</h3>")
        parts += [f'<div class="note">{_line(note)}</div>' for note in notes]
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join("<tr>" + "".join("<td>" + "<br>".join(_line(ln) for ln in cell) + "</td>" for cell in row)
                       + "</tr>" for row in rows)
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
    return f'<div class="trace" lang="{html.escape(lang)}">' + "\n".join(parts) + "</div>" if parts else (
        f'<p>{html.escape(labels(lang)["empty"])}</p>')


"""The views of a trace: console blocks or a console table, Markdown and LaTeX, from one table model.

:func:`tables` lays a trace out once, as tables whose cells are lines of fragments: text, a tensor's
name, a formula, a value, a shape, a gradient ∂L/∂name. Each view then writes the fragments its own
way: a formula stays Unicode on the console and becomes math in LaTeX, a 2×2 value is a nested
list on the console and a ``pmatrix`` in LaTeX, and an array larger than ``threshold`` elements is
summarised (shape, mean, min, max and its first elements) everywhere. On the console the default
layout is ``"blocks"`` (one block per step, its lines wrapped to ``width`` columns); ``"table"`` is the
wide table, one column per field. The LaTeX view lives in :mod:`._render_latex`.
"""
import numbers

import numpy as np

from . import _format
from .i18n import algorithm, labels

_DASH = "—"


# -- the table model ------------------------------------------------------------------------------
def _text(s):
    return ("text", str(s))


def _named_value(param, name, value, shape):
    """``param: name = value  (shape)``, leaving out the parts that are None; ``param`` is the op's
    argument that receives the value, ``name`` the tensor's."""
    line = [("formula", param), _text(": ")] if param else []
    if name is not None:
        line += [("name", name), _text(" = ")]
    line.append(("value", value))
    if shape is not None and name is not None:
        line += [_text("  "), ("shape", shape)]
    return line


def _forward_rows(events, words):
    header = [words[k] for k in ("step", "op", "formula", "inputs", "output", "shape", "grad_shape")]
    rows = []
    for e in events:
        op = [[_text(e["op"])]] + ([] if e.get("recorded", True) else [[_text(f"({_not_recorded(e, words)})")]])
        inputs = [_named_value(i["param"], i["name"], i["value"], i["shape"]) for i in e["inputs"]]
        inputs += [[("formula", k), _text(": "), ("value", v)] for k, v in e["options"].items()]
        out = e["output"]
        shown = [[("formula", i["formula"]), _text(" = "), ("value", i["value"])]  # a fused op's intermediates
                 for i in e.get("intermediates", {}).values()]
        rows.append([[[_text(e["index"])]], op, [[("formula", e["formula"] or _DASH)]], inputs,
                     [[("name", out["name"]), _text(" = "), ("value", out["value"])]] + shown,
                     [[("shape", out["shape"])]], [[("shape", e["grad_shape"])]]])
    return header, rows


def _not_recorded(event, words):
    """Why a step was not recorded: the event's reason code, in words (the older, general label if none)."""
    reason = event.get("reason")
    if f"reason_{reason}" in words:
        return f"{words['not_recorded']}: {words['reason_' + reason]}"
    return words["no_graph"]


def _inplace_rows(events, words):
    """In-place updates of a named tensor (under no_grad, for example): the tensor before and after."""
    header = [words[k] for k in ("step", "op", "tensor", "before", "after", "shape", "note")]
    rows = []
    for e in events:
        name = e.get("name") or e.get("param") or e.get("tensor")
        note = [[_text(words[f"reason_{e['reason']}"])]] if f"reason_{e.get('reason')}" in words else [[_text(_DASH)]]
        rows.append([[[_text(e.get("index", ""))]], [[_text(e.get("op") or _DASH)]], [[("name", name)]],
                     [[("value", e.get("before"))]], [[("value", e.get("after"))]],
                     [[("shape", e.get("shape", np.shape(e.get("after"))))]], note])
    return header, rows


def _backward_rows(events, words):
    header = [words[k] for k in ("step", "op", "backward_formula", "upstream", "passed", "shape",
                                 "grad_shape")]
    rows = []
    for e in events:
        out = e["output"]
        op = [[_text(e["op"])]] + ([] if e["node"] is not None else [[_text(f"({words['outside']})")]])
        upstream = [("grad", out["name"]), _text(" = "), ("value", e["grad_output"])]
        passed = []
        for i in e["inputs"]:
            if i["name"] is None and i["grad"] is None:
                continue  # a constant input: no gradient flows there
            target = [("grad", i["name"]), _text(" = ")] if i["name"] is not None else []
            passed.append([("formula", i["param"]), _text(": ")] + target + [("value", i["grad"])]
                          + ([_text("  "), ("shape", i["shape"])] if i["shape"] is not None else []))
        formulas = list(dict.fromkeys(i["formula"] for i in e["inputs"] if i.get("formula")))
        formulas = [[("formula", f)] for f in formulas or [e["formula"] or _DASH]]  # one line per input's formula
        rows.append([[[_text(e["index"])]], op, formulas, [upstream],
                     passed or [[_text(_DASH)]], [[("shape", out["shape"])]],
                     [[("shape", np.shape(e["grad_output"]))]]])
    return header, rows


def _update_rows(events, words):
    header = [words[k] for k in ("step", "optimizer", "parameter", "before", "gradient", "state", "after",
                                 "shape", "grad_shape")]
    rows = []
    for e in events:
        state = [[("formula", k), _text(" = "), ("value", v)] for k, v in e["state"].items() if v is not None]
        rows.append([[[_text(e["index"])]], [[_text(e["optimizer"])]], [[("name", e["param"])]],
                     [[("value", e["before"])]], [[("value", e["grad"])]], state or [[_text(_DASH)]],
                     [[("value", e["after"])]], [[("shape", e["shape"])]], [[("shape", np.shape(e["grad"]))]]])
    return header, rows


def _update_notes(events, words):
    """The algorithm of each optimizer in the section, once, and each group's hyperparameters."""
    notes, seen = [], set()
    for e in events:
        if (e["optimizer"], e["group"]) in seen:
            continue
        seen.add((e["optimizer"], e["group"]))
        hyper = ", ".join(f"{k} = {_plain_value(v)}" for k, v in e["hyperparameters"].items())
        notes.append([_text(f"{e['optimizer']} ({words['hyperparameters']}: {hyper})")])
        notes += [[("indent", (len(ln) - len(ln.lstrip())) // 4 + 1), ("formula", ln.strip())]
                  for ln in algorithm(e["formula"], words["lang"]).splitlines() if ln.strip()]
    return notes


def _plain_value(v):
    return v if isinstance(v, (str, bool)) or v is None else _number_list(v)


def _number_list(v):
    a = np.asarray(v)
    return _format_array(a, 6) if a.dtype.kind in "biuf" else str(v)


def _gradient_rows(gradients, words):
    header = [words[k] for k in ("leaf", "value", "gradient", "shape", "grad_shape")]
    rows = [[[[("name", g["name"])]], [[("value", g["value"])]], [[("grad", g["name"]), _text(" = "),
                                                                    ("value", g["grad"])]],
             [[("shape", np.shape(g["value"]))]], [[("shape", np.shape(g["grad"]))]]] for g in gradients]
    return header, rows


def tables(events, gradients, lang):
    """The trace as a list of ``(title, notes, header, rows)``: one table per run of steps of one kind
    (forward, backward, optimizer), in the order they happened, then the leaves' gradients."""
    words = dict(labels(lang), lang=lang)
    build = {"forward": _forward_rows, "backward": _backward_rows, "update": _update_rows,
             "inplace_update": _inplace_rows}
    events = [e for e in events if e.get("kind") in build]
    out, start = [], 0
    for end in range(1, len(events) + 1):
        if end == len(events) or events[end]["kind"] != events[start]["kind"]:
            kind, run = events[start]["kind"], events[start:end]
            notes = _update_notes(run, words) if kind == "update" else []
            out.append((words[kind], notes, *build[kind](run, words)))
            start = end
    if gradients:
        out.append((words["gradients"], [[_text(words["sums_note"])]], *_gradient_rows(gradients, words)))
    return out


# -- numbers ----------------------------------------------------------------------------------
def _number(x, precision):
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    return str(int(x)) if isinstance(x, numbers.Integral) else _format.number(x, precision)


def _format_array(a, precision):
    if a.ndim == 0:
        return _number(a.item(), precision)
    return "[" + ", ".join(_format_array(sub, precision) for sub in a) + "]"


def _summary(a, words, precision, head=3):
    """shape, mean, min, max and the first elements of a large array, as (label, text) pairs; with at
    most 3 significant digits, since a summary is read at a glance."""
    flat, precision = a.ravel(), min(precision, 3)
    first = ", ".join(_number(x, precision) for x in flat[:head].tolist())
    return [(words["shape"], _shape(a.shape)), (words["mean"], _number(flat.mean(), precision)),
            (words["min"], _number(flat.min(), precision)), (words["max"], _number(flat.max(), precision)),
            ("", f"[{first}, …]")]


def _is_numeric(v):
    return isinstance(v, (np.ndarray, np.generic, numbers.Number))


def _shape(shape):
    return _DASH if shape is None else _format.shape(shape)


def _value_text(v, words, threshold, precision):
    if v is None:
        return _DASH
    if not _is_numeric(v):
        return repr(v) if isinstance(v, str) else str(v)
    a = np.asarray(v)
    if a.dtype.kind not in "biuf":
        return str(v)
    if a.size > threshold:
        return ", ".join(f"{k} {t}" if k else t for k, t in _summary(a, words, precision))
    return _format_array(a, precision)


# -- the console and Markdown ------------------------------------------------------------------
def _plain_fragment(kind, content, words, threshold, precision):
    if kind == "value":
        return _value_text(content, words, threshold, precision)
    if kind == "shape":
        return _shape(content)
    if kind == "grad":
        return f"∂L/∂{content}" if content is not None else "∂L/∂(?)"
    if kind == "indent":
        return "    " * content
    return str(content)


def _plain_line(line, words, threshold, precision):
    return "".join(_plain_fragment(k, c, words, threshold, precision) for k, c in line)


def _plain_cells(rows, words, threshold, precision):
    return [[[_plain_line(line, words, threshold, precision) for line in cell] for cell in row]
            for row in rows]


def to_text(events, gradients, lang, threshold, precision, width=100, layout="blocks"):
    """The console view: ``layout="blocks"`` (default) writes one block per step, every line at most
    ``width`` display columns unless a single unbreakable token is longer; ``"table"`` writes the wide
    table, cells of several lines and columns padded to their widest line."""
    words = labels(lang)
    if layout not in ("blocks", "table"):
        raise ValueError(f"layout must be 'blocks' or 'table', got {layout!r}")
    if not events and not gradients:
        return words["empty"]
    width = max(int(width), 20)
    parts = []
    for title, notes, header, rows in tables(events, gradients, lang):
        out = [title, "=" * _format.width(title)]
        for note in notes:
            out += _format.wrap(_plain_line(note, words, threshold, precision), width)
        cells = _plain_cells(rows, words, threshold, precision)
        if notes and layout == "blocks":
            out.append("")
        out += (_table(header, cells) if layout == "table" else _blocks(header, cells, width))
        parts.append("\n".join(out))
    return "\n\n".join(parts)


def _table(header, cells):
    widths = [max([_format.width(header[j])] + [_format.width(ln) for row in cells for ln in row[j]])
              for j in range(len(header))]
    rule = "-+-".join("-" * w for w in widths)
    out = [" | ".join(_format.pad(h, w) for h, w in zip(header, widths)).rstrip(), rule]
    for row in cells:
        for k in range(max(len(cell) for cell in row)):
            out.append(" | ".join(_format.pad(cell[k] if k < len(cell) else "", w)
                                  for cell, w in zip(row, widths)).rstrip())
        out.append(rule)
    return out


def _blocks(header, cells, width):
    """One block per row: its first cells (the step's number and op; or a leaf's name) as a heading, then
    one labelled field per remaining column (formula, inputs, output, gradients…), a field's lines
    aligned under its first."""
    lead = 2 if len(header) > 5 else 1  # steps: "#" and op; the leaves' gradients: the leaf
    label_width = max(_format.width(h) for h in header[lead:]) + 2
    out = []
    for row in cells:
        heading = [ln for cell in row[:lead] for ln in cell if ln]
        if lead == 2 and len(heading) > 1:
            heading = [f"{heading[0]}. {heading[1]}"] + ["    " + ln for ln in heading[2:]]
        out += [w for ln in heading for w in _format.wrap(ln, width, indent="      ")]
        for h, cell in zip(header[lead:], row[lead:]):
            lines = [ln for ln in cell if ln]
            if not lines or lines == [_DASH]:
                continue
            label = "  " + _format.pad(h + ":", label_width)
            if _format.width(label) > width // 2:  # a long label: the field on lines of its own
                out.append("  " + h + ":")
                label = "    "
            pad = " " * _format.width(label)
            for k, ln in enumerate(lines):
                out += _format.wrap((label if k == 0 else pad) + ln, width, indent=pad + "  ")
        out.append("")
    return out[:-1]


def _md_escape(s):
    return s.replace("|", "\\|")


def to_markdown(events, gradients, lang, threshold, precision):
    """Markdown: a heading and a pipe table per section; a cell's lines are joined by ``<br>``."""
    words = labels(lang)
    if not events and not gradients:
        return words["empty"]
    parts = []
    for title, notes, header, rows in tables(events, gradients, lang):
        out = [f"### {title}", ""]
        lines = [_plain_line(note, words, threshold, precision) for note in notes]
        if any(kind == "indent" for note in notes for kind, _ in note):  # an algorithm: keep its layout
            out += ["```"] + lines + ["```", ""]
        elif lines:
            out += lines + [""]
        out += ["| " + " | ".join(_md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
        for row in rows:
            cells = ["<br>".join(_md_line(line, words, threshold, precision) for line in cell)
                     for cell in row]
            out.append("| " + " | ".join(cells) + " |")
        parts.append("\n".join(out))
    return "\n\n".join(parts) + "\n"


def _md_line(line, words, threshold, precision):
    out = []
    for kind, content in line:
        s = _md_escape(_plain_fragment(kind, content, words, threshold, precision))
        out.append(f"`{s}`" if kind in ("formula", "value") and s != _DASH else s)
    return "".join(out)




def to_latex(events, gradients, lang, threshold, precision, standalone=False):
    """LaTeX from its first line: see :mod:`._render_latex`."""
    from ._render_latex import to_latex

    return to_latex(events, gradients, lang, threshold, precision, standalone=standalone)

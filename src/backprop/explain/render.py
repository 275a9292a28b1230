"""The views of a trace: a console table, Markdown and LaTeX, from one table model.

:func:`tables` lays a trace out once, as tables whose cells are lines of fragments: text, a tensor's
name, a formula, a value, a shape, a gradient ∂L/∂name. Each view then writes the fragments its own
way: a formula stays Unicode on the console and becomes math in LaTeX, a 2×2 value is a nested
list on the console and a ``pmatrix`` in LaTeX, and an array larger than ``threshold`` elements is
summarised (shape, mean, min, max and its first elements) everywhere.
"""
import numbers

import numpy as np

from . import _format, latex
from .i18n import labels

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
        op = [[_text(e["op"])]] + ([] if e["recorded"] else [[_text(f"({words['no_graph']})")]])
        inputs = [_named_value(i["param"], i["name"], i["value"], i["shape"]) for i in e["inputs"]]
        inputs += [[("formula", k), _text(": "), ("value", v)] for k, v in e["options"].items()]
        out = e["output"]
        shown = [[("formula", i["formula"]), _text(" = "), ("value", i["value"])]  # a fused op's intermediates
                 for i in e.get("intermediates", {}).values()]
        rows.append([[[_text(e["index"])]], op, [[("formula", e["formula"] or _DASH)]], inputs,
                     [[("name", out["name"]), _text(" = "), ("value", out["value"])]] + shown,
                     [[("shape", out["shape"])]], [[("shape", e["grad_shape"])]]])
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
                  for ln in e["formula"].splitlines() if ln.strip()]
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
    words = labels(lang)
    build = {"forward": _forward_rows, "backward": _backward_rows, "update": _update_rows}
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


def _width(s):
    return sum(1 for c in s if not _combining(c))


def _combining(c):
    return "\u0300" <= c <= "\u036f"


def _pad(s, width):
    return s + " " * (width - _width(s))


def to_text(events, gradients, lang, threshold, precision):
    """Console tables: cells of several lines, columns padded to their widest line."""
    words = labels(lang)
    if not events and not gradients:
        return words["empty"]
    parts = []
    for title, notes, header, rows in tables(events, gradients, lang):
        cells = _plain_cells(rows, words, threshold, precision)
        widths = [max([_width(header[j])] + [_width(ln) for row in cells for ln in row[j]])
                  for j in range(len(header))]
        rule = "-+-".join("-" * w for w in widths)
        out = [title, "=" * _width(title)]
        out += [_plain_line(note, words, threshold, precision) for note in notes]
        out += [" | ".join(_pad(h, w) for h, w in zip(header, widths)).rstrip(), rule]
        for row in cells:
            for k in range(max(len(cell) for cell in row)):
                out.append(" | ".join(_pad(cell[k] if k < len(cell) else "", w)
                                      for cell, w in zip(row, widths)).rstrip())
            out.append(rule)
        parts.append("\n".join(out))
    return "\n\n".join(parts)


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


# -- LaTeX --------------------------------------------------------------------------------------
def _latex_number(x, precision):
    s = _number(x, precision)
    mantissa, _, exponent = s.partition("e")
    return mantissa + (rf"\cdot 10^{{{int(exponent)}}}" if exponent else "")


def _latex_value(v, words, threshold, precision):
    if v is None:
        return _DASH
    a = np.asarray(v) if _is_numeric(v) else None
    if a is None or a.dtype.kind not in "biuf":
        return r"\text{" + latex.text(repr(v) if isinstance(v, str) else v) + "}"
    if a.size > threshold or a.ndim > 2:
        return r",\ ".join((r"\text{" + latex.text(k) + r"}\ " if k else "") + latex.formula(t)
                           for k, t in _summary(a, words, precision))
    if a.ndim == 0:
        return _latex_number(a.item(), precision)
    rows = a.reshape(1, -1) if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(_latex_number(x, precision) for x in r.tolist()) for r in rows)
    return r"\begin{pmatrix} " + body + r" \end{pmatrix}"


def _latex_fragment(kind, content, words, threshold, precision):
    """One fragment; math fragments come back as ``(True, math)``, text as ``(False, text)``."""
    if kind == "value":
        return True, _latex_value(content, words, threshold, precision)
    if kind == "formula":
        return (True, latex.formula(content)) if content != _DASH else (False, "---")
    if kind == "name":
        return True, latex.name(content)
    if kind == "grad":
        return True, r"\partial L/\partial " + (latex.name(content) if content is not None else "?")
    if kind == "shape":
        return False, latex.text(_shape(content))
    if kind == "indent":
        return False, r"\quad " * content
    return False, latex.text(content)


def _latex_line(line, words, threshold, precision):
    """A line of fragments, consecutive math fragments joined into one ``$…$`` (with text in between
    that is only spacing or =, so that ``a = x_0 = 1`` is one formula)."""
    out, math = [], []
    for kind, content in line:
        is_math, s = _latex_fragment(kind, content, words, threshold, precision)
        if kind == "text" and not content.strip():
            s = r"\quad "
        if is_math or (math and kind == "text" and content.strip() in ("=", ":")):
            math.append(s if is_math else latex.formula(content) or r"\ ")
            continue
        if math:
            out.append("$" + " ".join(math) + "$")
            math = []
        out.append(s)
    if math:
        out.append("$" + " ".join(math) + "$")
    return "".join(out)


def _latex_cell(cell, words, threshold, precision):
    lines = [_latex_line(line, words, threshold, precision) for line in cell]
    if len(lines) == 1:
        return lines[0]
    return r"\begin{tabular}[t]{@{}l@{}}" + r" \\ ".join(lines) + r"\end{tabular}"


_PREAMBLE = {
    "en": [r"\documentclass{article}", r"\usepackage[utf8]{inputenc}", r"\usepackage{amsmath,amssymb}"],
    "ru": [r"\documentclass{article}", r"\usepackage[T2A]{fontenc}", r"\usepackage[utf8]{inputenc}",
           r"\usepackage[russian]{babel}", r"\usepackage{amsmath,amssymb}"],
}


def to_latex(events, gradients, lang, threshold, precision, standalone=False):
    """LaTeX: a ``\\subsection*`` and a ``tabular`` per section, formulas and values in math mode."""
    words = labels(lang)
    out = [f"% {words['trace']}: backprop.explain (\\usepackage{{amsmath,amssymb}})"]
    if standalone:
        out = _PREAMBLE[lang] + [r"\usepackage[margin=1.5cm,landscape]{geometry}", r"\begin{document}"] + out
    if not events and not gradients:
        out.append(latex.text(words["empty"]))
    for title, notes, header, rows in tables(events, gradients, lang):
        out.append(r"\subsection*{" + latex.text(title) + "}")
        if notes:
            out += [r"\begin{tabular}{l}"] + [
                _latex_line(note, words, threshold, precision) + r" \\"
                for note in notes] + [r"\end{tabular}", ""]
        out += [r"{\small", r"\begin{tabular}{" + "l" * len(header) + "}", r"\hline",
                " & ".join(latex.text(h) for h in header) + r" \\", r"\hline"]
        for row in rows:
            out.append(" & ".join(_latex_cell(cell, words, threshold, precision) for cell in row) + r" \\")
            out.append(r"\hline")
        out += [r"\end{tabular}", "}", ""]
    if standalone:
        out.append(r"\end{document}")
    return "\n".join(out) + "\n"

"""The LaTeX view of a trace (:func:`backprop.explain.render.to_latex`): a ``\\subsection*`` and a
``tabular`` per section of :func:`~backprop.explain.render.tables`, formulas and values in math mode.

The output is LaTeX from its first line, in either language: a comment, then the sections (or, with
``standalone=True``, the document's preamble).
"""
import numpy as np

from . import latex
from .i18n import labels
from .render import _DASH, _is_numeric, _number, _shape, _summary, tables

# -- math --------------------------------------------------------------------------------------
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

"""Number and array formatting shared by the graph, path-sum, summary, gradient-check and diagnostics views.

* :func:`number` — one number, short: ``2``, ``-0.5``, ``0.3333``, ``1.2e-07`` (integers without a
  decimal point, so hand-worked answers read as the course writes them).
* :func:`array` — a value of any shape: numbers and small arrays whole (``[1, 2.5]``), large ones as
  their shape and range (``(300, 12) in [-0.29, 0.29], mean 0.001``).
* :func:`shape` — ``(3, 4)``; ``()`` for a scalar.
* :func:`count` — a count with thousands separators: ``84,301``.
* :func:`table` — rows of strings as an aligned plain-text table under a header.
* :func:`width`, :func:`pad` and :func:`wrap` — text measured in terminal columns (a combining mark such
  as the hat of m̂ takes none, a wide East Asian character two), padded and wrapped to a width.
* :func:`dot_escape` and :func:`run_graphviz` — Graphviz labels, and drawing DOT text when Graphviz is
  installed (None when it is not, so callers can fall back to the text).
"""
import shutil
import subprocess
import unicodedata

import numpy as np

__all__ = []  # private helpers; the views built on them are public

SMALL = 12  # arrays with at most this many elements are shown whole


def number(x, digits=4):
    """One number in at most ``digits`` significant digits, integers without a decimal point."""
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if x == int(x) and abs(x) < 1e12:
        return str(int(x))
    return f"{x:.{digits}g}"


def shape(s):
    return "(" + ", ".join(str(n) for n in s) + (",)" if len(s) == 1 else ")")


def array(a, digits=4, small=SMALL):
    """A value shown whole when it has at most ``small`` elements, else summarised by shape and range."""
    a = np.asarray(a)
    if a.ndim == 0:
        return number(a, digits)
    if a.size <= small:
        return _nested(a, digits)
    if a.dtype.kind == "b":
        return f"{shape(a.shape)} bool, {int(a.sum())} true"
    return (f"{shape(a.shape)} in [{number(a.min(), 2)}, {number(a.max(), 2)}], "
            f"mean {number(a.mean(), 2)}")


def _nested(a, digits):
    if a.ndim == 0:
        return number(a, digits)
    return "[" + ", ".join(_nested(row, digits) for row in a) + "]"


def count(n):
    return f"{int(n):,}"


def width(text):
    """The columns ``text`` takes in a terminal: combining marks none, wide East Asian characters two."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in str(text))


def pad(text, columns, align="<"):
    """``text`` padded with spaces to ``columns`` display columns, on the right ('<') or the left ('>')."""
    fill = " " * max(0, columns - width(text))
    return fill + text if align == ">" else text + fill


_GLUE = ("=", "←")


def wrap(line, columns, indent=None):
    """``line`` broken at spaces into lines of at most ``columns`` display columns (a single word longer
    than that stays whole); continuation lines start with ``indent`` (default: the line's own indent
    plus four spaces)."""
    if width(line) <= columns:
        return [line]
    lead = line[:len(line) - len(line.lstrip(" "))]
    indent = lead + "    " if indent is None else indent
    words = []
    for word in line[len(lead):].split(" "):  # "a = b" and "a ← b" stay on one line when they can
        if words and (word in _GLUE or words[-1].endswith(_GLUE)) and width(words[-1] + " " + word) < columns // 3:
            words[-1] += " " + word
        else:
            words.append(word)
    out, current = [], lead
    for word in words:
        start = current in (lead, indent)
        candidate = current + word if start else current + " " + word
        if not start and width(candidate) > columns:
            out.append(current.rstrip())
            current = indent + word
        else:
            current = candidate
    out.append(current.rstrip())
    return [ln for ln in out if ln.strip()] or [line]


def table(header, rows, align=None):
    """An aligned plain-text table; ``align`` holds '<' or '>' per column (numbers right by default)."""
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(width(r[i]) for r in cells) for i in range(len(header))]
    align = align or ["<"] + [">"] * (len(header) - 1)
    lines = ["  ".join(pad(c, w, a) for c, a, w in zip(r, align, widths)).rstrip() for r in cells]
    rule = "-" * max(width(line) for line in lines)
    return "\n".join([lines[0], rule] + lines[1:])


def dot_escape(text):
    """Text for a double-quoted DOT label: backslashes and quotes escaped, newlines as \\n."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def run_graphviz(dot_text, format="svg"):
    """DOT text drawn by Graphviz's ``dot`` command (or the ``graphviz`` Python package); None if absent."""
    exe = shutil.which("dot")
    if exe is not None:
        done = subprocess.run([exe, f"-T{format}"], check=False, input=dot_text.encode("utf-8"),
                              capture_output=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"dot failed: {done.stderr.decode('utf-8', 'replace').strip()}")
        return done.stdout
    try:
        import graphviz  # the Python package; it also needs the dot command, found its own way
    except ImportError:
        return None
    try:
        return graphviz.Source(dot_text).pipe(format=format)
    except graphviz.ExecutableNotFound:
        return None

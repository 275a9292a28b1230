"""LaTeX for the trace's LaTeX view: the ops' Unicode formulas as math, names, numbers and matrices.

The formulas are written once, in Unicode, on the op classes (``"dx = dy · y · (1 − y)"``); this
module turns them into math mode (``\\mathrm{d}x = \\mathrm{d}y \\cdot y \\cdot (1 - y)``, with
``amsmath`` and ``amssymb``), so a student's write-up shows the same formula the console does.
"""
import re
import unicodedata

__all__ = ["formula", "name", "text"]

_SYMBOLS = {
    "·": r"\cdot ", "−": "-", "×": r"\times ", "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "≈": r"\approx ",
    "←": r"\leftarrow ", "→": r"\to ", "∘": r"\circ ", "⊙": r"\odot ", "∈": r"\in ", "…": r"\ldots ",
    "⋚": r"\lesseqgtr ", "½": r"\tfrac{1}{2}", "∂": r"\partial ", "ℓ": r"\ell ", "Σ": r"\sum ", "∑": r"\sum ",
    "∞": r"\infty ", "∏": r"\prod ", "⌊": r"\lfloor ", "⌋": r"\rfloor ",
    "σ": r"\sigma ", "μ": r"\mu ", "ε": r"\varepsilon ", "γ": r"\gamma ", "β": r"\beta ", "λ": r"\lambda ",
    "θ": r"\theta ", "Δ": r"\Delta ", "Φ": r"\Phi ", "α": r"\alpha ", "η": r"\eta ", "δ": r"\delta ",
    "τ": r"\tau ", "ρ": r"\rho ", "π": r"\pi ", "ν": r"\nu ", "ξ": r"\xi ", "ω": r"\omega ", "φ": r"\varphi ",
    "{": r"\{", "}": r"\}", "%": r"\%", "#": r"\#", "&": r"\&", "$": r"\$", "~": r"\sim ",
    "\\": r"\backslash ",
}
_SUPERSCRIPTS = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀᵗⁿ", list("0123456789-+") + [r"\top ", "t", "n"]))
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₘₙₜ", "0123456789ijkmnt"))
_ACCENTS = {"\u0302": r"\hat", "\u0304": r"\bar", "\u0303": r"\tilde", "\u0307": r"\dot"}
_FUNCTIONS = {"ln", "exp", "log", "max", "min", "det", "tanh", "sin", "cos", "sqrt"}
_WORD = re.compile(r"[A-Za-z](?:[A-Za-z_]*[A-Za-z])?")
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                 "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                 "→": r"$\to$", "…": r"\ldots{}", "—": "---", "∂": r"$\partial$"}


def text(s):
    """Plain text, with LaTeX's special characters escaped."""
    return "".join(_TEXT_ESCAPES.get(c, c) for c in str(s))


def name(s):
    """A tensor's name in math mode: ``x0`` → ``x_{0}``, a letter as is, others in typewriter type."""
    m = re.fullmatch(r"([A-Za-z])(\d+)", s)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if len(s) == 1 and s.isalpha():
        return _SYMBOLS.get(s, s).strip()
    return r"\mathtt{" + re.sub(r"[&%$#_{}]", lambda m: "\\" + m.group(), re.sub(r"[\\~^]", "", s)) + "}"


def _word(w):
    if len(w) == 1:
        return w
    if w in _FUNCTIONS:
        return "\\" + w + " "
    if len(w) == 2 and w[0] == "d":  # a differential: dx, dW
        return r"\mathrm{d}" + w[1]
    return r"\mathrm{" + w.replace("_", r"\_") + "}"


def _closing(s, i):
    """The index of the parenthesis closing the one at ``s[i]`` (or the end of ``s``)."""
    depth = 0
    for j in range(i, len(s)):
        depth += {"(": 1, ")": -1}.get(s[j], 0)
        if depth == 0:
            return j
    return len(s)


def _operand(s, i):
    """The LaTeX of the operand starting at ``s[i]`` (a parenthesised group, a word or one symbol) and
    the index after it; a group's parentheses are dropped since braces take their place."""
    if i < len(s) and s[i] == "(":
        j = _closing(s, i)
        return _convert(s[i + 1:j]), j + 1
    return _token(s, i)


def _token(s, i):
    """The LaTeX of one token of ``s`` starting at ``s[i]``, and the index after it."""
    c = s[i]
    accent = _ACCENTS.get(s[i + 1]) if i + 1 < len(s) else None
    m = _WORD.match(s, i)
    if m and accent is None:
        w = m.group()
        if w.find("_") == 1:  # y_c: a letter with a subscript, not a word
            return w[0], i + 1
        nxt = s[m.end()] if m.end() < len(s) else ""
        if nxt in _ACCENTS:  # dŷ: the last letter carries the accent
            head = r"\mathrm{d}" if w[0] == "d" and len(w) == 2 else _word(w[:-1])
            return f"{head}{_ACCENTS[nxt]}{{{w[-1]}}}", m.end() + 1
        if w == "d" and nxt and unicodedata.category(nxt).startswith("L"):  # dℓ, dθ
            return r"\mathrm{d}", m.end()
        return _word(w), m.end()
    if accent is not None:
        return f"{accent}{{{_SYMBOLS.get(c, c).strip()}}}", i + 2
    for table, mark in ((_SUPERSCRIPTS, "^"), (_SUBSCRIPTS, "_")):
        if c in table:
            j = i
            while j < len(s) and s[j] in table:
                j += 1
            return mark + "{" + "".join(table[ch] for ch in s[i:j]) + "}", j
    if c == "^":
        inner, j = _operand(s, i + 1)
        return "^{" + inner + "}", j
    if c == "√":
        inner, j = _operand(s, i + 1)
        return r"\sqrt{" + inner + "}", j
    if c in _SYMBOLS:
        return _SYMBOLS[c], i + 1
    if c.isascii():
        return c, i + 1
    return r"\text{" + c + "}", i + 1


def _wordish(c):
    return c.isalnum() or c in ")]}.,:;" or unicodedata.category(c).startswith("L")


def _convert(s):
    out, i = [], 0
    while i < len(s):
        if s[i] == " ":
            j = i
            while j < len(s) and s[j] == " ":
                j += 1
            if j - i >= 2 and i > 0 and j < len(s):
                out.append(r"\quad ")  # two spaces separate formulas: da = dz,  db = dz
            elif out and not out[-1].endswith(" ") and j < len(s) and _wordish(s[i - 1]) and _wordish(s[j]):
                out.append(r"\ ")  # words stay apart in math mode: "if maximize else"
            i = j
            continue
        piece, i = _token(s, i)
        out.append(piece)
    return "".join(out).strip()


def formula(s):
    """A Unicode formula (``"dx = dy · y · (1 − y)"``) as LaTeX math, without the ``$`` delimiters."""
    # Accented letters split into letter and accent (ŷ → y + ^); symbols such as ≠ stay whole.
    return _convert("".join(unicodedata.normalize("NFD", c) if c.isalpha() else c for c in s))

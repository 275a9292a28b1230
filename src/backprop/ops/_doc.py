"""Docstrings from the ops' declared formulas: ``help(bp.sigmoid)`` shows :class:`Sigmoid`'s formulas.

The formulas live once, on the op class; a public function that applies the op gets them appended
to its docstring (or to a one-line summary when it has none), and remembers its op as ``fn.op``.
"""
import inspect


def documents(op, summary=None):
    """Decorator: append ``op``'s formulas to the function's docstring and set ``fn.op = op``.

    ``summary`` is the first line of a function that has no docstring of its own.
    """
    def decorate(fn):
        document(fn, op, summary)
        return fn
    return decorate


def document(fn, op, summary=None):
    """Give ``fn`` (a function that applies ``op``) a docstring ending in the op's formulas."""
    doc = inspect.cleandoc(fn.__doc__) if fn.__doc__ else (summary or f"Apply :class:`{op.__name__}`.")
    fn.__doc__ = (f"{doc}\n\nFormulas\n--------\n{op.formula_text()}\n"
                  f"(declared by :class:`{op.__module__}.{op.__name__}`)")
    fn.op = op
    return fn


def axis_words(axes, ndim):
    """The axes a reduction worked along, as a subscript and as words, for its formulas at a call.

    ``("axis=1", " along axis 1")``, ``("axes=(0, 2)", " along axes (0, 2)")``; ``("", "")`` when
    ``axes`` (non-negative) are all ``ndim`` axes of the input, or None (the formulas as declared).
    """
    if axes is None or len(axes) == ndim:
        return "", ""
    if len(axes) == 1:
        return f"axis={axes[0]}", f" along axis {axes[0]}"
    text = "(" + ", ".join(map(str, axes)) + ")"
    return f"axes={text}", f" along axes {text}"


def subscript(formula, symbol, sub):
    """``formula`` with its first ``symbol`` (Σ, max, min) subscripted: ``Σ x`` → ``Σ_axis=1 x``."""
    return formula.replace(f"{symbol} ", f"{symbol}_{sub} ", 1) if sub else formula

"""Network ↔ formula (001 §1 ex. 2–3): a small network of Linear and activation layers as its closed form.

The problem book's coffee-shop network, read off its picture, is the function

    ŷ = max(0, max(0, 5x₁ − 60x₂ + 0.5x₃) + 0.2·max(0, −2x₁ − 80x₂ + 2x₃) + 4)

and :func:`network_formula` writes exactly that for the ``bp.nn.Sequential`` holding those weights,
as text or LaTeX; the formula can also be evaluated, to check it against the network. Linear layers
that follow each other fold into one (the course's point that without a non-linearity between them
they *are* one linear regression). :func:`network_dot` draws the network as Graphviz DOT text with a
weight on every arrow (:func:`backprop.explain.plots.draw_network` draws it with matplotlib).

>>> import backprop as bp
>>> from backprop.explain import network_formula
>>> net = bp.nn.Sequential(bp.nn.Linear(2, 1), bp.nn.ReLU())
>>> net[0].weight.data[:] = [[3, -1]]; net[0].bias.data[:] = [0.5]
>>> print(network_formula(net))
ŷ = max(0, 3x₁ − x₂ + 0.5)
"""
import re
from collections import namedtuple

import numpy as np

__all__ = ["NetworkFormula", "dense_layers", "network_dot", "network_formula"]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(number):
    """``12`` → ``'₁₂'``."""
    return str(number).translate(_SUBSCRIPTS)


def format_number(value, digits=4, sign=False):
    """A coefficient as the course writes it: ``0.5``, ``60``, ``1e-05``; a minus sign ``−`` when ``sign``."""
    text = f"{abs(float(value)):.{digits}g}"
    return ("−" + text) if sign and value < 0 else text


# -- the expression tree -------------------------------------------------------------------------

class _Var:
    def __init__(self, index, text, latex):
        self.index, self.text, self.latex = index, text, latex

    def evaluate(self, x):
        return x[..., self.index]

    def render(self, latex, digits):
        return self.latex if latex else self.text


class _Affine:
    """c₁·e₁ + c₂·e₂ + … + b over sub-expressions eᵢ."""

    def __init__(self, terms, bias):
        self.terms, self.bias = terms, bias

    def evaluate(self, x):
        return sum((c * e.evaluate(x) for c, e in self.terms), np.zeros(np.shape(x)[:-1]) + self.bias)

    def render(self, latex, digits):
        minus, times = ("-", r" \cdot ") if latex else ("−", "·")
        parts = []
        for c, e in self.terms:
            body = e.render(latex, digits)
            if isinstance(e, _Affine):
                body = f"({body})"
            magnitude = format_number(c, digits)
            if magnitude != "1":
                joiner = "" if isinstance(e, _Var) and _juxtaposable(body) else times
                body = magnitude + joiner + body
            parts.append((c < 0, body))
        if self.bias != 0 or not parts:
            parts.append((self.bias < 0, format_number(self.bias, digits)))
        text = (minus if parts[0][0] else "") + parts[0][1]
        for negative, body in parts[1:]:
            text += f" {minus if negative else '+'} {body}"
        return text


class _Apply:
    """An activation applied to one expression (``softmax`` to several, giving component ``index``)."""

    def __init__(self, name, args, param=None, index=None):
        self.name, self.args, self.param, self.index = name, args, param, index

    def evaluate(self, x):
        values = [a.evaluate(x) for a in self.args]
        v = values[0]
        if self.name == "relu":
            return np.maximum(v, 0)
        if self.name == "sigmoid":
            return 0.5 * (1 + np.tanh(v / 2))
        if self.name == "tanh":
            return np.tanh(v)
        if self.name == "heaviside":
            return (v > 0).astype(np.float64)
        if self.name in ("leaky_relu", "prelu"):
            return np.where(v > 0, v, self.param * v)
        z = np.stack(values) / self.param
        e = np.exp(z - z.max(axis=0))
        return e[self.index] / e.sum(axis=0)

    def render(self, latex, digits):
        inner = ", ".join(a.render(latex, digits) for a in self.args)
        if self.name == "relu":
            return rf"\max(0, {inner})" if latex else f"max(0, {inner})"
        if self.name in ("leaky_relu", "prelu"):
            label = "LeakyReLU" if self.name == "leaky_relu" else "PReLU"
            a = format_number(self.param, digits, sign=True)
            return rf"\mathrm{{{label}}}_{{{a}}}({inner})" if latex else f"{label}[a={a}]({inner})"
        if self.name == "softmax":
            temperature = ("" if self.param == 1
                           else f"_{{T={self.param:g}}}" if latex else f"[T={self.param:g}]")
            i = self.index + 1
            return (rf"\mathrm{{softmax}}{temperature}({inner})_{{{i}}}" if latex
                    else f"softmax{temperature}({inner}){subscript(i)}")
        symbol = {"sigmoid": (r"\sigma", "σ"), "tanh": (r"\tanh", "tanh"), "heaviside": ("H", "H")}[self.name]
        return f"{symbol[0] if latex else symbol[1]}({inner})"


def _juxtaposable(name):
    # "5x₁" reads as a product; "5·temp" needs the dot
    return re.fullmatch(r"[A-Za-z](_\{\d+\}|[₀-₉]*)", name) is not None


# -- reading a network ---------------------------------------------------------------------------

DenseLayer = namedtuple("DenseLayer", "weight bias activation param activation_label")
DenseLayer.__doc__ = """A Linear layer's weight (out, in), bias (out,) or None, and the activation after it."""

_LABELS = {"relu": "ReLU", "sigmoid": "σ", "tanh": "tanh", "heaviside": "H", "leaky_relu": "LeakyReLU",
           "prelu": "PReLU", "softmax": "softmax"}


def _activation(module):
    """(name, parameter) of an activation module, ``None`` for a layer that passes its input through."""
    from .. import nn

    simple = {nn.ReLU: "relu", nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.Heaviside: "heaviside"}
    for cls, name in simple.items():
        if isinstance(module, cls):
            return name, None
    if isinstance(module, nn.LeakyReLU):
        return "leaky_relu", module.negative_slope
    if isinstance(module, nn.PReLU):
        if module.weight.numel() != 1:
            raise TypeError("network_formula: a PReLU with one slope per channel has no formula per unit")
        return "prelu", float(module.weight.data[0])
    if isinstance(module, nn.Softmax):
        if module.dim not in (-1, 1):
            raise TypeError(f"network_formula: Softmax over dim={module.dim} does not act on the features")
        return "softmax", module.temperature
    if isinstance(module, (nn.Identity, nn.Dropout, nn.Flatten)):
        return None
    raise TypeError(f"network_formula: cannot write {type(module).__name__} as a formula (supported: Linear, "
                    "ReLU, Sigmoid, Tanh, Heaviside, LeakyReLU, PReLU, Softmax, Identity, Dropout, Flatten)")


def _modules(model):
    from .. import nn

    if isinstance(model, nn.Sequential):
        return list(model)
    if isinstance(model, nn.Module):
        return [model]
    return list(model)


def dense_layers(model):
    """The network as Linear layers, each with the activation that follows it (at most one).

    Dropout is the identity at evaluation and Flatten does nothing to a row of features, so both are
    skipped. Raises TypeError for anything else, or when the network does not start with a Linear layer.
    """
    from .. import nn

    layers = []
    for module in _modules(model):
        if isinstance(module, nn.Linear):
            bias = None if module.bias is None else np.array(module.bias.data, dtype=np.float64)
            layers.append(DenseLayer(np.array(module.weight.data, dtype=np.float64), bias, None, None, None))
            continue
        spec = _activation(module)
        if spec is None:
            continue
        if not layers or layers[-1].activation is not None:
            raise TypeError(f"dense_layers: {type(module).__name__} must follow a Linear layer")
        layers[-1] = layers[-1]._replace(activation=spec[0], param=spec[1], activation_label=_LABELS[spec[0]])
    if not layers:
        raise TypeError("dense_layers: the network has no Linear layer")
    return layers


class NetworkFormula:
    """The closed form of a network: one expression per output.

    Attributes
    ----------
    n_inputs : int
    text : list of str
        Each output's expression as text (``max(0, 5x₁ − 60x₂ + 0.5x₃)``).
    latex : list of str
        The same in LaTeX (``\\max(0, 5x_{1} - 60x_{2} + 0.5x_{3})``).
    """

    def __init__(self, outputs, n_inputs, digits):
        self._outputs, self.n_inputs, self.digits = outputs, n_inputs, digits
        self.text = [e.render(False, digits) for e in outputs]
        self.latex = [e.render(True, digits) for e in outputs]

    def __call__(self, x):
        """Evaluate the formula (exact coefficients, not the printed ones) at x of shape (..., n_inputs)."""
        x = np.asarray(x, dtype=np.float64)
        if x.shape[-1:] != (self.n_inputs,):
            raise ValueError(f"the formula takes {self.n_inputs} inputs, got an array of shape {x.shape}")
        return np.stack([e.evaluate(x) for e in self._outputs], axis=-1)

    def _names(self, latex):
        hat = r"\hat{y}" if latex else "ŷ"
        if len(self._outputs) == 1:
            return [hat]
        count = len(self._outputs)
        return [f"{hat}_{{{i}}}" if latex else f"{hat}{subscript(i)}" for i in range(1, count + 1)]

    def to_text(self):
        """``ŷ = …``, one line per output."""
        return "\n".join(f"{name} = {e}" for name, e in zip(self._names(False), self.text))

    def to_latex(self):
        """``\\hat{y} = …``; several outputs go in an ``aligned`` block."""
        lines = [f"{name} = {e}" for name, e in zip(self._names(True), self.latex)]
        if len(lines) == 1:
            return lines[0]
        return "\\begin{aligned}\n" + " \\\\\n".join(line.replace(" = ", " &= ", 1) for line in lines) + \
            "\n\\end{aligned}"

    def __str__(self):
        return self.to_text()

    def __repr__(self):
        return f"NetworkFormula({self.to_text()!r})"


def network_formula(model, input_names=None, *, digits=4, fold_linear=True, lang="en"):
    """Write a network of Linear and activation layers as its closed-form expression.

    Parameters
    ----------
    model : Sequential, Module or sequence of modules
        Linear, ReLU, Sigmoid, Tanh, Heaviside, LeakyReLU, PReLU (one slope), Softmax (over the
        features); Identity, Dropout (the identity at evaluation) and Flatten pass through.
    input_names : sequence of str, optional
        The inputs' names (default x₁, x₂, …; ``x_{1}``, … in LaTeX). A LaTeX-only name is used as is.
    digits : int, default 4
        Significant digits of the printed coefficients; a coefficient 1 is left out, 0 terms dropped.
    fold_linear : bool, default True
        Fold Linear layers that follow each other into one (W₂(W₁x + b₁) + b₂ = (W₂W₁)x + W₂b₁ + b₂).
    lang : {'en', 'ru'}, default 'en'
        The language of the views, as for the other explanations; the formula itself is symbols only
        (ŷ, the inputs' names, max, σ, tanh…), the same in every language.

    Returns
    -------
    NetworkFormula
        ``str()`` gives ``ŷ = …``; ``.text``/``.latex`` the expressions; calling it evaluates them.
    """
    from .. import nn
    from .i18n import labels

    labels(lang)  # ValueError naming the supported languages
    modules = _modules(model)
    first = next((m for m in modules if isinstance(m, nn.Linear)), None)
    if first is None:
        raise TypeError("network_formula: the network has no Linear layer, so its inputs are unknown")
    n = first.in_features
    names = list(input_names) if input_names is not None else [f"x{subscript(i + 1)}" for i in range(n)]
    if len(names) != n:
        raise ValueError(f"network_formula: {len(names)} input names for a network with {n} inputs")
    units = [_Var(i, name, f"x_{{{i + 1}}}" if input_names is None else name) for i, name in enumerate(names)]
    for module in modules:
        if isinstance(module, nn.Linear):
            if module.in_features != len(units):
                raise ValueError(f"network_formula: {type(module).__name__} expects {module.in_features} "
                                 f"inputs but the layer before gives {len(units)}")
            w = np.array(module.weight.data, dtype=np.float64)
            b = np.zeros(len(w)) if module.bias is None else np.array(module.bias.data, dtype=np.float64)
            units = [_affine(list(zip(w[j], units)), b[j], fold_linear) for j in range(len(w))]
            continue
        spec = _activation(module)
        if spec is None:
            continue
        name, param = spec
        if name == "softmax":
            units = [_Apply(name, units, param, index=j) for j in range(len(units))]
        else:
            units = [_Apply(name, [u], param) for u in units]
    formula = NetworkFormula(units, n, digits)
    formula.lang = lang
    return formula


def _affine(terms, bias, fold):
    """Σ cᵢ·eᵢ + b with zero terms dropped; with ``fold``, affine sub-expressions are multiplied out."""
    if fold:
        collected, total_bias = {}, float(bias)
        for c, e in terms:
            inner = e.terms if isinstance(e, _Affine) else [(1.0, e)]
            if isinstance(e, _Affine):
                total_bias += c * e.bias
            for d, base in inner:
                key = id(base)
                previous = collected.get(key, (0.0, base))[0]
                collected[key] = (previous + c * d, base)
        terms, bias = list(collected.values()), total_bias
    return _Affine([(float(c), e) for c, e in terms if c != 0], float(bias))


def network_dot(model, input_names=None, digits=3):
    """The network as Graphviz DOT text: inputs, neurons labelled with their activation, a weight on every
    arrow; a bias arrives from a node "1" (drawn only when some bias of that layer is nonzero).

    Render it with ``dot -Tsvg`` (or :func:`backprop.explain.plots.draw_network` without Graphviz).
    """
    layers = dense_layers(model)
    n_in = layers[0].weight.shape[1]
    names = list(input_names) if input_names is not None else [f"x{subscript(i + 1)}" for i in range(n_in)]
    lines = ["digraph network {", "  rankdir=LR;", "  splines=line;", "  nodesep=0.4;", "  ranksep=1.6;",
             '  node [shape=circle, fontsize=11];',
             # a weight next to the arrow's tail, where the arrows leaving one node fan out
             "  edge [labeldistance=3.5, labelangle=12, labelfontsize=10];"]
    lines += [f'  in{i} [label="{_escape(name)}", style=filled, fillcolor="#e8f0fe"];'
              for i, name in enumerate(names)]
    previous = [f"in{i}" for i in range(n_in)]
    columns = [list(previous)]
    for k, layer in enumerate(layers, start=1):
        n_out = layer.weight.shape[0]
        current = [f"l{k}n{j}" for j in range(n_out)]
        for j, node in enumerate(current):
            label = layer.activation_label or "linear"
            if k == len(layers):
                label = f"ŷ{subscript(j + 1) if n_out > 1 else ''}\n{label}"
            lines.append(f'  {node} [label="{_escape(label)}"];')
        sources, weights = list(previous), layer.weight
        if layer.bias is not None and np.any(layer.bias != 0):
            lines.append(f'  bias{k} [label="1", shape=box, style=filled, fillcolor="#eeeeee"];')
            sources.append(f"bias{k}")
            columns[-1].append(f"bias{k}")
            weights = np.hstack([weights, layer.bias[:, None]])
        for j, node in enumerate(current):
            for i, source in enumerate(sources):
                if weights[j, i] != 0:
                    weight = format_number(weights[j, i], digits, sign=True)
                    lines.append(f'  {source} -> {node} [taillabel="{weight}"];')
        previous = current
        columns.append(list(current))
    # each layer in one column, in order from top to bottom, as the course draws it
    for column in columns:
        lines.append("  { rank=same; " + " -> ".join(column) + " [style=invis]; }" if len(column) > 1
                     else "  { rank=same; " + column[0] + "; }")
    return "\n".join(lines + ["}"]) + "\n"


def _escape(text):
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")

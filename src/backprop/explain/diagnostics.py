"""Why a network does not learn: layer statistics on a batch, and the problem book's architecture mistakes.

``diagnose(model, X, y, loss_fn)`` runs one forward and backward pass on a copy of the model and
reports, per layer, the mean and variance of its activations and of their gradients, the share of
dead ReLU units and of saturated sigmoid/tanh values. A gradient variance that falls layer after
layer towards the input is the vanishing gradient; activations whose variance shrinks from layer
to layer show a poor initialisation (the problem book's U(±1/√n_in) exercise against Xavier/He).

Findings (each also issued as a :class:`DiagnosticWarning`), with their thresholds:

========================  ====================================================================
``dead-relu``             ≥ 20 % of a ReLU layer's units output 0 for every example of the batch
``saturated``             ≥ 20 % of a sigmoid/tanh layer's values are saturated: the local derivative
                          is below 10 % of its maximum (σ′ = σ(1 − σ) < 0.025, i.e. σ outside
                          [0.026, 0.974]; tanh′ = 1 − tanh² < 0.1, i.e. |tanh| > 0.949)
``vanishing-gradients``   the gradient reaching the first Linear layer's output has an RMS below
                          1/100 of the last hidden Linear layer's (``exploding-gradients``: above 100
                          times); the output layer is left out, as its width sets its own scale
``vanishing-gradients-in-time``  a recurrent layer's ‖dL/dx₀‖ < 1/100 of its last step's (``exploding-…``: > 100×)
``output-range``          a sigmoid, tanh or ReLU output while the regression targets leave its range
``labels-as-regression``  a regression loss (MSE, L1, Huber, MAPE) on integer class labels with
                          three classes or more (0/1 targets, as the course's sigmoid + MSE, are fine)
``double-softmax``        a softmax output fed to a cross-entropy that applies softmax itself
                          (or a sigmoid fed to ``BCEWithLogitsLoss``)
``unflattened-input``     an input with more than two axes (a 28×28 image) reaching a Linear layer
``stacked-linear``        Linear layers with no non-linearity between them: one Linear layer with
                          W = W₂W₁ and b = W₂b₁ + b₂ computes the same (given in the finding)
``constant-init``         a Linear layer whose weights are all equal and whose biases are all equal:
                          its units compute the same, receive the same gradient and stay identical
``redundant-units``       a unit whose incoming or outgoing weights are all ≈ 0 (below 1e-8 of the
                          layer's largest |w|), or two units with identical weights and bias
========================  ====================================================================

The last Linear layer is left out of the two weight checks: each of its units has its own target, so
a zero-initialised output layer's rows differ after one SGD step.
"""
import copy
import warnings
from dataclasses import dataclass, field

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import enable_grad
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from ..nn import activation as act
from ..nn import loss as nnloss
from ..nn.batchnorm import BatchNorm1d
from ..nn.dropout import Dropout
from ..nn.linear import Identity, Linear
from ..nn.module import input_tensor
from ..ops import activations as ops_act
from ..ops import losses as L
from . import _format as fmt
from . import time_gradients
from .i18n import finding_message, labels
from .summary import watch_calls

__all__ = ["Diagnosis", "DiagnosticWarning", "Finding", "LayerStats", "diagnose"]

DEAD_SHARE = 0.2
SATURATED_SHARE = 0.2
SATURATED_DERIVATIVE = {act.Sigmoid: 0.025, act.Tanh: 0.1}  # 10 % of the derivative's maximum
GRADIENT_RATIO = 100.0
ZERO = 1e-8  # relative to the layer's largest |w|

_REGRESSION = (nnloss.MSELoss, nnloss.L1Loss, nnloss.HuberLoss, nnloss.MAPELoss,
               L.mse_loss, L.l1_loss, L.huber_loss, L.mape_loss)
_CLASSIFICATION = (nnloss.CrossEntropyLoss, nnloss.NLLLoss, nnloss.BCELoss, nnloss.BCEWithLogitsLoss,
                   nnloss.HingeLoss, nnloss.PerceptronLoss, nnloss.SoftMarginLoss, L.cross_entropy,
                   L.nll_loss, L.binary_cross_entropy, L.binary_cross_entropy_with_logits, L.hinge_loss,
                   L.perceptron_loss, L.soft_margin_loss)
_APPLIES_ITSELF = {ops_act.Softmax: (nnloss.CrossEntropyLoss, L.cross_entropy),
                   ops_act.Sigmoid: (nnloss.BCEWithLogitsLoss, L.binary_cross_entropy_with_logits)}
_RANGES = {ops_act.Sigmoid: ("a sigmoid", 0.0, 1.0), ops_act.Tanh: ("a tanh", -1.0, 1.0),
           ops_act.ReLU: ("a ReLU", 0.0, np.inf)}
_UNIT_WISE = (act.ReLU, act.LeakyReLU, act.PReLU, act.Sigmoid, act.Tanh, act.Heaviside, Dropout, Identity,
              BatchNorm1d)  # keep each unit in its place, so a unit's outgoing weights are the next Linear's
_LINEAR_WISE = (Dropout, Identity)  # add no non-linearity between Linear layers


class DiagnosticWarning(UserWarning):
    """A likely mistake in a network's architecture, initialisation or training signal."""


@dataclass
class Finding:
    """One diagnosis: ``code`` (see the module doc), the layer concerned, a message and the numbers."""
    code: str
    layer: str
    message: str
    details: dict = field(default_factory=dict)

    def __str__(self):
        return f"[{self.code}] {self.message}"

    def text(self, lang="en"):
        """The finding in ``lang``: the message itself in English, the code's explanation in Russian."""
        return f"[{self.code}] {finding_message(self, lang)}"


@dataclass
class LayerStats:
    """Statistics of one layer's output on the batch; None where they do not apply."""
    name: str
    type: str
    output_shape: tuple
    mean: float
    var: float
    dead: float = None  # ReLU: the share of units that output 0 for every example
    saturated: float = None  # sigmoid, tanh: the share of saturated values
    grad_mean: float = None  # of dL/d(output)
    grad_var: float = None
    grad_rms: float = None


class Diagnosis:
    """The outcome of :func:`diagnose`: ``layers`` (LayerStats), ``findings`` (Finding), ``loss``."""

    def __init__(self, layers, findings, loss, input_shape, lang="en"):
        self.layers, self.findings, self.loss, self.input_shape = layers, findings, loss, input_shape
        self.lang = lang
        self.time_gradients = {}  # recurrent layer name → gradient norm per time step of its input

    @property
    def codes(self):
        return [f.code for f in self.findings]

    def __str__(self):
        def opt(v, percent=False):
            return "" if v is None else (f"{100 * v:.0f}%" if percent else fmt.number(v, 3))

        rows = [(f"{s.name} ({s.type})", fmt.shape(s.output_shape), opt(s.mean), opt(s.var),
                 opt(s.dead, True), opt(s.saturated, True), opt(s.grad_mean), opt(s.grad_var))
                for s in self.layers]
        words = labels(self.lang)
        head = f"{words['diagnostics_on']} {fmt.shape(self.input_shape)}" + (
            "" if self.loss is None else f", {words['loss']} = {fmt.number(self.loss, 5)}")
        text = [head, fmt.table(list(words["diagnosis_header"]), rows)] if rows else [head]
        text.append(words["findings"] if self.findings else words["no_findings"])
        text += [f"  {f.text(self.lang)}" for f in self.findings]
        return "\n".join(text + time_gradients.text(self.time_gradients))

    __repr__ = __str__


def _is(loss_fn, kinds):
    return isinstance(loss_fn, tuple(k for k in kinds if isinstance(k, type))) or any(
        loss_fn is k for k in kinds if not isinstance(k, type))


def _stats(name, module, out):
    y = np.asarray(out.data, dtype=np.float64)
    s = LayerStats(name, type(module).__name__, tuple(out.shape), float(y.mean()), float(y.var()))
    if isinstance(module, act.ReLU):
        units = y.reshape(-1, y.shape[-1]) if y.ndim > 1 else y.reshape(-1, 1)
        s.dead = float(np.all(units <= 0, axis=0).mean())
    threshold = SATURATED_DERIVATIVE.get(type(module))
    if threshold is not None:
        derivative = y * (1 - y) if isinstance(module, act.Sigmoid) else 1 - y * y
        s.saturated = float((derivative < threshold).mean())
    g = getattr(out, "grad", None)
    if g is not None:
        g = np.asarray(g.data if isinstance(g, Tensor) else g, dtype=np.float64)
        s.grad_mean, s.grad_var, s.grad_rms = float(g.mean()), float(g.var()), float(np.sqrt((g * g).mean()))
    return s


def diagnose(model, input, target=None, loss_fn=None, *, warn=True, lang="en"):
    """Per-layer statistics and architecture findings for ``model`` on one batch (see the module doc).

    Parameters
    ----------
    model : bp.nn.Module
        Left untouched: a copy is run (in the model's mode), and the random generator is restored.
    input : Tensor or array_like
        A batch.
    target : Tensor or array_like, optional
        The batch's targets; needed for the gradients and for the checks on targets.
    loss_fn : callable, optional
        ``loss_fn(model(input), target)``; without it no gradients are computed.
    warn : bool, default True
        Also issue each finding as a :class:`DiagnosticWarning`.
    lang : {'en', 'ru'}, default 'en'
        The language of the printed diagnosis and of the warnings (codes, layer names stay).

    Returns
    -------
    Diagnosis
    """
    labels(lang)
    model = copy.deepcopy(model)
    x = input_tensor(model, input)
    if time_gradients.needs_input_gradient(model) and not x.requires_grad:
        x = Tensor(x.data, requires_grad=True)  # a copy whose gradient shows each time step's share
    recurrent = []
    y = None if target is None else np.asarray(target.data if isinstance(target, Tensor) else target)
    calls, findings = [], []

    def record(name, module, args, out):
        if isinstance(out, Tensor):
            calls.append((name, module, args[0] if args and isinstance(args[0], Tensor) else None, out))
            if out.requires_grad:
                out.retain_grad()
        elif (watched := time_gradients.watch_input(module, args)) is not None:
            recurrent.append((name, module, watched))

    state = _random.get_rng_state()
    loss = None
    try:
        with enable_grad(), watch_calls(model, record):
            try:
                out = model(x)
            except ShapeError as err:
                if x.ndim <= 2:
                    raise
                findings.append(_unflattened(model, x, str(err)))
                return _finish([], findings, None, x, warn, lang)
        findings += _architecture(calls) + _output_findings(out, y, loss_fn)
        if loss_fn is not None:
            with enable_grad():
                loss = loss_fn(out) if y is None else loss_fn(out, target if isinstance(target, Tensor)
                                                              else Tensor(y))
                if loss.requires_grad:
                    loss.backward()
    except BaseException:
        _emit(findings, warn, lang)
        raise
    finally:
        _random.set_rng_state(state)
    layers = [_stats(name, module, out) for name, module, _, out in calls]
    findings += _statistics_findings(layers, calls)
    norms = {name: n for name, m, inp in recurrent if (n := time_gradients.step_norms(m, inp)) is not None}
    findings += time_gradients.findings(norms, Finding)
    diagnosis = _finish(layers, findings, None if loss is None else float(loss.data), x, warn, lang)
    diagnosis.time_gradients = norms
    return diagnosis


def _finish(layers, findings, loss, x, warn, lang="en"):
    _emit(findings, warn, lang)
    return Diagnosis(layers, findings, loss, tuple(x.shape), lang=lang)


def _emit(findings, warn, lang="en"):
    if warn:
        for f in findings:
            warnings.warn(finding_message(f, lang), DiagnosticWarning, stacklevel=3)


def _unflattened(model, x, error):
    first = next((n for n, m in model.named_modules() if isinstance(m, Linear)), "?")
    message = (f"The input has shape {fmt.shape(x.shape)}, more than two axes, and reaches Linear layer "
               f"{first}, which failed ({error}). Flatten each example into one row first: nn.Flatten() or "
               f"x.reshape({x.shape[0]}, -1) gives {int(np.prod(x.shape[1:]))} features.")
    return Finding("unflattened-input", first, message, {"input_shape": tuple(x.shape)})


def _output_findings(out, y, loss_fn):
    """Mistakes in the pairing of the output layer, the loss and the targets."""
    found = []
    op = getattr(getattr(out, "grad_fn", None), "op", None)  # the op that produced the output
    for kind, losses in _APPLIES_ITSELF.items():
        if op is kind and _is(loss_fn, losses):
            what = "softmax" if kind is ops_act.Softmax else "sigmoid"
            message = (f"The model ends with a {what}, and the loss applies the {what} itself: it is "
                       f"applied twice. Drop the {what} layer and feed the logits to the loss.")
            found.append(Finding("double-softmax", "output", message))
    if y is None:
        return found
    if op in _RANGES and not _is(loss_fn, _CLASSIFICATION):
        what, lo, hi = _RANGES[op]
        if y.size and (y.min() < lo or y.max() > hi):
            message = (f"The output layer is {what}, whose values lie in [{fmt.number(lo)}, "
                       f"{fmt.number(hi)}], but the targets range over [{fmt.number(y.min())}, "
                       f"{fmt.number(y.max())}]: the network cannot reach them. Use a linear output (or "
                       "rescale the targets).")
            found.append(Finding("output-range", "output", message))
    if _is(loss_fn, _REGRESSION) and y.dtype.kind in "iu" and len(np.unique(y)) > 2:
        k = len(np.unique(y))
        message = (f"A regression loss on integer class labels ({k} classes): it treats the classes as "
                   "ordered numbers, so predicting class 2 for class 0 costs more than class 1. Give the "
                   f"network {k} outputs and use CrossEntropyLoss.")
        found.append(Finding("labels-as-regression", "loss", message))
    return found


def _architecture(calls):
    """Findings from the layers' weights and the way data flows between them."""
    found, layers, pairs = [], {}, []
    feeds = {}  # id(tensor) -> ((name, Linear) whose units it carries, whether only linear maps came since)
    for name, module, x, out in calls:
        if isinstance(module, Linear):
            if x is not None and x.ndim > 2 and name not in layers:
                message = (f"Linear layer {name} receives an input of shape {fmt.shape(x.shape)}: it acts "
                           "on the last axis only, row by row. Flatten each example first (nn.Flatten()).")
                found.append(Finding("unflattened-input", name, message))
            if x is not None and id(x) in feeds:
                pairs.append((*feeds[id(x)], name, module))
            layers.setdefault(name, module)
            feeds[id(out)] = ((name, module), True)
        elif isinstance(module, _UNIT_WISE) and x is not None and id(x) in feeds:
            source, linear = feeds[id(x)]
            feeds[id(out)] = (source, linear and isinstance(module, _LINEAR_WISE))
    # The output layer is left out of the weight checks: each of its units has its own target, so zero or
    # equal rows get different gradients and part after one step (zero-initialising it is common practice).
    last = next((name for name, module, _, _ in reversed(calls) if isinstance(module, Linear)), None)
    constant = set()
    for name, module in layers.items():
        if name != last:
            found += _layer_weights(name, module, constant)
    for (a_name, a), transparent, b_name, b in pairs:
        if transparent:
            found.append(_stacked(a_name, a, b_name, b))
        if b_name != last:
            found += _outgoing(a_name, a, b_name, b, constant)
    return found


def _layer_weights(name, m, constant):
    w = m.weight.data
    b = None if m.bias is None else m.bias.data
    if m.out_features > 1 and np.all(w == w.flat[0]) and (b is None or np.all(b == b.flat[0])):
        constant.add(name)
        bias = "" if b is None else f" and every bias equal to {fmt.number(b.flat[0])}"
        message = (f"Linear layer {name} has every weight equal to {fmt.number(w.flat[0])}{bias}: its "
                   f"{m.out_features} units compute the same value, receive the same gradient and stay "
                   "identical in training. Initialise the weights at random (the problem book's "
                   "zero-weight exercise).")
        return [Finding("constant-init", name, message)]
    found = []
    dead = np.flatnonzero(np.all(np.abs(w) <= ZERO * np.abs(w).max(initial=0), axis=1))
    if dead.size:
        message = (f"Units {dead.tolist()} of Linear layer {name} have all incoming weights ≈ 0: each "
                   "outputs a constant set by its bias alone, which the next layer's bias could absorb.")
        found.append(Finding("redundant-units", name, message, {"units": dead.tolist(), "side": "incoming"}))
    rows = w if b is None else np.concatenate([w, b[:, None]], axis=1)
    scale = np.abs(rows).max(initial=0) or 1.0
    _, inverse, counts = np.unique(np.round(rows / scale, 10), axis=0, return_inverse=True,
                                   return_counts=True)
    groups = [np.flatnonzero(inverse.reshape(-1) == g).tolist() for g in np.flatnonzero(counts > 1)]
    if groups:
        message = (f"Linear layer {name} has units with identical weights and bias {groups}: they compute "
                   "the same value and stay identical; one unit per group would do.")
        found.append(Finding("redundant-units", name, message, {"groups": groups, "side": "identical"}))
    return found


def _outgoing(a_name, a, b_name, b, constant):
    if a_name in constant:
        return []
    w = b.weight.data
    unused = np.flatnonzero(np.all(np.abs(w) <= ZERO * np.abs(w).max(initial=0), axis=0))
    if not unused.size:
        return []
    message = (f"Units {unused.tolist()} of Linear layer {a_name} have all outgoing weights ≈ 0 (in layer "
               f"{b_name}): nothing they compute reaches the output.")
    return [Finding("redundant-units", a_name, message, {"units": unused.tolist(), "side": "outgoing"})]


def _stacked(a_name, a, b_name, b):
    w1, w2 = a.weight.data, b.weight.data
    b1 = np.zeros(w1.shape[0]) if a.bias is None else a.bias.data
    b2 = np.zeros(w2.shape[0]) if b.bias is None else b.bias.data
    weight, bias = w2 @ w1, w2 @ b1 + b2
    message = (f"Linear layers {a_name} and {b_name} follow each other with no non-linearity between them: "
               f"together they are one Linear layer {w1.shape[1]} → {w2.shape[0]} with weight W = W₂W₁ = "
               f"{fmt.array(weight)} and bias b = W₂b₁ + b₂ = {fmt.array(bias)}. Put an activation between "
               "them.")
    return Finding("stacked-linear", b_name, message, {"weight": weight, "bias": bias})


def _statistics_findings(layers, calls):
    found = []
    for s in layers:
        if s.dead is not None and s.dead >= DEAD_SHARE:
            message = (f"{100 * s.dead:.0f}% of the units of ReLU layer {s.name} output 0 for every example "
                       "of the batch: they pass no gradient and do not learn (dead ReLUs). Check the "
                       "initialisation (He) and the learning rate, or use LeakyReLU.")
            found.append(Finding("dead-relu", s.name, message, {"share": s.dead}))
        if s.saturated is not None and s.saturated >= SATURATED_SHARE:
            message = (f"{100 * s.saturated:.0f}% of the values of {s.type} layer {s.name} are saturated "
                       "(local derivative below 10% of its maximum), so little gradient passes: scale the "
                       "inputs and use Xavier initialisation.")
            found.append(Finding("saturated", s.name, message, {"share": s.saturated}))
    # The hidden Linear layers only: the output layer's width changes the scale of its gradient.
    rms = [(s.name, s.grad_rms) for s, (_, m, _, _) in zip(layers, calls)
           if isinstance(m, Linear) and s.grad_rms is not None][:-1]
    if len(rms) >= 2 and rms[-1][1] > 0:
        (first, g0), (last, g1) = rms[0], rms[-1]
        ratio = g0 / g1
        if ratio < 1 / GRADIENT_RATIO or ratio > GRADIENT_RATIO:
            code, word = ("vanishing-gradients", "shrinks") if ratio < 1 else ("exploding-gradients", "grows")
            message = (f"The gradient at the output of Linear layer {first} is {fmt.number(ratio, 2)} times "
                       f"the one at layer {last} ({fmt.number(g0, 2)} against {fmt.number(g1, 2)} RMS): it "
                       f"{word} layer by layer towards the input. Check the activations (saturation) and "
                       "the initialisation (Xavier for tanh/sigmoid, He for ReLU).")
            found.append(Finding(code, first, message, {"ratio": ratio}))
    return found

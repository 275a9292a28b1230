"""The whole-model gradient check: every parameter's backpropagated gradient against finite differences.

``bp.gradcheck`` checks one function; this checks a model as it is trained — a model, a loss and a
batch — and says which layer's backward formula is wrong::

    report = bp.explain.check_model_gradients(model, nn.MSELoss(), X, y)
    print(report)            # relative error per parameter and per layer, and a verdict
    assert report            # truthy when every gradient agrees

It works on a float64 copy of the model (``model`` itself is not touched): for each parameter,
backprop's ∂L/∂θ is compared with the central difference (L(θ + ε) − L(θ − ε)) / 2ε, element by
element. A wrong backward formula in one layer corrupts the gradients of every layer before it,
so each layer is then also checked alone, on the input it receives in this batch (the gradient of
Σ v·layer(x) for a fixed random v, with respect to that input and to the layer's own parameters):
the layer that fails alone is the one whose formula is wrong.

Random layers (dropout) draw the same mask in every evaluation: the library's random generator is
reset to one state before each forward pass, and left as it was afterwards. Batch norm in training
mode is differentiated through its batch statistics, as it is trained.
"""
import copy
from dataclasses import dataclass

import numpy as np

from .. import random as _random
from ..autograd.grad_mode import enable_grad, no_grad
from ..autograd.gradcheck import central_differences
from ..autograd.tensor import Tensor
from ..nn.module import Module
from . import _format as fmt
from .summary import watch_calls

__all__ = ["GradientError", "ModelGradcheckReport", "check_model_gradients"]


@dataclass
class GradientError:
    """How far backprop's gradient of one tensor is from finite differences.

    ``rel`` is ‖analytic − numeric‖ / max(‖analytic‖, ‖numeric‖) over the checked elements (0 when
    both norms are below the absolute tolerance); ``ok`` when
    ‖analytic − numeric‖ ≤ atol·max(1, |L|) + rtol·max(‖analytic‖, ‖numeric‖).
    """
    name: str  # the parameter's name ("0.weight"), or "input" for a layer's input
    layer: str
    layer_type: str
    shape: tuple
    checked: int
    max_abs: float
    rel: float
    ok: bool


def _to64(x):
    if x is None:
        return None
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    return Tensor(data.astype(np.float64)) if data.dtype.kind == "f" else Tensor(data)


def _picked(size, max_checks, rng):
    if max_checks is None or size <= max_checks:
        return np.arange(size)
    return np.sort(rng.choice(size, max_checks, replace=False))


class _Checker:
    def __init__(self, eps, rtol, atol, max_checks, seed):
        self.eps, self.rtol, self.atol, self.max_checks = eps, rtol, atol, max_checks
        self.rng = np.random.default_rng(seed)
        self.rng_state = _random.get_rng_state()

    def reseeded(self, f):
        """``f`` run with the library's generator at the same state every time (same dropout masks)."""
        def run():
            _random.set_rng_state(self.rng_state)
            return f()
        return run

    def compare(self, tensor, analytic, value, scale, **row):
        picked = _picked(tensor.numel(), self.max_checks, self.rng)
        if not tensor.data.flags.c_contiguous:
            tensor.data = np.ascontiguousarray(tensor.data)
        numeric = central_differences(value, tensor.data, self.eps, picked)
        a = np.asarray(analytic, dtype=np.float64).reshape(-1)[picked]
        diff = np.linalg.norm(a - numeric)
        norm = max(np.linalg.norm(a), np.linalg.norm(numeric))
        floor = self.atol * max(1.0, scale)
        rel = float(diff / norm) if norm > floor else 0.0  # both below atol: nothing to compare
        ok = bool(diff <= floor + self.rtol * norm)
        max_abs = float(np.abs(a - numeric).max()) if a.size else 0.0
        return GradientError(shape=tuple(tensor.shape), checked=len(picked), max_abs=max_abs, rel=rel, ok=ok,
                             **row)


def _layer_of(param_name, modules):
    prefix = param_name.rpartition(".")[0] or "model"
    return prefix, type(modules.get(prefix, modules.get("model"))).__name__


def check_model_gradients(model, loss_fn, input, target=None, *, eps=1e-6, rtol=1e-5, atol=1e-7,
                          max_checks=256, check_layers=True, seed=0):
    """Compare every parameter's gradient with finite differences in float64 (see the module doc).

    Parameters
    ----------
    model : bp.nn.Module
        Left untouched: a float64 deep copy is checked, in the model's current mode (train/eval).
    loss_fn : callable
        ``loss_fn(model(input), target)`` (or ``loss_fn(model(input))`` without a target) returns a
        scalar; a loss module is copied to float64 as well.
    input : Tensor or array_like
        A batch.
    target : Tensor or array_like, optional
    eps : float, default 1e-6
        The finite-difference step.
    rtol, atol : float, default 1e-5 and 1e-7
        Pass when ‖analytic − numeric‖ ≤ atol·max(1, |L|) + rtol·max(‖analytic‖, ‖numeric‖).
    max_checks : int or None, default 256
        Elements compared per tensor, drawn at random (seeded by ``seed``) from larger ones; None: all.
    check_layers : bool, default True
        Also check each layer alone, to name the one whose backward formula is wrong.
    seed : int, default 0

    Returns
    -------
    ModelGradcheckReport
        Truthy when every checked gradient agrees.
    """
    model = copy.deepcopy(model).double()
    loss_fn = copy.deepcopy(loss_fn).double() if isinstance(loss_fn, Module) else loss_fn
    x, y = _to64(input), _to64(target)
    check = _Checker(eps, rtol, atol, max_checks, seed)
    modules = {name or "model": m for name, m in model.named_modules()}
    seen = {}

    def record(name, module, args, out):
        if name not in seen and args and isinstance(args[0], Tensor) and isinstance(out, Tensor):
            seen[name] = (module, np.array(args[0].data))

    def loss():
        out = model(x)
        return loss_fn(out) if y is None else loss_fn(out, y)

    try:
        loss_value = check.reseeded(loss)
        with enable_grad(), watch_calls(model, record):
            value = loss_value()
        model.zero_grad()
        with enable_grad():
            value.backward()
        scale = abs(float(value.data))

        def value_now():
            with no_grad():
                return float(loss_value().data)

        rows = []
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            layer, kind = _layer_of(name, modules)
            analytic = np.zeros(p.shape) if p.grad is None else p.grad
            rows.append(check.compare(p, analytic, value_now, scale, name=name, layer=layer, layer_type=kind))
        alone = []
        if check_layers:
            for name, (module, x_in) in seen.items():
                alone += _check_alone(check, name, module, x_in)
    finally:
        _random.set_rng_state(check.rng_state)
    return ModelGradcheckReport(rows, alone, float(value.data), eps)


def _check_alone(check, name, module, x_in):
    """The gradients of Σ v·module(x) with respect to x and to the module's parameters."""
    x = Tensor(x_in, dtype=np.float64 if x_in.dtype.kind == "f" else None)
    differentiable_input = x.dtype.kind == "f"
    if differentiable_input:
        x.requires_grad_(True)
    with no_grad():
        v = check.rng.standard_normal(check.reseeded(lambda: module(x))().shape)

    def weighted():
        return (module(x) * v).sum()

    value = check.reseeded(weighted)
    module.zero_grad()
    with enable_grad():
        s = value()
        if not s.requires_grad:
            return []
        s.backward()

    def value_now():
        with no_grad():
            return float(value().data)

    scale = abs(float(s.data))
    kind = type(module).__name__
    rows = []
    if differentiable_input:
        grad_x = np.zeros(x.shape) if x.grad is None else x.grad
        rows.append(check.compare(x, grad_x, value_now, scale, name="input", layer=name, layer_type=kind))
    for pname, p in module.named_parameters():
        if p.requires_grad:
            analytic = np.zeros(p.shape) if p.grad is None else p.grad
            rows.append(check.compare(p, analytic, value_now, scale, name=pname, layer=name, layer_type=kind))
    return rows


class ModelGradcheckReport:
    """The outcome of :func:`check_model_gradients`; truthy when every gradient agrees.

    Attributes
    ----------
    parameters : list of GradientError
        The whole model's check, one row per parameter that requires grad.
    layers_alone : list of GradientError
        Each layer checked alone: its input ("input") and its own parameters.
    loss : float
    """

    def __init__(self, parameters, layers_alone, loss, eps):
        self.parameters, self.layers_alone, self.loss, self.eps = parameters, layers_alone, loss, eps

    @property
    def ok(self):
        return all(r.ok for r in self.parameters) and all(r.ok for r in self.layers_alone)

    def __bool__(self):
        return self.ok

    @property
    def by_layer(self):
        """{layer name: the largest relative error of its parameters in the whole-model check}."""
        worst = {}
        for r in self.parameters:
            worst[r.layer] = max(worst.get(r.layer, 0.0), r.rel)
        return worst

    @property
    def failed_layers(self):
        """Names of the layers that fail when checked alone: their backward formulas are wrong."""
        return list(dict.fromkeys(r.layer for r in self.layers_alone if not r.ok))

    def verdict(self):
        if self.ok:
            return "Every gradient agrees with finite differences."
        if self.failed_layers:
            parts = []
            for layer in self.failed_layers:
                wrong = [r for r in self.layers_alone if r.layer == layer and not r.ok]
                parts.append(f"layer {layer} ({wrong[0].layer_type}): its backward formula is wrong for "
                             + ", ".join(r.name for r in wrong))
            note = ""
            if any(r.name == "input" for r in self.layers_alone if not r.ok):
                note = " (a wrong gradient for a layer's input also corrupts every layer before it)"
            return "Gradients disagree. " + "; ".join(parts) + note + "."
        if not all(r.ok for r in self.parameters):
            return ("Gradients disagree in the whole model although every layer passes alone: look at code "
                    "outside the layers (operations in a custom forward) or at the loss.")
        return "Gradients disagree."

    @staticmethod
    def _rows(rows):
        return [(r.name, f"{r.layer} ({r.layer_type})", fmt.shape(r.shape), r.checked, f"{r.max_abs:.2e}",
                 f"{r.rel:.2e}", "yes" if r.ok else "NO") for r in rows]

    def __str__(self):
        header = ["gradient of", "layer (type)", "shape", "checked", "max abs err", "rel err", "ok"]
        text = [(f"Gradient check of the whole model (float64, central differences, eps = {self.eps:g}), "
                f"loss = {fmt.number(self.loss, 6)}:"), fmt.table(header, self._rows(self.parameters),
                                                             ["<", "<", "<", ">", ">", ">", "<"])]
        if self.layers_alone:
            text += ["", "Each layer alone, on the input it gets in this batch (gradient of Σ v·layer(x)):",
                     fmt.table(header, self._rows(self.layers_alone), ["<", "<", "<", ">", ">", ">", "<"])]
        text += ["", self.verdict()]
        return "\n".join(text)

    __repr__ = __str__

"""NAdam: Adam with Nesterov momentum and a warming-up momentum schedule (``torch.optim.NAdam``)."""
import numpy as np

from ._adam_family import decayed_grad, update_moments
from .optimizer import Optimizer, check_betas, check_nonnegative


def nadam_update(param, grad, state, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, maximize=False):
    """One NAdam step on ``param``, in place: PyTorch's algorithm, :attr:`NAdam.algorithm` (below).

    Parameters
    ----------
    param : ndarray
        θ, updated in place.
    grad : ndarray
        dL/dθ (left unchanged).
    state : dict
        ``'step'`` (t), ``'mu_product'`` (Π, a float), ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v), PyTorch's
        names; filled on the first step.
    lr, betas, eps, weight_decay, momentum_decay, decoupled_weight_decay, maximize
        As in :class:`NAdam`.

    Returns
    -------
    dict
        The intermediates (:attr:`NAdam.intermediates`): ``step`` (t), ``g``, ``mu`` (μ_t), ``mu_next``
        (μ_{t+1}), ``mu_product`` (Π), ``m``, ``v``, ``v_hat`` (v̂) and ``delta`` (Δ).
    """
    beta1, beta2 = betas
    t = state["step"] = state.get("step", 0) + 1
    g = decayed_grad(param, grad, lr, weight_decay, decoupled_weight_decay, maximize)
    mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state["mu_product"] = state.get("mu_product", 1.0) * mu
    m, v, tmp = update_moments(state, param, grad, g, beta1, beta2)
    v_hat = v / (1 - beta2 ** t)
    denom = np.sqrt(v_hat)
    denom += eps
    delta = np.multiply(g, lr * (1.0 - mu) / (1.0 - mu_product), out=tmp)
    delta += m * (lr * mu_next / (1.0 - mu_product * mu_next))
    delta /= denom
    param -= delta
    return {"step": t, "g": g, "mu": mu, "mu_next": mu_next, "mu_product": mu_product, "m": m, "v": v,
            "v_hat": v_hat, "delta": delta}


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016): Adam whose step looks ahead with Nesterov momentum.

    The momentum coefficient warms up, μ_t = β₁·(1 − ½·0.96^(t·momentum_decay)), and the step mixes
    the current gradient with the momentum of the next step. The algorithm, per parameter θ at step
    t = 1, 2, ..., is :attr:`algorithm` (shown at the end), exactly as :func:`nadam_update` runs it.

    Parameters
    ----------
    params : iterable of Tensor or of dict
        Tensors to optimize, or parameter groups.
    lr : float, default 2e-3
        Learning rate.
    betas : (float, float), default (0.9, 0.999)
        Decay rates β₁ of the mean and β₂ of the mean square of the gradient, each in [0, 1).
    eps : float, default 1e-8
        Added to the denominator.
    weight_decay : float, default 0
        Weight-decay coefficient: an L2 penalty folded into the gradient, or (``decoupled_weight_decay``)
        a shrinking of θ itself.
    momentum_decay : float, default 4e-3
        How fast μ_t warms up towards β₁.
    decoupled_weight_decay : bool, default False
        Shrink θ by lr·weight_decay·θ before the step (NAdamW) instead of adding the penalty to g.
    maximize : bool, default False
        Ascend instead of descend.
    """

    update = staticmethod(nadam_update)
    hyperparameters = ("lr", "betas", "eps", "weight_decay", "momentum_decay", "decoupled_weight_decay",
                       "maximize")
    algorithm = """
        t ← t + 1
        g ← −grad if maximize else grad
        if weight_decay ≠ 0:
            θ ← θ·(1 − lr·weight_decay)       if decoupled_weight_decay   (NAdamW)
            g ← g + weight_decay·θ            otherwise
        μ_t ← β₁·(1 − ½·0.96^(t·momentum_decay))
        μ_{t+1} ← β₁·(1 − ½·0.96^((t + 1)·momentum_decay))
        Π ← Π·μ_t                             (Π₀ = 1)
        m ← β₁·m + (1 − β₁)·g                 (m and v start at 0)
        v ← β₂·v + (1 − β₂)·g²
        v̂ ← v/(1 − β₂ᵗ)
        Δ ← lr·((1 − μ_t)/(1 − Π)·g + μ_{t+1}/(1 − Π·μ_{t+1})·m)/(√v̂ + eps)
        θ ← θ − Δ
    """
    intermediates = {"step": "t, the step count", "g": "g = ±grad (+ weight_decay·θ)",
                     "mu": "μ_t = β₁·(1 − ½·0.96^(t·momentum_decay))",
                     "mu_next": "μ_{t+1} = β₁·(1 − ½·0.96^((t + 1)·momentum_decay))",
                     "mu_product": "Π = μ_1·μ_2·…·μ_t", "m": "m = β₁·m + (1 − β₁)·g",
                     "v": "v = β₂·v + (1 − β₂)·g²", "v_hat": "v̂ = v/(1 − β₂ᵗ)",
                     "delta": "Δ = lr·((1 − μ_t)/(1 − Π)·g + μ_{t+1}/(1 − Π·μ_{t+1})·m)/(√v̂ + eps)"}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, maximize=False):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay,
                                      decoupled_weight_decay=decoupled_weight_decay, maximize=maximize))

    def _validate(self, group):
        check_nonnegative(group, "eps", "weight_decay", "momentum_decay")
        check_betas(group)

    def load_state_dict(self, state_dict):
        """As :meth:`Optimizer.load_state_dict`; the scalar ``mu_product`` (a float, or PyTorch's 0-d tensor)
        is kept as a float rather than cast to the parameter's shape."""
        products = {int(key): values["mu_product"] for key, values in state_dict["state"].items()
                    if "mu_product" in values}
        arrays = {key: {name: v for name, v in values.items() if name != "mu_product"}
                  for key, values in state_dict["state"].items()}
        super().load_state_dict(dict(state_dict, state=arrays))
        params = {i: p for saved, group in zip(state_dict["param_groups"], self.param_groups)
                  for i, p in zip(saved["params"], group["params"])}
        for key, value in products.items():
            self.state[params[key]]["mu_product"] = float(value.item() if hasattr(value, "item") else value)

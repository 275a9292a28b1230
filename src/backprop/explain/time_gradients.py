"""Backpropagation through time in numbers: how much gradient reaches each time step of a recurrent layer.

``diagnose`` keeps the gradient of each recurrent layer's input, dL/dx_t, and reports its norm per
time step. Through h_t = tanh(W_ih x_t + W_hh h_{t−1} + b), the gradient reaching step t is the one of
step t + 1 multiplied by W_hhᵀ·diag(1 − h²): over many steps it shrinks geometrically (vanishing) when
those factors are below 1, and grows (exploding) when above.
"""
import numpy as np

from ..autograd.tensor import Tensor
from ..nn.rnn import RNNBase
from . import _format as fmt

STEP_RATIO = 100.0  # first step's gradient norm against the last one's, beyond which a finding is made


def needs_input_gradient(model):
    """Whether ``model`` holds a recurrent layer, whose input's gradient ``diagnose`` should keep."""
    return any(isinstance(m, RNNBase) for m in model.modules())


def watch_input(module, args):
    """For a recurrent layer's call: keep its input's gradient. Returns the input, or None for another layer."""
    if not isinstance(module, RNNBase) or not args or not isinstance(args[0], Tensor):
        return None
    x = args[0]
    if x.requires_grad and x.grad_fn is not None:
        x.retain_grad()
    return x


def step_norms(module, x):
    """‖dL/dx_t‖ for each time step t (over the batch and the features), or None without a gradient."""
    g = x.grad
    if g is None:
        return None
    g = np.asarray(g.data if isinstance(g, Tensor) else g, dtype=np.float64)
    if g.ndim == 3 and module.batch_first:
        g = g.swapaxes(0, 1)
    return np.sqrt((g.reshape(g.shape[0], -1) ** 2).sum(1))


def findings(norms, finding):
    """``vanishing-gradients-in-time`` / ``exploding-gradients-in-time`` per layer; ``finding(code, layer,
    message, details)`` makes one."""
    found = []
    for name, n in norms.items():
        if len(n) < 2 or n[-1] == 0:
            continue
        ratio = n[0] / n[-1]
        if 1 / STEP_RATIO <= ratio <= STEP_RATIO:
            continue
        code, word = ("vanishing-gradients-in-time", "shrinks") if ratio < 1 else ("exploding-gradients-in-time",
                                                                                  "grows")
        message = (f"The gradient reaching time step 0 of recurrent layer {name} is {fmt.number(ratio, 2)} times the "
                   f"one at step {len(n) - 1} ({fmt.number(n[0], 2)} against {fmt.number(n[-1], 2)}): it {word} "
                   "step by step back through time. Use an LSTM or a GRU, tanh rather than ReLU, clip the "
                   "gradient norm (exploding) or truncate backpropagation through time.")
        found.append(finding(code, name, message, {"ratio": ratio, "norms": n}))
    return found


def text(norms):
    """Lines for the printed diagnosis: the gradient norm of each step, per recurrent layer."""
    return [f"gradient norm per time step, layer {name}: " + ", ".join(fmt.number(v, 3) for v in n)
            for name, n in norms.items()]

"""What Adam, RAdam and NAdam share: weight decay on the gradient or on θ, and the two moment estimates."""
import numpy as np

from .optimizer import effective_grad, temporary, zeros_state


def decayed_grad(param, grad, lr, weight_decay, decoupled, maximize):
    """g = ±grad + weight_decay·θ (an L2 penalty); or, ``decoupled`` (AdamW's rule), θ ← θ·(1 − lr·weight_decay)
    in place first and g = ±grad."""
    if weight_decay != 0 and decoupled:
        param *= 1 - lr * weight_decay
        return effective_grad(param, grad, 0.0, maximize)
    return effective_grad(param, grad, weight_decay, maximize)


def update_moments(state, param, grad, g, beta1, beta2):
    """m ← β₁·m + (1 − β₁)·g and v ← β₂·v + (1 − β₂)·g², in place in ``state`` (PyTorch's ``exp_avg`` and
    ``exp_avg_sq``, zeros at the first step).

    Returns m, v and the temporary array it used, which the caller may overwrite.
    """
    m = zeros_state(state, "exp_avg", param)
    v = zeros_state(state, "exp_avg_sq", param)
    tmp = np.multiply(g, 1 - beta1, out=temporary(param, grad))
    m *= beta1
    m += tmp
    np.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    v *= beta2
    v += tmp
    return m, v, tmp

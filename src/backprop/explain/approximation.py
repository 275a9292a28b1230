"""The universal-approximation construction of the problem book (001 §1 ex. 9): a two-layer Heaviside network.

Cut [a, b] into steps [aᵢ, aᵢ + h) and give each the height f at its midpoint:

    f(x) ≈ Σᵢ f(aᵢ + h/2)·[aᵢ ≤ x < aᵢ + h]

(the book prints the indicator as [aᵢ ≥ x < aᵢ₊₁], a slip for aᵢ ≤ x < aᵢ₊₁). The book writes one
step as 1 − [x < aᵢ] − [x ≥ aᵢ + h]; with the unit step H(t) = [t > 0] (H(0) = 0, the book's
definition) that is H(aᵢ + h − x) − H(aᵢ − x): two hidden neurons with weight −1 and biases aᵢ + h
and aᵢ, and an output neuron adding the steps with weights ±f(midpoint). (The form
H(x − aᵢ) − H(x − aᵢ − h) would give the steps (aᵢ, aᵢ + h] instead.) On each step the error is at
most the variation of f over h/2 around the midpoint, so for a Lipschitz f (constant L) the maximum
error is at most L·h/2 and falls as h shrinks.
"""
import math

import numpy as np

from ..autograd.factory import tensor
from ..autograd.grad_mode import no_grad

__all__ = ["approximation_error", "approximation_errors", "step_network"]


def step_network(f, a, b, h=None, *, n=None, dtype=np.float64):
    """The two-layer Heaviside network Σ f(midpoint)·[aᵢ ≤ x < aᵢ + h] approximating f on [a, b).

    Parameters
    ----------
    f : callable
        The function, applied to a NumPy array of midpoints.
    a, b : float
        The interval, a < b.
    h : float, optional
        The largest step width: the n = ⌈(b − a)/h⌉ steps of width (b − a)/n ≤ h tile [a, b).
    n : int, optional
        The number of steps instead (h = (b − a)/n). Give exactly one of ``h`` and ``n``.
    dtype : numpy dtype, default float64

    Returns
    -------
    Sequential
        ``Linear(1, 2n) → Heaviside() → Linear(2n, 1, bias=False)``: input (N, 1), output (N, 1).
        At x = b (and outside [a, b)) every step is off and the output is 0.
    """
    from .. import nn

    if not a < b:
        raise ValueError(f"step_network: need a < b, got a={a}, b={b}")
    if (h is None) == (n is None):
        raise ValueError("step_network: give exactly one of h (the step width) and n (the number of steps)")
    if h is not None:
        if not h > 0:
            raise ValueError(f"step_network: the step width h must be positive, got {h}")
        n = math.ceil((b - a) / h - 1e-9)  # rounding: (b − a)/h = 10.000000000000002 is ten steps
    elif n < 1:
        raise ValueError(f"step_network: need at least one step, got n={n}")
    h = (b - a) / n
    # one array of edges, so that step i ends exactly where step i + 1 begins (no gap, no overlap)
    edges = a + h * np.arange(n + 1)
    heights = np.asarray(f((edges[:-1] + edges[1:]) / 2), dtype=np.float64)
    hidden, output = nn.Linear(1, 2 * n, dtype=dtype), nn.Linear(2 * n, 1, bias=False, dtype=dtype)
    hidden.weight.data[:] = -1.0
    # neuron 2i fires while x < aᵢ + h, neuron 2i + 1 while x < aᵢ: their difference is [aᵢ ≤ x < aᵢ + h]
    hidden.bias.data[0::2] = edges[1:]
    hidden.bias.data[1::2] = edges[:-1]
    output.weight.data[0, 0::2] = heights
    output.weight.data[0, 1::2] = -heights
    return nn.Sequential(hidden, nn.Heaviside(), output)


def approximation_error(f, a, b, h, points=4001):
    """max |f(x) − network(x)| over ``points`` evenly spaced x in [a, b) for the step width h."""
    x = np.linspace(a, b, points, endpoint=False)
    with no_grad():
        y = step_network(f, a, b, h)(tensor(x[:, None], dtype=np.float64)).data[:, 0]
    return float(np.max(np.abs(np.asarray(f(x), dtype=np.float64) - y)))


def approximation_errors(f, a, b, hs, points=4001):
    """:func:`approximation_error` for each step width in ``hs`` (a list of floats)."""
    return [approximation_error(f, a, b, h, points) for h in hs]

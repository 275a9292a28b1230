"""Two layers of unit steps approximate any continuous function: f(x) ≈ Σ f(midpoint)·[aᵢ ≤ x < aᵢ + h].

Source: 001 (problem book), chapter 1, exercise 9. Cut [a, b] into steps of width h, give each the
value of f at its midpoint, and build each step from two neurons with the unit step H:
[aᵢ ≤ x < aᵢ + h] = H(aᵢ + h − x) − H(aᵢ − x) (the book's 1 − [x < aᵢ] − [x ≥ aᵢ + h]). The output neuron
adds the steps with weights ±f(midpoint). The book's slip: the indicator is printed [aᵢ ≥ x < aᵢ₊₁]
and means aᵢ ≤ x < aᵢ₊₁.

Here f = sin on [0, π]. sin is 1-Lipschitz, so the error is at most h/2 and falls with h:
h = π/4, π/16, π/64 give maximum errors of about 0.38, 0.098 and 0.025.

Run: python examples/ch1_universal_approximation.py [--plot out.png]
"""
import sys

import numpy as np

import backprop as bp

STEPS = (4, 16, 64)
HS = tuple(np.pi / n for n in STEPS)


def main(plot_path=None):
    net = bp.explain.step_network(np.sin, 0.0, np.pi, n=4)
    x = bp.tensor([[0.5], [1.5]], dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        y = net(x)
    print(tr)
    print("4 steps at x = 0.5 and 1.5:", y.data[:, 0].tolist(), "= sin(π/8), sin(3π/8)")
    errors = bp.explain.approximation_errors(np.sin, 0.0, np.pi, HS)
    for n, h, error in zip(STEPS, HS, errors):
        print(f"h = {h:.4f}: {n} steps, {2 * n} hidden neurons, "
              f"max |sin x − net(x)| = {error:.4f} ≤ h/2 = {h / 2:.4f}")
    if plot_path:
        bp.explain.plot_approximation(np.sin, 0.0, np.pi, hs=HS[:2], path=plot_path)
    return {"four_steps": y.data[:, 0].tolist(), "errors": errors}


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--plot" else None)

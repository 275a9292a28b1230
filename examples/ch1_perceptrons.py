"""Perceptrons with the unit step: NOT, the two-line classifier, AND, OR, XOR, and XOR with an x₁x₂ feature.

Source: 001 (problem book), chapter 1, exercises 4, 5, 6 and 8б. The unit step is the book's
H(h) = 1 for h > 0 and 0 for h ≤ 0 (``bp.nn.Heaviside``, H(0) = 0).

* ex. 4а: NOT with a ReLU neuron max(0, w₁ + w₂x₁): w₁ = 1 and any w₂ ≤ −1 (we take −1).
* ex. 4б: max(0, w₁ + w₂ + 2w₃) = 0.5 and max(0, w₁ − w₂ + w₃) = 0: w = (0, 0.5, 0).
* ex. 4в: which side of x₁ + x₂ = 1 and of x₁ − x₂ = 1: one step neuron per line, and a neuron for
  their intersection (AND) on top (the picture of the region is missing from the text; the
  solution's combining neuron is the intersection, as ex. 5 says).
* ex. 5: AND = [x₁ + x₂ − 1.5 > 0], OR = [x₁ + x₂ − 0.5 > 0], XOR = [OR − AND − 0.5 > 0] (two layers:
  one line cannot separate XOR's points).
* ex. 6: with the extra input x₁x₂ one neuron does it: [x₁ + x₂ − 2x₁x₂ − 0.5 > 0], whose zero set
  is the pair of lines (1 − 2x₂)(2x₁ − 1) = 0.
* ex. 8б: one step neuron over three strip indicators must satisfy f(w₁ + w₂ + w₃) = 1, f(w₁) = 0 and
  f(w₁ + w₂) = 0. The book's slip: it takes w₁ = 1 with w₂ = −2, w₃ = 4, but f(1) = 1 breaks
  f(w₁) = 0; with w₂ = −2, w₃ = 4 any w₁ in (−2, 0] works, e.g. w₁ = −1.

Run: python examples/ch1_perceptrons.py
"""
import numpy as np

import backprop as bp

TABLE = np.array([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])   # the truth tables' rows, in order


def neuron(weights, bias, activation):
    """One neuron: Linear(len(weights), 1) with the given weights, then the activation."""
    layer = bp.nn.Linear(len(weights), 1, dtype=np.float64)
    layer.weight.data[:] = [weights]
    layer.bias.data[:] = bias
    return bp.nn.Sequential(layer, activation)


def xor_network():
    """Layer 1: OR and AND side by side; layer 2: [OR − AND − 0.5 > 0]."""
    hidden = bp.nn.Linear(2, 2, dtype=np.float64)
    hidden.weight.data[:] = [[1.0, 1.0], [1.0, 1.0]]
    hidden.bias.data[:] = [-0.5, -1.5]
    out = bp.nn.Linear(2, 1, dtype=np.float64)
    out.weight.data[:] = [[1.0, -1.0]]
    out.bias.data[:] = [-0.5]
    return bp.nn.Sequential(hidden, bp.nn.Heaviside(), out, bp.nn.Heaviside())


def two_lines_network():
    """Layer 1: [x₁ + x₂ − 1 > 0] and [x₁ − x₂ − 1 > 0]; layer 2: their intersection."""
    hidden = bp.nn.Linear(2, 2, dtype=np.float64)
    hidden.weight.data[:] = [[1.0, 1.0], [1.0, -1.0]]
    hidden.bias.data[:] = [-1.0, -1.0]
    out = bp.nn.Linear(2, 1, dtype=np.float64)
    out.weight.data[:] = [[1.0, 1.0]]
    out.bias.data[:] = [-1.5]
    return bp.nn.Sequential(hidden, bp.nn.Heaviside(), out, bp.nn.Heaviside())


def run(net, x):
    return net(bp.tensor(x, dtype=np.float64)).data[:, 0].tolist()


def strip_neuron_ok(w1, w2=-2.0, w3=4.0):
    """Ex. 8б's three conditions on the output neuron, with f the unit step."""
    f = lambda h: float(h > 0)
    return f(w1 + w2 + w3) == 1 and f(w1) == 0 and f(w1 + w2) == 0


def main():
    net = xor_network()
    x = bp.tensor(TABLE, dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        xor = net(x)
    print(tr)
    x1x2 = np.column_stack([TABLE, TABLE[:, 0] * TABLE[:, 1]])
    answers = {
        "not": run(neuron([-1.0], 1.0, bp.nn.ReLU()), [[0.0], [1.0]]),
        "relu_4b": run(neuron([0.5, 0.0], 0.0, bp.nn.ReLU()), [[1.0, 2.0], [-1.0, 1.0]]),
        "two_lines": run(two_lines_network(), [[2.0, 0.0], [0.0, 0.0], [1.0, 1.0], [3.0, 1.0], [0.5, -2.0]]),
        "and": run(neuron([1.0, 1.0], -1.5, bp.nn.Heaviside()), TABLE),
        "or": run(neuron([1.0, 1.0], -0.5, bp.nn.Heaviside()), TABLE),
        "xor": xor.data[:, 0].tolist(),
        "xor_one_neuron": run(neuron([1.0, 1.0, -2.0], -0.5, bp.nn.Heaviside()), x1x2),
        "strip_neuron_book_w1": strip_neuron_ok(1.0),
        "strip_neuron_w1_minus_1": strip_neuron_ok(-1.0),
    }
    print("inputs (x₁, x₂):", TABLE.tolist())
    for name, value in answers.items():
        print(f"{name:>24}: {value}")
    return answers


if __name__ == "__main__":
    main()

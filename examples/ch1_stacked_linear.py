"""Two Linear layers with nothing between them are one linear regression; a sigmoid between them is not.

Source: 001 (problem book), chapter 1, exercise 1. Masha's picture: h₁ = w₁₁ + w₂₁x, h₂ = w₁₂ + w₂₂x,
y = w₁h₁ + w₂h₂. Multiplying out, y = (w₁w₁₁ + w₂w₁₂) + (w₁w₂₁ + w₂w₂₂)·x = γ₁ + γ₂x: six
parameters for a straight line. The exercise gives no numbers; with w₁₁ = 1, w₂₁ = 2, w₁₂ = 3,
w₂₂ = 4, w₁ = 0.5, w₂ = −1 (ours) the network is y = −2.5 − 3x. Putting a non-linearity f on each
hᵢ, y = w₁f(w₁₁ + w₂₁x) + w₂f(w₁₂ + w₂₂x), makes it a neural network.

Stacking Linear layers is the deliberate mistake of the exercise: the diagnostics flag it and
give the single equivalent layer.

Run: python examples/ch1_stacked_linear.py
"""
import warnings

import numpy as np

import backprop as bp


def masha_network(activation=None):
    first, second = bp.nn.Linear(1, 2, dtype=np.float64), bp.nn.Linear(2, 1, bias=False, dtype=np.float64)
    first.weight.data[:] = [[2.0], [4.0]]      # w₂₁, w₂₂
    first.bias.data[:] = [1.0, 3.0]            # w₁₁, w₁₂ (the weights of the constant input 1)
    second.weight.data[:] = [[0.5, -1.0]]      # w₁, w₂
    layers = [first] + ([activation] if activation is not None else []) + [second]
    return bp.nn.Sequential(*layers)


def main():
    net = masha_network()
    x = bp.tensor([[0.0], [1.0], [2.0]], dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        y = net(x)
    print(tr)
    linear = bp.explain.network_formula(net, ["x"])
    nested = bp.explain.network_formula(net, ["x"], fold_linear=False)
    with_sigmoid = bp.explain.network_formula(masha_network(bp.nn.Sigmoid()), ["x"])
    print("Stacked Linear layers:", nested, " which multiplies out to", linear)
    print("With a sigmoid between them:", with_sigmoid)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bp.explain.DiagnosticWarning)
        diagnosis = bp.explain.diagnose(net, x)
    print(diagnosis)
    fired = [w for w in caught if issubclass(w.category, bp.explain.DiagnosticWarning)]
    assert "stacked-linear" in diagnosis.codes and fired, "stacked Linear layers must be flagged"
    return {"y": y.data[:, 0].tolist(), "formula": linear.text[0], "nested": nested.text[0],
            "with_sigmoid": with_sigmoid.text[0], "findings": diagnosis.codes}


if __name__ == "__main__":
    main()

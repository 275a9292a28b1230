"""From a formula to a network: draw y = max(0, 4·max(0, 3x₁ + 4x₂ + 1) + 2·max(0, 3x₁ + 2x₂ + 7) + 6).

Source: 001 (problem book), chapter 1, exercise 3. Read from the outside in: the output neuron is
ReLU(4h₁ + 2h₂ + 6) over two hidden ReLU neurons h₁ = max(0, 3x₁ + 4x₂ + 1) and
h₂ = max(0, 3x₁ + 2x₂ + 7). We build that network, check that writing it back as a formula gives
the exercise's formula, evaluate it at x = (1, −2) (h₁ = max(0, −4) = 0, h₂ = 6, y = 0 + 12 + 6 = 18)
and print its picture as Graphviz DOT text, a weight on every arrow (``dot -Tpng`` draws it).

Run: python examples/ch1_formula_to_network.py
"""
import numpy as np

import backprop as bp

FORMULA = "max(0, 4·max(0, 3x₁ + 4x₂ + 1) + 2·max(0, 3x₁ + 2x₂ + 7) + 6)"


def masha_network():
    net = bp.nn.Sequential(bp.nn.Linear(2, 2, dtype=np.float64), bp.nn.ReLU(),
                           bp.nn.Linear(2, 1, dtype=np.float64), bp.nn.ReLU())
    net[0].weight.data[:] = [[3.0, 4.0], [3.0, 2.0]]
    net[0].bias.data[:] = [1.0, 7.0]
    net[2].weight.data[:] = [[4.0, 2.0]]
    net[2].bias.data[:] = [6.0]
    return net


def main():
    net = masha_network()
    x = bp.tensor([[1.0, -2.0]], dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        y = net(x)
    formula = bp.explain.network_formula(net)
    dot = bp.explain.network_dot(net)
    print(tr)
    print("The network written back as a formula:", formula)
    print("Its picture (Graphviz DOT):")
    print(dot)
    print("y(1, −2) =", y.item())
    return {"formula": formula.text[0], "matches": formula.text[0] == FORMULA, "y": y.item(),
            "arrows": sum("taillabel" in line for line in dot.splitlines())}


if __name__ == "__main__":
    main()

"""The coffee-shop network: a forward pass by hand and the network as a formula.

Source: 001 (problem book), chapter 1 "Всего лишь функция", exercise 2. Dobrodum's network takes
the temperature x₁, whether there is a rally on Tverskaya x₂ and the barista on shift x₃, with ReLU
everywhere. This weekend Agnessa (x₃ = 1) is on shift, no rally (x₂ = 0), 20 degrees (x₁ = 20):

    h₁ = max(0, 5·20 − 60·0 + 0.5·1) = 100.5,   h₂ = max(0, −2·20 − 80·0 + 2·1) = max(0, −38) = 0
    ŷ  = max(0, 1·100.5 + 0.2·0 + 4) = 104.5 visitors

and the network, read as a function, is
ŷ = max(0, max(0, 5x₁ − 60x₂ + 0.5x₃) + 0.2·max(0, −2x₁ − 80x₂ + 2x₃) + 4).

Run: python examples/ch1_coffee_shop.py
"""
import numpy as np

import backprop as bp


def coffee_shop_network():
    """Linear(3, 2) → ReLU → Linear(2, 1) → ReLU with the weights on the picture's arrows."""
    net = bp.nn.Sequential(bp.nn.Linear(3, 2, dtype=np.float64), bp.nn.ReLU(),
                           bp.nn.Linear(2, 1, dtype=np.float64), bp.nn.ReLU())
    net[0].weight.data[:] = [[5.0, -60.0, 0.5], [-2.0, -80.0, 2.0]]   # PyTorch's layout: one row per neuron
    net[0].bias.data[:] = 0.0
    net[2].weight.data[:] = [[1.0, 0.2]]
    net[2].bias.data[:] = 4.0
    return net


def main():
    net = coffee_shop_network()
    x = bp.tensor([[20.0, 0.0, 1.0]], dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        y = net(x)
    formula = bp.explain.network_formula(net)
    print(tr)
    print("Network as a formula:", formula)
    print("In LaTeX:", formula.to_latex())
    print("Forecast for Agnessa, no rally, 20 degrees:", y.item(), "visitors")
    return {"visitors": y.item(), "hidden": net[:2](x).data[0].tolist(), "formula": formula.text[0]}


if __name__ == "__main__":
    main()

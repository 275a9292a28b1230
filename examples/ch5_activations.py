"""Forward and backward through sigmoid, tanh, ReLU and PReLU layers, and how sigmoid and tanh saturate.

Source: 001 (problem book), chapter 5.1 "Функции активации", exercises 1–3 (sigmoid, tanh, ReLU,
PReLU's backprop through its slope). For x = (−2, −0.5, 0, 1, 3) and the upstream gradient
dy = (1, 1, 1, 1, 1):

* sigmoid: y = σ(x), dx = dy·y(1 − y); σ′ is at most ¼ (at 0), σ′(5) = 0.0066481, σ′(10) = 4.5396e-05.
  A gradient through k sigmoid layers shrinks at least 4ᵏ-fold: the vanishing gradient.
* tanh(t) = 2σ(2t) − 1 → ±1 as t → ±∞; tanh′ = 1 − tanh², at most 1 (at 0), four times σ′'s maximum,
  but it saturates as well: tanh′(5) = 1.8158e-04.
* ReLU: y = max(0, x), dx = dy·[x > 0]: no saturation for x > 0, no gradient at all for x ≤ 0.
* PReLU: y = max(0, x) + a·min(0, x); dx = dy·(1 if x > 0 else a) and ∂L/∂a = Σ dy·min(0, x),
  here −2.5 (a = 0.25, PyTorch's initial slope).

Run: python examples/ch5_activations.py [--plot out.png]
"""
import sys

import numpy as np

import backprop as bp

X = [-2.0, -0.5, 0.0, 1.0, 3.0]


def forward_backward(layer):
    x = bp.tensor(X, dtype=np.float64, requires_grad=True)
    y = layer(x)
    y.backward(np.ones(len(X)))
    return {"y": y.data.tolist(), "dx": x.grad.tolist()}


def main(plot_path=None):
    prelu = bp.nn.PReLU(init=0.25, dtype=np.float64)
    x = bp.tensor(X, dtype=np.float64, requires_grad=True)
    with bp.explain.trace(model=prelu, names={"x": x}) as tr:
        prelu(x).sum().backward()
    print(tr)
    layers = {"sigmoid": bp.nn.Sigmoid(), "tanh": bp.nn.Tanh(), "relu": bp.nn.ReLU()}
    answers = {name: forward_backward(layer) for name, layer in layers.items()}
    answers["prelu"] = {"dx": x.grad.tolist(), "da": float(prelu.weight.grad[0])}
    t = np.linspace(-10, 10, 2001)
    for name in ("sigmoid", "tanh"):
        _, derivative = bp.explain.activation_curve(name, t)
        answers[name]["max_derivative"] = float(derivative.max())
        answers[name]["derivative_at_5_10"] = bp.explain.activation_curve(name, [5.0, 10.0])[1].tolist()
    chain = bp.tensor(0.0, dtype=np.float64, requires_grad=True)
    h = chain
    for _ in range(5):
        h = bp.sigmoid(h)
    h.backward()
    answers["five_sigmoids_gradient"] = float(chain.grad)
    tanh_identity = np.abs(np.tanh(t) - (2 * bp.sigmoid(bp.tensor(2 * t, dtype=np.float64)).data - 1)).max()
    answers["tanh_identity_error"] = float(tanh_identity)
    for name, values in answers.items():
        print(f"{name}: {values}")
    print("The gradient through 5 sigmoid layers at 0 is", answers["five_sigmoids_gradient"],
          "≤ 4⁻⁵ =", 4.0 ** -5)
    if plot_path:
        bp.explain.plot_activations(["sigmoid", "tanh", "relu", "prelu"], path=plot_path)
    return answers


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--plot" else None)

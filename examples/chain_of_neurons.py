"""One-dimensional backpropagation: a chain of single neurons, and the lecture's 0.68-output example.

Sources: 000 (cheat sheet, week 5 "Одномерный backpropagation") and 004 (lecture notes §4.1.3–4.1.5).

000: a chain h₁ = f₁(w₁x), hᵢ = fᵢ(wᵢhᵢ₋₁), ŷ = h_k, loss L(y, ŷ). Then
∂L/∂wᵢ = ∂L/∂hᵢ · fᵢ′(wᵢhᵢ₋₁) · hᵢ₋₁ (h₀ = x), with ∂L/∂hᵢ = ∂L/∂hᵢ₊₁ · fᵢ₊₁′(wᵢ₊₁hᵢ) · wᵢ₊₁.
The course's slip: its compact formula L′_{wᵢ} = L′_{hᵢ}·hᵢ₋₁ drops the factor fᵢ′. Our numbers:
x = 1, w = (0.5, −1, 2), sigmoid, sigmoid, identity, y = 1, L = (y − ŷ)².

004: the simplest network outputs a = 0.68 for the target 1, so C = (0.68 − 1)² = 0.1024 and
∂C/∂a = 2(a − y) = −0.64. With a = σ(z), z = w·a⁽ᴸ⁻¹⁾ + b: ∂C/∂w = a⁽ᴸ⁻¹⁾σ′(z)·2(a − y),
∂C/∂b = σ′(z)·2(a − y), ∂C/∂a⁽ᴸ⁻¹⁾ = wσ′(z)·2(a − y), σ′(z) = a(1 − a) = 0.2176. Taking a⁽ᴸ⁻¹⁾ = 0.5,
w = 1 and b = logit(0.68) − 0.5 (ours): ∂C/∂w = −0.069632, ∂C/∂b = ∂C/∂a⁽ᴸ⁻¹⁾ = −0.139264. (The notes'
slip: they get the 0.68 from a softmax, which over a single output neuron is always 1; a sigmoid it is.)

Run: python examples/chain_of_neurons.py
"""
import numpy as np

import backprop as bp

WEIGHTS = [0.5, -1.0, 2.0]


def sigmoid(u):
    return 1 / (1 + np.exp(-u))


# (fᵢ, fᵢ′) of each neuron: sigmoid, sigmoid, identity
ACTIVATIONS = [(sigmoid, lambda u: sigmoid(u) * (1 - sigmoid(u)))] * 2 + [(lambda u: u, lambda u: 1.0)]


def chain_by_hand(x=1.0, y=1.0):
    """Forward, then the accumulated derivative from the output back, as the cheat sheet writes it."""
    hs, us = [x], []
    for w, (f, _) in zip(WEIGHTS, ACTIVATIONS):
        us.append(w * hs[-1])
        hs.append(f(us[-1]))
    grads, upstream = [0.0] * 3, -2 * (y - hs[-1])            # ∂L/∂h_k
    for i in reversed(range(3)):
        local = upstream * ACTIVATIONS[i][1](us[i])           # ∂L/∂(wᵢhᵢ₋₁)
        grads[i] = float(local * hs[i])
        upstream = local * WEIGHTS[i]                         # ∂L/∂hᵢ₋₁
    return float(hs[-1]), grads


def main():
    ws = [bp.tensor(w, dtype=np.float64, requires_grad=True) for w in WEIGHTS]
    x, y = bp.tensor(1.0, dtype=np.float64), bp.tensor(1.0, dtype=np.float64)
    with bp.explain.trace(names={"x": x, "y": y, "w1": ws[0], "w2": ws[1], "w3": ws[2]}) as tr:
        y_hat = ws[2] * bp.sigmoid(ws[1] * bp.sigmoid(ws[0] * x))
        ((y - y_hat) ** 2).backward()
    print(tr)
    hand_output, hand = chain_by_hand()
    backprop_grads = [float(w.grad) for w in ws]

    a_prev = bp.tensor(0.5, dtype=np.float64, requires_grad=True)
    w = bp.tensor(1.0, dtype=np.float64, requires_grad=True)
    b = bp.tensor(float(np.log(0.68 / 0.32)) - 0.5, dtype=np.float64, requires_grad=True)
    a = bp.sigmoid(w * a_prev + b)
    cost = (a - 1.0) ** 2
    cost.backward()
    lecture = {"a": a.item(), "C": cost.item(), "dC/da": 2 * (a.item() - 1), "dC/dw": float(w.grad),
               "dC/db": float(b.grad), "dC/da_prev": float(a_prev.grad)}
    print("000 chain: ŷ =", y_hat.item(), "; ∂L/∂w by backprop", backprop_grads, "by the formula", hand)
    print("004:", lecture)
    return {"y_hat": y_hat.item(), "y_hat_by_hand": hand_output, "grads": backprop_grads,
            "grads_by_hand": hand, "lecture": lecture}


if __name__ == "__main__":
    main()

"""Backpropagation in matrix language: a 2-2-2 network with a sigmoid layer, softmax and logloss.

Source: 002 ("Алгоритм обратного распространения ошибки на матричном языке"), with the minibatch
form of 003 (lecture slides: dL/dW = Xᵀ·dL/dZ). Forward: s = w + Wx, z = σ(s), t = v + Vz,
g = softmax(t), R = logloss(g) = −Σ yₖ ln gₖ. Backward:

    δ_t = g − y,   δ_z = δ_tᵀV,   δ_s = δ_z ∘ σ′(s) = δ_z ∘ z(1 − z),   δ_x = δ_sᵀW,
    ∂R/∂V = δ_t zᵀ,   ∂R/∂v = δ_t,   ∂R/∂W = δ_s xᵀ,   ∂R/∂w = δ_s,

and the SGD step W ← W − γ∂R/∂W (and likewise w, V, v). The sheet has no numbers; ours:
x = (1, 2), y = (0, 1), W = [[0.1, −0.2], [0.3, 0.4]], w = (0.1, −0.1), V = [[0.5, −0.6], [−0.7, 0.8]],
v = (0, 0.1), γ = 0.5. The course's slips: the gradients that are outer products (δ_s xᵀ, δ_t zᵀ) are
written as plain products, and the biases w, v drop out of the derivation (their gradients are δ_s, δ_t).
``bp.nn.Linear`` keeps W as (out, in), so its weight is the sheet's W itself.

Run: python examples/matrix_backprop.py
"""
import numpy as np

import backprop as bp

W, w = np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0.1, -0.1])
V, v = np.array([[0.5, -0.6], [-0.7, 0.8]]), np.array([0.0, 0.1])
X, Y = np.array([1.0, 2.0]), np.array([0.0, 1.0])
GAMMA = 0.5


def network():
    first, second = bp.nn.Linear(2, 2, dtype=np.float64), bp.nn.Linear(2, 2, dtype=np.float64)
    first.weight.data[:], first.bias.data[:] = W, w
    second.weight.data[:], second.bias.data[:] = V, v
    return bp.nn.Sequential(first, bp.nn.Sigmoid(), second)


def by_hand():
    s = w + W @ X
    z = 1 / (1 + np.exp(-s))
    t = v + V @ z
    g = np.exp(t) / np.exp(t).sum()
    delta_t = g - Y
    delta_z = delta_t @ V
    delta_s = delta_z * z * (1 - z)
    return {"g": g, "loss": -np.log(g[Y == 1][0]), "dV": np.outer(delta_t, z), "dv": delta_t,
            "dW": np.outer(delta_s, X), "dw": delta_s, "dx": delta_s @ W}


def main():
    net = network()
    x = bp.tensor(X[None], dtype=np.float64, requires_grad=True)
    target = bp.tensor([1])                              # y = (0, 1): the second class
    optimizer = bp.optim.SGD(net.parameters(), lr=GAMMA)
    with bp.explain.trace(model=net, names={"x": x, "y": target}) as tr:
        loss = bp.F.cross_entropy(net(x), target)        # softmax + logloss, fused: δ_t = g − y
        loss.backward()
        grads = {name: t.grad.numpy().copy() for name, t in
                 (("dW", net[0].weight), ("dw", net[0].bias), ("dV", net[2].weight), ("dv", net[2].bias))}
        grads["dx"] = x.grad.numpy()[0].copy()
        optimizer.step()
    print(tr)
    hand = by_hand()
    errors = {name: float(np.abs(grads[name] - hand[name]).max()) for name in grads}
    batch = bp.tensor(np.array([[1.0, 2.0], [0.5, -1.0], [-2.0, 0.0]]), dtype=np.float64)
    Z = network()[0]
    out = Z(batch)
    dZ = np.arange(6.0).reshape(3, 2)
    out.backward(dZ)
    errors["003 minibatch dL/dW = (Xᵀ·dZ)ᵀ"] = float(np.abs(Z.weight.grad.numpy() - (batch.data.T @ dZ).T).max())
    for name, value in hand.items():
        print(f"{name} by hand: {np.round(value, 6).tolist()}")
    for name, value in errors.items():
        print(f"{name}: backprop differs from the formula by {value:.1e}")
    print("W after the SGD step:", net[0].weight.data.round(6).tolist())
    return {"loss": loss.item(), "by_hand": {k: np.asarray(val).tolist() for k, val in hand.items()},
            "errors": errors, "W_after": net[0].weight.data.tolist(), "V_after": net[2].weight.data.tolist()}


if __name__ == "__main__":
    main()

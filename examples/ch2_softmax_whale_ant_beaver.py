"""Softmax over whale, ant and beaver: probabilities, logloss, sigmoid vs two-way softmax, a smooth maximum.

Source: 001 (problem book), chapter 2, exercise 3. The course's slip: the exercise says that Masha's
third observation turned out to be a beaver, "not a whale", but in exercise 2 the third observation
was an ant (only the first was a whale); the numbers below do not depend on it.

а. Logits (1, −2, 0) and (0.5, −1, 0) for (whale, ant, beaver):
   softmax(1, −2, 0) = (0.705385, 0.035119, 0.259496), softmax(0.5, −1, 0) = (0.546549, 0.121952, 0.331499).
б. The first was a whale, the second a beaver: logloss = −ln 0.705385 − ln 0.331499 = 0.349012 + 1.104131
   = 1.453143 summed, 0.726571 averaged (PyTorch's and the library's ``cross_entropy`` averages).
в. Two classes: softmax(z₁, z₂)₁ = σ(z₁ − z₂), so one sigmoid output on z₁ − z₂ is a two-way softmax.
г. softmax is a smoothed arg max: softmax(z/T) tends to the one-hot arg max as T → 0, and
   T·ln Σ e^(z/T) (log-sum-exp) tends to max z.

Run: python examples/ch2_softmax_whale_ant_beaver.py
"""
import numpy as np

import backprop as bp

CLASSES = ("whale", "ant", "beaver")


def main():
    logits = bp.tensor([[1.0, -2.0, 0.0], [0.5, -1.0, 0.0]], dtype=np.float64, requires_grad=True)
    target = bp.tensor([0, 2])                       # a whale, then a beaver
    with bp.explain.trace(names={"logits": logits, "target": target}) as tr:
        loss = bp.F.cross_entropy(logits, target)
        loss.backward()
    print(tr)
    probs = bp.softmax(logits.detach(), axis=1).data
    summed = bp.F.cross_entropy(logits.detach(), target, reduction="sum").item()
    z = np.array([0.5, -1.0])
    two_way = bp.softmax(bp.tensor(z, dtype=np.float64)).data[0]
    via_sigmoid = bp.sigmoid(bp.tensor(z[0] - z[1], dtype=np.float64)).item()
    zt = bp.tensor([1.0, -2.0, 0.0], dtype=np.float64)
    sharp = bp.softmax(zt, temperature=0.01).data
    smooth_max = [T * bp.logsumexp(zt / T).item() for T in (1.0, 0.1, 0.01)]
    for row, p in zip(logits.data, probs):
        print("logits", row.tolist(), "→", dict(zip(CLASSES, np.round(p, 6).tolist())))
    print(f"logloss: {summed:.6f} summed, {loss.item():.6f} averaged; its gradient (g − y)/n:",
          np.round(logits.grad.numpy(), 6).tolist())
    print(f"softmax(0.5, −1)₁ = {two_way:.6f} = σ(0.5 − (−1)) = {via_sigmoid:.6f}")
    print("softmax((1, −2, 0)/0.01) =", np.round(sharp, 6).tolist())
    print("T·logsumexp(z/T) for T = 1, 0.1, 0.01:", np.round(smooth_max, 6).tolist(), "→ max z = 1")
    return {"probabilities": probs.tolist(), "logloss_sum": summed, "logloss_mean": loss.item(),
            "two_way_softmax": two_way, "sigmoid": via_sigmoid, "smooth_max": smooth_max}


if __name__ == "__main__":
    main()

"""One gradient-descent step of logistic regression: x = −5, y = 1, w₀ = 1, γ = 0.01.

Source: 001 (problem book), chapter 3, exercise 2. With z = w·x, p = σ(z) and
logloss = −[y ln p + (1 − y) ln(1 − p)], the derivative is logloss′_w = (p − y)·x, so the step is
w ← w − γ·(p − y)·x. Here p = σ(−5) = 0.0066928509, the gradient is (0.0066928509 − 1)·(−5)
= 4.9665357454 and w₁ = 1 − 0.01·4.9665357454 = 0.9503346425.
The course's slip: it truncates the gradient to "≈ 4.96" and stops before the step itself.

Run: python examples/ch3_logistic_regression_step.py
"""
import numpy as np

import backprop as bp


def main():
    w = bp.tensor(1.0, dtype=np.float64, requires_grad=True)
    x, y = bp.tensor(-5.0, dtype=np.float64), bp.tensor(1.0, dtype=np.float64)
    optimizer = bp.optim.SGD([w], lr=0.01)
    with bp.explain.trace(names={"w": w, "x": x, "y": y}) as tr:
        p = bp.sigmoid(w * x)
        loss = bp.F.binary_cross_entropy(p, y)
        loss.backward()
        gradient = float(w.grad)
        optimizer.step()
    print(tr)
    print(f"p = σ(−5) = {p.item():.10f}, logloss = {loss.item():.10f}")
    print(f"gradient (p − y)·x = {gradient:.10f}  (the course: ≈ 4.96)")
    print(f"w₁ = 1 − 0.01·{gradient:.10f} = {w.item():.10f}")
    return {"p": p.item(), "gradient": gradient, "w1": w.item()}


if __name__ == "__main__":
    main()

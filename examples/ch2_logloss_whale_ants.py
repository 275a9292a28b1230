"""Logistic regression on one whale and two ants: the logloss has no minimum.

Source: 001 (problem book), chapter 2, exercise 2. Observations x = 1, 2, 3 (their numbers) with
y = 1 (whale), 0, 0 (ants); p = σ(β₀ + β₁x) and the loss (а)

    L(β₀, β₁) = −Σᵢ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]
              = −ln σ(β₀ + β₁) − ln(1 − σ(β₀ + 2β₁)) − ln(1 − σ(β₀ + 3β₁)).

(б) The whale and the ants are separated by the point x = 1.5, so along (β₀, β₁) = c·(1.5, −1) every
pᵢ tends to its yᵢ and L → 0 as c → ∞, without ever reaching it: there is no finite minimiser
(the estimates run off to infinity). At β = 0 the loss is 3 ln 2 ≈ 2.0794 and its gradient
Σ(pᵢ − yᵢ)(1, xᵢ) = (0.5, 2); along the ray, L(c) = 2·ln(1 + e^(−c/2)) + ln(1 + e^(−3c/2)).

Run: python examples/ch2_logloss_whale_ants.py
"""
import numpy as np

import backprop as bp

X = np.array([1.0, 2.0, 3.0])
Y = np.array([1.0, 0.0, 0.0])


def logloss(beta):
    """The summed logloss of the book, through the logits z = β₀ + β₁x (stable for large |z|)."""
    z = beta[0] + beta[1] * bp.tensor(X, dtype=np.float64)
    return bp.F.binary_cross_entropy_with_logits(z, bp.tensor(Y, dtype=np.float64), reduction="sum")


def main():
    beta = bp.tensor([0.0, 0.0], dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"beta": beta}) as tr:
        loss = logloss(beta)
        loss.backward()
    print(tr)
    ray = {c: logloss(bp.tensor([1.5 * c, -c], dtype=np.float64)).item() for c in (1.0, 5.0, 20.0)}
    print("L(0) =", loss.item(), "= 3 ln 2;  gradient at 0:", beta.grad.tolist())
    for c, value in ray.items():
        print(f"L at c·(1.5, −1), c = {c:g}: {value:.6g}")
    print("The loss keeps falling towards 0 along the ray: no finite minimum (the data are separable).")
    return {"loss_at_zero": loss.item(), "grad_at_zero": beta.grad.tolist(),
            "loss_on_ray": list(ray.values())}


if __name__ == "__main__":
    main()

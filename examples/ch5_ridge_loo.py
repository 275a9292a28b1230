"""Masha's Pokémon: ridge regression on a constant, with λ chosen by leave-one-out cross-validation.

Source: 001 (problem book), chapter 5.2, exercise 5. Weights y = (6, 6, 10), model yᵢ = β + εᵢ,
objective Σ(yᵢ − β)² + λβ² (the constant itself is penalised):

а. λ = 0: β̂ = ȳ = 22/3.
б. β̂(λ) = Σy/(n + λ) = 22/(3 + λ), smaller for larger λ.
в. Leave one out: without observation i, β̂₋ᵢ = (22 − yᵢ)/(2 + λ); with u = 1/(2 + λ),
   CV(λ) = 2(6 − 16u)² + (10 − 12u)², minimal at u = 39/82, so λ_CV = 82/39 − 2 = 4/39 ≈ 0.102564.
г. β̂(λ_CV) = 22/(3 + 4/39) = 858/121 ≈ 7.090909.

The fits use ``bp.linear_model.Ridge(fit_intercept=False)`` on a column of ones (which penalises
the constant, as the exercise does); the leave-one-out errors come from
``bp.model_selection.cross_val_score`` with ``LeaveOneOut``. The minimum of CV(λ) is found by
Newton's method on CV(λ) written with backprop's ops, its derivatives by ``bp.grad``.

Run: python examples/ch5_ridge_loo.py
"""
import numpy as np

import backprop as bp

Y = np.array([6.0, 6.0, 10.0])
ONES = np.ones((3, 1))


def loo_error(lam):
    """Σᵢ (yᵢ − β̂₋ᵢ)² with β̂₋ᵢ = (Σy − yᵢ)/(2 + λ), in backprop's ops so that it can be differentiated."""
    held_out = (Y.sum() - bp.tensor(Y, dtype=np.float64)) / (2 + lam)
    return ((bp.tensor(Y, dtype=np.float64) - held_out) ** 2).sum()


def loo_error_by_refitting(lam):
    model = bp.linear_model.Ridge(alpha=lam, fit_intercept=False)
    scores = bp.model_selection.cross_val_score(model, ONES, Y, cv=bp.model_selection.LeaveOneOut(),
                                                scoring="neg_mean_squared_error")
    return -scores.sum()


def main():
    lam = bp.tensor(0.5, dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"lambda": lam}) as tr:
        loo_error(lam).backward()
    print(tr)
    for _ in range(20):       # Newton's method: λ ← λ − CV′(λ)/CV″(λ)
        (first,) = bp.grad(loo_error(lam), [lam], create_graph=True)
        (second,) = bp.grad(first, [lam])
        lam = bp.tensor(lam.item() - first.item() / second.item(), dtype=np.float64, requires_grad=True)
    lam_cv = lam.item()
    beta = {value: bp.linear_model.Ridge(alpha=value, fit_intercept=False).fit(ONES, Y).coef_[0]
            for value in (0.0, 1.0, lam_cv)}
    agree = max(abs(loo_error_by_refitting(value) - loo_error(value).item()) for value in (0.0, 0.3, lam_cv))
    print(f"β̂(0) = {beta[0.0]:.6f} = 22/3;  β̂(1) = {beta[1.0]:.6f} = 22/4")
    print(f"λ_CV = {lam_cv:.6f} = 4/39 = {4 / 39:.6f};  CV(λ_CV) = {loo_error(lam_cv).item():.6f}")
    print(f"β̂(λ_CV) = {beta[lam_cv]:.6f} = 858/121 = {858 / 121:.6f}")
    print(f"leave-one-out refits agree with the closed form to {agree:.1e}")
    return {"beta_0": beta[0.0], "beta_1": beta[1.0], "lambda_cv": lam_cv, "beta_cv": beta[lam_cv],
            "refit_agreement": agree}


if __name__ == "__main__":
    main()

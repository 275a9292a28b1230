"""Dropout in a 12 → 300 → 200 → 100 → 1 network: parameter counts, probabilities, expectations.

Source: 001 (problem book), chapter 5.2, exercise 7 (p = 0.5 where a number is needed; q = 1 − p).

а. 84 301 parameters (see ch1_parameter_count.py).
b. With half of every hidden layer switched off:
   (12 + 1)·150 + (150 + 1)·100 + (100 + 1)·50 + (50 + 1)·1 = 22 151.
c. Dropout after the first layer switches all of it off with probability p³⁰⁰ (≈ 4.9·10⁻⁹¹ for p = ½).
d. Dropout after every hidden layer: some layer is entirely off with probability
   1 − (1 − p³⁰⁰)(1 − p²⁰⁰)(1 − p¹⁰⁰) ≈ p¹⁰⁰ ≈ 7.9·10⁻³¹.
e. N, the number of units kept, is Binomial(600, q): E N = 600q = 300, Var N = 600pq = 150; thinning
   the network by a quarter needs p = ¼.
f. A weight is trained in a step only when the units at both of its ends are kept (a dropped unit
   passes no gradient), so with N₁, N₂, N₃ kept units P = 13N₁ + (N₁ + 1)N₂ + (N₂ + 1)N₃ + (N₃ + 1),
   E P = 80 000q² + 4 300q + 1 = 22 151 for q = ½, the count of b.: the network with its expected
   widths. Var P = 3 242 825 (the layers' shared units make the terms dependent).

The library's dropout is PyTorch's: the units kept are scaled by 1/(1 − p), so the expected output
equals the input; a seeded pass shows it.

Run: python examples/ch5_dropout.py
"""
from itertools import product

import numpy as np

import backprop as bp

WIDTHS = (300, 200, 100)


def parameters_term_by_term():
    """P as a polynomial in N₁, N₂, N₃: {(e₁, e₂, e₃): coefficient}."""
    return {(1, 0, 0): 13, (1, 1, 0): 1, (0, 1, 0): 1, (0, 1, 1): 1, (0, 0, 1): 2, (0, 0, 0): 1}


def moment(n, q, k):
    """E[Nᵏ] for N ~ Binomial(n, q), k ≤ 2."""
    return (1.0, n * q, n * q * (1 - q) + (n * q) ** 2)[k]


def expectation(poly, q):
    return sum(c * np.prod([moment(n, q, e) for n, e in zip(WIDTHS, exps)]) for exps, c in poly.items())


def square(poly):
    out = {}
    for (a, ca), (b, cb) in product(poly.items(), repeat=2):
        key = tuple(x + y for x, y in zip(a, b))
        out[key] = out.get(key, 0) + ca * cb
    return out


def main(p=0.5):
    q = 1 - p
    bp.manual_seed(0)
    x = bp.tensor(np.ones(8), dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"x": x}) as tr:
        bp.F.dropout(x, p).sum().backward()
    print(tr)
    bp.manual_seed(1)
    mean_after = bp.F.dropout(bp.tensor(np.ones(100_000), dtype=np.float64), p).data.mean()
    half = (12 + 1) * 150 + (150 + 1) * 100 + (100 + 1) * 50 + (50 + 1) * 1
    poly = parameters_term_by_term()
    mean_p = expectation(poly, q)
    answers = {
        "parameters_half_off": half,
        "p_first_layer_off": p ** 300,
        # 1 − Π(1 − pⁿ), without the cancellation that gives 0 in floating point
        "p_some_layer_off": -np.expm1(sum(np.log1p(-p ** n) for n in WIDTHS)),
        "kept_units_mean": sum(WIDTHS) * q, "kept_units_var": sum(WIDTHS) * p * q,
        "p_to_thin_by_a_quarter": 0.25,
        "parameters_mean": mean_p, "parameters_var": expectation(square(poly), q) - mean_p ** 2,
        "dropout_output_mean": float(mean_after),
    }
    for name, value in answers.items():
        print(f"{name}: {value}")
    return answers


if __name__ == "__main__":
    main()

"""Fifty shades of gradient descent: two steps of GD, SGD, Momentum, Nesterov, RMSprop and Adam by hand.

Source: 001 (problem book), chapter 3 "Пятьдесят оттенков градиентного спуска", exercise 1.
Data x = (1, 2), y = (2, 3), model y = w·x, start w₀ = 0, η = 0.1; α = 0.9 (momentum and RMSprop),
β₁ = β₂ = 0.9 (Adam), passed explicitly since PyTorch's defaults differ.

а. Least squares: Σ(yᵢ − wxᵢ)² → min gives w* = Σxᵢyᵢ/Σxᵢ² = 8/5 = 1.6.
б. GD on the averaged MSE ½[(2 − w)² + (3 − 2w)²] (gradient 5w − 8): w = 0.8, 1.2.
в–ж. One observation per step, first (1, 2) then (2, 3), loss (y − wx)² (gradient −2x(y − wx)):
   SGD 0.4, 1.28; Momentum 0.4, 1.64; Nesterov (PyTorch's form) 0.76, 2.2088, whose iterate is the
   course's look-ahead point: the course's w is 0.4, 1.352; RMSprop 1/√10 ≈ 0.316228, 0.609767;
   Adam 0.1, 0.190797 (Adam's first step is always ±η).
The exercise leaves the loss's scaling open; summing instead of averaging doubles GD's gradient
(w = 1.6 after one step). ε = 0 here, as in a hand computation (PyTorch's 1e-8 moves the last two
methods by about 1e-9).

Run: python examples/ch3_gradient_descent_family.py [--plot out.png]
"""
import sys

import numpy as np

import backprop as bp


def main(plot_path=None):
    with bp.explain.trace() as tr:
        result = bp.explain.course_exercise(steps=2)
    print(tr)
    print(result.table())
    X, y = np.array([[1.0], [2.0]]), np.array([2.0, 3.0])
    least_squares = bp.linear_model.LinearRegression(fit_intercept=False).fit(X, y).coef_[0]
    print("Least squares: w* = Σxy/Σx² =", least_squares)
    if plot_path:
        bp.explain.course_exercise(steps=20).plot(path=plot_path)
    answers = {run.name: run.path[1:, 0].tolist() for run in result}
    answers["Nesterov (course's w)"] = [float(s["w_course"][0]) for s in result["Nesterov"].steps]
    answers["least_squares"] = float(least_squares)
    return answers


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--plot" else None)

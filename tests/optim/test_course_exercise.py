"""The problem book's "fifty shades of gradient descent" (001, chapter 3, exercise 1), worked out by hand.

Data: x = (1, 2), y = (2, 3); model ŷ = w·x; start w₀ = 0; learning rate η = 0.1.
The course gives no worked answers for this exercise: every number below is derived in the comments
from the formulas documented in the optimizers' docstrings (PyTorch's algorithms), then checked against
the library, which computes the gradients by backpropagation.

Which loss? The exercise does not say. The problem book's least-squares loss (chapter 8, linear
regression) is the *sum* (y − Xw)ᵀ(y − Xw) = Σ (yᵢ − xᵢw)², called "MSE" there; the lecture notes (004)
average their losses over observations, and the library follows PyTorch (MSELoss averages). Full-batch
GD is therefore checked on the averaged MSE (the library's convention), and on the summed loss too.
Stochastic variants use one observation per step, first (x=1, y=2) then (x=2, y=3), with the squared
error of that observation, L = (y − w·x)², whose gradient is dL/dw = −2x(y − w·x).

Hyperparameters are the course's, passed explicitly: α = 0.9 for momentum and for RMSprop (PyTorch's
RMSprop default is 0.99), β₁ = β₂ = 0.9 for Adam (PyTorch's default β₂ is 0.999).
"""
import math

import numpy as np
import pytest

import backprop as bp

X = np.array([1.0, 2.0])
Y = np.array([2.0, 3.0])
ETA = 0.1


def _w():
    return bp.tensor(0.0, requires_grad=True, dtype=np.float64)


def _run_full_batch(reduce, steps):
    """Full-batch GD (η = 0.1) on ``reduce`` of the squared errors of both observations; w after each step."""
    w = _w()
    opt = bp.optim.SGD([w], lr=ETA)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        reduce((bp.tensor(Y) - w * bp.tensor(X)) ** 2).backward()
        opt.step()
        path.append(w.item())
    return path


def _run_stochastic(make_optimizer):
    """Two steps, one observation each, in the order given; returns w after each step and the optimizer."""
    w = _w()
    opt = make_optimizer([w])
    path = []
    for x, y in zip(X, Y):
        opt.zero_grad()
        ((y - w * x) ** 2).backward()
        opt.step()
        path.append(w.item())
    return path, opt, w


def test_gradient_descent_converges_to_least_squares():
    # a. Least squares: Σ(yᵢ − w xᵢ)² → min gives w* = Σxᵢyᵢ/Σxᵢ² = (1·2 + 2·3)/(1 + 4) = 8/5 = 1.6.
    #    GD on the MSE contracts the error by |1 − η·5| = 0.5 per step (dMSE/dw = 5w − 8).
    assert _run_full_batch(bp.Tensor.mean, 60)[-1] == pytest.approx(1.6, abs=1e-15)


def test_gradient_descent_mean_squared_error():
    # b. MSE(w) = ½[(2 − w)² + (3 − 2w)²];  dMSE/dw = −(2 − w) − 2(3 − 2w) = 5w − 8.
    #    step 1: grad = 5·0 − 8 = −8,   w₁ = 0 − 0.1·(−8) = 0.8
    #    step 2: grad = 5·0.8 − 8 = −4, w₂ = 0.8 − 0.1·(−4) = 1.2
    assert _run_full_batch(bp.Tensor.mean, 2) == pytest.approx([0.8, 1.2], abs=1e-15)


def test_gradient_descent_summed_squared_error():
    # With the summed loss of chapter 8, L(w) = (2 − w)² + (3 − 2w)², dL/dw = 10w − 16:
    #    step 1: w₁ = 0 − 0.1·(−16) = 1.6;  step 2: grad = 16 − 16 = 0, w₂ = 1.6.
    # Here η = 0.1 = 1/L''(w) happens to be Newton's step, so one step lands on the least-squares 1.6.
    assert _run_full_batch(bp.Tensor.sum, 2) == pytest.approx([1.6, 1.6], abs=1e-15)


def test_sgd():
    # c. step 1 (x=1, y=2): g = −2·1·(2 − 0) = −4,           w₁ = 0 + 0.1·4 = 0.4
    #    step 2 (x=2, y=3): g = −2·2·(3 − 2·0.4) = −8.8,     w₂ = 0.4 + 0.88 = 1.28
    path, _, _ = _run_stochastic(lambda p: bp.optim.SGD(p, lr=ETA))
    assert path == pytest.approx([0.4, 1.28], abs=1e-15)


def test_momentum():
    # d. PyTorch's form: b ← α·b + g (b = g on the first step), w ← w − η·b, α = 0.9.
    #    (The course's v = α·v + η·g, w ← w − v is the same trajectory with v = η·b.)
    #    step 1: g = −4,                      b₁ = −4,                     w₁ = 0 + 0.1·4 = 0.4
    #    step 2: g = −4·(3 − 0.8) = −8.8,     b₂ = 0.9·(−4) − 8.8 = −12.4, w₂ = 0.4 + 1.24 = 1.64
    path, opt, w = _run_stochastic(lambda p: bp.optim.SGD(p, lr=ETA, momentum=0.9))
    assert path == pytest.approx([0.4, 1.64], abs=1e-15)
    assert opt.state[w]["momentum_buffer"] == pytest.approx(-12.4, abs=1e-14)


def test_nesterov():
    # e. PyTorch's form: b ← α·b + g, w ← w − η·(g + α·b), the gradient taken at the current w.
    #    step 1: g = −4 (at w=0),                 b₁ = −4,
    #            w₁ = 0 − 0.1·(−4 + 0.9·(−4)) = 0.76
    #    step 2: g = −2·2·(3 − 2·0.76) = −5.92,   b₂ = 0.9·(−4) − 5.92 = −9.52,
    #            w₂ = 0.76 − 0.1·(−5.92 + 0.9·(−9.52)) = 0.76 + 1.4488 = 2.2088
    path, opt, w = _run_stochastic(lambda p: bp.optim.SGD(p, lr=ETA, momentum=0.9, nesterov=True))
    assert path == pytest.approx([0.76, 2.2088], abs=1e-14)

    # The course's look-ahead form: v ← α·v + η·∇L(w − α·v), w ← w − v (v₀ = 0):
    #    step 1: gradient at w₀ − 0.9·0 = 0: −4;          v₁ = 0.1·(−4) = −0.4,                 w₁ = 0.4
    #    step 2: look-ahead point 0.4 − 0.9·(−0.4) = 0.76: g = −5.92,
    #            v₂ = 0.9·(−0.4) + 0.1·(−5.92) = −0.952,  w₂ = 0.4 + 0.952 = 1.352
    # PyTorch's iterate is that look-ahead point, θ_t = w_t − α·v_t with v_t = η·b_t:
    #    θ₁ = 0.4 + 0.36 = 0.76, θ₂ = 1.352 + 0.8568 = 2.2088. Back to the course's iterate:
    b2 = opt.state[w]["momentum_buffer"].item()
    assert b2 == pytest.approx(-9.52, abs=1e-14)
    assert w.item() + 0.9 * ETA * b2 == pytest.approx(1.352, abs=1e-14)


def test_rmsprop():
    # f. v ← α·v + (1 − α)·g², w ← w − η·g/(√v + ε), α = 0.9. ε = 0 here to pin the exact values
    #    (the default ε = 1e-8 moves them by about 1e-9, checked below).
    #    step 1: g = −4, v₁ = 0.1·16 = 1.6, w₁ = 0.4/√1.6 = 1/√10 ≈ 0.316227766
    #    step 2: g = −4·(3 − 2/√10) = 8/√10 − 12 ≈ −9.470177872,
    #            v₂ = 0.9·1.6 + 0.1·g² ≈ 1.44 + 8.968426892 = 10.408426892, √v₂ ≈ 3.226209369,
    #            w₂ = 1/√10 + 0.1·9.470177872/3.226209369 ≈ 0.316227766 + 0.293538850 = 0.609766616
    w1 = 1 / math.sqrt(10)
    g2 = 8 / math.sqrt(10) - 12
    v2 = 0.9 * 1.6 + 0.1 * g2 ** 2
    w2 = w1 - 0.1 * g2 / math.sqrt(v2)
    assert (v2, w2) == pytest.approx((10.408426892, 0.609766616), abs=1e-9)
    path, opt, w = _run_stochastic(lambda p: bp.optim.RMSprop(p, lr=ETA, alpha=0.9, eps=0.0))
    assert path == pytest.approx([w1, w2], abs=1e-15)
    assert opt.state[w]["square_avg"] == pytest.approx(v2, abs=1e-13)
    path_eps, _, _ = _run_stochastic(lambda p: bp.optim.RMSprop(p, lr=ETA, alpha=0.9))
    assert path_eps == pytest.approx([w1, w2], abs=1e-8)


def test_adam():
    # g. m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ),
    #    w ← w − η·m̂/(√v̂ + ε), β₁ = β₂ = 0.9, ε = 0 here (the default 1e-8 checked below).
    #    step 1: g = −4, m = −0.4, v = 1.6, m̂ = −0.4/0.1 = −4, v̂ = 1.6/0.1 = 16,
    #            w₁ = 0 − 0.1·(−4)/4 = 0.1   (Adam's first step is always ±η)
    #    step 2: g = −4·(3 − 0.2) = −11.2, m = 0.9·(−0.4) + 0.1·(−11.2) = −1.48,
    #            v = 0.9·1.6 + 0.1·125.44 = 13.984, m̂ = −1.48/0.19 ≈ −7.789473684, v̂ = 13.984/0.19 = 73.6,
    #            √v̂ ≈ 8.579044236, w₂ = 0.1 + 0.1·7.789473684/8.579044236 ≈ 0.1 + 0.090796521 = 0.190796521
    m_hat, v_hat = -1.48 / 0.19, 73.6
    w2 = 0.1 - 0.1 * m_hat / math.sqrt(v_hat)
    assert w2 == pytest.approx(0.190796521, abs=1e-9)
    infos = []

    def adam_recording_its_steps(params):
        opt = bp.optim.Adam(params, lr=ETA, betas=(0.9, 0.9), eps=0.0)
        opt.register_update_hook(lambda o, p, info: infos.append(dict(info)))
        return opt

    path, _, _ = _run_stochastic(adam_recording_its_steps)
    assert path == pytest.approx([0.1, w2], abs=1e-15)
    assert [float(infos[1][k]) for k in ("m", "v", "m_hat", "v_hat")] == pytest.approx(
        [-1.48, 13.984, m_hat, v_hat], abs=1e-13)
    path_eps, _, _ = _run_stochastic(lambda p: bp.optim.Adam(p, lr=ETA, betas=(0.9, 0.9)))
    assert path_eps == pytest.approx([0.1, w2], abs=1e-8)

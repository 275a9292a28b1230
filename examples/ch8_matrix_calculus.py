"""Matrix calculus identities, each checked against backpropagation on random matrices.

Sources: 001 (problem book), chapter 8 "Матричное дифференцирование", exercises 1–3, and 000
(cheat sheet, week 5: matrix differentiation and the multivariate chain rule). For each identity
the gradient (or Jacobian, or Hessian) that backprop computes is compared with the closed form;
the script returns the largest absolute difference of each (all about 1e-15).

* 1а (x²)′ = 2x;  1б ∇ aᵀx = a;  1в ∇ xᵀAx = (A + Aᵀ)x, Hessian A + Aᵀ;
* 1г ∇ ln(xᵀAx) = (A + Aᵀ)x / (xᵀAx);
* 1д ∇_X aᵀXAXa = aaᵀXᵀAᵀ + AᵀXᵀaaᵀ. The course's slip: it prints AᵀXaaᵀ in the second term, a
  transpose dropped (right only for symmetric X); the printed form's error is returned too.
* 1е the Jacobian of x·xᵀx is xᵀx·I + 2xxᵀ;
* 2а d(X⁻¹) = −X⁻¹ dX X⁻¹, so ∇_X tr(CX⁻¹) = −X⁻ᵀCᵀX⁻ᵀ;  2б ∇ det X = det X · X⁻ᵀ;  2в ∇ tr X = I;
* 3а ∇ tr(AXB) = AᵀBᵀ;  3б ∇ tr(AXᵀX) = X(A + Aᵀ);  3в ∇ ln det X = X⁻ᵀ;
* 3е ∇_x xᵀAb = Ab;  3ж ∇_A xᵀAb = xbᵀ (000's ∇_A xᵀAy = xyᵀ);
* 000: ∇ₓz = J(y, x)ᵀ∇_y z for y = tanh(Wx), z = Σy².

Run: python examples/ch8_matrix_calculus.py
"""
import numpy as np

import backprop as bp

N = 4


def t(array, grad=False):
    return bp.tensor(array, dtype=np.float64, requires_grad=grad)


def gradient(f, *values):
    """∇f at ``values`` by backprop, one array per argument."""
    leaves = [t(v, grad=True) for v in values]
    grads = bp.grad(f(*leaves), leaves)
    return [np.array(g.data if isinstance(g, bp.Tensor) else g) for g in grads]


def main():
    rng = np.random.default_rng(0)
    A, C, X = rng.standard_normal((3, N, N))
    X += 3 * np.eye(N)                                 # well away from singular
    a, b, x = rng.standard_normal((3, N))
    SPD = A @ A.T + np.eye(N)
    inv = np.linalg.inv

    xt = t(x, grad=True)
    with bp.explain.trace(names={"x": xt, "A": t(A)}) as tr:
        (xt @ t(A) @ xt).backward()
    print(tr)

    W = rng.standard_normal((3, N))
    y_of = lambda v: bp.tanh(t(W) @ v)
    J = bp.jacobian(y_of, x).data
    grad_y = 2 * np.tanh(W @ x)
    [chain] = gradient(lambda v: (y_of(v) ** 2).sum(), x)
    [grad_1d] = gradient(lambda X_: a @ X_ @ t(A) @ X_ @ a, X)
    book_1d = np.outer(a, a) @ X.T @ A.T + A.T @ X @ np.outer(a, a)
    checks = {
        "1а (x²)′ = 2x": abs(gradient(lambda s: s ** 2, 1.5)[0] - 3.0),
        "1б ∇ aᵀx = a": gradient(lambda v: t(a) @ v, x)[0] - a,
        "1в ∇ xᵀAx = (A + Aᵀ)x": gradient(lambda v: v @ t(A) @ v, x)[0] - (A + A.T) @ x,
        "1в Hessian of xᵀAx = A + Aᵀ": bp.hessian(lambda v: v @ t(A) @ v, x).data - (A + A.T),
        "1г ∇ ln(xᵀAx) = (A + Aᵀ)x/(xᵀAx)": gradient(lambda v: bp.log(v @ t(SPD) @ v), x)[0]
        - 2 * SPD @ x / (x @ SPD @ x),
        "1д ∇ aᵀXAXa = aaᵀXᵀAᵀ + AᵀXᵀaaᵀ": grad_1d
        - (np.outer(a, a) @ X.T @ A.T + A.T @ X.T @ np.outer(a, a)),
        "1е J(x·xᵀx) = xᵀx·I + 2xxᵀ": bp.jacobian(lambda v: v * (v @ v), x).data
        - ((x @ x) * np.eye(N) + 2 * np.outer(x, x)),
        "2а ∇ tr(CX⁻¹) = −X⁻ᵀCᵀX⁻ᵀ": gradient(lambda X_: bp.linalg.trace(t(C) @ bp.linalg.inv(X_)), X)[0]
        + inv(X).T @ C.T @ inv(X).T,
        "2б ∇ det X = det X·X⁻ᵀ": gradient(bp.linalg.det, X)[0] - np.linalg.det(X) * inv(X).T,
        "2в ∇ tr X = I": gradient(bp.linalg.trace, X)[0] - np.eye(N),
        "3а ∇ tr(AXB) = AᵀBᵀ": gradient(lambda X_: bp.linalg.trace(t(A) @ X_ @ t(C)), X)[0] - A.T @ C.T,
        "3б ∇ tr(AXᵀX) = X(A + Aᵀ)": gradient(lambda X_: bp.linalg.trace(t(A) @ X_.T @ X_), X)[0]
        - X @ (A + A.T),
        "3в ∇ ln det X = X⁻ᵀ": gradient(bp.linalg.logdet, X)[0] - inv(X).T,
        "3е ∇ₓ xᵀAb = Ab": gradient(lambda v: v @ t(A) @ t(b), x)[0] - A @ b,
        "3ж ∇_A xᵀAb = xbᵀ": gradient(lambda A_: t(x) @ A_ @ t(b), A)[0] - np.outer(x, b),
        "000 ∇ₓz = J(y, x)ᵀ∇_y z": chain - J.T @ grad_y,
    }
    errors = {name: float(np.max(np.abs(diff))) for name, diff in checks.items()}
    errors["1д as printed (AᵀXaaᵀ): its error"] = float(np.max(np.abs(grad_1d - book_1d)))
    for name, error in errors.items():
        print(f"{name}: largest difference {error:.1e}")
    return errors


if __name__ == "__main__":
    main()

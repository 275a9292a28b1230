"""Least squares, ridge, L2 logistic regression, the normal MLE, the nearest symmetric matrix.

Sources: 001 (problem book), chapter 8, exercises 4–8; 000 (cheat sheet: the exact least-squares
solution); 004 (lecture notes §2.1.3–2.1.6: the exact solution, gradient descent, ridge). Every
closed form is compared with the library (backprop's gradients and Hessians, ``bp.linear_model``):

* ex. 4: L(w) = (y − Xw)ᵀ(y − Xw), ∇L = −2Xᵀ(y − Xw), w* = (XᵀX)⁻¹Xᵀy, Hessian 2XᵀX. The course's
  slip: XᵀX is only positive semi-definite (zᵀz ≥ 0), definite when X has full column rank; with a
  repeated column its smallest eigenvalue is 0. 004's gradient-descent code divides 2Xᵀ(Xw − y) by
  n, the gradient of the mean, not of the summed loss it derives: both reach w*.
* ex. 5: ridge, ∇L = 2Xᵀ(Xw − y) + 2λw, w = (XᵀX + λI)⁻¹Xᵀy, Hessian 2XᵀX + 2λI (the course's slip
  prints + 2λ, which would add 2λ to every entry). 004 §2.1.6's slip: with a column of ones in X
  the printed formula penalises the intercept; ``Ridge`` leaves it out (centred data).
* ex. 6: L(w) = Σ ln(1 + exp(−yᵢxᵢᵀw)) + λwᵀw, ∇L = Σ −yᵢσ(−yᵢxᵢᵀw)xᵢ + 2λw, step w ← w − γ∇L.
  The course's slips: 1/ln(…) where it means 1/(…) in the differential, and the step printed with "+".
* ex. 7: the normal's MLE μ̂ = x̄, Σ̂ = (1/n)Σ(xᵢ − x̄)(xᵢ − x̄)ᵀ: the log-likelihood's gradient is 0 there.
* ex. 8: the symmetric X nearest to A in the Frobenius norm is ½(A + Aᵀ) (the course writes min over
  A where it means X); gradient descent over symmetric matrices finds it.

Run: python examples/ch8_regression_mle.py
"""
import numpy as np

import backprop as bp


def t(array, grad=False):
    return bp.tensor(array, dtype=np.float64, requires_grad=grad)


def grad_at(f, value):
    leaf = t(value, grad=True)
    (g,) = bp.grad(f(leaf), [leaf])
    return np.array(g)


def least_squares(X, y):
    n = len(y)
    loss = lambda w: ((t(y) - t(X) @ w) ** 2).sum()
    w0 = np.zeros(X.shape[1])
    w_star = np.linalg.solve(X.T @ X, X.T @ y)
    fitted = bp.linear_model.LinearRegression(fit_intercept=False).fit(X, y).coef_
    w = w0.copy()
    for _ in range(500):                      # 004's loop: grad = 2·Xᵀ(Xw − y)/n
        w -= 0.1 * 2 * X.T @ (X @ w - y) / n
    repeated = np.column_stack([X, X[:, 0]])
    return {"4 ∇L = −2Xᵀ(y − Xw)": grad_at(loss, w0 + 1) - (-2 * X.T @ (y - X @ (w0 + 1))),
            "4 w* = LinearRegression": w_star - fitted,
            "4 Hessian = 2XᵀX": bp.hessian(loss, w0).data - 2 * X.T @ X,
            "004 gradient descent reaches w*": w - w_star,
            "4 smallest eigenvalue of XᵀX, repeated column": np.linalg.eigvalsh(repeated.T @ repeated)[0]}


def ridge(X, y, lam):
    loss = lambda w: ((t(X) @ w - t(y)) ** 2).sum() + lam * (w ** 2).sum()
    w = np.linspace(-1, 1, X.shape[1])
    closed = np.linalg.solve(X.T @ X + lam * np.eye(X.shape[1]), X.T @ y)
    hessian = bp.hessian(loss, w).data
    ones = np.column_stack([np.ones(len(y)), X])
    printed = np.linalg.solve(ones.T @ ones + lam * np.eye(ones.shape[1]), ones.T @ (y + 10))
    fitted = bp.linear_model.Ridge(alpha=lam).fit(X, y + 10)
    return {"5 ∇L = 2Xᵀ(Xw − y) + 2λw": grad_at(loss, w) - (2 * X.T @ (X @ w - y) + 2 * lam * w),
            "5 w = Ridge": closed - bp.linear_model.Ridge(alpha=lam, fit_intercept=False).fit(X, y).coef_,
            "5 Hessian = 2XᵀX + 2λI": hessian - (2 * X.T @ X + 2 * lam * np.eye(X.shape[1])),
            "5 as printed, 2XᵀX + 2λ: its error": hessian - (2 * X.T @ X + 2 * lam),
            "004 intercept: Ridge vs the printed formula": fitted.intercept_ - printed[0]}


def logistic(X, y, lam, gamma=0.05):
    loss = lambda w: bp.log(1 + bp.exp(-t(y) * (t(X) @ w))).sum() + lam * (w ** 2).sum()
    w = np.linspace(-0.5, 0.5, X.shape[1])
    sigma = lambda z: 1 / (1 + np.exp(-z))
    margins = y * (X @ w)
    formula = -(y * sigma(-margins)) @ X + 2 * lam * w
    printed = -(y * np.exp(-margins) / np.log(1 + np.exp(-margins))) @ X + 2 * lam * w
    value = lambda v: loss(t(v)).item()
    return {"6 ∇L = Σ −yσ(−yxᵀw)x + 2λw": grad_at(loss, w) - formula,
            "6 with 1/ln(…) as printed: its error": grad_at(loss, w) - printed,
            "6 step w − γ∇L lowers L by": value(w) - value(w - gamma * formula),
            "6 step w + γ∇L as printed raises L by": value(w + gamma * formula) - value(w)}


def normal_mle(S):
    n, m = S.shape
    mu, sigma = S.mean(axis=0), np.cov(S.T, bias=True)

    def loglik(mu_, sigma_):
        d = t(S) - mu_
        quad = ((d @ bp.linalg.inv(sigma_)) * d).sum()
        return -0.5 * n * m * np.log(2 * np.pi) - 0.5 * n * bp.linalg.logdet(sigma_) - 0.5 * quad

    mu_t, sigma_t = t(mu, grad=True), t(sigma, grad=True)
    g_mu, g_sigma = bp.grad(loglik(mu_t, sigma_t), [mu_t, sigma_t])
    return {"7 ∇_μ ln L at (x̄, Σ̂)": np.array(g_mu), "7 ∇_Σ ln L at (x̄, Σ̂)": np.array(g_sigma)}


def nearest_symmetric(A):
    B = t(np.zeros_like(A), grad=True)       # X = (B + Bᵀ)/2 ranges over the symmetric matrices
    optimizer = bp.optim.SGD([B], lr=0.2)
    for _ in range(100):
        optimizer.zero_grad()
        (((B + B.T) / 2 - t(A)) ** 2).sum().backward()
        optimizer.step()
    return {"8 nearest symmetric = ½(A + Aᵀ)": (B.data + B.data.T) / 2 - (A + A.T) / 2}


def main():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.standard_normal(20)
    w = t(np.zeros(3), grad=True)
    with bp.explain.trace(names={"w": w, "X": t(X), "y": t(y)}) as tr:
        ((t(y) - t(X) @ w) ** 2).sum().backward()
    print(tr)
    labels = np.where(X @ np.array([1.0, 1.0, -1.0]) + 0.3 * rng.standard_normal(20) > 0, 1.0, -1.0)
    results = {**least_squares(X, y), **ridge(X, y, 2.0), **logistic(X, labels, 0.1),
               **normal_mle(rng.multivariate_normal([1.0, -1.0], [[2.0, 0.5], [0.5, 1.0]], size=50)),
               **nearest_symmetric(rng.standard_normal((3, 3)))}
    answers = {name: float(np.max(np.abs(value))) for name, value in results.items()}
    for name, value in answers.items():
        print(f"{name}: {value:.3g}")
    return answers


if __name__ == "__main__":
    main()

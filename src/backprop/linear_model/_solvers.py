"""Solvers for the linear models: each minimises an objective written with backprop ops.

An objective is a function ``objective(theta) -> scalar Tensor`` of one flat parameter vector θ (see
:class:`._base.LinearParams`); the minibatch solver's objective also takes the rows of a batch,
``objective(theta, rows)``. Every gradient comes from the library's reverse mode (``loss.backward()``
or ``bp.grad``) and every Hessian from ``bp.hessian``; no solver holds a hand-written gradient. Each
solver returns a :class:`SolverResult` and stops when its first-order optimality measure falls to ``tol``:

==================== ============================================ ========================================
solver               method                                       stops when
==================== ============================================ ========================================
gradient_descent     θ ← θ − lr·∇f(θ)  (``bp.optim.SGD``)          max|∇f(θ)| ≤ tol
minibatch_sgd        θ ← θ − lrₑ·∇f_batch(θ), lrₑ = lr/(1+e)^0.75   max|∇f(θ)| ≤ tol after an epoch
lbfgs                ``bp.optim.LBFGS`` with a strong Wolfe search   max|∇f(θ)| ≤ tol
newton               θ ← θ − t·H⁻¹∇f(θ), H from ``bp.hessian``      max|∇f(θ)| ≤ tol
proximal_gradient    FISTA: soft-threshold after each step          max|gradient mapping| (or the duality
                                                                  gap) ≤ tol
==================== ============================================ ========================================

``tol`` is absolute, on the scale of the objective's gradient (as scikit-learn's ``gtol`` for L-BFGS);
the regressors pass :func:`relative_tol`, their ``tol`` times the largest gradient entry at the start,
so that rescaling y does not change when they stop. A solver that runs out of iterations returns
``converged=False``; the estimator then warns (:func:`warn_if_not_converged`).
"""
import warnings
from typing import NamedTuple

import numpy as np

from ..autograd.factory import tensor
from ..autograd.tensor import Tensor
from ..autograd.functional import hessian
from ..autograd.grad_mode import enable_grad, no_grad
from ..exceptions import ConvergenceWarning
from ..optim.lbfgs import LBFGS
from ..optim.sgd import SGD

#: Power of the minibatch step decay lrₑ = lr/(1 + e)^SGD_DECAY: in (½, 1], so Σ lrₑ = ∞ and Σ lrₑ² < ∞
#: (Robbins–Monro), and the iterates settle at the minimum instead of wandering around it.
SGD_DECAY = 0.75


class SolverResult(NamedTuple):
    """The solution θ, the iterations (epochs for SGD) it took, whether ``tol`` was met, and the measure.

    ``measure`` names the optimality measure the solver checks, ``value`` is its value at θ and ``tol``
    the (absolute) tolerance it was compared with: :func:`warn_if_not_converged` reports all three.
    """
    theta: np.ndarray
    n_iter: int
    converged: bool
    measure: str = "max|∇f|"
    value: float = float("nan")
    tol: float = float("nan")


def _array(grad):
    """A gradient as an ndarray, whether the engine hands it over as a Tensor or as an array."""
    return grad.data if isinstance(grad, Tensor) else grad


def _leaf(theta):
    return tensor(theta, dtype=theta.dtype, requires_grad=True)


def value(objective, theta):
    """f(θ) as a float, without recording a graph."""
    with no_grad():
        return float(objective(tensor(theta, dtype=theta.dtype)).data)


def value_and_grad(objective, theta):
    """f(θ) as a float and ∇f(θ) as an array, by one backward pass."""
    leaf = _leaf(theta)
    with enable_grad():
        loss = objective(leaf)
        loss.backward()
    return float(loss.data), _array(leaf.grad)


def relative_tol(objective, theta0, tol):
    """tol·max|∇f(θ₀)|: a gradient tolerance relative to the gradient at the start, so that rescaling
    y (or X) does not change when a solver stops."""
    _, grad = value_and_grad(objective, theta0)
    return tol * float(np.abs(grad).max(initial=0.0))


def _check_finite(loss, solver, hint):
    if not np.isfinite(loss):
        raise FloatingPointError(f"{solver} diverged: the objective became {loss}. {hint}")


def gradient_descent(objective, theta0, lr, max_iter, tol):
    """Full-batch gradient descent θ ← θ − lr·∇f(θ), the course's algorithm, with ``bp.optim.SGD``.

    Converges for a convex f whose gradient is L-Lipschitz when lr ≤ 1/L (lr < 2/L for a quadratic).

    Parameters
    ----------
    objective : callable
        θ (Tensor) ↦ scalar Tensor.
    theta0 : ndarray, shape (m,)
        Starting point (its dtype is the computing dtype).
    lr : float
    max_iter : int
        Number of steps at most.
    tol : float
        Stop when max|∇f(θ)| ≤ tol.
    """
    theta = _leaf(theta0)
    opt = SGD([theta], lr=lr)
    for n_iter in range(max_iter + 1):
        opt.zero_grad()
        with enable_grad():
            loss = objective(theta)
            loss.backward()
        _check_finite(float(loss.data), "gradient descent", f"Lower the learning rate (lr={lr}).")
        grad_max = float(np.abs(_array(theta.grad)).max(initial=0.0))
        if grad_max <= tol:
            return SolverResult(theta.data, n_iter, True, value=grad_max, tol=tol)
        if n_iter < max_iter:
            opt.step()
    return SolverResult(theta.data, max_iter, False, value=grad_max, tol=tol)


def batches(order, batch_size):
    """Split the row order into ⌈n/batch_size⌉ batches of near-equal sizes (at most ``batch_size``).

    Sizes differ by at most one, so no batch is a tiny remainder whose gradient is mostly noise.
    """
    return np.array_split(order, -(-len(order) // batch_size))


def minibatch_sgd(objective, theta0, n_samples, batch_size, epochs, lr, tol, rng):
    """Minibatch SGD: each epoch visits the rows in a new random order, one step per batch.

    In epoch e = 0, 1, ... every step is θ ← θ − lrₑ·∇f_B(θ) with f_B the objective on batch B and
    the decaying step lrₑ = lr/(1 + e)^0.75 (:data:`SGD_DECAY`). A constant step would leave θ
    wandering around the minimum with the noise of the batch gradients; the decay lets it settle.
    After each epoch the full gradient is checked against ``tol``.

    Parameters
    ----------
    objective : callable
        ``objective(theta, rows)`` ↦ scalar Tensor, the mean loss over ``rows`` (an index array, or
        ``slice(None)`` for all rows).
    theta0 : ndarray, shape (m,)
    n_samples, batch_size, epochs : int
    lr : float
        The first epoch's step.
    tol : float
    rng : numpy.random.Generator
        Draws the order of the rows.
    """
    theta = _leaf(theta0)
    opt = SGD([theta], lr=lr)
    for epoch in range(epochs):
        opt.param_groups[0]["lr"] = lr / (1 + epoch) ** SGD_DECAY
        for rows in batches(rng.permutation(n_samples), batch_size):
            opt.zero_grad()
            with enable_grad():
                objective(theta, rows).backward()
            opt.step()
        loss, grad = value_and_grad(lambda t: objective(t, slice(None)), theta.data)
        _check_finite(loss, "SGD", f"Lower the learning rate (lr={lr}).")
        grad_max = float(np.abs(grad).max(initial=0.0))
        if grad_max <= tol:
            return SolverResult(theta.data, epoch + 1, True, value=grad_max, tol=tol)
    return SolverResult(theta.data, epochs, False, value=grad_max, tol=tol)


def lbfgs(objective, theta0, max_iter, tol):
    """Minimise f by ``bp.optim.LBFGS`` with the strong Wolfe line search (PyTorch's algorithm).

    Converged means max|∇f(θ)| ≤ tol, nothing else. Up to ``max_iter`` iterations in all; when the
    search stops early with the gradient still above ``tol`` (f no longer changing in its last digits,
    a line search that found no decrease, often a curvature history gone stale on badly scaled data)
    it restarts from where it stopped with an empty history. A restart that cannot lower f at all, its
    line search along −∇f included, has reached f's rounding floor: that counts as converged too.
    """
    theta = _leaf(theta0)
    dtype = theta0.dtype

    def closure():
        optimizer.zero_grad()
        loss = objective(theta)
        loss.backward()
        return loss

    n_iter, loss = 0, value(objective, theta.data)
    while True:
        optimizer = LBFGS([theta], max_iter=max_iter - n_iter, max_eval=2 * (max_iter - n_iter),
                          tolerance_grad=tol, tolerance_change=float(np.finfo(dtype).eps),
                          line_search_fn="strong_wolfe")
        optimizer.step(closure)
        n_iter += optimizer.state.get(theta, {}).get("n_iter", 0)
        new_loss, grad = value_and_grad(objective, theta.data)
        _check_finite(new_loss, "L-BFGS", "Check the data's scale.")
        grad_max = float(np.abs(grad).max(initial=0.0))
        if grad_max <= tol or n_iter >= max_iter:
            return SolverResult(theta.data, n_iter, grad_max <= tol, value=grad_max, tol=tol)
        if not new_loss < loss:  # a fresh start, whose line search along −∇f lowered nothing: f's rounding floor
            return SolverResult(theta.data, n_iter, True, value=grad_max, tol=tol)
        loss = new_loss


def newton(objective, theta0, max_iter, tol):
    """Damped Newton's method: θ ← θ + t·d with H·d = −∇f, H = ``bp.hessian(objective, θ)``.

    The step t halves from 1 until f decreases enough (Armijo: f(θ + t·d) ≤ f(θ) + 10⁻⁴·t·∇fᵀd). For
    a generalised linear model H = Xᵀ·diag(v)·X, so this is IRLS (iteratively reweighted least
    squares); near the minimum it converges quadratically. A Hessian that is singular, or not
    positive definite along d, falls back to a least-squares solve or to the gradient direction.
    Costs one backward pass per entry of θ per iteration (for H).
    """
    theta = np.array(theta0, copy=True)
    for n_iter in range(max_iter + 1):
        loss, grad = value_and_grad(objective, theta)
        _check_finite(loss, "Newton's method", "Check the data's scale.")
        grad_max = float(np.abs(grad).max(initial=0.0))
        if grad_max <= tol:
            return SolverResult(theta, n_iter, True, value=grad_max, tol=tol)
        if n_iter == max_iter:
            break
        H = hessian(objective, tensor(theta, dtype=theta.dtype)).data
        try:
            direction = -np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            direction = -np.linalg.lstsq(H, grad, rcond=None)[0]
        direction = direction.astype(theta.dtype, copy=False)
        slope = grad @ direction
        if not slope < 0:
            direction, slope = -grad, -(grad @ grad)
        step = 1.0
        # Once the predicted decrease −slope/2 is within f's rounding error, comparing values of f cannot
        # judge a step; the quadratic model is accurate there, so Newton's full step is taken.
        if -slope > 1e3 * np.finfo(theta.dtype).eps * max(1.0, abs(loss)):
            while value(objective, theta + step * direction) > loss + 1e-4 * step * slope and step > 1e-10:
                step /= 2
        theta = theta + step * direction
    return SolverResult(theta, max_iter, False, value=grad_max, tol=tol)


def soft_threshold(x, threshold):
    """S(x, λ) = sign(x)·max(|x| − λ, 0): the proximal operator of λ|x|; gives exact zeros for |x| ≤ λ."""
    return np.sign(x) * np.maximum(np.abs(x) - threshold, 0)


def proximal_gradient(objective, theta0, l1, max_iter, tol, lipschitz=None, gap=None):
    """Minimise f(θ) + Σⱼ l1ⱼ·|θⱼ| by accelerated proximal gradient (FISTA) with restarts.

    Each step is a gradient step on the smooth f followed by the soft-threshold of the L1 term::

        θₖ₊₁ = S(yₖ − ∇f(yₖ)/L, l1/L)                   (exact zeros where |·| ≤ l1/L)
        yₖ₊₁ = θₖ₊₁ + (tₖ − 1)/tₖ₊₁·(θₖ₊₁ − θₖ),   tₖ₊₁ = (1 + √(1 + 4tₖ²))/2

    L is doubled until f(θₖ₊₁) ≤ f(yₖ) + ∇f(yₖ)ᵀΔ + (L/2)‖Δ‖² holds (backtracking), and the momentum
    restarts (tₖ = 1) whenever it points uphill, which makes the convergence linear for a strongly
    convex f (O'Donoghue and Candès, 2015). Stops when the gradient mapping L·(yₖ − θₖ₊₁), the
    proximal analogue of the gradient, is at most ``tol`` in every entry, or, if ``gap`` is given,
    when the duality gap ``gap(θₖ₊₁)`` (an upper bound on how far the objective is above its
    minimum) is at most ``tol``.

    Parameters
    ----------
    objective : callable
        θ (Tensor) ↦ scalar Tensor: the smooth part f.
    theta0 : ndarray, shape (m,)
    l1 : ndarray, shape (m,), or float
        L1 strength of each entry (0 for an unpenalised intercept).
    max_iter : int
    tol : float
    lipschitz : float, optional
        The Lipschitz constant of ∇f if known (the largest eigenvalue of f's Hessian), else found
        by backtracking from 1.
    gap : callable, optional
        θ (ndarray) ↦ duality gap (float), the stopping measure instead of the gradient mapping.
    """
    L = float(lipschitz) if lipschitz else 1.0
    name = "relative duality gap" if gap is not None else "max|gradient mapping|"
    theta = np.array(theta0, copy=True)
    y, t = theta.copy(), 1.0
    for n_iter in range(1, max_iter + 1):
        f_y, grad = value_and_grad(objective, y)
        _check_finite(f_y, "proximal gradient", "Check the data's scale.")
        while True:
            new = soft_threshold(y - grad / L, l1 / L)
            delta = new - y
            bound = f_y + grad @ delta + 0.5 * L * (delta @ delta)
            # rounding in f may break the bound by a few ulps once Δ is tiny: allow for it
            if value(objective, new) <= bound + 10 * np.finfo(theta.dtype).eps * abs(f_y):
                break
            L *= 2
        measure = float(gap(new) if gap is not None else L * np.abs(delta).max())
        if measure <= tol:
            return SolverResult(new, n_iter, True, name, measure, tol)
        if (y - new) @ (new - theta) > 0:  # momentum points uphill: restart
            t_next, y = 1.0, new
        else:
            t_next = (1 + (1 + 4 * t * t) ** 0.5) / 2  # a Python float: keeps float32 data float32
            y = new + (t - 1) / t_next * (new - theta)
        theta, t = new, t_next
    return SolverResult(theta, max_iter, False, name, measure, tol)


def warn_if_not_converged(result, estimator, max_iter, note="", budget="max_iter"):
    """A ``ConvergenceWarning`` if the solver stopped without meeting its optimality measure.

    Names the estimator, the iterations run, the effective ``max_iter``, and the measure's value
    beside the tolerance it missed; advises standardising the features or raising ``max_iter``
    (never raising ``tol``). ``note`` is appended (the perceptron's "may not be separable"); ``budget``
    names the parameter that bounds the iterations when it is not ``max_iter`` (``epochs``).
    """
    if result.converged:
        return
    warnings.warn(f"{type(estimator).__name__} did not converge in {result.n_iter} iterations ({budget}={max_iter}); "
                  f"{result.measure} = {result.value:.3g} > tol = {result.tol:g}. Standardise the features "
                  f"(bp.preprocessing.StandardScaler) or raise {budget}.{note}", ConvergenceWarning, stacklevel=3)

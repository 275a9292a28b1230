"""Dual coordinate descent for the linear SVM: liblinear's solver (Hsieh et al., ICML 2008), in NumPy.

The primal problem, with per-row costs Cᵢ = C·sᵢ (the sample and class weights) and labels yᵢ = ±1,

    hinge:          min_w ½‖w‖² + Σᵢ Cᵢ·max(0, 1 − yᵢ·wᵀxᵢ)
    squared hinge:  min_w ½‖w‖² + Σᵢ Cᵢ·max(0, 1 − yᵢ·wᵀxᵢ)²

has the dual min_α ½αᵀQ̄α − Σαᵢ over 0 ≤ αᵢ ≤ Uᵢ, with Q̄ = Q + D, Qᵢⱼ = yᵢyⱼxᵢᵀxⱼ, and
(Uᵢ, Dᵢᵢ) = (Cᵢ, 0) for the hinge, (∞, 1/(2Cᵢ)) for the squared hinge; w = Σᵢ αᵢyᵢxᵢ. Each step
minimises the dual exactly in one αᵢ: with the gradient G = yᵢwᵀxᵢ − 1 + Dᵢᵢαᵢ,
αᵢ ← min(max(αᵢ − G/Q̄ᵢᵢ, 0), Uᵢ), and w follows. The projected gradient PG (G, except 0 where a bound
stops the move) is 0 for every i exactly at the optimum; liblinear stops when max PG − min PG ≤ tol
over an epoch, and skips ("shrinks") the αᵢ stuck at a bound, checking them all again before it stops.
"""
import numpy as np

from ._solvers import SolverResult

#: liblinear's threshold below which a projected gradient does not move its coordinate.
PG_EPSILON = 1e-12


def dual_coordinate_descent(X, y, costs, loss, max_iter, tol, rng):
    """Minimise the SVM's dual by coordinate descent with shrinking; returns w and the solver's result.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        The rows xᵢ (with the intercept column already appended, if any).
    y : ndarray, shape (n,)
        Labels ±1.
    costs : ndarray, shape (n,)
        Cᵢ = C·(weight of row i); rows with Cᵢ = 0 take no part.
    loss : {'hinge', 'squared_hinge'}
    max_iter : int
        Epochs at most.
    tol : float
        Stop when max PG − min PG ≤ tol over an epoch that visits every row.
    rng : numpy.random.Generator
        Shuffles the order of the rows in each epoch (as liblinear does).

    Returns
    -------
    w : ndarray, shape (p,)
    result : SolverResult
        ``theta`` is α; ``n_iter`` counts epochs; the measure is the projected-gradient spread.
    """
    rows = np.flatnonzero(costs > 0)
    if loss == "hinge":
        upper, diag = costs[rows].tolist(), [0.0] * len(rows)
    else:
        upper, diag = [np.inf] * len(rows), (0.5 / costs[rows]).tolist()
    Xr, yr = X[rows], y[rows].astype(np.float64).tolist()
    qd = (np.asarray(diag) + np.einsum("ij,ij->i", Xr, Xr)).tolist()
    xs = list(Xr)  # row views, indexed without building a new view each step
    alpha, w = [0.0] * len(rows), np.zeros(X.shape[1])
    active = np.arange(len(rows))
    pg_max_old, pg_min_old = np.inf, -np.inf
    spread = np.inf
    measure = "projected-gradient spread (max PG − min PG)"
    for epoch in range(1, max_iter + 1):
        pg_max, pg_min = -np.inf, np.inf
        kept = []
        for i in rng.permutation(active).tolist():
            a, x = alpha[i], xs[i]
            G = yr[i] * float(w @ x) - 1.0 + diag[i] * a
            if a == 0.0:
                if G > pg_max_old:  # at the lower bound and pushing against it: skip until the final check
                    continue
                pg = min(G, 0.0)
            elif a == upper[i]:
                if G < pg_min_old:
                    continue
                pg = max(G, 0.0)
            else:
                pg = G
            kept.append(i)
            pg_max, pg_min = max(pg_max, pg), min(pg_min, pg)
            if abs(pg) > PG_EPSILON:
                alpha[i] = min(max(a - G / qd[i], 0.0), upper[i])
                w += ((alpha[i] - a) * yr[i]) * x
        spread = pg_max - pg_min if kept else 0.0
        if spread <= tol:
            if len(kept) == len(rows):
                return w, SolverResult(np.asarray(alpha), epoch, True, measure, spread, tol)
            active, pg_max_old, pg_min_old = np.arange(len(rows)), np.inf, -np.inf  # check every row again
            continue
        active = np.asarray(kept)
        pg_max_old = pg_max if pg_max > 0 else np.inf
        pg_min_old = pg_min if pg_min < 0 else -np.inf
    return w, SolverResult(np.asarray(alpha), max_iter, False, measure, spread, tol)

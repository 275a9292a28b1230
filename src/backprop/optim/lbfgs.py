"""L-BFGS: a quasi-Newton method that re-evaluates the loss as it searches (``torch.optim.LBFGS``).

Gradient descent steps along −∇f with one learning rate for every direction; Newton's method steps
along −H⁻¹∇f, which rescales each direction by its curvature but needs the Hessian H. L-BFGS builds
H⁻¹∇f from the last ``history_size`` pairs (s, y) of parameter changes s = θₖ₊₁ − θₖ and gradient
changes y = ∇f(θₖ₊₁) − ∇f(θₖ) (:func:`lbfgs_direction`), so its steps adapt to the curvature at the
cost of a few vectors per iteration. Each :meth:`LBFGS.step` runs up to ``max_iter`` iterations and calls
the closure every time it needs the loss and gradient at a new point (along a line search with
``line_search_fn='strong_wolfe'``).
"""
import copy
import math
import numbers

import numpy as np

from ..autograd.grad_mode import enable_grad
from ..autograd.graph import increment_version
from .optimizer import Optimizer, check_nonnegative

_LINE_SEARCHES = (None, "strong_wolfe")


def cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to ``bounds``.

    ``bounds`` defaults to the interval between x1 and x2. When the cubic has no minimum (d₂² < 0) the
    midpoint of the bounds is returned. The formula, with x2 the farther point::

        d₁ = g₁ + g₂ − 3(f₁ − f₂)/(x₁ − x₂),   d₂ = √(d₁² − g₁g₂)
        x = x₂ − (x₂ − x₁)·(g₂ + d₂ − d₁)/(g₂ − g₁ + 2d₂)
    """
    lo, hi = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:  # also a NaN from an infinite loss: bisect
        return (lo + hi) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


def strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step size t along ``d`` meeting the strong Wolfe conditions (PyTorch's port of minFunc)::

        f(x + t·d) ≤ f(x) + c₁·t·∇f(x)ᵀd          (sufficient decrease, Armijo)
        |∇f(x + t·d)ᵀd| ≤ c₂·|∇f(x)ᵀd|            (the slope has flattened enough)

    First it grows t (extrapolating by cubic interpolation) until an interval brackets such a step,
    then it shrinks the bracket ("zoom") by cubic interpolation, moving a trial point that falls near
    an end to 10% inside the bracket.

    Parameters
    ----------
    obj_func : callable
        ``obj_func(x, t, d)`` returns the loss (float) and flat gradient at x + t·d.
    x : list of ndarray
        The parameters at t = 0 (passed back to ``obj_func``).
    t : float
        The first trial step.
    d : ndarray, shape (n,)
        The search direction (a descent direction: gtd < 0).
    f, g, gtd : float, ndarray, float
        Loss, flat gradient and slope ∇f(x)ᵀd at t = 0.
    c1, c2 : float
        The Wolfe constants.
    tolerance_change : float
        Stop zooming when the bracket moves the parameters by less than this.
    max_ls : int
        Maximum number of function evaluations.

    Returns
    -------
    f_new, g_new, t, ls_func_evals : float, ndarray, float, int
        The loss and gradient at the step chosen, the step, and the evaluations used.
    """
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = g_new.dot(d)

    # bracketing phase: grow t until [t_prev, t] contains an acceptable step
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        t_prev, t = t, cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                         bounds=(min_step, max_step))
        f_prev, g_prev, gtd_prev = f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]
        bracket_gtd = [gtd, gtd_new]

    # zoom phase: shrink the bracket around a point meeting both conditions
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                              bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial point at (or next to) an end of the bracket makes little progress: move it inside
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                nearer_top = abs(t - max(bracket)) < abs(t - min(bracket))
                t = max(bracket) - eps if nearer_top else min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def lbfgs_direction(grad, old_dirs, old_stps, ro, H_diag):
    """The L-BFGS direction d = −H·∇f by the two-loop recursion over the stored pairs (oldest first)::

        q ← −∇f
        for i = newest … oldest:  aᵢ ← ρᵢ·sᵢᵀq;   q ← q − aᵢ·yᵢ
        r ← γ·q                                      (γ = H_diag = sᵀy/yᵀy of the newest pair)
        for i = oldest … newest:  bᵢ ← ρᵢ·yᵢᵀr;   r ← r + (aᵢ − bᵢ)·sᵢ
        d ← r

    with sᵢ the parameter changes (``old_stps``), yᵢ the gradient changes (``old_dirs``) and
    ρᵢ = 1/(yᵢᵀsᵢ) (``ro``). H is the BFGS inverse-Hessian approximation built from γ·I by one update
    per stored pair.
    """
    al = [None] * len(old_dirs)
    q = -grad
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q -= al[i] * old_dirs[i]
    r = q * H_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r += (al[i] - be_i) * old_stps[i]
    return r


class LBFGS(Optimizer):
    """Limited-memory BFGS, with PyTorch's algorithm, arguments and stopping rules.

    One :meth:`step` runs up to ``max_iter`` iterations (each one evaluates ``closure``): the
    algorithm is :attr:`algorithm`, shown at the end.

    The history, the last direction and step survive between calls (``state`` of the first
    parameter, as in PyTorch), so repeated calls continue one run.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimize; one parameter group only (as in PyTorch).
    lr : float, default 1
        Step size: the first trial step of the line search, or the fixed step without one.
    max_iter : int, default 20
        Iterations per :meth:`step`.
    max_eval : int, optional
        Closure evaluations per :meth:`step`; default ``max_iter * 5 // 4``.
    tolerance_grad : float, default 1e-7
        Stop when every gradient entry is at most this in absolute value (first-order optimality).
    tolerance_change : float, default 1e-9
        Stop when the loss or the parameters change by less than this.
    history_size : int, default 100
        Number of (s, y) pairs kept.
    line_search_fn : None or 'strong_wolfe', default None
        Without a line search, each iteration takes the fixed step t (unsafe far from a minimum).
        An unknown name raises ``ValueError`` here; PyTorch raises only at the first step.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> w = bp.tensor([-1.5, 2.0], dtype=np.float64, requires_grad=True)
    >>> opt = bp.optim.LBFGS([w], max_iter=100, line_search_fn="strong_wolfe")
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2     # Rosenbrock
    ...     loss.backward()
    ...     return loss
    >>> _ = opt.step(closure); np.round(w.data, 4)
    array([1., 1.])
    """

    hyperparameters = ("lr", "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size",
                       "line_search_fn")
    algorithm = """
        evaluate f, g = ∇f;  stop if max|g| ≤ tolerance_grad
        repeat:
            d ← −g on the very first iteration, else lbfgs_direction(g, stored pairs)
                (the pair s = t·d_prev, y = g − g_prev is stored first if yᵀs > 1e-10)
            t ← lr·min(1, 1/Σ|g|) on the very first iteration, else lr
            stop if gᵀd > −tolerance_change
            θ ← θ + t·d     t from strong_wolfe when line_search_fn='strong_wolfe'; then f, g at θ
            stop after max_iter iterations or max_eval evaluations, if max|g| ≤ tolerance_grad,
            if max|t·d| ≤ tolerance_change or if |f − f_prev| < tolerance_change
    """

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                                  "history_size": history_size, "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]

    def _validate(self, group):
        check_nonnegative(group, "tolerance_grad", "tolerance_change")
        for name in ("max_iter", "max_eval", "history_size"):
            if not isinstance(group[name], numbers.Integral) or group[name] < 1:
                raise ValueError(f"Invalid {name} value: {group[name]!r} (a positive int is needed)")
        if group["line_search_fn"] not in _LINE_SEARCHES:
            raise ValueError(f"only 'strong_wolfe' is supported as line_search_fn (or None), got "
                             f"{group['line_search_fn']!r}")

    def add_param_group(self, param_group):
        if self.param_groups:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        super().add_param_group(param_group)

    def _gather_flat_grad(self):
        views = [np.zeros(p.data.size, p.dtype) if p.grad is None else np.ravel(np.asarray(p.grad))
                 for p in self._params]
        return np.concatenate(views)

    def _add_grad(self, step_size, update):
        offset = 0
        for p in self._params:
            p.data += (step_size * update[offset:offset + p.data.size]).reshape(p.shape)
            increment_version(p)
            offset += p.data.size

    def _set_param(self, params_data):
        for p, data in zip(self._params, params_data):
            p.data[...] = data
            increment_version(p)

    def _directional_evaluate(self, closure, x, t, d):
        """Loss and flat gradient at θ + t·d; the parameters are put back to ``x`` afterwards."""
        self._add_grad(t, d)
        loss = float(_call(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` iterations; returns the loss ``closure()`` gave at the starting point.

        Parameters
        ----------
        closure : callable
            Clears the gradients, computes the loss, calls ``backward`` and returns the loss (required).
        """
        if closure is None:
            raise TypeError("LBFGS.step needs a closure that re-evaluates the loss and its gradient")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        # LBFGS's state is global; like PyTorch it is stored as the first parameter's state
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = _call(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag, prev_flat_grad = state.get("H_diag"), state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature yᵀs is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0), old_stps.pop(0), ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                d = lbfgs_direction(flat_grad, old_dirs, old_stps, ro, H_diag)
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss

            # the first step is scaled down, as the direction −g has no curvature information yet
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break

            if line_search_fn is not None:
                x_init = [p.data.copy() for p in self._params]

                def obj_func(x, step, direction):
                    return self._directional_evaluate(closure, x, step, direction)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                 max_ls=max_eval - current_evals)
                self._add_grad(t, d)
            else:
                self._add_grad(t, d)
                ls_func_evals = 0
                if n_iter != max_iter:  # PyTorch skips the evaluation after the last iteration
                    loss = float(_call(closure))
                    flat_grad = self._gather_flat_grad()
                    ls_func_evals = 1
            opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        state.update(d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                     prev_flat_grad=prev_flat_grad, prev_loss=prev_loss)
        return orig_loss

    def load_state_dict(self, state_dict):
        """Load a state from :meth:`state_dict`: the hyperparameters and the history of the run."""
        saved = state_dict["state"]
        super().load_state_dict({"state": {}, "param_groups": state_dict["param_groups"]})
        self._params = self.param_groups[0]["params"]
        if saved:
            (values,) = saved.values()
            self.state = {self._params[0]: copy.deepcopy(values)}


def _call(closure):
    """``closure()`` with gradient recording on, whatever the caller's grad mode."""
    with enable_grad():
        return closure()

"""LBFGS: minimises Rosenbrock, follows torch.optim.LBFGS step for step, keeps its history across steps."""
import numpy as np
import pytest

import backprop as bp
from backprop.optim.lbfgs import cubic_interpolate, lbfgs_direction

START = np.array([-1.5, 2.0])


def rosenbrock(w):
    """f(a, b) = (1 − a)² + 100(b − a²)², minimum 0 at (1, 1) at the end of a curved valley."""
    return (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2


def closure_for(opt, params, f):
    def closure():
        opt.zero_grad()
        loss = f(*params)
        loss.backward()
        return loss
    return closure


@pytest.mark.parametrize("history_size", [100, 3])
def test_minimises_rosenbrock(history_size):
    w = bp.tensor(START, dtype=np.float64, requires_grad=True)
    opt = bp.optim.LBFGS([w], max_iter=200, history_size=history_size, tolerance_change=0,
                          line_search_fn="strong_wolfe")
    first = opt.step(closure_for(opt, [w], rosenbrock))
    assert float(first) == pytest.approx(rosenbrock(START))  # step returns the loss at the start
    np.testing.assert_allclose(w.data, [1.0, 1.0], atol=1e-6)
    assert opt.state[w]["n_iter"] < 200


def test_fixed_step_without_line_search_descends_on_a_quadratic():
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    w = bp.tensor([1.0, -2.0], dtype=np.float64, requires_grad=True)
    opt = bp.optim.LBFGS([w], max_iter=50, tolerance_grad=1e-10, tolerance_change=0)
    opt.step(closure_for(opt, [w], lambda v: 0.5 * (v @ bp.tensor(A, dtype=np.float64) @ v)))
    np.testing.assert_allclose(w.data, [0.0, 0.0], atol=1e-9)


def test_two_loop_recursion_is_the_bfgs_inverse_hessian_times_gradient():
    """With one stored pair, −d equals H·g for H = (I − ρsyᵀ)·γI·(I − ρysᵀ) + ρssᵀ (the BFGS update)."""
    rng = np.random.default_rng(1)
    g, s, y = rng.normal(size=(3, 4))
    y = y + 2 * s  # keep yᵀs > 0
    rho, gamma = 1 / y.dot(s), s.dot(y) / y.dot(y)
    eye = np.eye(4)
    H = (eye - rho * np.outer(s, y)) @ (gamma * eye) @ (eye - rho * np.outer(y, s)) + rho * np.outer(s, s)
    np.testing.assert_allclose(lbfgs_direction(g, [y], [s], [rho], gamma), -H @ g, rtol=1e-12)


def test_cubic_interpolation():
    # f = (x − 1)² sampled at 0 and 3 is its own cubic: the minimiser 1 is found exactly
    assert cubic_interpolate(0.0, 1.0, -2.0, 3.0, 4.0, 4.0) == pytest.approx(1.0)
    assert cubic_interpolate(0.0, 1.0, -2.0, 3.0, 4.0, 4.0, bounds=(2.0, 5.0)) == 2.0
    # an infinite loss at the far point gives no cubic: bisect
    assert cubic_interpolate(0.0, 1.0, -2.0, 2.0, np.inf, np.inf) == 1.0


def test_errors():
    w = bp.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="strong_wolfe"):
        bp.optim.LBFGS([w], line_search_fn="backtracking")
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        bp.optim.LBFGS([w], lr=-1)
    with pytest.raises(ValueError, match="max_iter"):
        bp.optim.LBFGS([w], max_iter=0)
    with pytest.raises(ValueError, match="parameter groups"):
        bp.optim.LBFGS([{"params": [w]}, {"params": [bp.tensor([2.0], requires_grad=True)]}])
    with pytest.raises(TypeError, match="closure"):
        bp.optim.LBFGS([w]).step()


def test_state_dict_round_trip_continues_the_same_run():
    def run(n_steps, opt_from=None):
        w = bp.tensor(START, dtype=np.float64, requires_grad=True)
        opt = bp.optim.LBFGS([w], max_iter=4, line_search_fn="strong_wolfe")
        if opt_from is not None:
            w.data[...] = opt_from[0]
            opt.load_state_dict(opt_from[1])
        for _ in range(n_steps):
            opt.step(closure_for(opt, [w], rosenbrock))
        return w, opt

    w_ref, opt_ref = run(5)
    w_half, opt_half = run(2)
    w_resumed, opt_resumed = run(3, (w_half.data.copy(), opt_half.state_dict()))
    np.testing.assert_array_equal(w_resumed.data, w_ref.data)
    assert opt_resumed.state[w_resumed]["n_iter"] == opt_ref.state[w_ref]["n_iter"]


# --- torch.optim.LBFGS trajectories ------------------------------------------------------------------

rng = np.random.default_rng(0)
W0, B0 = rng.normal(size=(3, 2)), rng.normal(size=3)
A, T = rng.normal(size=(2, 5)), rng.normal(size=(3, 5))


def two_params(W, b, tensor):
    """mean((W·A + b − T)²) + 0.1·ΣW⁴ over a matrix and a vector; ``tensor`` makes the constants."""
    r = W @ tensor(A) + b.reshape(3, 1) - tensor(T)
    return (r * r).mean() + 0.1 * (W ** 4).sum()


CASES = [
    ("rosenbrock", {"line_search_fn": "strong_wolfe"}),
    ("rosenbrock", {"line_search_fn": "strong_wolfe", "history_size": 2, "max_iter": 7}),
    ("rosenbrock", {"lr": 0.001, "max_iter": 10}),
    ("rosenbrock", {"lr": 0.5, "max_eval": 6, "line_search_fn": "strong_wolfe"}),
    ("two_params", {}),
    ("two_params", {"line_search_fn": "strong_wolfe", "tolerance_grad": 1e-5, "history_size": 4}),
]


@pytest.mark.parametrize("problem,kwargs", CASES)
def test_follows_torch_trajectory(problem, kwargs):
    torch = pytest.importorskip("torch")
    if problem == "rosenbrock":
        starts, f_ours, f_torch = [START], rosenbrock, rosenbrock
    else:
        starts = [W0, B0]
        f_ours = lambda W, b: two_params(W, b, lambda x: bp.tensor(x, dtype=np.float64))
        f_torch = lambda W, b: two_params(W, b, torch.tensor)
    ours = [bp.tensor(s.copy(), dtype=np.float64, requires_grad=True) for s in starts]
    theirs = [torch.tensor(s.copy(), requires_grad=True) for s in starts]
    opt_ours, opt_theirs = bp.optim.LBFGS(ours, **kwargs), torch.optim.LBFGS(theirs, **kwargs)
    for _ in range(4):
        loss_ours = opt_ours.step(closure_for(opt_ours, ours, f_ours))
        loss_theirs = opt_theirs.step(closure_for(opt_theirs, theirs, f_torch))
        assert float(loss_ours) == pytest.approx(loss_theirs.item(), rel=1e-10, abs=1e-14)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-9, atol=1e-12)
        state_ours, state_theirs = opt_ours.state[ours[0]], opt_theirs.state[theirs[0]]
        assert state_ours["n_iter"] == state_theirs["n_iter"]
        assert state_ours["func_evals"] == state_theirs["func_evals"]

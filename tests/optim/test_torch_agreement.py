"""Every optimizer and option follows torch.optim's trajectory in float64, parameter groups included.

Both libraries get the same gradient function (written in NumPy), evaluated at each one's own
parameters, so any difference in the update rules shows up and grows over the steps.
"""
import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
W0 = rng.normal(size=(3, 2))
B0 = rng.normal(size=3)
A = rng.normal(size=(2, 5))
T = rng.normal(size=(3, 5))
STEPS = 7


def gradients(W, b):
    """Gradients of f(W, b) = mean((W·A + b − T)²) + 0.1·ΣW⁴: a quadratic plus a quartic, so Hessians vary."""
    r = 2 * (W @ A + b[:, None] - T) / T.size
    return r @ A.T + 0.4 * W ** 3, r.sum(axis=1)


def step_both(opt_ours, opt_theirs, ours, theirs):
    """One step of each optimizer, with the gradients at each library's own parameters."""
    for p, g in zip(ours, gradients(*(q.data for q in ours))):
        p.grad = g
    for p, g in zip(theirs, gradients(*(q.detach().numpy() for q in theirs))):
        p.grad = torch.from_numpy(g)
    opt_ours.step()
    opt_theirs.step()


def trajectories(name, groups, **kwargs):
    """Run ``name`` in both libraries; ``groups`` is None (one group) or per-group options for (W, b)."""
    ours = [bp.tensor(W0.copy(), requires_grad=True, dtype=np.float64),
            bp.tensor(B0.copy(), requires_grad=True, dtype=np.float64)]
    theirs = [torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)]

    def param_spec(params):
        return params if groups is None else [dict(g, params=[p]) for g, p in zip(groups, params)]

    opt_ours = getattr(bp.optim, name)(param_spec(ours), **kwargs)
    opt_theirs = getattr(torch.optim, name)(param_spec(theirs), **kwargs)
    for _ in range(STEPS):
        step_both(opt_ours, opt_theirs, ours, theirs)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)
    return opt_ours, opt_theirs, ours, theirs


CASES = [
    ("SGD", None, dict(lr=0.1)),
    ("SGD", None, dict(lr=0.1, momentum=0.9)),
    ("SGD", None, dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", None, dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", None, dict(lr=0.1, momentum=0.5, weight_decay=0.2)),
    ("SGD", None, dict(lr=0.01, momentum=0.5, nesterov=True, maximize=True)),
    ("SGD", [{}, dict(lr=0.05, momentum=0.5, nesterov=True)], dict(lr=0.1, momentum=0.9)),
    ("RMSprop", None, dict()),
    ("RMSprop", None, dict(lr=0.1, alpha=0.9)),
    ("RMSprop", None, dict(lr=0.05, centered=True)),
    ("RMSprop", None, dict(lr=0.05, momentum=0.8)),
    ("RMSprop", None, dict(lr=0.05, centered=True, momentum=0.8, weight_decay=0.1, eps=1e-3)),
    ("RMSprop", None, dict(lr=0.01, maximize=True)),
    ("RMSprop", [dict(alpha=0.5), dict(lr=0.2, centered=True)], dict(lr=0.05)),
    ("Adam", None, dict()),
    ("Adam", None, dict(lr=0.1, betas=(0.9, 0.9))),
    ("Adam", None, dict(lr=0.1, amsgrad=True)),
    ("Adam", None, dict(lr=0.1, weight_decay=0.3, eps=1e-4)),
    ("Adam", None, dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)),
    ("Adam", None, dict(lr=0.05, maximize=True, amsgrad=True)),
    ("Adam", [dict(betas=(0.5, 0.6)), dict(lr=0.01, amsgrad=True)], dict(lr=0.1)),
    ("AdamW", None, dict()),
    ("AdamW", None, dict(lr=0.1, weight_decay=0.5, amsgrad=True)),
    ("AdamW", [dict(weight_decay=0.0), {}], dict(lr=0.1)),
    ("Adagrad", None, dict()),
    ("Adagrad", None, dict(lr=0.3, lr_decay=0.1)),
    ("Adagrad", None, dict(lr=0.3, initial_accumulator_value=0.5, weight_decay=0.1, eps=1e-3)),
    ("Adagrad", None, dict(lr=0.1, maximize=True)),
    ("Adagrad", [dict(lr_decay=0.5), dict(lr=0.05)], dict(lr=0.2)),
]


@pytest.mark.parametrize("name, groups, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_matches_torch(name, groups, kwargs):
    opt_ours, opt_theirs, ours, theirs = trajectories(name, groups, **kwargs)
    # The state has PyTorch's names and values too.
    for p, q in zip(ours, theirs):
        for key, value in opt_theirs.state[q].items():
            if key == "step":
                assert opt_ours.state[p][key] == int(value)
            elif value is not None:
                np.testing.assert_allclose(opt_ours.state[p][key], value.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, kwargs", [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                                          ("RMSprop", dict(lr=0.05, centered=True, momentum=0.5)),
                                          ("Adam", dict(lr=0.1, amsgrad=True)),
                                          ("AdamW", dict(lr=0.1)),
                                          ("Adagrad", dict(lr=0.1, lr_decay=0.1))])
def test_torch_state_dict_loads_and_continues(name, kwargs):
    """A torch optimizer's state dict, loaded with the parameters' values, continues torch's trajectory."""
    _, opt_theirs, _, theirs = trajectories(name, None, **kwargs)
    ours = [bp.tensor(q.detach().numpy(), requires_grad=True, dtype=np.float64) for q in theirs]
    opt_ours = getattr(bp.optim, name)(ours, lr=1.0)
    opt_ours.load_state_dict(opt_theirs.state_dict())
    for _ in range(3):
        step_both(opt_ours, opt_theirs, ours, theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_course_exercise_matches_torch():
    """The course's stochastic steps (x = (1, 2), y = (2, 3), w₀ = 0) with torch's optimizers and autograd."""
    for name, kwargs in [("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
                         ("RMSprop", dict(lr=0.1, alpha=0.9)), ("Adam", dict(lr=0.1, betas=(0.9, 0.9)))]:
        w = bp.tensor(0.0, requires_grad=True, dtype=np.float64)
        v = torch.tensor(0.0, requires_grad=True, dtype=torch.float64)
        opt_ours = getattr(bp.optim, name)([w], **kwargs)
        opt_theirs = getattr(torch.optim, name)([v], **kwargs)
        for x, y in [(1.0, 2.0), (2.0, 3.0)]:
            for p, opt in ((w, opt_ours), (v, opt_theirs)):
                opt.zero_grad()
                ((y - p * x) ** 2).backward()
                opt.step()
            assert w.item() == pytest.approx(v.item(), abs=1e-15)

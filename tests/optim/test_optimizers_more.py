"""NAdam, RAdam, Adamax and Adadelta: torch.optim's trajectories in float64, state dicts both ways, traces."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain import i18n
from tests.optim.test_torch_agreement import gradients, step_both

torch = pytest.importorskip("torch")

rng = np.random.default_rng(1)
W0 = rng.normal(size=(3, 2))
B0 = rng.normal(size=3)
STEPS = 12  # RAdam's rectified branch starts near step 7 with β₂ = 0.999


@pytest.fixture(autouse=True)
def torch_scalars_in_float64():
    """torch keeps NAdam's μ product in its default dtype (float32 unless changed), ours in float64: compare
    with torch's float64 product (with float32 the trajectories part by about 1e-10 relative)."""
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(default)


def assert_same(ours, theirs):
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-12, atol=1e-14)


def run_both(name, groups, steps=STEPS, **kwargs):
    ours = [bp.tensor(W0.copy(), requires_grad=True, dtype=np.float64),
            bp.tensor(B0.copy(), requires_grad=True, dtype=np.float64)]
    theirs = [torch.tensor(W0.copy(), requires_grad=True), torch.tensor(B0.copy(), requires_grad=True)]

    def spec(params):
        return params if groups is None else [dict(g, params=[p]) for g, p in zip(groups, params)]

    opt_ours = getattr(bp.optim, name)(spec(ours), **kwargs)
    opt_theirs = getattr(torch.optim, name)(spec(theirs), **kwargs)
    for _ in range(steps):
        step_both(opt_ours, opt_theirs, ours, theirs)
        assert_same(ours, theirs)
    return opt_ours, opt_theirs, ours, theirs


CASES = [
    ("NAdam", None, dict()),
    ("NAdam", None, dict(lr=0.05, betas=(0.8, 0.9), momentum_decay=0.01, eps=1e-4)),
    ("NAdam", None, dict(lr=0.05, weight_decay=0.2)),
    ("NAdam", None, dict(lr=0.05, weight_decay=0.2, decoupled_weight_decay=True)),
    ("NAdam", None, dict(lr=0.02, maximize=True)),
    ("NAdam", [dict(betas=(0.5, 0.6)), dict(lr=0.01, momentum_decay=0.1)], dict(lr=0.05)),
    ("RAdam", None, dict()),
    ("RAdam", None, dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4)),
    ("RAdam", None, dict(lr=0.05, weight_decay=0.3)),
    ("RAdam", None, dict(lr=0.05, weight_decay=0.3, decoupled_weight_decay=True)),
    ("RAdam", None, dict(lr=0.02, maximize=True)),
    ("RAdam", [dict(betas=(0.9, 0.5)), dict(lr=0.01)], dict(lr=0.05)),
    ("Adamax", None, dict()),
    ("Adamax", None, dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3)),
    ("Adamax", None, dict(lr=0.1, weight_decay=0.3)),
    ("Adamax", None, dict(lr=0.05, maximize=True)),
    ("Adamax", [dict(betas=(0.9, 0.5)), dict(lr=0.01)], dict(lr=0.05)),
    ("Adadelta", None, dict()),
    ("Adadelta", None, dict(lr=0.5, rho=0.5, eps=1e-3)),
    ("Adadelta", None, dict(weight_decay=0.2)),
    ("Adadelta", None, dict(lr=2.0, maximize=True)),
    ("Adadelta", [dict(rho=0.99), dict(lr=0.3, eps=1e-4)], dict(lr=1.0)),
]


@pytest.mark.parametrize("name, groups, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_and_state_match_torch(name, groups, kwargs):
    opt_ours, opt_theirs, ours, theirs = run_both(name, groups, **kwargs)
    for p, q in zip(ours, theirs):
        assert set(opt_ours.state[p]) == set(opt_theirs.state[q])
        for key, value in opt_theirs.state[q].items():
            if key == "step":
                assert opt_ours.state[p][key] == int(value)
            else:
                np.testing.assert_allclose(opt_ours.state[p][key], value.numpy(), rtol=1e-12, atol=1e-14)


def test_defaults_are_torchs():
    p = [bp.tensor(np.zeros(2), requires_grad=True)]
    q = [torch.zeros(2, requires_grad=True)]
    for name in ("NAdam", "RAdam", "Adamax", "Adadelta"):
        ours, theirs = getattr(bp.optim, name)(p).defaults, getattr(torch.optim, name)(q).defaults
        assert {k: theirs[k] for k in ours} == ours, name


@pytest.mark.parametrize("name, kwargs", [("NAdam", dict(lr=0.05, weight_decay=0.1)), ("RAdam", dict(lr=0.05)),
                                          ("Adamax", dict(lr=0.1)), ("Adadelta", dict(lr=0.5))])
def test_state_dicts_round_trip_both_ways(name, kwargs):
    """Ours → ours, torch → ours and ours → torch all continue the same trajectory."""
    opt_ours, opt_theirs, ours, theirs = run_both(name, None, steps=4, **kwargs)
    saved_ours, saved_theirs = opt_ours.state_dict(), opt_theirs.state_dict()
    resumed = [bp.tensor(p.data.copy(), requires_grad=True, dtype=np.float64) for p in ours]
    from_torch = [bp.tensor(p.data.copy(), requires_grad=True, dtype=np.float64) for p in ours]
    to_torch = [torch.tensor(q.detach().numpy().copy(), requires_grad=True) for q in theirs]
    opt_resumed = getattr(bp.optim, name)(resumed, lr=9.0)
    opt_resumed.load_state_dict(saved_ours)
    opt_from_torch = getattr(bp.optim, name)(from_torch, lr=9.0)
    opt_from_torch.load_state_dict(saved_theirs)
    opt_to_torch = getattr(torch.optim, name)(to_torch, lr=9.0)
    opt_to_torch.load_state_dict({"state": {k: {n: torch.tensor(v) for n, v in s.items()}
                                            for k, s in saved_ours["state"].items()},
                                  "param_groups": saved_ours["param_groups"]})
    for _ in range(5):
        step_both(opt_ours, opt_theirs, ours, theirs)
        step_both(opt_resumed, opt_to_torch, resumed, to_torch)
        for p, q in zip(from_torch, gradients(*(r.data for r in from_torch))):
            p.grad = q
        opt_from_torch.step()
    for p, q, r in zip(resumed, from_torch, ours):
        np.testing.assert_array_equal(p.data, r.data)  # bit for bit
        np.testing.assert_allclose(q.data, r.data, rtol=1e-12, atol=1e-14)  # torch's m, v round differently
    assert_same(ours, to_torch)
    if name == "NAdam":
        assert isinstance(opt_from_torch.state[from_torch[0]]["mu_product"], float)


@pytest.mark.parametrize("name, kwargs, message", [
    ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    ("RAdam", dict(betas=(0.9, 1.0)), r"Invalid beta parameter at index 1: 1.0 \(it must lie in \[0, 1\)\)"),
    ("Adamax", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    ("Adadelta", dict(rho=1.5), r"Invalid rho value: 1.5 \(it must lie in \[0, 1\]\)"),
    ("Adadelta", dict(lr=-0.1), "Invalid learning rate: -0.1")])
def test_bad_hyperparameters_are_named(name, kwargs, message):
    with pytest.raises(ValueError, match=message):
        getattr(bp.optim, name)([bp.tensor(np.zeros(2), requires_grad=True)], **kwargs)


@pytest.mark.parametrize("name", ["NAdam", "RAdam", "Adamax", "Adadelta"])
def test_traces_show_algorithm_and_intermediates(name):
    optimizer_class = getattr(bp.optim, name)
    W = bp.tensor(W0.copy(), requires_grad=True, dtype=np.float64)
    opt = optimizer_class([W], lr=0.1)
    for _ in range(2):  # the second step's trace: with state carried over
        before = W.data.copy()
        with bp.explain.trace() as tr:
            opt.zero_grad()
            (W * W).sum().backward()
            opt.step()
    update, = [e for e in tr.events if e["kind"] == "update"]
    assert update["optimizer"] == name and update["formula"] == optimizer_class.algorithm
    assert set(update["state"]) == set(optimizer_class.intermediates)
    assert update["state"]["step"] == 2
    np.testing.assert_array_equal(update["before"], before)
    np.testing.assert_allclose(update["after"], before - update["state"]["delta"], rtol=1e-15, atol=1e-15)
    assert "θ ← θ − Δ" in tr.to_text()
    ru = i18n.algorithm(optimizer_class.algorithm, "ru")
    words = {w.strip("(),:;") for w in ru.split()}
    assert not words & {"if", "else", "otherwise", "and", "start", "starts", "when", "then"}
    assert "maximize" in ru

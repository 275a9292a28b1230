"""bp.explain.trace records the numbers the engine computes: read back from its JSON and compared with
the tensors' values and .grad, on the course's examples; hooks are present only inside a trace."""
import json

import numpy as np
import pytest

import backprop as bp
from backprop.autograd.grad_mode import STATE
from backprop.optim import optimizer as optimizer_module


@pytest.fixture(autouse=True)
def float64():
    """Exact comparisons: every test here computes in float64."""
    previous = bp.get_default_dtype()
    bp.set_default_dtype(np.float64)
    yield
    bp.set_default_dtype(previous)


def _observers():
    """The op observers and global optimizer update hooks registered in this thread."""
    state = STATE.get()
    try:
        from backprop.optim._hooks import global_hooks
        updates = global_hooks().update
    except ImportError:  # the registry before it moved into a context variable
        updates = optimizer_module._global_update_hooks
    return len(state.on_forward), len(state.on_backward), len(updates)


NONE = (0, 0, 0)


def _json(tr):
    return json.loads(tr.to_json())


def _events(data, kind):
    return [e for e in data["events"] if e["kind"] == kind]


def _check_chain(data):
    """Every number of the JSON agrees with the others: each input of a forward step is the value its
    name had when produced, each upstream gradient is the sum of the gradients passed to that node,
    each leaf's gradient the sum of the gradients passed to it."""
    values, passed = {}, {}
    for e in data["events"]:
        if e["kind"] == "forward":
            for i in e["inputs"]:
                if i["name"] in values:
                    np.testing.assert_allclose(i["value"], values[i["name"]], rtol=0, atol=0)
            values[e["output"]["name"]] = e["output"]["value"]
        elif e["kind"] == "backward":
            np.testing.assert_allclose(e["grad_output"], passed.pop(e["output"]["name"], 1.0), rtol=1e-12)
            for i in e["inputs"]:
                if i["grad"] is not None:
                    passed[i["name"]] = np.add(passed.get(i["name"], 0.0), i["grad"])
    for g in data["gradients"]:
        np.testing.assert_allclose(g["grad"], passed[g["name"]], rtol=1e-12)


def test_course_function_every_number():
    # 001 §4 ex. 1: f(x, y) = x² + xy + (x + y)² at (1, 2): f = 12, ∂f/∂x = 2x + y + 2(x + y) = 10, ∂f/∂y = 7.
    x = bp.tensor(1.0, requires_grad=True)
    y = bp.tensor(2.0, requires_grad=True)
    with bp.explain.trace(names={"x": x, "y": y}) as tr:
        f = x**2 + x * y + (x + y) ** 2
        f.backward()
    data = _json(tr)
    forward = _events(data, "forward")
    assert [e["op"] for e in forward] == ["Pow", "Mul", "Add", "Add", "Pow", "Add"]
    assert [e["output"]["value"] for e in forward] == [1.0, 2.0, 3.0, 3.0, 9.0, 12.0]
    assert forward[-1]["output"]["value"] == f.item()
    assert forward[0]["inputs"][0] == {"param": "a", "name": "x", "value": 1.0, "shape": [],
                                       "requires_grad": True}
    assert forward[0]["inputs"][1]["name"] is None and forward[0]["inputs"][1]["value"] == 2
    assert forward[0]["formula"] == "z = a^b" and forward[0]["backward_formula"].startswith("da = dz · b")
    backward = _events(data, "backward")
    # (x + y)² passes 2(x + y) = 6 to x + y, which passes 6 to x and to y; x² passes 2x = 2;
    # xy passes y to x and x to y.
    by_op = [(e["op"], [(i["name"], i["grad"]) for i in e["inputs"] if i["grad"] is not None])
             for e in backward]
    assert ("Pow", [("v4", 6.0)]) in by_op and ("Pow", [("x", 2.0)]) in by_op
    assert ("Mul", [("x", 2.0), ("y", 1.0)]) in by_op and ("Add", [("x", 6.0), ("y", 6.0)]) in by_op
    assert {g["name"]: g["grad"] for g in data["gradients"]} == {"x": 10.0, "y": 7.0} == {
        "x": x.grad.item(), "y": y.grad.item()}
    _check_chain(data)


def test_forward_step_records_formula_shapes_options_and_grad_shape():
    x = bp.tensor([[1.0, -2.0], [3.0, 4.0]], requires_grad=True)
    with bp.explain.trace() as tr:
        s = bp.sum(bp.relu(x), axis=1)
        s.sum().backward()
    first = _json(tr)["events"][0]
    assert first["op"] == "ReLU" and first["formula"] == "y = max(x, 0)"
    assert first["backward_formula"] == "dx = dy · [x > 0]"
    assert first["inputs"][0]["name"] == "x0" and first["inputs"][0]["shape"] == [2, 2]
    assert first["output"] == {"name": "v1", "value": [[1.0, 0.0], [3.0, 4.0]], "shape": [2, 2],
                               "dtype": str(x.dtype)}
    assert first["grad_shape"] == [2, 2] and first["recorded"]
    summed = _json(tr)["events"][1]
    # the tensor inputs by their names in the formula; the op's options (keyword-only) by theirs
    assert [i["param"] for i in summed["inputs"]] == ["x"]
    assert summed["options"] == {"axes": [1], "keepdims": False}
    assert summed["output"]["shape"] == [2]
    np.testing.assert_array_equal(_json(tr)["gradients"][0]["grad"], x.grad)


def _mlp():
    bp.manual_seed(0)
    return bp.nn.Sequential(bp.nn.Linear(3, 4), bp.nn.Tanh(), bp.nn.Linear(4, 1))


@pytest.mark.parametrize("make", [lambda p: bp.optim.SGD(p, lr=0.1),
                                  lambda p: bp.optim.Adam(p, lr=0.01, betas=(0.9, 0.9))], ids=["SGD", "Adam"])
def test_mlp_mse_and_optimizer_step(make):
    model = _mlp()
    X, Y = bp.randn(5, 3), bp.randn(5, 1)
    opt = make(model.parameters())
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    with bp.explain.trace(model=model, names={"X": X, "Y": Y}) as tr:
        loss = bp.F.mse_loss(model(X), Y)
        loss.backward()
        opt.step()
    data = _json(tr)
    _check_chain(data)
    params = dict(model.named_parameters())
    assert [e["op"] for e in _events(data, "forward")] == ["Linear", "Tanh", "Linear", "MSE"]
    assert _events(data, "forward")[-1]["output"]["value"] == pytest.approx(loss.item(), abs=0)
    first = _events(data, "forward")[0]
    assert [i["name"] for i in first["inputs"]] == ["X", "0.weight", "0.bias"]
    np.testing.assert_allclose(first["output"]["value"],
                               X.data @ before["0.weight"].T + before["0.bias"], rtol=1e-12)
    for e in _events(data, "backward"):
        for i in e["inputs"]:
            if i["name"] in params:
                np.testing.assert_array_equal(i["grad"], params[i["name"]].grad)
    updates = _events(data, "update")
    assert [u["param"] for u in updates] == list(params)
    for u in updates:
        p = params[u["param"]]
        np.testing.assert_array_equal(u["before"], before[u["param"]])
        np.testing.assert_array_equal(u["grad"], p.grad)
        np.testing.assert_array_equal(u["after"], p.data)
        g, lr = p.grad.numpy(), u["hyperparameters"]["lr"]
        if u["optimizer"] == "SGD":
            np.testing.assert_allclose(u["after"], before[u["param"]] - lr * g, rtol=1e-12)
        else:  # first Adam step: m̂ = g, v̂ = g², so each entry moves by lr·g/(|g| + eps)
            assert u["state"]["step"] == 1 and u["hyperparameters"]["betas"] == [0.9, 0.9]
            np.testing.assert_allclose(u["state"]["m"], 0.1 * g, rtol=1e-12)
            np.testing.assert_allclose(u["state"]["v"], 0.1 * g**2, rtol=1e-12)
            np.testing.assert_allclose(u["state"]["m_hat"], g, rtol=1e-12)
            expected = before[u["param"]] - lr * g / (np.abs(g) + 1e-8)
            np.testing.assert_allclose(u["after"], expected, rtol=1e-12)
        assert "θ ← θ − Δ" in u["formula"]


def test_training_loop_sections_in_order_and_adam_state():
    model = _mlp()
    X, Y = bp.randn(4, 3), bp.randn(4, 1)
    opt = bp.optim.Adam(model.parameters(), lr=0.05)
    with bp.explain.trace(model=model) as tr:
        for _ in range(2):
            opt.zero_grad()
            bp.F.mse_loss(model(X), Y).backward()
            opt.step()
    kinds = [e["kind"] for e in _json(tr)["events"]]
    runs = [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]
    assert runs == ["forward", "backward", "update"] * 2
    last = _events(_json(tr), "update")[-1]
    state = opt.state[model[2].bias]
    assert last["state"]["step"] == 2
    np.testing.assert_array_equal(last["state"]["m"], state["exp_avg"])
    np.testing.assert_array_equal(last["state"]["v"], state["exp_avg_sq"])
    assert repr(tr) == "<Trace: 8 forward, 8 backward, 8 optimizer steps>"


def test_matrix_backprop_222_network():
    # 002: s = w + Wx, z = σ(s), t = v + Vz, g = softmax(t), R = logloss; δ_t = g − y, δ_z = δ_t V,
    # δ_s = δ_z ∘ σ'(s), ∂R/∂W = δ_s xᵀ, ∂R/∂V = δ_t zᵀ; then W ← W − γ ∂R/∂W (and w, V, v).
    x, y = bp.tensor([1.0, -1.0]), bp.tensor([0.0, 1.0])
    W = bp.tensor([[0.5, -0.3], [0.2, 0.8]], requires_grad=True)
    w = bp.tensor([0.1, -0.2], requires_grad=True)
    V = bp.tensor([[1.0, -1.0], [0.5, 0.25]], requires_grad=True)
    v = bp.tensor([0.0, 0.3], requires_grad=True)
    gamma = 0.5
    opt = bp.optim.SGD([W, w, V, v], lr=gamma)
    with bp.explain.trace(names={"x": x, "y": y, "W": W, "w": w, "V": V, "v": v}) as tr:
        s = w + W @ x
        z = bp.sigmoid(s)
        t = v + V @ z
        R = bp.F.cross_entropy(t, y)
        s.name, z.name, t.name = "s", "z", "t"
        R.backward()
        opt.step()
    data = _json(tr)
    _check_chain(data)
    values = {e["output"]["name"]: np.array(e["output"]["value"]) for e in _events(data, "forward")}
    assert [e["op"] for e in _events(data, "forward")] == ["MatMul", "Add", "Sigmoid", "MatMul", "Add",
                                                          "SoftmaxCrossEntropy"]
    passed = {i["name"]: np.array(i["grad"]) for e in _events(data, "backward") for i in e["inputs"]
              if i["grad"] is not None}
    g = np.exp(values["t"]) / np.exp(values["t"]).sum()
    delta_t = g - y.data
    np.testing.assert_allclose(passed["t"], delta_t, rtol=1e-12)
    Vb = np.array(_events(data, "forward")[3]["inputs"][0]["value"])
    delta_z = delta_t @ Vb
    np.testing.assert_allclose(passed["z"], delta_z, rtol=1e-12)
    sig = 1 / (1 + np.exp(-values["s"]))
    delta_s = delta_z * sig * (1 - sig)
    np.testing.assert_allclose(passed["s"], delta_s, rtol=1e-12)
    np.testing.assert_allclose(passed["W"], np.outer(delta_s, x.data), rtol=1e-12)
    np.testing.assert_allclose(passed["V"], np.outer(delta_t, values["z"]), rtol=1e-12)
    np.testing.assert_allclose(passed["w"], delta_s, rtol=1e-12)
    np.testing.assert_allclose(passed["v"], delta_t, rtol=1e-12)
    for u in _events(data, "update"):
        np.testing.assert_allclose(u["after"], np.array(u["before"]) - gamma * passed[u["param"]], rtol=1e-12)
    np.testing.assert_allclose(W.data, _events(data, "update")[0]["after"], rtol=0)


def test_names_set_after_the_op_and_automatic_names():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.explain.trace() as tr:
        h = a * 3
        h.name = "h"
        out = (h + a).sum()
    names = [e["output"]["name"] for e in tr.forward]
    assert names == ["h", "v2", "v3"] and tr.forward[0]["inputs"][0]["name"] == "x0"
    del out


def test_helper_ops_inside_an_op_are_not_separate_steps():
    z = bp.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
    with bp.explain.trace() as tr:
        bp.F.cross_entropy(z, [1]).backward()
    assert [e["op"] for e in tr.forward] == ["SoftmaxCrossEntropy"]
    np.testing.assert_allclose(tr.backward[0]["inputs"][0]["grad"], z.grad, rtol=0)
    # the fused op's intermediate, shown to the trace (node.intermediates): g = softmax(z)
    (shown,) = tr.forward[0]["intermediates"].values()
    e = np.exp(z.data - z.data.max())
    np.testing.assert_allclose(shown["value"], e / e.sum(), rtol=1e-12)
    assert shown["formula"] in str(tr) and _json(tr)["events"][0]["intermediates"]


def test_backward_of_a_graph_recorded_before_the_trace():
    x = bp.tensor(3.0, requires_grad=True)
    y = x * x
    with bp.explain.trace(names={"x": x}) as tr:
        y.backward()
    (step,) = tr.backward
    assert step["node"] is None and step["op"] == "Mul"
    assert [i["grad"] for i in step["inputs"]] == [3.0, 3.0] and x.grad == 6.0


def test_double_backward_is_recorded():
    x = bp.tensor(2.0, requires_grad=True)
    with bp.explain.trace() as tr:
        (g,) = bp.grad(x**3, x, create_graph=True)
        g.backward()
    assert g.item() == 12.0 and x.grad.item() == 12.0  # d²(x³)/dx² = 6x
    assert len(tr.backward) >= 2 and json.loads(tr.to_json())["events"]


def test_no_hooks_without_a_trace_and_hooks_removed_after():
    assert _observers() == NONE
    x = bp.tensor(1.0, requires_grad=True)
    (x * 2).backward()
    assert _observers() == NONE
    with bp.explain.trace() as tr:
        assert _observers() == (1, 1, 1)
    assert _observers() == NONE
    (x * 2).backward()
    assert tr.forward == []


def test_hooks_removed_after_an_exception():
    x = bp.tensor(1.0, requires_grad=True)
    with pytest.raises(bp.ShapeError), bp.explain.trace() as tr:
        y = x * 2
        bp.ones(3) @ bp.ones(4)
    assert _observers() == NONE
    assert [e["op"] for e in tr.forward] == ["Mul"] and y.item() == 2.0


def test_trace_cannot_be_entered_twice_and_names_must_be_tensors():
    tr = bp.explain.trace()
    with tr, pytest.raises(RuntimeError, match="already active"):
        tr.__enter__()
    assert _observers() == NONE
    with pytest.raises(TypeError, match="'x' is a list"):
        bp.explain.trace(names={"x": [1.0]})


def test_global_optimizer_hook_beside_per_optimizer_hooks():
    p = bp.tensor([1.0], requires_grad=True)
    opt = bp.optim.SGD([p], lr=0.5)
    seen = []
    handle = optimizer_module.register_optimizer_update_hook(lambda o, q, info: seen.append(("global", q)))
    own = opt.register_update_hook(lambda o, q, info: seen.append(("own", info["param_before"].copy())))
    (p * 2).sum().backward()
    opt.step()
    handle.remove()
    own.remove()
    opt.step()
    assert seen[0][0] == "own" and seen[1] == ("global", p) and len(seen) == 2
    assert _observers() == NONE


def test_a_trace_records_only_its_own_threads_ops():
    """Two threads trace at the same time (a barrier makes them overlap), each computing other ops."""
    import threading

    barrier = threading.Barrier(2, timeout=10)
    results, errors = {}, []

    def work(name, compute):
        try:
            x = bp.tensor([1.0, 2.0], requires_grad=True)
            with bp.explain.trace() as tr:
                barrier.wait()  # both traces are open now
                for _ in range(20):
                    compute(x).sum().backward()
                barrier.wait()  # and both have computed before either closes
            results[name] = tr
        except Exception as e:  # pragma: no cover  (reported below)
            errors.append(e)

    threads = [threading.Thread(target=work, args=("exp", lambda x: x.exp())),
               threading.Thread(target=work, args=("tanh", lambda x: bp.tanh(x * 3.0)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert {e["op"] for e in results["exp"].forward} == {"Exp", "Sum"}
    assert {e["op"] for e in results["tanh"].forward} == {"Mul", "Tanh", "Sum"}
    assert {e["op"] for e in results["exp"].backward} == {"Exp", "Sum"}
    assert {e["op"] for e in results["tanh"].backward} == {"Mul", "Tanh", "Sum"}
    assert len(results["exp"].forward) == 40 and len(results["tanh"].forward) == 60
    assert _observers() == NONE

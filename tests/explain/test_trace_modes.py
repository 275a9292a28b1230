"""bp.explain.trace shows the formulas applied at each call (batch norm in eval mode, matrix products of
vectors), the intermediates fused ops compute, why a call was not recorded, and in-place updates of a
named tensor (issue 13, items 1, 5, 6 and 7)."""
import json

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from tests.cli._helpers import cli


@pytest.fixture(autouse=True)
def float64():
    previous = bp.get_default_dtype()
    bp.set_default_dtype(np.float64)
    yield
    bp.set_default_dtype(previous)


def _eval_batch_norm():
    bn = nn.BatchNorm1d(3)
    bn.running_mean.data[:] = [1.0, 2.0, 3.0]
    bn.running_var.data[:] = [4.0, 5.0, 6.0]
    return bn.eval()


def _event(events, op):
    return next(e for e in events if e["op"] == op)


# -- item 1: batch norm in eval mode ---------------------------------------------------------------
def test_eval_batch_norm_is_traced_with_the_eval_formulas():
    bn = _eval_batch_norm()
    x = bp.tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    with bp.explain.trace(model=bn, names={"x": x}) as tr:
        bn(x).sum().backward()
    forward, backward = _event(tr.forward, "BatchNorm"), _event(tr.backward, "BatchNorm")
    assert forward["formula"] == "y = γ·(x − running_mean) / √(running_var + ε) + β"
    assert "dx = dy·γ / √(running_var + ε)" in forward["backward_formula"]
    assert "mean(dx̂" not in forward["backward_formula"]  # the training formula's terms
    dx = next(i for i in backward["inputs"] if i["param"] == "x")
    assert dx["formula"] == "dx = dy·γ / √(running_var + ε)"
    np.testing.assert_allclose(dx["grad"], np.ones((4, 3)) / np.sqrt(np.array([4.0, 5.0, 6.0]) + bn.eps))
    assert "dx = dy·γ / √(running_var + ε)" in tr.to_text()


def test_training_batch_norm_keeps_the_training_formulas():
    bn = nn.BatchNorm1d(3)
    x = bp.tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    with bp.explain.trace(model=bn, names={"x": x}) as tr:
        bn(x).sum().backward()
    dx = next(i for i in _event(tr.backward, "BatchNorm")["inputs"] if i["param"] == "x")
    assert "mean(dx̂·x̂)" in dx["formula"]


def test_an_unrecorded_eval_batch_norm_shows_the_eval_formulas_too():
    bn = _eval_batch_norm()
    x = bp.tensor(np.arange(12.0).reshape(4, 3))
    with bp.explain.trace(model=bn, names={"x": x}) as tr, bp.no_grad():
        bn(x)
    e = _event(tr.forward, "BatchNorm")
    assert not e["recorded"] and e["reason"] == "no_grad"
    assert e["formula"] == "y = γ·(x − running_mean) / √(running_var + ε) + β"
    assert "dx = dy·γ / √(running_var + ε)" in e["backward_formula"]


def test_explain_a_batch_norm_run_shows_the_eval_formula(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli(capsys, "train", "--data", "moons", "--epochs", 1, "--hidden", 3, "--batch-norm",
               "--no-plots", "--quiet", "--out", run)[0] == 0
    code, out, _ = cli(capsys, "explain", "--run", run, "--x", "0.5,0.25", "--y", "1", "--format", "json")
    assert code == 0
    events = json.loads(out[out.index("{"):])["events"]
    norms = [e for e in events if e.get("op") == "BatchNorm"]
    assert norms and all(e["formula"].startswith("y = γ·(x − running_mean)") for e in norms if e["kind"] == "forward")
    for e in norms:
        if e["kind"] == "backward":
            dx = [i["formula"] for i in e["inputs"] if i["param"] == "x" and i["formula"]]
            assert dx == ["dx = dy·γ / √(running_var + ε)"]


# -- item 5: matrix products of vectors ------------------------------------------------------------
@pytest.mark.parametrize("shapes, forward, da, db", [
    (((3,), (3, 2)), "C = A @ B", "dA = dC @ Bᵀ", "dB = outer(A, dC)"),
    (((2, 3), (3,)), "C = A @ B", "dA = outer(dC, B)", "dB = Aᵀ @ dC"),
    (((3,), (3,)), "c = A · B", "dA = dC·B", "dB = dC·A"),
    (((2, 3), (3, 2)), "C = A @ B", "dA = dC @ Bᵀ", "dB = Aᵀ @ dC"),
])
def test_matmul_rows_name_a_and_b_with_the_formula_applied(shapes, forward, da, db):
    rng = np.random.default_rng(1)
    a = bp.tensor(rng.standard_normal(shapes[0]), requires_grad=True)
    b = bp.tensor(rng.standard_normal(shapes[1]), requires_grad=True)
    with bp.explain.trace(names={"X": a, "W": b}) as tr:
        (a @ b).sum().backward()
    f = _event(tr.forward, "MatMul")
    assert f["formula"] == forward and [i["param"] for i in f["inputs"]] == ["a", "b"]
    rows = {i["param"]: i for i in _event(tr.backward, "MatMul")["inputs"]}
    assert rows["a"]["formula"] == da and rows["b"]["formula"] == db
    assert rows["a"]["name"] == "X" and rows["b"]["name"] == "W"
    np.testing.assert_allclose(rows["a"]["grad"], a.grad)
    np.testing.assert_allclose(rows["b"]["grad"], b.grad)
    assert "dW = Xᵀ" not in f["backward_formula"]


# -- item 7: the intermediates of fused ops ----------------------------------------------------------
def test_softmax_cross_entropy_shows_g_and_batch_norm_shows_x_hat():
    rng = np.random.default_rng(2)
    bn = nn.BatchNorm1d(3)
    x = bp.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    target = bp.tensor(np.array([0, 2, 1, 0]))
    with bp.explain.trace(model=bn, names={"x": x, "y": target}) as tr:
        z = bn(x)
        bp.F.cross_entropy(z, target).backward()
    norm = _event(tr.forward, "BatchNorm")["intermediates"]
    mean, var = x.data.mean(0), x.data.var(0)
    np.testing.assert_allclose(norm["x_hat"]["value"], (x.data - mean) / np.sqrt(var + bn.eps))
    assert norm["x_hat"]["formula"].startswith("x̂ = ")
    loss = next(e for e in tr.forward if "g" in e["intermediates"])
    g = loss["intermediates"]["g"]
    e = np.exp(z.data - z.data.max(1, keepdims=True))
    np.testing.assert_allclose(g["value"], e / e.sum(1, keepdims=True))
    assert g["formula"] == "g = softmax(z)"
    data = json.loads(tr.to_json())
    shown = {e["op"]: e["intermediates"] for e in data["events"] if e["kind"] == "forward"}
    assert "x_hat" in shown["BatchNorm"] and shown[loss["op"]]["g"]["formula"] == "g = softmax(z)"
    np.testing.assert_allclose(shown[loss["op"]]["g"]["value"], g["value"])


# -- item 6: reasons and in-place updates --------------------------------------------------------------
def test_an_update_under_no_grad_is_an_inplace_update_of_the_named_tensor():
    w = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = bp.tensor([1.0, -1.0])
    with bp.explain.trace(names={"W": w, "x": x}) as tr:
        (w @ x).sum().backward()
        with bp.no_grad():
            w -= 0.1 * w.grad
        y = w @ x
    kinds = [e["kind"] for e in tr.to_dict()["events"]]
    # 0.1 * w.grad is an op of its own (the gradient is a Tensor), then the update writes into W
    assert kinds == ["forward", "forward", "backward", "backward", "forward", "inplace_update", "forward"]
    update = json.loads(tr.to_json())["events"][5]
    assert update["name"] == "W" and update["op"] == "Sub" and update["reason"] == "no_grad"
    assert update["recorded"] is False and update["step"] is None
    assert update["before"] == [[1.0, 2.0], [3.0, 4.0]]
    np.testing.assert_allclose(update["after"], w.data)
    assert update["inputs"][0]["name"] == "W"
    after = tr.forward[-1]
    assert after["inputs"][0]["name"] == "W" and after["output"]["name"] == "v4"  # v3: 0.1·grad; none for the update
    assert y.shape == (2,)
    assert "v5" not in tr.to_text() and "W" in tr.to_text()
    assert repr(tr) == "<Trace: 4 forward, 1 in-place, 2 backward, 0 optimizer steps>"


def test_a_multiplication_by_the_gradient_as_a_tensor_is_an_ordinary_step():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    g = bp.tensor([0.5, 0.5])
    with bp.explain.trace(names={"W": w, "g": g}) as tr, bp.no_grad():
        w.sub_(0.1 * g)
    events = tr.to_dict()["events"]
    assert [e["kind"] for e in events] == ["forward", "inplace_update"]
    assert events[0]["reason"] == "no_input_requires_grad" and events[0]["output"]["name"] == "v1"
    assert events[1]["name"] == "W" and events[1]["reason"] == "no_grad"


def test_an_ordinary_call_under_no_grad_is_a_forward_step_with_the_reason():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.explain.trace(names={"W": w}) as tr:
        with bp.no_grad():
            y = w * 2
        c = bp.tensor([1.0]) + 1
        m = w > 1
    reasons = [(e["kind"], e["recorded"], e["reason"]) for e in tr.to_dict()["events"]]
    assert reasons == [("forward", False, "no_grad"), ("forward", False, "no_input_requires_grad"),
                       ("forward", False, "not_differentiable")]
    assert y.shape == m.shape == (2,) and c.shape == (1,)


def test_a_recorded_inplace_op_updates_the_tensor_and_its_backward_names_it():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.explain.trace(names={"x": x}) as tr:
        h = x * 3
        h += 1
        h.sum().backward()
    events = tr.to_dict()["events"]
    assert [e["kind"] for e in events][:2] == ["forward", "inplace_update"]
    update = events[1]
    assert update["name"] == "v1" and update["recorded"] and update["reason"] is None
    assert update["inputs"][0]["name"] == "v1" and update["before"] == [3.0, 6.0] and update["after"] == [4.0, 7.0]
    add = next(e for e in events if e["kind"] == "backward" and e["op"] == "Add")
    assert add["output"]["name"] == "v1" and add["node"] == update["step"]
    np.testing.assert_allclose(x.grad, [3.0, 3.0])


def test_text_views_render_an_inplace_update():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.explain.trace(names={"W": w}) as tr, bp.no_grad():
        w *= 0.5
    for lang in ("en", "ru"):
        assert "W" in tr.to_text(lang=lang) and "W" in tr.to_markdown(lang=lang)
        assert tr.to_latex(lang=lang)

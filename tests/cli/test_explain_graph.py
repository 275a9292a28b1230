"""``backprop explain``, ``backprop graph``, ``--help`` everywhere, ``python -m backprop`` and ``demo``."""
import json

import numpy as np
import pytest

import backprop as bp
from backprop.cli.main import build_parser
from tests.cli._helpers import cli, run_process


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_explain_default_is_the_course_network_by_its_formulas(capsys):
    code, out, _ = cli(capsys, "explain", "--format", "json")
    assert code == 0
    events = json.loads(out)["events"]
    assert [e["op"] for e in events if e["kind"] == "forward"] == ["Linear", "Sigmoid", "Linear",
                                                                   "SoftmaxCrossEntropy"]
    updates = {e["param"]: e for e in events if e["kind"] == "update"}
    W, w = np.array(updates["0.weight"]["before"]), np.array(updates["0.bias"]["before"])
    V, v = np.array(updates["2.weight"]["before"]), np.array(updates["2.bias"]["before"])
    # the sheet: s = w + Wx, z = σ(s), t = v + Vz, g = softmax(t); δ_t = g − y, δ_s = (δ_t V) ∘ σ'(s)
    x, y = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    z = sigmoid(w + W @ x)
    t = v + V @ z
    g = np.exp(t) / np.exp(t).sum()
    d_t = g - y
    d_s = (d_t @ V) * z * (1 - z)
    expected = {"2.weight": np.outer(d_t, z), "2.bias": d_t, "0.weight": np.outer(d_s, x), "0.bias": d_s}
    for name, grad in expected.items():
        np.testing.assert_allclose(updates[name]["grad"], grad, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(updates[name]["after"], np.array(updates[name]["before"]) - 0.1 * grad,
                                   rtol=1e-12, atol=1e-15)


def test_explain_text_in_both_languages(capsys):
    code, out, _ = cli(capsys, "explain")
    assert code == 0 and "Forward pass" in out and "Backward pass" in out and "V = 2.weight" in out
    assert "dx = dy · y · (1 − y)" in out
    code, out, _ = cli(capsys, "explain", "--lang", "ru", "--layers", "3,4,1", "--activation", "tanh",
                       "--loss", "mse", "--x", "1,0,-1", "--y", "0.5", "--optimizer", "adam", "--format",
                       "markdown")
    assert code == 0 and "Adam" in out and "Tanh" in out and "|" in out


def test_explain_a_trained_run(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli(capsys, "train", "--data", "moons", "--epochs", 1, "--hidden", 3, "--batch-norm", "--dropout",
               0.5, "--no-plots", "--quiet", "--out", run)[0] == 0
    code, out, _ = cli(capsys, "explain", "--run", run, "--x", "0.5,0.25", "--y", "1")
    assert code == 0 and "BatchNorm" in out and "Optimizer step" in out
    code, _, err = cli(capsys, "explain", "--run", run)
    assert code == 2 and "--run needs the row and its target: --x with 2 values (x1, x2) and --y" in err
    code, _, err = cli(capsys, "explain", "--run", run, "--x", "1,2", "--y", "7")
    assert code == 2 and "label '7' is not one of the trained classes (0, 1)" in err


def test_graph_of_the_course_example(tmp_path, capsys):
    code, out, _ = cli(capsys, "graph", "x**2 + x*y + (x + y)**2", "--at", "x=1,y=2", "-o",
                       tmp_path / "g.dot")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "f(x=1, y=2) = x**2 + x*y + (x + y)**2 = 12"
    assert lines[1:3] == ["∂f/∂x = 10", "∂f/∂y = 7"]  # 2x + y + 2(x + y) and x + 2(x + y)
    assert "∂d/∂x = 1" in out and "∂e/∂d = 6" in out  # d = x + y, e = d²: the local derivative 2d
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith('digraph "derivative graph" {') and dot.rstrip().endswith("}")
    assert dot.count("->") == 10


def test_graph_functions_constants_and_dot(capsys):
    code, out, _ = cli(capsys, "graph", "exp(-x) * sigmoid(y) + maximum(x, y) / pi", "--at", "x=0.5,y=-1")
    assert code == 0
    x, y = bp.tensor(0.5, dtype=np.float64, requires_grad=True), bp.tensor(-1.0, dtype=np.float64,
                                                                          requires_grad=True)
    f = bp.exp(-x) * bp.sigmoid(y) + bp.maximum(x, y) / np.pi
    f.backward()
    assert f"∂f/∂x = {x.grad.item():.10g}" in out and f"∂f/∂y = {y.grad.item():.10g}" in out
    code, out, _ = cli(capsys, "graph", "x*x", "--at", "x=3", "--dot")
    assert code == 0 and out.startswith("digraph") and out.count("->") == 2  # x·x: two parallel edges


def test_graph_to_svg_or_dot_without_graphviz(tmp_path, capsys):
    code, out, _ = cli(capsys, "graph", "x*y", "--at", "x=2,y=3", "-o", tmp_path / "g.svg")
    assert code == 0
    written = tmp_path / "g.svg" if (tmp_path / "g.svg").exists() else tmp_path / "g.dot"
    assert f"wrote {written}" in out and written.stat().st_size > 0


def test_graph_rejects_anything_but_arithmetic(capsys):
    for expression in ("().__class__", "[x]", "x if x else 1", "lambda: 1", "open('f')", "exp(x, base=2)",
                       "'a' * 3", "x < 1", "True + x", "x @ x"):
        code, _, err = cli(capsys, "graph", expression, "--at", "x=1")
        assert code == 2 and ("is not allowed" in err or "cannot parse" in err), (expression, err)


def subcommands():
    return list(build_parser()._subparsers._group_actions[0].choices)


@pytest.mark.parametrize("command", ["train", "evaluate", "predict", "explain", "graph", "demo"])
def test_every_subcommand_has_help(capsys, command):
    assert command in subcommands()
    code, out, _ = cli(capsys, command, "--help")
    assert code == 0 and out.startswith(f"usage: backprop {command}")


def test_python_m_backprop_and_demo():
    done = run_process("--help")
    assert done.returncode == 0 and "train" in done.stdout and "graph" in done.stdout
    done = run_process("demo", "--epochs", 2000)
    assert done.returncode == 0 and "∂f/∂x = 10" in done.stdout and "4/4 correct" in done.stdout

"""The derivative graph: values, gradients, local derivatives; DOT text; drawing with or without Graphviz."""
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import backprop as bp
from backprop.explain import _format
from backprop.explain.graph import GraphvizUnavailableWarning, derivative_graph, record_graph


def parse_dot(text):
    """Read the DOT subset that derivative graphs use: ``(graph attributes, nodes, edges)``.

    Checks the syntax on the way: one ``digraph "…" { … }``, statements ending in ``;``, quoted strings
    with only the escapes \\\\, \\" and \\n, and edges between declared nodes.
    """
    m = re.fullmatch(r'digraph "[^"\\]*" \{\n(.*)\}\n', text, re.DOTALL)
    assert m, "not a single digraph block"
    statements, current, quoted, escaped = [], "", False, False
    for ch in m.group(1):
        if quoted:
            if escaped:
                assert ch in '\\"n', f"unknown escape \\{ch}"
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                quoted = False
            else:
                assert ch != "\n", "raw newline inside a quoted string"
        elif ch == '"':
            quoted = True
        elif ch == ";":
            statements.append(current.strip())
            current = ""
            continue
        current += ch
    assert not quoted and current.strip() == "", "unterminated statement or string"

    def attributes(text):
        pairs = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|[\w.]+)', text)
        assert ", ".join(f"{k}={v}" for k, v in pairs) == text.strip(), f"bad attribute list {text!r}"
        return {k: v[1:-1].replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\") if v.startswith('"')
                else v for k, v in pairs}

    graph, nodes, edges = {}, {}, []
    for st in statements:
        if m := re.fullmatch(r"(\w+) -> (\w+) \[(.*)\]", st, re.DOTALL):
            edges.append((m.group(1), m.group(2), attributes(m.group(3))))
        elif m := re.fullmatch(r"(node|edge) \[(.*)\]", st, re.DOTALL):
            graph[m.group(1)] = attributes(m.group(2))
        elif m := re.fullmatch(r"(\w+) \[(.*)\]", st, re.DOTALL):
            nodes[m.group(1)] = attributes(m.group(2))
        else:
            k, _, v = st.partition("=")
            graph[k.strip()] = v.strip().strip('"')
    for a, b, _ in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} between undeclared nodes"
    return graph, nodes, edges


def course_graph():
    x = bp.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = bp.tensor(2.0, dtype=np.float64, requires_grad=True)
    with record_graph():
        f = x**2 + x * y + (x + y) ** 2
    return x, y, f


def test_course_graph_values_gradients_and_edge_derivatives():
    x, y, f = course_graph()
    g = derivative_graph(f, names={"x": x, "y": y, "f": f})
    assert g.recorded
    assert g.node("x").grad == 10 and g.node("y").grad == 7  # 2x + y + 2(x + y), x + 2(x + y)
    assert g.output.name == "f" and g.output.value == 12 and g.output.grad == 1
    squares = [e for e in g.edges if e.head.op.__name__ == "Pow"]
    assert sorted(float(e.jacobian) for e in squares) == [2.0, 6.0]  # ∂(x²)/∂x = 2x, ∂(c²)/∂c = 2c
    derivatives = {(e.tail.name, e.head.name): float(e.jacobian) for e in g.edges}
    mul = next(n for n in g.nodes if n.op is not None and n.op.__name__ == "Mul")
    assert derivatives[("x", mul.name)] == 2 and derivatives[("y", mul.name)] == 1  # ∂(xy)/∂x = y
    assert len(g.nodes) == 8 and len(g.edges) == 10
    text = str(g)
    assert "∂f/∂" in text and "10" in text


def test_every_node_gradient_is_the_engines():
    x, y, f = course_graph()
    g = derivative_graph(f, names={"x": x, "y": y})
    f.backward()
    assert g.node("x").grad == x.grad and g.node("y").grad == y.grad


def test_graph_after_backward_keeps_structure_and_numbers():
    x, y, f = course_graph()
    f.backward()  # frees the saved arrays: the structure and the records stay
    g = derivative_graph(f, names={"x": x, "y": y, "f": f})
    assert g.node("x").grad == 10 and len(g.edges) == 10
    assert all(e.jacobian is not None for e in g.edges)


def test_unrecorded_graph_still_draws_its_structure():
    x = bp.tensor(3.0, requires_grad=True)
    x.name = "x"
    f = (x * 2.0).exp()
    f.backward()
    g = derivative_graph(f)
    assert not g.recorded
    _, nodes, edges = parse_dot(g.to_dot())
    assert len(nodes) == 3 and len(edges) == 2
    assert "record_graph" in g.to_dot() and "record_graph" in str(g)
    assert g.node("x").value == 3 and g.node("x").grad == x.grad
    assert all(e.jacobian is None for e in g.edges)
    assert "Exp" in str(g) and "dx = dy · y" in str(g)


def test_dot_parses_and_matches_the_graph():
    x, y, f = course_graph()
    g = derivative_graph(f, names={"x": x, "y": y, "f": f})
    graph, nodes, edges = parse_dot(g.to_dot())
    assert graph["rankdir"] == "LR"
    assert len(nodes) == len(g.nodes) and len(edges) == len(g.edges)
    labels = {n["label"].split("\n")[0] for n in nodes.values()}
    assert {"x", "y"} <= labels and any(label.startswith("f = Add(") for label in labels)
    assert sum("peripheries" in n for n in nodes.values()) == 1  # the output
    assert {e[2]["label"] for e in edges} >= {"∂f/∂" + g.output.inputs[0].name + " = 1"}
    x_id = next(k for k, n in nodes.items() if n["label"].startswith("x\n"))
    assert "value = 1" in nodes[x_id]["label"] and "grad = 10" in nodes[x_id]["label"]


def test_dot_escapes_quotes_and_backslashes_in_names():
    x = bp.tensor(1.0, requires_grad=True)
    with record_graph():
        f = x * 3.0
    _, nodes, _ = parse_dot(derivative_graph(f, names={'x "quoted" \\ name': x}).to_dot())
    assert any(n["label"].startswith('x "quoted" \\ name\n') for n in nodes.values())


def test_x_times_x_has_two_parallel_edges():
    x = bp.tensor(3.0, requires_grad=True)
    with record_graph():
        f = x * x
    g = derivative_graph(f, names={"x": x})
    _, _, edges = parse_dot(g.to_dot())
    assert len(edges) == 2 and edges[0][:2] == edges[1][:2]
    assert [float(e.jacobian) for e in g.edges] == [3.0, 3.0]
    assert {e.symbol for e in g.edges} == {"∂a/∂x[1]", "∂a/∂x[2]"}


def test_tensor_edges_show_formula_and_small_jacobians():
    rng = np.random.default_rng(0)
    W = bp.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    v = bp.tensor(rng.standard_normal(3), requires_grad=True)
    big = bp.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    with record_graph():
        h = (W @ v).sigmoid()
        s = h.sum() + (big * 2.0).sum()
    g = derivative_graph(s, names={"W": W, "v": v, "big": big, "h": h})
    edge = next(e for e in g.edges if e.tail.name == "v")
    np.testing.assert_allclose(edge.jacobian, W.data)  # ∂(Wv)/∂v = W
    sig = next(e for e in g.edges if e.head.name == "h")
    np.testing.assert_allclose(sig.jacobian, np.diag(h.data * (1 - h.data)))
    _, _, edges = parse_dot(g.to_dot())
    labels = [e[2]["label"] for e in edges]
    assert any("dx = dy · y · (1 − y)" in lab and "J = [[" in lab for lab in labels)
    big_edge = next(lab for lab in labels if lab.startswith("∂") and "/∂big" in lab)
    assert "J =" not in big_edge  # 20 elements: the formula only
    assert np.shape(next(e for e in g.edges if e.tail.name == "big").jacobian) == (4, 5, 4, 5)
    np.testing.assert_allclose(g.node("W").grad, bp.grad(s, W)[0].data)


def test_broadcast_edge_jacobian_sums_over_the_broadcast_axis():
    a = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = bp.tensor(2.0, requires_grad=True)
    with record_graph():
        c = a * b
    g = derivative_graph(c, names={"a": a, "b": b}, grad_output=np.ones(3))
    np.testing.assert_allclose(next(e for e in g.edges if e.tail.name == "b").jacobian, [1, 2, 3])
    assert g.node("b").grad == 6 and np.array_equal(g.node("a").grad, [2, 2, 2])
    assert derivative_graph(c).node("a").grad is None  # a non-scalar output without grad_output


def test_leaf_names_and_default_names():
    p = bp.tensor(1.0, requires_grad=True)
    p.name = "w"
    q = bp.tensor(2.0, requires_grad=True)
    with record_graph():
        f = (p + q).tanh()
    names = [n.name for n in derivative_graph(f).nodes]
    assert names == ["w", "x1", "a", "b"]


def test_no_graph_raises_clearly():
    with pytest.raises(ValueError, match="no graph"):
        derivative_graph(bp.tensor(1.0) * 2)


def _no_graphviz(monkeypatch):
    monkeypatch.setattr(_format.shutil, "which", lambda name: None)
    monkeypatch.setitem(sys.modules, "graphviz", None)  # the Python package: import fails


def test_rendering_without_graphviz_writes_dot_and_warns(tmp_path, monkeypatch):
    _no_graphviz(monkeypatch)
    x, y, f = course_graph()
    g = derivative_graph(f, names={"x": x, "y": y})
    assert g.pipe("svg") is None and g._repr_svg_() is None
    with pytest.warns(GraphvizUnavailableWarning, match="Graphviz is not installed.*f.dot"):
        written = g.render(tmp_path / "f.svg")
    assert written == tmp_path / "f.dot" and not (tmp_path / "f.svg").exists()
    assert written.read_text(encoding="utf-8") == g.to_dot()


def test_rendering_dot_format_needs_no_graphviz(tmp_path, monkeypatch):
    _no_graphviz(monkeypatch)
    _, _, f = course_graph()
    g = derivative_graph(f)
    assert g.render(tmp_path / "g.dot").read_text(encoding="utf-8") == g.to_dot()


def test_rendering_calls_the_dot_command(tmp_path, monkeypatch):
    fake = tmp_path / "dot"
    fake.write_text("#!/bin/sh\ncat > /dev/null\necho \"<svg>$1</svg>\"\n")
    fake.chmod(0o755)
    monkeypatch.setattr(_format.shutil, "which", lambda name: str(fake))
    _, _, f = course_graph()
    path = derivative_graph(f).render(tmp_path / "out.png")
    assert path.read_bytes() == b"<svg>-Tpng</svg>\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphviz_renders_the_dot_text(tmp_path):
    x, y, f = course_graph()
    g = derivative_graph(f, names={"x": x, "y": y, "f": f})
    done = subprocess.run(["dot", "-Tsvg"], input=g.to_dot().encode(), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert b"<svg" in done.stdout
    assert g.render(tmp_path / "f.svg").read_text(encoding="utf-8").count("<svg") == 1


class _Affine(bp.Function):
    """y = x·w + c, with c a constant between the two tensors: formulas are matched by input name."""

    forward_formula = "Y = X·W + c"
    backward_formulas = {"x": "dX = dY·Wᵀ", "c": "dc = ΣdY", "w": "dW = Xᵀ·dY"}

    @staticmethod
    def forward(ctx, x, c, w):
        ctx.save(x=x, w=w)
        return x @ w + c

    @staticmethod
    def backward(ctx, dy):
        return dy @ ctx.w.T, None, ctx.x.T @ dy


def test_each_edge_shows_its_own_inputs_formula():
    x = bp.tensor([[1.0, 2.0]], requires_grad=True, dtype=np.float64)
    w = bp.tensor([[1.0], [3.0]], requires_grad=True, dtype=np.float64)
    with record_graph():
        y = _Affine.apply(x, np.array([0.5]), w)
    g = derivative_graph(y.sum(), names={"x": x, "w": w, "y": y})
    by_tail = {e.tail.name: e.formula for e in g.edges if e.head.name == "y"}
    assert by_tail == {"x": "dX = dY·Wᵀ", "w": "dW = Xᵀ·dY"}
    with bp.explain.trace(names={"x": x, "w": w}) as tr:
        _Affine.apply(x, np.array([0.5]), w).sum().backward()
    step = next(e for e in tr.backward if e["op"] == "_Affine")
    assert [(i["param"], i["formula"]) for i in step["inputs"]] == [
        ("x", "dX = dY·Wᵀ"), ("c", ""), ("w", "dW = Xᵀ·dY")]
    assert "dc = ΣdY" not in tr.to_text()


def test_record_graph_records_only_its_own_thread():
    import threading

    barrier = threading.Barrier(2, timeout=10)
    x = bp.tensor(2.0, requires_grad=True)
    outside = {}

    def other():
        barrier.wait()
        outside["y"] = (x * 3.0).exp()  # while the main thread records
        barrier.wait()

    thread = threading.Thread(target=other)
    thread.start()
    with record_graph():
        barrier.wait()
        barrier.wait()
        inside = x * 4.0
    thread.join()
    assert derivative_graph(inside).recorded
    assert not derivative_graph(outside["y"]).recorded


def test_the_graph_of_a_variable_itself_is_one_node():
    x = bp.tensor(3.0, dtype=np.float64, requires_grad=True)
    g = derivative_graph(x, names={"x": x})
    assert [n.name for n in g.nodes] == ["x"] and g.edges == [] and g.output.grad == 1.0
    assert g.to_dot().count("label=") == 1

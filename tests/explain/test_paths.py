"""The sum over paths: equal to reverse mode on scalar and tensor graphs; its cost against reverse mode."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop.explain.graph import record_graph
from backprop.explain.paths import count_multiplications, path_sum


def scalar(v):
    return bp.tensor(v, dtype=np.float64, requires_grad=True)


def test_course_example_three_paths_to_x_and_two_to_y():
    # Problem book §4 ex. 1: f = x² + xy + (x + y)², ∂f/∂x = 2x + y + 2(x + y), ∂f/∂y = x + 2(x + y).
    x, y = scalar(1.0), scalar(2.0)
    with record_graph():
        f = x**2 + x * y + (x + y) ** 2
    names = {"x": x, "y": y, "f": f}
    px = path_sum(f, x, names=names)
    assert sorted(float(p.product) for p in px.paths) == [2.0, 2.0, 6.0]  # 2x, y, 2(x + y)
    assert px.total == 10 and px.reverse_mode == 10 and px.matches
    py = path_sum(f, y, names=names)
    assert sorted(float(p.product) for p in py.paths) == [1.0, 6.0]  # x, 2(x + y)
    assert py.total == 7 and py.matches
    assert all(p.names[0] == "f" and p.names[-1] == "x" for p in px.paths)
    text = str(px)
    assert "3 paths" in text and "= 10" in text and "equal" in text
    assert "∂f/∂" in text and " · " in text


def test_x_times_x_gives_two_paths_of_x_each():
    # The course's slip: x² recorded as x·x is a product vertex with two parallel edges.
    x = scalar(3.0)
    with record_graph():
        f = x * x + 1.0
    ps = path_sum(f, x, names={"x": x, "f": f})
    assert [float(p.product) for p in ps.paths] == [3.0, 3.0] and ps.total == 6
    assert "more than once" in str(ps) and "2x" in str(ps)


def test_intermediate_input():
    x, y = scalar(1.0), scalar(2.0)
    with record_graph():
        c = x + y
        f = x**2 + c**2
    ps = path_sum(f, c)
    assert len(ps.paths) == 1 and ps.total == 6  # ∂f/∂c = 2c


def test_input_not_in_the_graph_and_unrecorded_graph_raise():
    x, z = scalar(1.0), scalar(2.0)
    with record_graph():
        f = x.exp()
    with pytest.raises(ValueError, match="no path"):
        path_sum(f, z)
    g = x.exp() * 2.0
    with pytest.raises(RuntimeError, match="record_graph"):
        path_sum(g, x)
    assert count_multiplications(g, x).paths == 1  # the counts need no records


UNARY = ["tanh", "sigmoid", "square", "exp_tanh", "neg"]
BINARY = ["add", "sub", "mul", "div_soft"]


def apply(op, a, b=None):
    return {"tanh": lambda: a.tanh(), "sigmoid": lambda: a.sigmoid(), "square": lambda: a**2,
            "exp_tanh": lambda: a.tanh().exp(), "neg": lambda: -a, "add": lambda: a + b,
            "sub": lambda: a - b, "mul": lambda: a * b, "div_soft": lambda: a / (1.0 + b * b)}[op]()


@st.composite
def scalar_graphs(draw):
    """Random DAGs of scalar ops over three leaves; operands are drawn among every node so far."""
    values = draw(st.lists(st.floats(-1.5, 1.5), min_size=3, max_size=3))
    steps = []
    for i in range(draw(st.integers(1, 8))):
        n = 3 + i
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(UNARY)), draw(st.integers(0, n - 1)), None))
        else:
            operands = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
            steps.append((draw(st.sampled_from(BINARY)), *operands))
    return values, steps


@settings(max_examples=40, deadline=None)
@given(scalar_graphs())
def test_path_sum_equals_backprop_on_random_scalar_graphs(graph):
    values, steps = graph
    leaves = [scalar(v) for v in values]
    nodes = list(leaves)
    with record_graph():
        for op, i, j in steps:
            nodes.append(apply(op, nodes[i], None if j is None else nodes[j]))
        out = nodes[-1] + 0.0 * nodes[0]  # every output depends on leaf 0 at least
    for leaf in leaves:
        try:
            count = count_multiplications(out, leaf)
        except ValueError:
            continue  # this leaf does not reach the output
        ps = path_sum(out, leaf)
        (expected,) = bp.grad(out, leaf, retain_graph=True)
        assert ps.matches
        np.testing.assert_allclose(ps.total, expected.data, rtol=1e-10, atol=1e-12)
        assert len(ps.paths) == count.paths
        assert count.path_sum == sum(len(p.edges) - 1 for p in ps.paths)


def test_tensor_graph_paths_multiply_full_jacobians():
    rng = np.random.default_rng(0)
    W = bp.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    v = bp.tensor(rng.standard_normal(3), requires_grad=True)
    with record_graph():
        z = W @ v
        h = z.sigmoid()
        out = (h * z).sum() + (W * W).sum()
    for wrt in (W, v, z):
        ps = path_sum(out, wrt)
        (expected,) = bp.grad(out, wrt, retain_graph=True)
        assert ps.total.shape == wrt.shape and ps.matches
        # float32: the two sums add the same terms in different orders
        np.testing.assert_allclose(ps.total, expected.data, rtol=1e-6)
    assert len(path_sum(out, W).paths) == 4  # through h and z, and the two factors of W·W


def test_vector_output_gives_the_jacobian():
    rng = np.random.default_rng(1)
    x = bp.tensor(rng.standard_normal(3), dtype=np.float64, requires_grad=True)
    A = rng.standard_normal((2, 3))
    with record_graph():
        y = (bp.tensor(A, dtype=np.float64) @ x).tanh() * x[:2]
    ps = path_sum(y, x)
    expected = bp.jacobian(lambda t: (bp.tensor(A, dtype=np.float64) @ t).tanh() * t[:2], x.data).data
    assert ps.total.shape == (2, 3)
    np.testing.assert_allclose(ps.total, expected, rtol=1e-12)
    np.testing.assert_allclose(ps.reverse_mode, expected, rtol=1e-12)


def test_path_count_grows_exponentially_and_reverse_mode_linearly():
    counts = []
    for depth in range(1, 13):
        x = scalar(1.0)
        h = x
        for _ in range(depth):
            h = h * h  # two parallel edges per level: the paths double
        counts.append(count_multiplications(h, x))
    for depth, c in enumerate(counts, start=1):
        assert c.paths == 2**depth
        assert c.path_sum == (depth - 1) * 2**depth
        assert c.reverse_mode == 2 * depth  # one multiplication per edge
    assert counts[-1].path_sum / counts[-2].path_sum > 2  # exponential
    assert counts[-1].reverse_mode - counts[-2].reverse_mode == 2  # linear
    assert "4,096 paths" in str(counts[-1])


def test_deep_diamond_chain_counts_and_refuses_to_list_too_many_paths():
    x = scalar(0.5)
    with record_graph():
        h = x
        for _ in range(20):
            h = h.tanh() + h.sigmoid()  # two distinct paths per level
    c = count_multiplications(h, x)
    assert c.paths == 2**20 and c.reverse_mode == 20 * 4
    with pytest.raises(ValueError, match="max_paths"):
        path_sum(h, x)
    x2 = scalar(0.5)
    with record_graph():
        h2 = x2
        for _ in range(6):
            h2 = h2.tanh() + h2.sigmoid()
    ps = path_sum(h2, x2)
    assert len(ps.paths) == 64 and ps.matches
    assert ps.count.path_sum > ps.count.reverse_mode

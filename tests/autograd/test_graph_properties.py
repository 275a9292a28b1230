"""Property tests of the engine: random small graphs in which tensors feed several paths."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp

_SHAPES = [(2, 3), (3,), (1, 3), (2, 1), ()]
_BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (1.5 + b * b),
}
_UNARY = {
    "tanh": lambda lib, a: lib.tanh(a),
    "sigmoid": lambda lib, a: lib.sigmoid(a),
    "square": lambda lib, a: a * a,
    "exp": lambda lib, a: lib.exp(lib.tanh(a)),
}


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 3))
    shapes = [draw(st.sampled_from(_SHAPES)) for _ in range(n_leaves)]
    steps = []
    for k in range(draw(st.integers(1, 8))):
        n = n_leaves + k
        if draw(st.booleans()):
            steps.append(("binary", draw(st.sampled_from(sorted(_BINARY))),
                          draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))))
        else:
            steps.append(("unary", draw(st.sampled_from(sorted(_UNARY))), draw(st.integers(0, n - 1)), None))
    seed = draw(st.integers(0, 2 ** 16))
    return shapes, steps, seed


def _run(lib, leaves, steps):
    nodes = list(leaves)
    for kind, name, i, j in steps:
        nodes.append(_BINARY[name](nodes[i], nodes[j]) if kind == "binary" else _UNARY[name](lib, nodes[i]))
    # every node reaches the output, most of them along several paths
    return sum(((k + 1.0) * node).sum() for k, node in enumerate(nodes))


@settings(max_examples=30, deadline=None)
@given(programs())
def test_random_graphs_pass_gradcheck(program):
    shapes, steps, seed = program
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    assert bp.gradcheck(lambda *xs: _run(bp, xs, steps), arrays, raise_exception=True)


@settings(max_examples=15, deadline=None)
@given(programs())
def test_random_graphs_pass_gradgradcheck(program):
    shapes, steps, seed = program
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    assert bp.gradgradcheck(lambda *xs: _run(bp, xs, steps), arrays, raise_exception=True)


@settings(max_examples=30, deadline=None)
@given(programs())
def test_random_graphs_agree_with_torch(program):
    torch = pytest.importorskip("torch")
    shapes, steps, seed = program
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes]
    ours = [bp.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = _run(bp, ours, steps), _run(torch, theirs, steps)
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
    out.backward()
    ref.backward()
    for o, t in zip(ours, theirs):
        assert o.grad.shape == tuple(t.grad.shape)
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)

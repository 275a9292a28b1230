"""Property tests (hypothesis): over random broadcast-compatible shapes, axes and small random graphs,
backpropagated gradients equal central finite differences.

Hypothesis draws the structure (shapes, axes, ops, which node feeds which); the values come from a drawn
seed through the harness's ``arrays``, inside each op's smooth domain, so no example sits on a kink.
"""
import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import backprop as bp
from tests.ops._harness import arrays, check_array_vs_tensor_mode

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
seeds = st.integers(0, 2 ** 16)


def value(shape, seed, domain="real"):
    return arrays(shape, domain=domain, seed=seed)[0]


def assert_gradcheck(fn, inputs):
    report = bp.gradcheck(fn, inputs)
    assert report, f"gradcheck failed:\n{report}"


# -- elementwise ---------------------------------------------------------------------------------------
BINARY = {  # name: (op, reference, domain of a, domain of b)
    "add": (bp.add, np.add, "real", "real"),
    "sub": (bp.sub, np.subtract, "real", "real"),
    "mul": (bp.mul, np.multiply, "real", "real"),
    "div": (bp.div, np.divide, "real", "nonzero"),
    "pow": (bp.pow, np.power, "positive", "real"),
    "maximum": (bp.maximum, np.maximum, "real", "real"),
    "minimum": (bp.minimum, np.minimum, "real", "real"),
}
UNARY = {  # name: (op, domain)
    "exp": (bp.exp, "real"), "log": (bp.log, "positive"), "sqrt": (bp.sqrt, "positive"),
    "abs": (bp.abs, "nonzero"), "relu": (bp.relu, "nonzero"), "tanh": (bp.tanh, "real"),
    "sigmoid": (bp.sigmoid, "real"), "softplus": (bp.softplus, "real"), "logsigmoid": (bp.logsigmoid, "real"),
    "logit": (bp.logit, "unit"), "clip": (lambda x: bp.clip(x, -0.1, 0.1), "nonzero"),
}


@PROPERTY
@given(name=st.sampled_from(sorted(BINARY)), seed=seeds,
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
def test_binary_broadcast_gradients(name, seed, shapes):
    op, reference, domain_a, domain_b = BINARY[name]
    a_shape, b_shape = shapes.input_shapes
    inputs = [value(a_shape, seed, domain_a), value(b_shape, seed + 1, domain_b)]
    out = op(*(bp.tensor(x, dtype=np.float64) for x in inputs))
    assert out.shape == shapes.result_shape
    np.testing.assert_allclose(out.data, reference(*inputs), rtol=1e-12)
    assert_gradcheck(op, inputs)


@PROPERTY
@given(name=st.sampled_from(sorted(UNARY)), seed=seeds, shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4))
def test_unary_gradients(name, seed, shape):
    op, domain = UNARY[name]
    assert_gradcheck(op, [value(shape, seed, domain)])


# -- reductions ---------------------------------------------------------------------------------------
@st.composite
def shape_and_axis(draw):
    """A shape and an axis argument for it: None, an int or a tuple, non-negative or negative."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    ndim = len(shape)
    axes = draw(st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim))
    axes = [a - ndim if draw(st.booleans()) else a for a in axes]
    axis = draw(st.sampled_from([None, axes[0], tuple(axes)]))
    return shape, axis


REDUCTIONS = {
    "sum": (bp.sum, np.sum), "mean": (bp.mean, np.mean), "max": (bp.amax, np.max), "min": (bp.amin, np.min),
    "var0": (lambda x, **kw: bp.var(x, correction=0, **kw), lambda x, **kw: np.var(x, ddof=0, **kw)),
    "var1": (bp.var, lambda x, **kw: np.var(x, ddof=1, **kw)),
    "logsumexp": (bp.logsumexp, lambda x, **kw: np.log(np.sum(np.exp(x), **kw))),
}


@PROPERTY
@given(name=st.sampled_from(sorted(REDUCTIONS)), seed=seeds, shape_axis=shape_and_axis(), keepdims=st.booleans())
def test_reduction_gradients(name, seed, shape_axis, keepdims):
    op, reference = REDUCTIONS[name]
    shape, axis = shape_axis
    if name == "var1":  # n − 1 > 0 elements per reduced slice
        assume(np.prod([shape[a] for a in (range(len(shape)) if axis is None else np.atleast_1d(axis))]) > 1)
    x = value(shape, seed)

    def fn(t):
        return op(t, axis=axis, keepdims=keepdims)

    expected = reference(x, axis=axis, keepdims=keepdims)
    out = fn(bp.tensor(x, dtype=np.float64))
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    assert_gradcheck(fn, [x])


# -- random small graphs in which one tensor feeds several paths ---------------------------------------------
NODE_OPS = {  # name: (arity, op); every op keeps values bounded so finite differences stay accurate
    "add": (2, bp.add), "sub": (2, bp.sub), "mul-tanh": (2, lambda a, b: a * bp.tanh(b)),
    "maximum": (2, bp.maximum), "div-softplus": (2, lambda a, b: a / (1.0 + bp.softplus(b))),
    "tanh": (1, bp.tanh), "sigmoid": (1, bp.sigmoid), "square": (1, lambda a: a * a * 0.5),
    "exp-tanh": (1, lambda a: bp.exp(bp.tanh(a))), "mean-keepdims": (1, lambda a: a.mean(-1, keepdims=True)),
    "max-keepdims": (1, lambda a: a.amax(0, keepdims=True)), "logsumexp-keepdims": (1, lambda a: a.logsumexp(
        -1, keepdims=True)), "softmax": (1, lambda a: bp.softmax(a, -1)),
}


@st.composite
def graphs(draw, max_side=3):
    """A program of 2–6 ops over inputs x (shape S) and y (broadcasting to S); operands are picked
    among all earlier nodes, so nodes are reused and gradients meet from several paths."""
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=max_side))
    y_shape = draw(hnp.broadcastable_shapes(shape, min_dims=1, max_dims=len(shape), max_side=max_side))
    steps = draw(st.lists(st.tuples(st.sampled_from(sorted(NODE_OPS)), st.integers(0, 99), st.integers(0, 99)),
                          min_size=2, max_size=6))
    return shape, tuple(y_shape), steps


def build(steps):
    def f(x, y):
        nodes = [x, y]
        for name, i, j in steps:
            arity, op = NODE_OPS[name]
            args = (nodes[i % len(nodes)], nodes[j % len(nodes)])[:arity]
            nodes.append(op(*args))
        out = nodes[0]
        for n in nodes[1:]:  # every node reaches the output, so x and y feed several paths
            out = out + n
        return out
    return f


@PROPERTY
@given(graph=graphs(), seed=seeds)
def test_random_graph_gradients(graph, seed):
    shape, y_shape, steps = graph
    inputs = [value(shape, seed), value(y_shape, seed + 1)]
    f = build(steps)
    assert_gradcheck(f, inputs)
    check_array_vs_tensor_mode(f, inputs)


@settings(PROPERTY, max_examples=10)
@given(graph=graphs(max_side=2), seed=seeds)
def test_random_graph_second_derivatives(graph, seed):
    shape, y_shape, steps = graph
    report = bp.gradgradcheck(build(steps), [value(shape, seed), value(y_shape, seed + 1)])
    assert report, f"gradgradcheck failed:\n{report}"


def test_shared_node_gradient_is_the_sum_over_paths():
    # the course's f(x, y) = x² + xy + (x + y)²: ∂f/∂x = 2x + y + 2(x + y), ∂f/∂y = x + 2(x + y)
    x = bp.tensor(1.5, dtype=np.float64, requires_grad=True)
    y = bp.tensor(-0.5, dtype=np.float64, requires_grad=True)
    (x * x + x * y + (x + y) ** 2).backward()
    assert x.grad == 2 * 1.5 - 0.5 + 2 * (1.5 - 0.5)
    assert y.grad == 1.5 + 2 * (1.5 - 0.5)

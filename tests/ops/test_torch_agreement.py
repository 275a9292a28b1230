"""The library agrees with PyTorch (float64) on every deterministic op: forward values, gradients and
second derivatives, on the same inputs, including ties and kinks where finite differences cannot look."""
import numpy as np
import pytest

import backprop as bp
from backprop.ops.shape import index_put
from tests.ops._harness import arrays

torch = pytest.importorskip("torch")
F = torch.nn.functional

RTOL, ATOL = 1e-12, 1e-12

X34, Y34 = arrays((3, 4), (3, 4))
P34, Q34 = arrays((3, 4), (3, 4), domain="positive", seed=1)
NZ34, = arrays((3, 4), domain="nonzero", seed=2)
U34, = arrays((3, 4), domain="unit", seed=3)
X234, = arrays((2, 3, 4), seed=4)
COND = arrays((3, 4), seed=5)[0] > 0
ROWS = np.array([0, 2, 0, 1, 0])
# kinks and ties, where the gradient is a convention: PyTorch's is the one to match
KINKS = np.array([[-1.0, -0.5, 0.0, 0.5], [1.0, 0.0, -2.0, 2.0], [0.5, 0.5, -0.5, -0.5]])
TIES = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 2.0], [0.0, -1.0, 0.0, -1.0]])
TIES_B = np.array([[1.0, 0.0, 3.0, -1.0], [2.0, 5.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0]])


def row(id, ours, theirs, *inputs):
    return pytest.param(ours, theirs, inputs, id=id)


def T(a):
    return torch.from_numpy(np.asarray(a))


ELEMENTWISE = [
    row("add-broadcast", bp.add, torch.add, *arrays((3, 1), (1, 4))),
    row("sub-broadcast", bp.sub, torch.sub, *arrays((2, 3, 4), (4,))),
    row("mul-broadcast", bp.mul, torch.mul, *arrays((2, 3, 4), (3, 1))),
    row("div-broadcast", bp.div, torch.div, X34, NZ34[0]),
    row("neg", bp.neg, torch.neg, X34),
    row("exp", bp.exp, torch.exp, X34),
    row("log", bp.log, torch.log, P34),
    row("sqrt", bp.sqrt, torch.sqrt, P34),
    row("sin", bp.sin, torch.sin, X34 * 3),
    row("cos", bp.cos, torch.cos, X34 * 3),
    row("abs-with-zeros", bp.abs, torch.abs, KINKS),
    row("pow-int", lambda x: x ** 3, lambda x: x ** 3, X34),
    row("pow-float", lambda x: x ** 2.5, lambda x: x ** 2.5, P34),
    row("pow-tensor-exponent", bp.pow, torch.pow, P34, Y34),
    row("rpow", lambda x: 2.0 ** x, lambda x: 2.0 ** x, X34),
    row("clip-at-bounds", lambda x: bp.clip(x, -0.5, 0.5), lambda x: torch.clamp(x, -0.5, 0.5), KINKS),
    row("clip-min-only", lambda x: x.clip(min=-0.5), lambda x: torch.clamp(x, min=-0.5), KINKS),
    row("clip-max-only", lambda x: x.clip(max=0.5), lambda x: torch.clamp(x, max=0.5), KINKS),
    row("maximum-ties", bp.maximum, torch.maximum, TIES, TIES_B),
    row("minimum-ties", bp.minimum, torch.minimum, TIES, TIES_B),
    row("where", lambda a, b: bp.where(COND, a, b), lambda a, b: torch.where(T(COND), a, b), X34, Y34),
]
ACTIVATIONS = [
    row("sigmoid", bp.sigmoid, torch.sigmoid, X34 * 5),
    row("tanh", bp.tanh, torch.tanh, X34 * 3),
    row("relu-with-zeros", bp.relu, torch.relu, KINKS),
    row("softplus", bp.softplus, F.softplus, X34 * 5),
    row("logsigmoid", bp.logsigmoid, F.logsigmoid, X34 * 5),
    row("logit", bp.logit, torch.logit, U34),
    row("logit-eps", lambda x: bp.logit(x, 0.25), lambda x: torch.logit(x, eps=0.25), U34),
    row("softmax", bp.softmax, lambda x: torch.softmax(x, -1), X34),
    row("softmax-axis0-T", lambda x: bp.softmax(x, 0, temperature=0.7), lambda x: torch.softmax(x / 0.7, 0), X34),
    row("log_softmax", bp.log_softmax, lambda x: torch.log_softmax(x, -1), X234),
    row("log_softmax-dim1-T", lambda x: bp.log_softmax(x, dim=1, temperature=3.0),
        lambda x: torch.log_softmax(x / 3.0, 1), X234),
    row("logsumexp-all", bp.logsumexp, lambda x: torch.logsumexp(x, (0, 1, 2)), X234),
    row("logsumexp-dim-keepdim", lambda x: bp.logsumexp(x, (0, -1), keepdims=True),
        lambda x: torch.logsumexp(x, (0, -1), keepdim=True), X234),
]
REDUCTIONS = [
    row("sum-all", bp.sum, torch.sum, X234),
    row("sum-tuple-keepdims", lambda x: x.sum((0, 2), True), lambda x: x.sum((0, 2), True), X234),
    row("mean-negative-axis", lambda x: x.mean(-1), lambda x: x.mean(-1), X234),
    row("max-ties-all", bp.max, torch.amax, TIES),
    row("max-ties-axis1", lambda x: bp.amax(x, 1), lambda x: torch.amax(x, 1), TIES),
    row("max-ties-axis0-keepdim", lambda x: x.amax(dim=0, keepdim=True), lambda x: torch.amax(x, 0, True), TIES),
    row("min-ties-all", bp.min, torch.amin, TIES),
    row("min-ties-tuple", lambda x: bp.amin(x, (0, 1)), lambda x: torch.amin(x, (0, 1)), TIES.reshape(3, 2, 2)),
    row("var-correction1", bp.var, torch.var, X234),
    row("var-correction0-axis", lambda x: bp.var(x, 1, correction=0), lambda x: torch.var(x, 1, correction=0), X234),
    row("var-tuple-keepdim", lambda x: x.var(dim=(0, 2), keepdim=True),
        lambda x: torch.var(x, (0, 2), keepdim=True), X234),
]
SHAPE_OPS = [
    row("reshape", lambda x: x.reshape(4, -1), lambda x: x.reshape(4, -1), X234),
    row("permute", lambda x: x.permute(2, 0, 1), lambda x: x.permute(2, 0, 1), X234),
    row("transpose", lambda x: x.transpose(-1, 0), lambda x: x.transpose(-1, 0), X234),
    row("T", lambda x: x.T, lambda x: x.T, X34),
    row("squeeze", lambda x: x.squeeze(), lambda x: x.squeeze(), X234.reshape(2, 1, 12, 1)),
    row("squeeze-dim", lambda x: x.squeeze(dim=1), lambda x: x.squeeze(1), X234.reshape(2, 1, 12, 1)),
    row("unsqueeze", lambda x: x.unsqueeze(-1), lambda x: x.unsqueeze(-1), X234),
    row("flatten", lambda x: x.flatten(1), lambda x: x.flatten(1), X234),
    row("broadcast_to", lambda x: bp.broadcast_to(x, (2, 3, 4)), lambda x: torch.broadcast_to(x, (2, 3, 4)),
        *arrays((3, 1))),
    row("getitem-slices", lambda x: x[:, 1:, ::2], lambda x: x[:, 1:, ::2], X234),
    row("getitem-ellipsis", lambda x: x[..., None, -1], lambda x: x[..., None, -1], X234),
    row("getitem-mask", lambda x: x[COND], lambda x: x[T(COND)], X34),
    row("getitem-fancy-repeated", lambda x: x[ROWS], lambda x: x[T(ROWS)], X34),
    row("getitem-fancy-pairs", lambda x: x[ROWS, ROWS], lambda x: x[T(ROWS), T(ROWS)], X34),
    row("index_put", lambda x, v: index_put(x, (slice(None), 1), v),
        lambda x, v: torch.index_put(x, (torch.arange(3), torch.tensor([1, 1, 1])), v), X34, *arrays((3,))),
    row("cat", lambda a, b: bp.cat([a, b, a], dim=1), lambda a, b: torch.cat([a, b, a], 1), *arrays((2, 3), (2, 1))),
    row("stack", lambda a, b: bp.stack([a, b], -1), lambda a, b: torch.stack([a, b], -1), *arrays((2, 3), (2, 3))),
    row("split-int", lambda x: bp.split(x, 3, 1), lambda x: torch.split(x, 3, 1), *arrays((2, 7))),
    row("split-sizes", lambda x: x.split([1, 2], dim=0), lambda x: x.split([1, 2], 0), X34),
]
MATMUL = [row(f"matmul-{xs}@{ws}", bp.matmul, torch.matmul, *arrays(xs, ws)) for xs, ws in [
    ((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((2, 3, 4), (4, 5)), ((2, 3, 4), (2, 4, 5)),
    ((4,), (4,)), ((2, 1, 3, 4), (3, 4, 2)), ((4,), (2, 4, 5)), ((2, 3, 4), (4,))]]


def _derivatives(outputs, inputs, first_weights, second_weights, grad):
    """Σ⟨out, v⟩'s gradient g, then the gradient of Σ⟨g, u⟩ (zeros where nothing depends on an input)."""
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    loss = sum((o * v).sum() for o, v in zip(outputs, first_weights))
    firsts = grad(loss, inputs)
    g2 = sum((g * u).sum() for g, u in zip(firsts, second_weights) if g is not None and g.requires_grad)
    seconds = grad(g2, inputs) if hasattr(g2, "requires_grad") else (None,) * len(inputs)
    return outputs, firsts, seconds


def _ours(fn, inputs, vs, us):
    xs = [bp.tensor(a, dtype=np.float64, requires_grad=True) for a in inputs]

    def grad(y, wrt):
        return bp.grad(y, wrt, create_graph=True, allow_unused=True)

    outs, firsts, seconds = _derivatives(fn(*xs), xs, vs, us, grad)
    return [o.data for o in outs], firsts, seconds


def _torch(fn, inputs, vs, us):
    xs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    vs, us = [T(v) for v in vs], [T(u) for u in us]

    def grad(y, wrt):
        return torch.autograd.grad(y, wrt, create_graph=True, allow_unused=True)

    outs, firsts, seconds = _derivatives(fn(*xs), xs, vs, us, grad)
    return [o.detach().numpy() for o in outs], firsts, seconds


def _values(grads, inputs):
    def array(g):
        return np.asarray(g.data if isinstance(g, bp.Tensor) else g.detach().numpy(force=True))

    return [np.zeros_like(a) if g is None else array(g) for g, a in zip(grads, inputs)]


@pytest.mark.parametrize("ours, theirs, inputs", ELEMENTWISE + ACTIVATIONS + REDUCTIONS + SHAPE_OPS + MATMUL)
def test_agrees_with_torch(ours, theirs, inputs):
    rng = np.random.default_rng(0)
    with torch.no_grad():
        reference = theirs(*[T(a) for a in inputs])
    shapes = [r.shape for r in (reference if isinstance(reference, tuple) else (reference,))]
    vs = [rng.standard_normal(tuple(s)) for s in shapes]
    us = [rng.standard_normal(a.shape) for a in inputs]
    our_out, our_g, our_gg = _ours(ours, inputs, vs, us)
    torch_out, torch_g, torch_gg = _torch(theirs, inputs, vs, us)
    assert [o.shape for o in our_out] == [o.shape for o in torch_out]
    for a, b in zip(our_out, torch_out):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg="forward")
    for a, b in zip(_values(our_g, inputs), _values(torch_g, inputs)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg="gradient")
    for a, b in zip(_values(our_gg, inputs), _values(torch_gg, inputs)):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL, err_msg="second derivative")


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_agree_with_torch(name):
    a, b = TIES, TIES_B[0]
    ours = getattr(bp, name)(bp.tensor(a, dtype=np.float64), bp.tensor(b, dtype=np.float64))
    theirs = getattr(torch, name)(T(a), T(b))
    assert ours.dtype == np.bool_
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_agree_with_torch(name):
    x = X234
    for kwargs in ({}, {"dim": 1}, {"dim": -1, "keepdim": True}):
        ours = getattr(bp, name)(bp.tensor(x, dtype=np.float64), **kwargs)
        np.testing.assert_array_equal(ours.data, getattr(torch, name)(T(x), **kwargs).numpy())


def test_stable_values_agree_with_torch_at_plus_minus_1000():
    x = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 999.0, -1000.0]])
    pairs = [(bp.sigmoid, torch.sigmoid), (bp.softplus, F.softplus), (bp.logsigmoid, F.logsigmoid),
             (bp.log_softmax, lambda t: torch.log_softmax(t, -1)), (bp.softmax, lambda t: torch.softmax(t, -1)),
             (lambda t: bp.logsumexp(t, 1), lambda t: torch.logsumexp(t, 1))]
    for ours, theirs in pairs:
        out, g, _ = _ours(ours, [x], [np.ones_like(theirs(T(x)).numpy())], [np.ones_like(x)])
        ref, tg, _ = _torch(theirs, [x], [np.ones_like(theirs(T(x)).numpy())], [np.ones_like(x)])
        np.testing.assert_allclose(out[0], ref[0], rtol=RTOL, atol=ATOL)
        np.testing.assert_allclose(_values(g, [x])[0], _values(tg, [x])[0], rtol=RTOL, atol=ATOL)

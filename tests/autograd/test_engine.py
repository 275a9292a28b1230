"""The reverse-mode engine: the chain rule summed over paths, backward(), bp.grad, freeing the graph."""
import time
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop.exceptions import ShapeError


# -- the course's example ----------------------------------------------------------------------------
def course_f(x, y):
    return x ** 2 + x * y + (x + y) ** 2


def test_course_example_at_1_2():
    x = bp.tensor(1.0, requires_grad=True)
    y = bp.tensor(2.0, requires_grad=True)
    f = course_f(x, y)
    assert f.item() == 1 + 2 + 9
    f.backward()
    assert x.grad.item() == 10.0  # 2x + y + 2(x + y)
    assert y.grad.item() == 7.0   # x + 2(x + y)


@settings(max_examples=25, deadline=None)
@given(st.floats(-10, 10), st.floats(-10, 10))
def test_course_example_everywhere(xv, yv):
    x = bp.tensor(xv, dtype=np.float64, requires_grad=True)
    y = bp.tensor(yv, dtype=np.float64, requires_grad=True)
    course_f(x, y).backward()
    np.testing.assert_allclose(x.grad, 2 * xv + yv + 2 * (xv + yv), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.grad, xv + 2 * (xv + yv), rtol=1e-12, atol=1e-12)


# -- accumulation ----------------------------------------------------------------------------------
def test_gradient_sums_over_every_path():
    x = bp.tensor([1.0, -2.0, 3.0], dtype=np.float64, requires_grad=True)
    a = x * 2          # x reaches the output through a, b, and directly
    b = x.exp()
    f = (a * b + x * x + a).sum()
    f.backward()
    xd = x.data
    np.testing.assert_allclose(x.grad, 2 * np.exp(xd) + 2 * xd * np.exp(xd) + 2 * xd + 2, rtol=1e-12)


def test_a_shared_intermediate_is_backpropagated_once_with_its_summed_gradient():
    # diamond: y feeds two branches that meet again
    x = bp.tensor(0.5, dtype=np.float64, requires_grad=True)
    y = x * 3
    f = y.sigmoid() * y.tanh() + y
    f.backward()
    yv = 1.5
    s, t = 1 / (1 + np.exp(-yv)), np.tanh(yv)
    np.testing.assert_allclose(x.grad, 3 * (s * (1 - s) * t + s * (1 - t * t) + 1), rtol=1e-12)


def test_grad_adds_up_over_backward_calls():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [3 + 2, 3 + 4])
    x.grad = None
    (x * 3).sum().backward()
    np.testing.assert_allclose(x.grad, [3, 3])


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    x = bp.tensor(np.ones((4, 3)), requires_grad=True)
    b = bp.tensor(np.zeros(3), requires_grad=True)
    c = bp.tensor(np.zeros((4, 1)), requires_grad=True)
    s = bp.tensor(2.0, requires_grad=True)
    ((x + b + c) * s).sum().backward()
    assert b.grad.shape == (3,) and c.grad.shape == (4, 1) and s.grad.shape == ()
    np.testing.assert_allclose(b.grad, [8, 8, 8])
    np.testing.assert_allclose(c.grad, [[6]] * 4)
    np.testing.assert_allclose(s.grad, 12)


def test_gradient_has_the_leafs_dtype_even_when_the_graph_is_float64():
    x = bp.tensor([1.0, 2.0], requires_grad=True)  # float32
    y = x * np.array([0.5, 0.25])                   # a float64 constant promotes the output
    assert y.dtype == np.float64
    y.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [0.5, 0.25])


def test_long_chain_backpropagates_without_recursion_error_and_fast():
    x = bp.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1e-6
    start = time.perf_counter()
    y.backward()
    elapsed = time.perf_counter() - start
    assert x.grad.item() == 1.0
    np.testing.assert_allclose(y.item(), 1.1, rtol=1e-9)
    assert elapsed < 5.0, f"backward through 100,000 ops took {elapsed:.2f} s"


def test_first_order_backward_creates_no_tensors_but_new_grads(monkeypatch):
    # the hot path: backward formulas run on plain arrays and record nothing; the only Tensors made are
    # each leaf's new .grad, and a second backward adds into those in place
    rng = np.random.default_rng(0)
    x = bp.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    w = bp.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    b = bp.tensor(np.zeros(2), requires_grad=True)
    h = (x @ w + b).sigmoid()
    loss = ((h[1:] * h[1:]).mean() + h.reshape(8).exp().sum() + bp.log_softmax(h, axis=1).sum()
            + h.amax(axis=0).sum() + (h.T - 1).abs().sum() + bp.tanh(h / 2).var())
    loss2 = (x @ w + b).sum()
    made = []
    make = bp.Tensor._make.__func__

    def counting_make(cls, data, ctx):
        made.append(data.shape)
        return make(cls, data, ctx)

    monkeypatch.setattr(bp.Tensor, "_make", classmethod(counting_make))
    loss.backward()
    assert sorted(made) == [(2,), (3, 2), (4, 3)]
    grads = [t.grad for t in (x, w, b)]
    arrays = [g.data for g in grads]
    assert all(type(g) is bp.Tensor and not g.requires_grad and g.grad_fn is None for g in grads)
    made.clear()
    loss2.backward()
    assert made == []
    assert all(t.grad is g and t.grad.data is a for t, g, a in zip((x, w, b), grads, arrays))


# -- freeing the graph -------------------------------------------------------------------------------
def test_saved_arrays_are_freed_after_backward():
    x = bp.tensor(np.ones(1000), requires_grad=True)
    a = x.exp()
    saved = weakref.ref(a.data)
    b = a * a   # Mul saves a's array
    del a
    assert saved() is not None
    b.sum().backward()
    assert saved() is None
    # the structure outlives the saved arrays, so the graph can still be drawn
    assert repr(b.grad_fn) == "<MulBackward>" and len(b.grad_fn.edges) == 2


def test_a_graph_without_references_is_freed_at_once():
    # saved outputs must not make cycles (output -> node -> output)
    x = bp.tensor(np.ones(10), requires_grad=True)
    y = x.exp().sigmoid()
    out, node = weakref.ref(y), weakref.ref(y.grad_fn)
    del y
    assert out() is None and node() is None


def test_second_backward_through_a_freed_graph_raises_a_clear_error():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, [4.0, 8.0])


# -- bad calls ----------------------------------------------------------------------------------------
def test_backward_on_a_non_scalar_needs_grad_and_names_the_shape():
    x = bp.tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"\(2, 3\)"):
        y.backward()
    y.backward(np.full((2, 3), 0.5))
    np.testing.assert_allclose(x.grad, np.ones((2, 3)))


def test_backward_grad_of_the_wrong_shape_names_both_shapes():
    x = bp.tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ShapeError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(3))


def test_backward_on_a_tensor_that_does_not_require_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        bp.tensor([1.0, 2.0]).sum().backward()
    x = bp.tensor([1.0], requires_grad=True)
    with bp.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


# -- no aliasing ---------------------------------------------------------------------------------------
def test_two_leaves_never_share_a_gradient_array():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    b = bp.tensor([3.0, 4.0], requires_grad=True)
    z = a + b   # Add hands the same upstream array to both inputs
    z.sum().backward(retain_graph=True)
    assert not np.shares_memory(a.grad, b.grad)
    z.sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])
    a.grad[...] = 100.0
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_gradients_through_several_pass_through_ops_stay_independent():
    a = bp.tensor(np.ones(3), requires_grad=True)
    b = bp.tensor(np.ones(3), requires_grad=True)
    c = bp.tensor(np.ones(3), requires_grad=True)
    for _ in range(2):
        (a + (b + c)).sum().backward()
    for t in (a, b, c):
        np.testing.assert_array_equal(t.grad, [2.0, 2.0, 2.0])
    assert not any(np.shares_memory(p.grad, q.grad) for p, q in ((a, b), (b, c), (a, c)))


@pytest.mark.parametrize("build", [lambda a: a, lambda a: a + 0.0, lambda a: a.reshape(2, 1).reshape(2)])
def test_grad_never_aliases_the_callers_grad_argument(build):
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([1.0, 1.0], dtype=np.float32)
    build(a).backward(g)
    assert not np.shares_memory(a.grad.data, g)
    build(a).backward(g)    # accumulating in place must not write into g
    np.testing.assert_array_equal(g, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_grad_is_writable_after_a_broadcasting_backward():
    b = bp.tensor(np.zeros(3), requires_grad=True)
    (bp.tensor(np.ones((4, 3))) + b).sum().backward()
    assert b.grad.data.flags.writeable
    b.grad.data *= 0.5
    np.testing.assert_allclose(b.grad, [2.0, 2.0, 2.0])


# -- retain_grad -----------------------------------------------------------------------------------
def test_retain_grad_keeps_a_non_leafs_gradient():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.retain_grad() is y
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert type(y.grad) is bp.Tensor and y.grad.grad_fn is None
    np.testing.assert_allclose(y.grad, [4.0, 8.0])
    z.backward()
    np.testing.assert_allclose(y.grad, [8.0, 16.0])  # adds up, like a leaf's (and PyTorch's)
    np.testing.assert_allclose(x.grad, [16.0, 32.0])


def test_non_leaf_grad_is_not_kept_without_retain_grad():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (y * y).sum().backward()
    assert y.grad is None and not y.is_leaf and x.is_leaf


# -- bp.grad -----------------------------------------------------------------------------------------
def test_grad_returns_a_tuple_and_leaves_dot_grad_untouched():
    x = bp.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    w = bp.tensor([3.0, -1.0], dtype=np.float64, requires_grad=True)
    f = (x * w).sum() + (x ** 2).sum()
    gs = bp.grad(f, [x, w])
    assert isinstance(gs, tuple) and len(gs) == 2
    assert all(isinstance(g, bp.Tensor) for g in gs)
    np.testing.assert_allclose(gs[0].data, w.data + 2 * x.data)
    np.testing.assert_allclose(gs[1].data, x.data)
    assert x.grad is None and w.grad is None
    (gx,) = bp.grad((x * 3).sum(), x)   # a single input still gives a tuple
    np.testing.assert_allclose(gx.data, [3.0, 3.0])


def test_grad_with_respect_to_a_non_leaf():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    z = (y * y).sum()
    gy, gx = bp.grad(z, [y, x])
    np.testing.assert_allclose(gy.data, 2 * y.data)
    np.testing.assert_allclose(gx.data, 8 * x.data)


def test_grad_allow_unused():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    u = bp.tensor(5.0, requires_grad=True)
    f = (x * x).sum()
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        bp.grad(f, [x, u], retain_graph=True)
    gx, gu = bp.grad(f, [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_allclose(gx.data, [2.0, 4.0])


def test_grad_with_grad_outputs_and_several_outputs():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    (g,) = bp.grad(y, x, grad_outputs=np.array([1.0, -2.0]))
    np.testing.assert_allclose(g.data, [3.0, -6.0])
    (g,) = bp.grad([(x * x).sum(), x.sum()], [x])   # the outputs' gradients add up
    np.testing.assert_allclose(g.data, [3.0, 5.0])


def test_grad_of_several_outputs_where_one_feeds_the_other_agrees_with_torch():
    torch = pytest.importorskip("torch")
    x = bp.tensor([0.5, 1.0, -1.5], dtype=np.float64, requires_grad=True)
    y = x * x
    (g,) = bp.grad([y.sum(), y.exp().sum()], x)
    tx = torch.tensor([0.5, 1.0, -1.5], dtype=torch.float64, requires_grad=True)
    ty = tx * tx
    (tg,) = torch.autograd.grad([ty.sum(), ty.exp().sum()], tx)
    np.testing.assert_allclose(g.data, tg.numpy(), rtol=1e-14)


def test_bp_backward_of_several_tensors():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    bp.backward([(x * 2).sum(), x * 3], [None, np.array([1.0, -1.0])])
    np.testing.assert_array_equal(x.grad, [5.0, -1.0])
    bp.backward((x * x).sum())
    np.testing.assert_array_equal(x.grad, [7.0, 3.0])


def test_grad_inputs_must_require_grad():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="require"):
        bp.grad((x * 2).sum(), bp.tensor([1.0]))


def test_retain_graph_defaults_to_create_graph():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    f = (x * x).sum()
    bp.grad(f, x)
    with pytest.raises(RuntimeError, match="second time"):
        bp.grad(f, x)
    f = (x * x).sum()
    bp.grad(f, x, create_graph=True)
    (g,) = bp.grad(f, x)   # the graph was kept
    np.testing.assert_allclose(g.data, [2.0, 4.0])
    f = (x * x).sum()
    f.backward(create_graph=True)
    x.grad = None
    f.backward()           # same default on backward
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


def test_grad_agrees_with_torch_autograd_grad():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    xa, wa, ba = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)

    def f(lib, x, w, b):
        h = lib.tanh(x @ w + b)
        return (h * h).sum() + (lib.sigmoid(x) * x).mean()

    x, w, b = (bp.tensor(a, dtype=np.float64, requires_grad=True) for a in (xa, wa, ba))
    ours = bp.grad(f(bp, x, w, b), [x, w, b])
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (xa, wa, ba))
    theirs = torch.autograd.grad(f(torch, tx, tw, tb), [tx, tw, tb])
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.numpy(), rtol=1e-12, atol=1e-12)

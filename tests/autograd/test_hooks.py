"""Tensor hooks (register_hook, register_post_accumulate_grad_hook) against PyTorch's semantics."""
import sys

import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")


def _leaf(lib, values):
    if lib == "bp":
        return bp.tensor(values, dtype=np.float64, requires_grad=True)
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _as_list(t):
    return None if t is None else np.asarray(t.detach() if lib_is_torch(t) else t.data).tolist()


def lib_is_torch(t):
    return isinstance(t, torch.Tensor)


def _mlp_events(lib, with_grad_api=False):
    """A two-layer network with hooks on leaves and non-leaves; returns the ordered hook events."""
    log = []
    x = _leaf(lib, [[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    w1 = _leaf(lib, [[0.1, 0.2, -0.3], [0.4, -0.5, 0.6]])
    b1 = _leaf(lib, [0.01, -0.02])
    w2 = _leaf(lib, [[0.7, -0.8]])
    for name, t in (("x", x), ("w1", w1), ("b1", b1), ("w2", w2)):
        t.register_hook(lambda g, name=name: log.append(("pre", name, _as_list(g))))
        t.register_post_accumulate_grad_hook(lambda p, name=name: log.append(("post", name, _as_list(p.grad))))
    w1.register_hook(lambda g: g * 0.5)  # a second hook replaces the gradient
    z1 = x @ w1.T + b1
    z1.register_hook(lambda g: log.append(("pre", "z1", _as_list(g))))
    h = z1.tanh() if lib == "bp" else torch.tanh(z1)
    h.register_hook(lambda g: g + 1.0)
    y = (h @ w2.T).sum() + (x * x).sum()
    if with_grad_api:
        grads = (bp.grad if lib == "bp" else torch.autograd.grad)(y, [x, w1])
        log.append(("grad", [_as_list(g) for g in grads]))
    else:
        y.backward()
        log.append(("grads", [_as_list(t.grad) for t in (x, w1, b1, w2)]))
    return log


def _assert_same_events(ours, theirs):
    assert [e[:-1] for e in ours] == [e[:-1] for e in theirs]
    for a, b in zip(ours, theirs):
        values = a[-1] if a[0] in ("grad", "grads") else [a[-1]]
        expected = b[-1] if b[0] in ("grad", "grads") else [b[-1]]
        for u, v in zip(values, expected):
            np.testing.assert_allclose(np.array(u, dtype=float), np.array(v, dtype=float), rtol=1e-12)


def test_hooks_order_values_and_replacement_match_pytorch():
    _assert_same_events(_mlp_events("bp"), _mlp_events("torch"))


def test_grad_runs_tensor_hooks_of_inputs_but_no_post_accumulate_hooks_as_pytorch():
    ours, theirs = _mlp_events("bp", True), _mlp_events("torch", True)
    assert not any(e[0] == "post" for e in ours)
    _assert_same_events(ours, theirs)


def test_post_accumulate_hook_fires_as_soon_as_the_leaf_is_complete():
    # w2's gradient is complete after the last layer's backward, long before the first layer's.
    order = []
    x = bp.ones(4, 3)
    layers = [bp.nn.Linear(3, 3) for _ in range(3)]
    for i, layer in enumerate(layers):
        layer.weight.register_post_accumulate_grad_hook(lambda p, i=i: order.append(f"w{i}"))
        layer.bias.register_hook(lambda g, i=i: order.append(f"b{i} hook"))
    h = x
    for layer in layers:
        h = layer(h).tanh()
        h.register_hook(lambda g: order.append("activation"))
    with bp.autograd.graph.register_op_observer(on_backward=lambda node, g, gs: order.append(node.name())):
        h.sum().backward()
    linear = [i for i, e in enumerate(order) if e == "LinearBackward"]  # layers 2, 1, 0 in that order
    assert len(linear) == 3
    # each weight's hook fires right after its own layer's backward, before the next layer's
    assert linear[0] < order.index("w2") < linear[1] < order.index("w1") < linear[2] < order.index("w0")
    assert order.count("w0") == order.count("w1") == order.count("w2") == 1


def test_post_accumulate_hook_runs_once_per_pass_for_a_leaf_used_many_times():
    calls = []
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda p: calls.append(p.grad.clone()))
    (x * x + x * 3 + x.exp()).sum().backward()
    assert len(calls) == 1
    np.testing.assert_allclose(calls[0], 2 * x.data + 3 + np.exp(x.data))


@pytest.mark.parametrize("on_leaf", [True, False])
def test_hook_gets_a_tensor_recording_nothing_whose_memory_no_grad_reuses(on_leaf):
    # The hook may keep its Tensor, so .grad (added into in place later) must not share its memory.
    seen = []
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x + 0.0  # AddBackward passes its gradient array on unchanged
    (x if on_leaf else y).register_hook(lambda g: seen.append(g))
    (y * 2).sum().backward()
    g = seen[0]
    assert isinstance(g, bp.Tensor) and not g.requires_grad and g.grad_fn is None
    assert not np.shares_memory(g.data, x.grad.data)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(g, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])


def test_hook_may_return_an_array_and_must_keep_the_shape():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: np.array([10.0, 20.0]))
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [10.0, 20.0])
    y = bp.tensor([1.0, 2.0], requires_grad=True)
    y.register_hook(lambda g: np.zeros(3))
    with pytest.raises(RuntimeError, match=r"shape from \(2,\) to \(3,\)"):
        (y * 2).sum().backward()


def test_registration_errors_as_pytorch():
    c = bp.tensor([1.0])
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        c.register_hook(lambda g: None)
    x = bp.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda p: None)


def test_handles_remove_once_and_work_as_context_managers():
    calls = []
    x = bp.tensor([1.0], requires_grad=True)
    handle = x.register_hook(lambda g: calls.append(1))
    handle.remove()
    handle.remove()
    with x.register_hook(lambda g: calls.append(2)):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert calls == [2]


class HookError(Exception):
    pass


def failing_hook(g):
    raise HookError("boom")


def _failing_backward(lib):
    a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
    b.register_hook(failing_hook)
    loss = (b * b).sum() * (a * 2).sum()  # a's branch was recorded last, so it is visited first
    with pytest.raises(HookError) as info:
        loss.backward(retain_graph=True)
    return a, b, loss, info.value


def test_a_hook_error_keeps_its_type_names_the_hook_and_leaves_what_was_received():
    a, b, loss, error = _failing_backward("bp")
    ta, tb, _, _ = _failing_backward("torch")
    if sys.version_info >= (3, 11):
        assert any("failing_hook" in note for note in error.__notes__)
    assert b.grad is None and tb.grad is None
    np.testing.assert_allclose(a.grad, ta.grad.numpy())  # a's gradient arrived before the error, as in PyTorch
    first = a.grad.clone()
    b._accumulator.pre_hooks.clear()  # (test only) the hook is gone; the retained graph runs again
    loss.backward()
    np.testing.assert_allclose(a.grad, 2 * first)
    np.testing.assert_allclose(b.grad, 2 * b.data * 6.0)


def test_hooks_under_create_graph_see_graph_tensors_and_second_derivatives_follow_replacements():
    x = bp.tensor([1.5], dtype=np.float64, requires_grad=True)
    y = x ** 3
    y.register_hook(lambda g: g * 2)
    (g,) = bp.grad(y.sum(), x, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(g.data, 2 * 3 * x.data ** 2)
    (gg,) = bp.grad(g.sum(), x)
    np.testing.assert_allclose(gg.data, 2 * 6 * x.data)

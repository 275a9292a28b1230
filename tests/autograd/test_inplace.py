"""In-place modification and the version counter: what a pending backward needs must not change under it."""
import numpy as np
import pytest

import backprop as bp

_MODIFIED = "modified by an in-place operation"


@pytest.fixture
def x():
    return bp.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize("modify", [
    lambda y: y.__iadd__(1.0),
    lambda y: y.__imul__(2.0),
    lambda y: y.__isub__(bp.tensor([1.0, 1.0])),
    lambda y: y.__itruediv__(2.0),
    lambda y: y.__setitem__(0, 5.0),
    lambda y: y.copy_(bp.tensor([0.0, 0.0])),
    lambda y: y.zero_(),
    lambda y: y.fill_(3.0),
], ids=["+=", "*=", "-=", "/=", "setitem", "copy_", "zero_", "fill_"])
def test_modifying_a_saved_value_through_a_tensor_op_raises_at_backward(x, modify):
    y = x * 2
    z = y * y            # Mul saves y
    modify(y)
    with pytest.raises(RuntimeError, match=_MODIFIED) as err:
        z.sum().backward()
    message = str(err.value)
    assert "Mul" in message and "version 0" in message and "version 1" in message


def test_modifying_a_saved_output_raises(x):
    y = x.exp()          # Exp saves its own output
    y *= 3
    with pytest.raises(RuntimeError, match=_MODIFIED):
        y.sum().backward()


def test_modifying_a_detached_alias_counts_too(x):
    z = x * x
    d = x.detach()       # shares x's array and its version counter
    d += 1
    with pytest.raises(RuntimeError, match=_MODIFIED):
        z.sum().backward()


def test_raw_writes_to_data_go_unchecked(x):
    y = x * 2
    z = y * y
    y.data += 1          # as in PyTorch: .data bypasses the version counter
    z.sum().backward()
    np.testing.assert_allclose(x.grad, 2 * 2 * (2 * np.array([1.0, 2.0]) + 1))


def test_modifying_a_value_no_pending_backward_needs_is_fine(x):
    y = x * 2
    s = y.sum()          # Sum saves nothing of y
    y.zero_()
    s.backward()
    np.testing.assert_allclose(x.grad, [2.0, 2.0])


def test_in_place_on_a_leaf_that_requires_grad_raises(x):
    for modify in (lambda: x.__iadd__(1.0), lambda: x.__setitem__(0, 1.0), lambda: x.zero_(),
                   lambda: x.copy_(bp.tensor([0.0, 0.0])), lambda: x.fill_(1.0), lambda: x.mul_(2.0)):
        with pytest.raises(RuntimeError, match="leaf"):
            modify()
    np.testing.assert_array_equal(x.data, [1.0, 2.0])


def test_in_place_on_a_leaf_is_allowed_under_no_grad(x):
    with bp.no_grad():
        x -= 0.5
        x[1] = 7.0
    np.testing.assert_array_equal(x.data, [0.5, 7.0])
    assert x.is_leaf and x.requires_grad and x._vc[0] == 2


def test_update_under_no_grad_after_forward_is_caught_at_backward(x):
    z = (x * x).sum()
    with bp.no_grad():
        x -= 0.1         # an optimizer step between forward and backward
    with pytest.raises(RuntimeError, match=_MODIFIED):
        z.backward()


# -- in-place on non-leaves records the right gradient --------------------------------------------
def test_in_place_add_on_a_non_leaf(x):
    y = x * 2
    y += 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    np.testing.assert_array_equal(y.data, [3.0, 5.0])


def test_in_place_mul_and_div_by_a_tensor_that_requires_grad(x):
    torch = pytest.importorskip("torch")
    w = bp.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y *= w               # Mul saves y's old values: they must survive the in-place write
    y /= w * w
    y.sum().backward()
    tx, tw = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
    ty = tx * 2
    ty *= tw
    ty /= tw * tw
    ty.sum().backward()
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-6)


def test_in_place_mul_by_a_tensor_that_requires_grad_by_hand(x):
    w = bp.tensor([3.0, 4.0], requires_grad=True)
    y = x * 2
    y *= w
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [6.0, 8.0])
    np.testing.assert_allclose(w.grad, [2.0, 4.0])


def test_in_place_self_product_is_refused_as_in_pytorch(x):
    y = x * 1
    y *= y               # Mul saved y as its second factor, then y changed
    with pytest.raises(RuntimeError, match=_MODIFIED):
        y.sum().backward()


def test_in_place_into_a_constant_starts_recording():
    w = bp.tensor([1.0, 2.0], requires_grad=True)
    acc = bp.zeros(2)
    acc += w * w
    assert acc.requires_grad and acc.grad_fn is not None
    acc.sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])


@pytest.mark.parametrize("modify", [lambda y: y.zero_(), lambda y: y.fill_(3.0),
                                    lambda y: y.copy_(np.array([5.0, 6.0]))])
def test_overwriting_a_non_leaf_cuts_the_gradient_to_its_old_values(x, modify):
    # y = x * 2, then y overwritten: y no longer depends on x (PyTorch gives x.grad = 0)
    y = x * 2
    modify(y)
    (y * bp.tensor([1.0, 1.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_copy_sends_the_gradient_to_the_source(x):
    s = bp.tensor(5.0, requires_grad=True)
    y = x * 2
    y.copy_(s)           # broadcast into y's shape
    np.testing.assert_array_equal(y.data, [5.0, 5.0])
    (y * bp.tensor([1.0, 2.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    assert s.grad.item() == 3.0


def test_copy_into_a_plain_tensor_casts_to_its_dtype():
    t = bp.zeros(3)
    t.copy_(bp.tensor([1.0, 2.0, 3.0], dtype=np.float64))
    assert t.dtype == np.float32 and not t.requires_grad
    np.testing.assert_array_equal(t.data, [1.0, 2.0, 3.0])


def test_setitem_with_a_value_that_requires_grad_reaches_both(x):
    v = bp.tensor(3.0, requires_grad=True)
    y = x * 1
    y[1] = v * 2
    (y * bp.tensor([10.0, 100.0])).sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 6.0])
    np.testing.assert_array_equal(x.grad, [10.0, 0.0])   # x[1] was overwritten
    assert v.grad.item() == 200.0


def test_setitem_into_a_constant_records_the_value():
    v = bp.tensor([1.0, 2.0], requires_grad=True)
    buf = bp.zeros(4)
    buf[1:3] = v
    assert buf.requires_grad
    (buf * bp.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(v.grad, [2.0, 3.0])


def test_in_place_ops_bump_the_version_counter():
    t = bp.zeros(3)
    versions = [t._vc[0]]
    for modify in (lambda: t.__iadd__(1.0), lambda: t.__setitem__(0, 2.0), lambda: t.zero_(),
                   lambda: t.fill_(4.0), lambda: t.copy_(np.ones(3))):
        modify()
        versions.append(t._vc[0])
    assert versions == [0, 1, 2, 3, 4, 5]
    t.data[0] = 9.0  # a raw write does not
    assert t._vc[0] == 5


# -- views (reshape, transpose, basic slicing share memory with their base) --------------------------
_VIEWS = {
    "slice": lambda t: t[1:3],
    "reshape": lambda t: t.reshape(2, 2),
    "transpose": lambda t: t.reshape(2, 2).T,
    "unsqueeze": lambda t: t.unsqueeze(0),
    "flatten": lambda t: t.reshape(2, 2).flatten(),
}


@pytest.mark.parametrize("view", _VIEWS.values(), ids=_VIEWS.keys())
def test_a_view_shares_its_bases_memory_and_version_counter(view):
    base = bp.tensor([1.0, 2.0, 3.0, 4.0])
    v = view(base)
    assert np.shares_memory(v.data, base.data) and v._vc is base._vc
    v += 1.0
    assert base._vc[0] == 1 and base.data.sum() > 10.0


@pytest.mark.parametrize("view", _VIEWS.values(), ids=_VIEWS.keys())
def test_in_place_on_a_view_of_a_leaf_that_requires_grad_raises(view):
    # Regression: y = x.reshape(2, 2); y += 1 silently changed the leaf x (PyTorch refuses).
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = view(x)
    with pytest.raises(RuntimeError, match="view.*leaf"):
        v += 1.0
    with bp.no_grad():
        w = view(x)
    with pytest.raises(RuntimeError, match="view.*leaf"):
        w += 1.0           # made under no_grad, modified with grad on: still refused
    np.testing.assert_array_equal(x.data, [1.0, 2.0, 3.0, 4.0])
    with bp.no_grad():
        view(x).__iadd__(1.0)
    assert x.data.sum() == 10.0 + v.data.size   # allowed under no_grad, and it writes through


def test_writing_through_a_view_into_a_saved_value_is_caught():
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    h = x * 2
    z = (h * h).sum()    # Mul saves h
    with bp.no_grad():
        h.reshape(2, 2)[0] += 1.0
    with pytest.raises(RuntimeError, match=_MODIFIED):
        z.backward()


@pytest.mark.parametrize("op", [lambda t: t.exp(), lambda t: t.sigmoid(), lambda t: t.tanh()])
def test_writing_through_a_view_into_a_saved_output_is_caught(op):
    # Regression: y = x.exp().reshape(4); y += 1 backpropagated exp(x) + 1, silently.
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = op(x).reshape(2, 2)   # the op's output tensor is gone; only its memory lives on in y
    y += 1.0
    with pytest.raises(RuntimeError, match=_MODIFIED):
        y.sum().backward()


def test_in_place_on_a_view_of_a_temporary_is_recorded():
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = (x * 2).reshape(2, 2)    # the base x * 2 is not kept: nothing else can see the change
    y += 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0, 2.0])
    np.testing.assert_array_equal(y.data, [[3.0, 5.0], [7.0, 9.0]])


def test_recording_in_place_on_a_view_of_a_live_tensor_raises():
    x = bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    h = x * 2
    y = h.reshape(2, 2)
    with pytest.raises(RuntimeError, match=r"view of another tensor of shape \(4,\).*out of place"):
        y *= 3.0         # h would change without the ×3 in its graph
    buf = bp.zeros(4)
    with pytest.raises(RuntimeError, match="view of another tensor"):
        buf[1:3] += x[:2]
    out = buf[1:3] + x[:2]   # the out-of-place spelling works
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 0.0, 0.0])


def test_in_place_without_gradients_on_a_view_of_a_constant_writes_through():
    buf = bp.zeros(4)
    row = buf.reshape(2, 2)[1]
    row += 5.0
    np.testing.assert_array_equal(buf.data, [0.0, 0.0, 5.0, 5.0])


def test_detach_shares_memory_and_may_be_modified():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    d += 1.0             # the documented way to change a leaf's values (as in PyTorch)
    np.testing.assert_array_equal(x.data, [2.0, 3.0])


def test_an_op_that_returns_a_view_and_saves_it_after_earlier_in_place_changes():
    # The output shares its input's version counter, which was already past 0 when the op ran.
    class ViewOfInput(bp.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.in_shape = x.shape
            y = x.reshape(-1)
            ctx.save(y=y)
            return y

        @staticmethod
        def backward(ctx, dy):
            return (dy * (ctx.y * 0 + 1)).reshape(ctx.in_shape)

    x = bp.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    a = x * 1
    a += 1
    ViewOfInput.apply(a).sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 2)))


def test_clamp_in_place_limits_the_values_and_the_gradient_as_clamp():
    x = bp.tensor([-2.0, 0.5, 3.0])
    assert x.clamp_(-1.0, 1.0) is x and x.tolist() == [-1.0, 0.5, 1.0] and x._version == 1
    a = bp.tensor([-1.0, 0.2, 0.4], requires_grad=True)
    b = a * 2
    b.clamp_(max=0.5)  # a non-leaf: recorded, so the gradient is clamp's
    b.sum().backward()
    assert np.array_equal(b.detach().numpy(), np.float32([-2.0, 0.4, 0.5]))
    assert a.grad.tolist() == [2.0, 2.0, 0.0]
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        a.clip_(0.0, 1.0)

"""Tensor: its attributes, how it is created, its dtype rules and its interplay with NumPy."""
import numpy as np
import pytest

import backprop as bp


# -- .data and .grad --------------------------------------------------------------------------------
def test_data_is_the_tensors_own_writable_array():
    p = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert isinstance(p.data, np.ndarray)
    assert p.data.flags.writeable
    p.data[...] = np.array([4.0, 5.0, 6.0])
    np.testing.assert_array_equal(p.detach().numpy(), [4.0, 5.0, 6.0])
    # the values an op reads are the written ones: the array is shared, not a copy
    np.testing.assert_array_equal((p * 2).data, [8.0, 10.0, 12.0])
    assert p.data is p.data


def test_grad_is_none_before_backward_and_a_tensor_of_the_shape_after():
    w = bp.randn(3, 4, requires_grad=True)
    assert w.grad is None
    (w * w).sum().backward()
    assert type(w.grad) is bp.Tensor and not w.grad.requires_grad and type(w.grad.data) is np.ndarray
    assert w.grad.shape == (3, 4) and w.grad.dtype == w.dtype
    np.testing.assert_allclose(w.grad, 2 * w.data, rtol=1e-6)


@pytest.mark.parametrize("build", [lambda x: x * x, lambda x: x ** 2 + x, lambda x: x.exp() * x])
def test_grad_of_a_0d_tensor_holds_a_0d_array_not_a_numpy_scalar(build):
    # Regression: gradients summed over two paths of 0-d arrays came back as np.float32 scalars.
    x = bp.tensor(2.0, requires_grad=True)
    build(x).backward()
    assert type(x.grad.data) is np.ndarray and x.grad.shape == ()
    x.grad.data[...] = 0  # writable in place, as an optimizer expects
    assert x.grad.item() == 0


def test_array_attributes():
    t = bp.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.shape == (2, 3) and t.ndim == 2 and t.dtype == np.float32
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.T.data, t.data.T)
    assert bp.zeros(2, 3, 4).T.shape == (4, 3, 2)  # all axes reversed, like NumPy's .T
    assert len(t) == 2
    assert bp.tensor([[3.5]]).item() == 3.5 and isinstance(bp.tensor([[3.5]]).item(), float)
    assert isinstance(bp.tensor(7).item(), int)
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        t.item()


def test_numpy_shares_memory_and_refuses_a_tensor_that_requires_grad():
    t = bp.tensor([1.0, 2.0])
    a = t.numpy()
    a[0] = 10.0
    assert t.data[0] == 10.0
    p = bp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        p.numpy()
    assert np.shares_memory(p.detach().numpy(), p.data)


def test_detach_shares_values_and_leaves_the_graph():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.data, y.data)
    z = (d * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, [3.0, 6.0])  # d is a constant: no path through it


def test_requires_grad_():
    t = bp.tensor([1.0, 2.0])
    assert not t.requires_grad
    assert t.requires_grad_() is t and t.requires_grad
    assert t.requires_grad_(False) is t and not t.requires_grad
    with pytest.raises(RuntimeError, match="int64"):
        bp.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        (bp.tensor([1.0], requires_grad=True) * 2).requires_grad_(False)


def test_repr_shows_values_dtype_and_graph():
    assert repr(bp.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(bp.tensor([1.0, 2.0], requires_grad=True)) == "tensor([1., 2.], requires_grad=True)"
    assert repr(bp.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(bp.tensor(1.5, dtype=np.float64)) == "tensor(1.5, dtype=float64)"
    x = bp.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward>)"


# -- creation and dtypes ---------------------------------------------------------------------------
def test_tensor_copies_its_input():
    a = np.array([1.0, 2.0], dtype=np.float32)
    t = bp.tensor(a)
    a[0] = 99.0
    assert t.data[0] == 1.0 and not np.shares_memory(t.data, a)
    t.data[1] = 5.0
    assert a[1] == 2.0


def test_tensor_of_a_read_only_array_is_writable():
    a = np.zeros(3)
    a.flags.writeable = False
    assert bp.tensor(a).data.flags.writeable


@pytest.mark.parametrize("data, expected", [
    (1.5, np.float32),
    ([1.0, 2.0], np.float32),
    (np.array([1.0, 2.0]), np.float64),                    # a NumPy array keeps its float dtype, as torch
    (np.array([1.0], dtype=np.float16), np.float16),
    (np.float64(1.0), np.float64),                          # so does a NumPy scalar
    (np.array([1.0], dtype=np.longdouble), np.float32),     # other float dtypes take the default
    (np.array([1, 2]), np.int64),                           # integer data keeps its dtype, as torch.tensor
    ([1, 2], np.int64),
    (np.array([1, 2], dtype=np.int32), np.int32),
    (np.array([1, 2], dtype=np.uint8), np.uint8),
    ([True, False], np.bool_),
])
def test_tensor_dtype_rules(data, expected):
    assert bp.tensor(data).dtype == expected


def test_explicit_dtype_wins():
    assert bp.tensor([1, 2], dtype=np.float64).dtype == np.float64
    assert bp.tensor([1.7, 2.2], dtype=np.int64).data.tolist() == [1, 2]


def test_integer_targets_stay_integer_under_a_float64_default(float64_default):
    assert bp.tensor(np.array([0, 2, 1])).dtype == np.int64
    assert bp.tensor([0.5]).dtype == np.float64


def test_from_numpy_shares_memory_and_keeps_dtype():
    for dtype in (np.float64, np.float32, np.int16, np.int64, np.bool_):
        a = np.zeros(3, dtype=dtype)
        t = bp.from_numpy(a)
        assert t.dtype == dtype and np.shares_memory(t.data, a)
    a = np.array([1.0, 2.0])
    t = bp.from_numpy(a)
    a[0] = 7.0
    t.data[1] = 8.0
    assert t.data[0] == 7.0 and a[1] == 8.0
    with pytest.raises(TypeError, match="NumPy array"):
        bp.from_numpy([1.0, 2.0])


@pytest.mark.parametrize("bad", [
    np.array([1, "a"], dtype=object),
    np.array([1.0, 2.0], dtype=object),
    "abc",
    ["a", "b"],
    None,
    {"a": 1},
    [[1, 2], [3]],  # ragged
])
def test_non_numeric_data_raises_type_error(bad):
    with pytest.raises(TypeError, match="cannot make a tensor"):
        bp.tensor(bad)


def test_from_numpy_of_an_object_array_raises():
    with pytest.raises(TypeError, match="object"):
        bp.from_numpy(np.array([None, 1]))


def test_non_numeric_message_names_the_dtype():
    with pytest.raises(TypeError, match="object"):
        bp.tensor(np.array([1, "a"], dtype=object))


def test_default_dtype_is_a_numpy_dtype_and_round_trips():
    d = bp.get_default_dtype()
    assert isinstance(d, np.dtype) and d == np.float32
    bp.set_default_dtype(bp.get_default_dtype())
    assert bp.get_default_dtype() == d
    bp.set_default_dtype("float64")
    assert bp.get_default_dtype() == np.dtype(np.float64)
    bp.set_default_dtype(d)
    assert bp.get_default_dtype() == np.float32


def test_default_dtype_must_be_floating():
    with pytest.raises(TypeError, match="int32"):
        bp.set_default_dtype(np.int32)
    assert bp.get_default_dtype() == np.float32


def test_float64_default_reaches_every_factory(float64_default):
    made = [bp.tensor([1.0]), bp.tensor(1.0), bp.zeros(2), bp.ones(2), bp.full((2,), 1.5),
            bp.eye(2), bp.arange(0.0, 1.0, 0.5), bp.rand(2), bp.randn(2),
            bp.zeros_like(np.zeros(2, np.int64))]
    assert all(t.dtype == np.float64 for t in made)
    assert bp.zeros(2, dtype=np.float32).dtype == np.float32  # an explicit dtype still wins


# -- factories ---------------------------------------------------------------------------------------
def test_zeros_ones_full_eye():
    np.testing.assert_array_equal(bp.zeros(2, 3).data, np.zeros((2, 3)))
    assert bp.zeros((2, 3)).shape == (2, 3) and bp.zeros([4]).shape == (4,)
    np.testing.assert_array_equal(bp.ones(3).data, np.ones(3))
    np.testing.assert_array_equal(bp.full((2, 2), 3.5).data, np.full((2, 2), 3.5))
    np.testing.assert_array_equal(bp.eye(3).data, np.eye(3))
    np.testing.assert_array_equal(bp.eye(2, 3).data, np.eye(2, 3))
    for t in (bp.zeros(2), bp.ones(2), bp.full((2,), 1.0), bp.eye(2)):
        assert t.dtype == np.float32 and not t.requires_grad
    assert bp.zeros(2, dtype=np.int64).dtype == np.int64
    w = bp.ones(3, requires_grad=True)
    assert w.requires_grad and w.is_leaf


def test_arange():
    i = bp.arange(5)
    assert i.dtype == np.int64 and i.data.tolist() == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(bp.arange(2, 8, 2).data, [2, 4, 6])
    f = bp.arange(1, 2, 0.25)
    assert f.dtype == np.float32
    np.testing.assert_allclose(f.data, [1.0, 1.25, 1.5, 1.75])
    assert bp.arange(3, dtype=np.float64).dtype == np.float64


def test_like_factories_take_shape_and_float_dtype():
    ref = bp.zeros(2, 3, dtype=np.float64)
    for like in (bp.zeros_like, bp.ones_like, bp.rand_like, bp.randn_like):
        t = like(ref)
        assert t.shape == (2, 3) and t.dtype == np.float64
    np.testing.assert_array_equal(bp.ones_like(ref).data, np.ones((2, 3)))
    np.testing.assert_array_equal(bp.full_like(ref, 2.5).data, np.full((2, 3), 2.5))
    assert bp.zeros_like(np.zeros((4,), np.float32)).shape == (4,)  # ndarray input works too
    assert bp.ones_like(ref, requires_grad=True).requires_grad


def test_rand_and_randn_distributions():
    bp.manual_seed(0)
    u = bp.rand(20000)
    assert u.dtype == np.float32 and u.data.min() >= 0 and u.data.max() < 1
    assert abs(u.data.mean() - 0.5) < 0.01
    n = bp.randn(20000)
    assert abs(n.data.mean()) < 0.03 and abs(n.data.std() - 1) < 0.03
    assert bp.rand(2, 3).shape == (2, 3) and bp.randn((4, 1)).shape == (4, 1)


def test_manual_seed_makes_random_draws_reproducible():
    bp.manual_seed(123)
    first = [bp.rand(5).data, bp.randn(2, 3).data, bp.rand_like(bp.zeros(4)).data]
    bp.manual_seed(123)
    second = [bp.rand(5).data, bp.randn(2, 3).data, bp.rand_like(bp.zeros(4)).data]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    bp.manual_seed(124)
    assert not np.array_equal(bp.rand(5).data, first[0])


# -- NumPy interplay -------------------------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda a, t: a + t, lambda a, t: a - t, lambda a, t: a * t, lambda a, t: a / t,
    lambda a, t: a ** t, lambda a, t: a @ t, lambda a, t: a @ t.reshape(3, 1),
])
def test_ndarray_on_the_left_gives_a_tensor_and_a_gradient(op):
    a = np.array([1.5, 2.0, 3.0], dtype=np.float32)
    t = bp.tensor([1.0, 2.0, 0.5], requires_grad=True)
    out = op(a, t)
    assert isinstance(out, bp.Tensor) and out.requires_grad
    np.testing.assert_allclose(out.data, op(a, t.data), rtol=1e-6)
    out.sum().backward()
    assert t.grad.shape == (3,)


def test_numbers_and_numpy_scalars_act_as_constants():
    t = bp.tensor([1.0, 2.0], requires_grad=True)
    for out in (2 - t, 1 / t, 2 ** t, np.float32(2) * t, np.float64(1) + t):
        assert isinstance(out, bp.Tensor) and out.requires_grad
    cmp = np.array([0.0, 5.0]) < t
    assert isinstance(cmp, bp.Tensor) and cmp.dtype == np.bool_ and not cmp.requires_grad
    assert cmp.data.tolist() == [True, False]


# -- methods mirror the functions --------------------------------------------------------------------
_X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])


@pytest.mark.parametrize("method, function", [
    (lambda t: t.exp(), bp.exp),
    (lambda t: t.abs().log(), lambda t: bp.log(bp.abs(t))),
    (lambda t: t.abs().sqrt(), lambda t: bp.sqrt(bp.abs(t))),
    (lambda t: t.abs(), bp.abs),
    (lambda t: t.sigmoid(), bp.sigmoid),
    (lambda t: t.tanh(), bp.tanh),
    (lambda t: t.relu(), bp.relu),
    (lambda t: t.softplus(), bp.softplus),
    (lambda t: t.logsigmoid(), bp.logsigmoid),
    (lambda t: t.clip(-0.5, 1.0), lambda t: bp.clip(t, -0.5, 1.0)),
    (lambda t: t.clip(None, 1.0), lambda t: bp.clip(t, None, 1.0)),
    (lambda t: t.clip(0.0, None), lambda t: bp.clip(t, 0.0, None)),
    (lambda t: t.softmax(), bp.softmax),
    (lambda t: t.softmax(0, temperature=2.0), lambda t: bp.softmax(t, 0, temperature=2.0)),
    (lambda t: t.log_softmax(dim=0), lambda t: bp.log_softmax(t, axis=0)),
    (lambda t: t.logsumexp(1), lambda t: bp.logsumexp(t, 1)),
    (lambda t: t.sum(), bp.sum),
    (lambda t: t.sum(dim=1, keepdim=True), lambda t: bp.sum(t, axis=1, keepdims=True)),
    (lambda t: t.mean(0), lambda t: bp.mean(t, 0)),
    (lambda t: t.max(1).values, lambda t: bp.max(t, 1).values),
    (lambda t: t.amax(1), lambda t: bp.amax(t, 1)),
    (lambda t: t.min(), bp.min),
    (lambda t: t.var(1, correction=0), lambda t: bp.var(t, 1, correction=0)),
    (lambda t: t.reshape(3, 2), lambda t: bp.reshape(t, (3, 2))),
    (lambda t: t.transpose(0, 1), lambda t: bp.transpose(t, 0, 1)),
    (lambda t: t.permute(1, 0), lambda t: bp.permute(t, 1, 0)),
    (lambda t: t.unsqueeze(0), lambda t: bp.unsqueeze(t, 0)),
    (lambda t: t.flatten(), bp.flatten),
    (lambda t: t.maximum(bp.tensor(0.3)), lambda t: bp.maximum(t, bp.tensor(0.3))),
    (lambda t: t.matmul(bp.tensor(_X.T)), lambda t: bp.matmul(t, bp.tensor(_X.T))),
    (lambda t: t.pow(3), lambda t: bp.pow(t, 3)),
])
def test_methods_mirror_functions(method, function):
    t = bp.tensor(_X)
    a, b = method(t), function(t)
    assert a.shape == b.shape
    np.testing.assert_allclose(a.data, b.data, rtol=1e-6)


def test_transpose_swaps_two_axes_of_an_nd_tensor():
    t = bp.tensor(np.arange(24.0).reshape(2, 3, 4))
    np.testing.assert_array_equal(t.transpose(0, 2).data, np.swapaxes(t.data, 0, 2))
    np.testing.assert_array_equal(t.transpose(-1, -2).data, np.swapaxes(t.data, -1, -2))


def test_np_array_copies_and_np_asarray_shares():
    t = bp.tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 99.0
    assert t.data[0] == 1.0   # regression: NumPy 2 trusts __array__ to honour copy=True
    assert np.asarray(t) is t.data
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    np.testing.assert_array_equal(np.array(t, dtype=np.int64), [1, 2])


@pytest.mark.parametrize("make", [
    lambda: bp.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True),
    lambda: bp.tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, 2),   # a view: it refers to its base weakly
    lambda: bp.tensor([1, 2, 3, 4])[1:3],
])
def test_copy_and_pickle_give_an_independent_tensor(make):
    import copy
    import pickle

    t = make()
    for c in (copy.deepcopy(t), pickle.loads(pickle.dumps(t))):
        assert type(c) is bp.Tensor and c.dtype == t.dtype and c.requires_grad == t.requires_grad
        np.testing.assert_array_equal(c.data, t.data)
        assert not np.shares_memory(c.data, t.data) and c._vc is not t._vc
        if not c.requires_grad:
            c += 1    # a copy is nobody's view: in-place is fine
            assert not np.array_equal(c.data, t.data)


def test_dtype_conversions_are_differentiable():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype == np.float64 and y.requires_grad
    assert x.to(np.float64).dtype == np.float64 and x.astype("float64").dtype == np.float64
    assert x.float() is x   # already float32: no new op
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_size_is_torchs_method_and_numel_counts_elements():
    x = bp.zeros((2, 3, 4))
    assert x.size() == (2, 3, 4) == x.shape
    assert (x.size(0), x.size(-1), x.size(dim=1)) == (2, 4, 3)
    assert x.numel() == 24
    with pytest.raises(IndexError, match=r"range of \[-3, 2\], but got 3"):
        x.size(3)

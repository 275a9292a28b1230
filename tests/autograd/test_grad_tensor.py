"""``.grad`` is a Tensor sharing the engine's array, and floating dtypes behave as PyTorch's (issue 14)."""
import numpy as np
import pytest

import backprop as bp


def _leaf(values=(1.0, -2.0, 3.0)):
    return bp.tensor(np.array(values), requires_grad=True)


def test_grad_tensor_operations_as_pytorch_users_write_them():
    torch = pytest.importorskip("torch")
    ours, theirs = _leaf(), torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (ours ** 3).sum().backward()
    (theirs ** 3).sum().backward()
    assert ours.grad.norm().item() == pytest.approx(theirs.grad.norm().item(), rel=1e-15)
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())
    assert ours.grad.size() == tuple(theirs.grad.size()) and ours.grad.size(0) == theirs.grad.size(0)
    assert ours.grad.zero_() is ours.grad and not ours.grad.numpy().any()
    ours.grad = None
    assert ours.grad is None


def test_backward_accumulates_in_place_into_the_grad_a_caller_holds():
    torch = pytest.importorskip("torch")
    ours, theirs = _leaf(), torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64, requires_grad=True)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    g, tg = ours.grad, theirs.grad
    array = g.data
    (ours * 3).sum().backward()
    (theirs * 3).sum().backward()
    assert ours.grad is g and ours.grad.data is array  # the same Tensor and array, updated
    np.testing.assert_array_equal(g.numpy(), tg.numpy())
    np.testing.assert_array_equal(g.numpy(), 2 * ours.data + 3)


def test_zero_grad_keeps_the_arrays_and_backward_refills_them():
    model = bp.nn.Linear(3, 2)
    opt = bp.optim.SGD(model.parameters(), lr=0.1)
    model(bp.ones(4, 3)).sum().backward()
    held = {name: p.grad for name, p in model.named_parameters()}
    model.zero_grad(set_to_none=False)
    assert all(not g.numpy().any() for g in held.values())
    model(bp.ones(4, 3)).sum().backward()
    assert all(p.grad is held[name] and p.grad.numpy().any() for name, p in model.named_parameters())
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_assigning_grad_wraps_arrays_and_checks_shape_and_dtype():
    p = _leaf()
    array = np.zeros(3)
    p.grad = array
    assert type(p.grad) is bp.Tensor and np.shares_memory(p.grad.data, array)
    (p * 2).sum().backward()  # accumulates into the assigned array, as into PyTorch's assigned tensor
    np.testing.assert_array_equal(array, [2.0, 2.0, 2.0])
    t = bp.ones(3, dtype=bp.float64)
    p.grad = t
    assert p.grad is t
    with pytest.raises(RuntimeError, match=r"assigned grad has shape \(2,\), but the tensor has shape \(3,\)"):
        p.grad = np.zeros(2)
    with pytest.raises(RuntimeError, match="assigned grad has dtype float32, but the tensor has dtype float64"):
        p.grad = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="not list"):
        p.grad = [0.0, 0.0, 0.0]


def test_the_engine_never_keeps_memory_the_caller_holds():
    p = _leaf()
    seed = np.ones(3)
    (p + 0.0).backward(seed)
    (p + 0.0).backward(seed)
    np.testing.assert_array_equal(seed, [1.0, 1.0, 1.0])  # the caller's gradient is never written into
    kept = []
    q = _leaf()
    y = q + 0.0
    y.register_hook(kept.append)  # the hook keeps the Tensor it is given
    y.sum().backward()
    (q * 1.0).sum().backward()
    assert not np.shares_memory(kept[0].data, q.grad.data)
    np.testing.assert_array_equal(kept[0].numpy(), [1.0, 1.0, 1.0])


def test_optimizers_and_clipping_use_grad_tensors():
    model = bp.nn.Linear(3, 2)
    opt = bp.optim.Adam(model.parameters(), lr=0.1)
    before = model.weight.data.copy()
    model(bp.ones(4, 3)).sum().backward()
    total = bp.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    assert total.item() > 0.5
    norm = np.sqrt(sum((p.grad.numpy() ** 2).sum() for p in model.parameters()))
    assert norm == pytest.approx(0.5, rel=1e-5)
    opt.step()
    assert not np.array_equal(before, model.weight.data)


# -- dtypes -------------------------------------------------------------------------------------------
def test_tensor_keeps_a_numpy_arrays_float_dtype_and_python_floats_take_the_default():
    torch = pytest.importorskip("torch")
    for data in (np.array([1.0]), np.array([1.0], np.float32), np.array([1.0], np.float16), np.float64(2.0)):
        assert str(bp.tensor(data).dtype) == str(torch.tensor(data).dtype).replace("torch.", "")
    assert bp.tensor([1.0, 2.0]).dtype == bp.float32 and bp.tensor(1.5).dtype == bp.float32
    array = np.array([1.0, 2.0])
    shared = bp.from_numpy(array)
    shared.data[0] = 5.0
    assert array[0] == 5.0 and shared.dtype == bp.float64


@pytest.mark.parametrize("call", [
    lambda x: bp.nn.Linear(3, 2)(x),
    lambda x: bp.nn.functional.linear(x, bp.ones(2, 3)),
    lambda x: x @ bp.ones(3, 2),
    lambda x: bp.nn.functional.conv2d(x.reshape(1, 1, 1, 3), bp.ones(1, 1, 1, 2)),
])
def test_products_refuse_mixed_floating_dtypes_naming_both_and_the_fix(call):
    x = bp.ones(1, 3, dtype=bp.float64)
    message = r"float64 but the \w+ (operand )?is float32.*x\.float\(\).*model\.double\(\)"
    with pytest.raises(RuntimeError, match=message):
        call(x)
    assert call(x.float()).dtype == bp.float32


def test_elementwise_ops_promote_as_pytorch():
    assert (bp.ones(2, dtype=bp.float32) + bp.ones(2, dtype=bp.float64)).dtype == bp.float64


def test_a_module_converts_an_ndarray_to_its_dtype_and_refuses_a_list():
    model = bp.nn.Linear(3, 1)
    assert model(np.ones((2, 3))).dtype == bp.float32
    assert model.double()(np.ones((2, 3), np.float32)).dtype == bp.float64
    with pytest.raises(TypeError, match=r"Python list; wrap it with bp\.tensor"):
        model([[1.0, 2.0, 3.0]])


def test_fit_batches_an_array_pair_in_the_models_dtype():
    model = bp.nn.Linear(2, 1).double()
    X, y = np.ones((8, 2), np.float32), np.ones((8, 1), np.float32)
    history = bp.train.fit(model, bp.nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=1,
                           verbose=False)
    assert len(history.history["loss"]) == 1 and model.weight.dtype == bp.float64

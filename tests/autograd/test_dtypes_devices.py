"""PyTorch's dtype names, devices and the conversions, written as PyTorch users write them."""
import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")

NAMES = ["float16", "float32", "float64", "half", "double", "int32", "int64", "long", "bool"]


@pytest.mark.parametrize("name", NAMES)
def test_dtype_names_are_numpys_dtypes_with_pytorchs_meaning(name):
    ours, theirs = getattr(bp, name), getattr(torch, name)
    assert isinstance(ours, np.dtype)
    assert np.dtype(ours).itemsize == theirs.itemsize
    assert (ours.kind == "f") == theirs.is_floating_point


@pytest.mark.parametrize("method", ["float", "double", "half", "long", "int", "bool"])
def test_conversion_methods_and_type_names_match_pytorch(method):
    values = [[1.5, -2.0], [0.0, 3.25]]
    ours = getattr(bp.tensor(values, dtype=np.float64), method)()
    theirs = getattr(torch.tensor(values, dtype=torch.float64), method)()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.type() == theirs.type().replace("torch.", "backprop.")


def test_type_with_a_dtype_casts():
    x = bp.tensor([1.7, -2.2])
    assert x.type(bp.int64).dtype == np.int64 and x.type() == "backprop.FloatTensor"


def test_a_cast_is_differentiable_and_an_integer_cast_records_nothing():
    x = bp.tensor([1.5, -2.0], requires_grad=True)
    y = x.to(bp.float64) * 3
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    assert x.grad.dtype == np.float32
    assert not x.long().requires_grad and x.long().grad_fn is None


def test_to_accepts_pytorchs_forms():
    x = bp.tensor([1.0, 2.0])
    other = bp.tensor([1.0], dtype=np.float64)
    assert x.to("cpu") is x and x.to(bp.device("cpu")) is x and x.cpu() is x
    assert x.to(other).dtype == np.float64
    assert x.to("cpu", bp.float64).dtype == np.float64
    assert x.to(device="cpu", dtype=bp.float64).dtype == np.float64
    copy = x.to(bp.float32, copy=True)
    assert copy is not x and not np.shares_memory(copy.data, x.data)
    assert x.device == bp.device("cpu") and str(x.device) == "cpu" and x.device.type == "cpu"


def test_device_objects_behave_as_pytorchs():
    d = bp.device("cpu")
    assert (d.type, str(d), repr(d)) == ("cpu", "cpu", "device(type='cpu')")
    assert bp.device("cuda:1").index == 1 and str(bp.device("cuda:1")) == "cuda:1"
    assert bp.device(d) == d and len({d, bp.device("cpu")}) == 1
    with pytest.raises(RuntimeError, match="device type"):
        bp.device("gpu")


def test_the_gpu_is_refused_clearly_everywhere():
    x, model = bp.tensor([1.0]), bp.nn.Linear(2, 1)
    for move in (lambda: x.to("cuda"), lambda: x.cuda(), lambda: model.to("cuda"), lambda: model.cuda(),
                 lambda: x.to(bp.device("cuda:0")), lambda: bp.as_tensor([1.0], device="cuda")):
        with pytest.raises(RuntimeError, match="backprop runs on the CPU; no GPU backend is installed"):
            move()
    assert bp.cuda.is_available() is False and bp.cuda.device_count() == 0
    device = bp.device("cuda" if bp.cuda.is_available() else "cpu")
    assert model.to(device) is model and x.to(device) is x


def test_module_to_takes_devices_dtypes_and_tensors():
    model = bp.nn.Linear(2, 1)
    assert model.to(bp.device("cpu")) is model and model.cpu() is model
    model.to(bp.tensor([1.0], dtype=np.float64))
    assert model.weight.dtype == np.float64
    model.to(device="cpu", dtype=bp.float32)
    assert model.weight.dtype == np.float32


def test_factories_as_pytorchs():
    bp.manual_seed(0)
    assert bp.randint(10, (3, 4)).dtype == np.int64 and bp.randint(10, (3, 4)).shape == (3, 4)
    r = bp.randint(2, 5, size=(1000,))
    assert r.data.min() >= 2 and r.data.max() <= 4
    assert sorted(bp.randperm(6).tolist()) == list(range(6)) and bp.randperm(6).dtype == np.int64
    np.testing.assert_allclose(bp.linspace(0, 1, steps=5).numpy(), torch.linspace(0, 1, steps=5).numpy())
    assert bp.empty(2, 3).shape == (2, 3) and bp.empty_like(bp.zeros(4, dtype=bp.float64)).dtype == np.float64
    a = np.arange(3.0)
    assert np.shares_memory(bp.as_tensor(a).data, a) and bp.as_tensor([1.0, 2.0]).dtype == bp.get_default_dtype()
    assert bp.is_tensor(bp.zeros(1)) and not bp.is_tensor(a)


def test_tensor_shape_helpers_as_pytorchs():
    x = bp.tensor([[1.0, 2.0, 3.0]])
    tx = torch.tensor([[1.0, 2.0, 3.0]])
    assert x.expand(4, -1).shape == tuple(tx.expand(4, -1).shape)
    assert x.expand((2, 1, 3)).shape == tuple(tx.expand((2, 1, 3)).shape)
    assert x.t().shape == tuple(tx.t().shape) and x.contiguous() is x
    assert x.view_as(bp.zeros(3, 1)).shape == (3, 1) and x.reshape_as(bp.zeros(3)).shape == (3,)
    assert x.expand_as(bp.zeros(2, 3)).shape == (2, 3)
    assert x.new_zeros(2).dtype == x.dtype and x.new_ones((2, 2)).shape == (2, 2)
    assert x.new_tensor([1, 2]).dtype == x.dtype
    with pytest.raises(RuntimeError, match="<= 2 dimensions"):
        bp.zeros(1, 2, 3).t()

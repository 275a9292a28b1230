import numpy as np
import pytest

import backprop as bp
from backprop.data import Dataset, TensorDataset


def test_tensor_dataset_keeps_the_arrays_it_is_given(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    mm = np.memmap(tmp_path / "y.dat", dtype=np.int64, mode="w+", shape=(6,))
    ds = TensorDataset(X, mm)
    assert ds.arrays[0] is X and ds.arrays[1] is mm
    assert isinstance(ds.arrays[1], np.memmap)
    assert len(ds) == 6


def test_tensor_dataset_converts_lists_and_shares_tensors():
    t = bp.tensor([[1.0, 2.0], [3.0, 4.0]])
    ds = TensorDataset(t, [0, 1])
    assert ds.tensors[0] is t and ds.arrays is ds.tensors  # the tuple given, as PyTorch's .tensors
    assert isinstance(ds.tensors[1], np.ndarray) and ds.tensors[1].tolist() == [0, 1]
    t.data[0, 0] = 9.0  # shared, not copied
    assert ds[0][0].tolist() == [9.0, 2.0]


def test_getitem_returns_tensors_float_in_default_dtype_and_integers_kept():
    ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([2, 0, 1]))
    x, y = ds[1]
    assert isinstance(x, bp.Tensor) and isinstance(y, bp.Tensor)
    assert x.dtype == bp.get_default_dtype() and x.tolist() == [2.0, 3.0]
    assert y.dtype == np.int64 and y.item() == 0
    assert not x.requires_grad
    xs, ys = ds[1:]
    assert xs.shape == (2, 2) and ys.tolist() == [0, 1]


def test_get_batch_reads_rows_by_slice_or_index_array():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    ds = TensorDataset(X, y)
    xb, yb = ds.get_batch(np.array([4, 0]))
    np.testing.assert_array_equal(xb, X[[4, 0]])
    np.testing.assert_array_equal(yb, [4, 0])
    xb, yb = ds.get_batch(slice(1, 3))
    np.testing.assert_array_equal(xb, X[1:3])


def test_mismatched_lengths_name_them():
    with pytest.raises(ValueError, match=r"same first dimension.*\[5, 4\]"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))


def test_scalar_and_empty_argument_errors():
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()
    with pytest.raises(ValueError, match="array 1 is a scalar"):
        TensorDataset(np.zeros(3), np.float64(1.0))


def test_batches_of_non_numeric_data_are_refused():
    ds = TensorDataset(np.array(["a", "b"]))
    with pytest.raises(TypeError, match="must hold numbers"):
        ds[0]


def test_dataset_base_class_requires_the_protocol():
    class Empty(Dataset):
        pass

    with pytest.raises(NotImplementedError, match="Empty must define __getitem__"):
        Empty()[0]
    with pytest.raises(NotImplementedError, match="__len__"):
        len(Empty())


def test_repr_names_arrays_and_shapes():
    assert repr(TensorDataset(np.zeros((3, 2)), np.zeros(3))) == "TensorDataset(ndarray(3, 2), ndarray(3,))"


def test_torch_tensor_dataset_gives_the_same_samples():
    torch = pytest.importorskip("torch")
    X, y = np.random.default_rng(0).normal(size=(7, 3)), np.arange(7)
    ours = TensorDataset(X, y)
    theirs = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(ours) == len(theirs)
    for i in range(7):
        (xo, yo), (xt, yt) = ours[i], theirs[i]
        np.testing.assert_allclose(xo.data, xt.numpy(), rtol=1e-6)
        assert yo.item() == yt.item()

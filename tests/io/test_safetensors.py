import os
import pickle
import sys

import numpy as np
import pytest

import backprop as bp
from backprop.io import CheckpointError, atomic_write, load_model

pytest.importorskip("safetensors")


def _mlp(dtype=None):
    nn = bp.nn
    return nn.Sequential(nn.Linear(4, 8, dtype=dtype), nn.BatchNorm1d(8, dtype=dtype), nn.ReLU(),
                         nn.Linear(8, 3, dtype=dtype))


def test_round_trip_of_a_dict_keeps_values_dtypes_and_shapes(tmp_path):
    arrays = {"w": np.random.default_rng(0).normal(size=(3, 2)).astype(np.float32),
              "d": np.linspace(0, 1, 5), "i": np.arange(4, dtype=np.int64), "b": np.array([True, False]),
              "scalar": np.array(7, dtype=np.int64), "t": bp.tensor([[1.0, 2.0], [3.0, 4.0]]).T}
    bp.save(arrays, tmp_path / "a.safetensors")
    loaded = bp.load(tmp_path / "a.safetensors")
    assert set(loaded) == set(arrays)
    for name, value in arrays.items():
        value = np.asarray(value.data if isinstance(value, bp.Tensor) else value)
        assert loaded[name].dtype == value.dtype and loaded[name].shape == value.shape
        np.testing.assert_array_equal(loaded[name], value)
    assert loaded["t"].tolist() == [[1.0, 3.0], [2.0, 4.0]]  # a transposed (non-contiguous) view


def test_round_trip_of_a_model(tmp_path):
    bp.manual_seed(0)
    model = _mlp()
    model(bp.randn(16, 4))  # move the batch-norm running statistics off their initial values
    model.eval()
    bp.save(model, tmp_path / "m.safetensors")
    loaded = bp.load(tmp_path / "m.safetensors")
    assert set(loaded) == set(model.state_dict())
    assert loaded["1.num_batches_tracked"].item() == 1
    copy = _mlp().eval()
    copy.load_state_dict(loaded)
    x = bp.randn(5, 4)
    np.testing.assert_array_equal(copy(x).data, model(x).data)


def test_metadata_is_stored_and_must_be_strings(tmp_path):
    bp.save({"w": np.zeros(2)}, tmp_path / "m.safetensors", metadata={"author": "me"})
    assert bp.io.read(tmp_path / "m.safetensors")[1] == {"author": "me"}
    with pytest.raises(TypeError, match="metadata must map strings to strings"):
        bp.save({"w": np.zeros(2)}, tmp_path / "x.safetensors", metadata={"epoch": 3})


def test_save_refuses_what_safetensors_cannot_hold(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save w: an array of dtype <U1.*numbers or bools"):
        bp.save({"w": np.array(["a"])}, tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match=r"cannot save 0/opt: an array of dtype object"):
        bp.save([{"opt": np.array([None])}], tmp_path / "x.safetensors")
    with pytest.raises(TypeError, match=r"dict key 1\.5 is a float; keys must be str or int"):
        bp.save({1.5: np.zeros(2)}, tmp_path / "x.safetensors")
    assert not (tmp_path / "x.safetensors").exists()


def test_pytorch_state_dict_saved_by_safetensors_loads_into_the_bp_model(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file

    torch.manual_seed(0)
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                                 torch.nn.Linear(8, 3)).double()
    theirs(torch.randn(16, 4, dtype=torch.float64))  # non-trivial running statistics
    theirs.eval()
    path = tmp_path / "torch.safetensors"
    save_file(theirs.state_dict(), path)
    ours = _mlp(dtype=np.float64).eval()
    ours.load_state_dict(bp.load(path))
    x = np.random.default_rng(1).normal(size=(5, 4))
    with torch.no_grad():
        expected = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(bp.tensor(x, dtype=np.float64)).data, expected, rtol=1e-12, atol=1e-12)

    # and back: a file written by bp.save loads into the PyTorch model
    bp.save(ours, tmp_path / "ours.safetensors")
    again = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.BatchNorm1d(8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 3)).double().eval()
    again.load_state_dict(load_file(tmp_path / "ours.safetensors"))
    with torch.no_grad():
        np.testing.assert_array_equal(again(torch.from_numpy(x)).numpy(), expected)


def test_mismatched_file_names_the_file_and_the_key(tmp_path):
    path = tmp_path / "small.safetensors"
    bp.save(bp.nn.Linear(2, 3), path)
    with pytest.raises(CheckpointError, match=r"(?s)small\.safetensors.*does not fit Linear.*"
                                              r"size mismatch for weight: .*shape \(3, 2\) .* is \(4, 2\)"):
        load_model(bp.nn.Linear(2, 4), path)
    with pytest.raises(CheckpointError, match=r"(?s)small\.safetensors.*Missing key"):
        load_model(_mlp(), path)
    model = bp.nn.Linear(2, 3)
    load_model(model, path)
    np.testing.assert_array_equal(model.weight.data, bp.load(path)["weight"])


def _saved(tmp_path):
    path = tmp_path / "w.safetensors"
    bp.save({"w": np.arange(100.0)}, path)
    return path, path.read_bytes()


def test_truncated_file_error_names_the_file(tmp_path):
    path, data = _saved(tmp_path)
    path.write_bytes(data[:-10])
    with pytest.raises(CheckpointError, match=r"w\.safetensors.*truncated, corrupted"):
        bp.load(path)
    path.write_bytes(data[:5])
    with pytest.raises(CheckpointError, match=r"w\.safetensors"):
        bp.load(path)
    path.write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"w\.safetensors"):
        bp.load(path)


def test_corrupted_header_error_names_the_file(tmp_path):
    path, data = _saved(tmp_path)
    path.write_bytes(data[:8] + b"#" * 20 + data[28:])
    with pytest.raises(CheckpointError, match=r"cannot read .*w\.safetensors"):
        bp.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.safetensors"):
        bp.load(tmp_path / "nothing.safetensors")


class _Exploit:
    def __reduce__(self):
        return (os.mkdir, (self.target,))


def test_a_pickle_file_is_refused_and_never_executed(tmp_path):
    exploit = _Exploit()
    exploit.target = str(tmp_path / "pwned")
    path = tmp_path / "model.pt"
    path.write_bytes(pickle.dumps({"weight": exploit}))
    with pytest.raises(CheckpointError, match=r"model\.pt.*never loads pickle"):
        bp.load(path)
    assert not os.path.exists(exploit.target)


def test_missing_safetensors_package_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        bp.save({"w": np.zeros(2)}, tmp_path / "x.safetensors")
    with pytest.raises(ImportError, match="pip install safetensors"):
        bp.load(tmp_path / "x.safetensors")


def test_atomic_write_leaves_the_old_file_when_writing_crashes(tmp_path, monkeypatch):
    path, data = _saved(tmp_path)

    def crash(fd):
        raise OSError("simulated crash while writing")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="simulated crash"):
        bp.save({"w": np.zeros(3)}, path)
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["w.safetensors"]  # the temporary file was removed
    monkeypatch.undo()
    atomic_write(path, b"new")
    assert path.read_bytes() == b"new" and os.listdir(tmp_path) == ["w.safetensors"]

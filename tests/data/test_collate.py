import collections

import numpy as np
import pytest

import backprop as bp
from backprop.data import DataLoader, Dataset, default_collate

Point = collections.namedtuple("Point", ["x", "label"])


def _plain(batch):
    """A batch (ours or torch's) as nested Python lists, with the dtype of every array leaf."""
    if hasattr(batch, "numpy") or isinstance(batch, bp.Tensor):
        array = np.asarray(batch.numpy() if hasattr(batch, "numpy") else batch.data)
        return ("array", str(array.dtype), array.tolist())
    if isinstance(batch, dict):
        return {k: _plain(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return [_plain(v) for v in batch]
    return batch


SAMPLES = {
    "arrays": [np.arange(3.0) + i for i in range(4)],
    "float32 arrays": [np.full((2, 2), i, dtype=np.float32) for i in range(3)],
    "ints": [3, 1, 2],
    "bools": [True, False],
    "numpy scalars": [np.int32(1), np.int32(5)],
    "strings": ["a", "bb", "c"],
    "dicts": [{"x": np.ones(2) * i, "label": i, "name": f"s{i}"} for i in range(3)],
    "lists": [[np.zeros(2) + i, i] for i in range(3)],
    "nested": [{"pair": (np.arange(2) + i, {"id": i}), "tags": ["t", str(i)]} for i in range(2)],
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_default_collate_matches_torch(kind):
    torch = pytest.importorskip("torch")
    samples = SAMPLES[kind]
    ours, theirs = default_collate(samples), torch.utils.data.default_collate(samples)
    assert _plain(ours) == _plain(theirs)


def test_python_floats_take_the_default_float_dtype_and_tensors_stack():
    assert default_collate([0.5, 1.5]).dtype == bp.get_default_dtype()  # torch: float64
    batch = default_collate([bp.tensor([1.0, 2.0]), bp.tensor([3.0, 4.0])])
    assert isinstance(batch, bp.Tensor) and batch.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert default_collate([np.int64(1), np.int64(2)]).dtype == np.int64


def test_namedtuples_and_tuples_keep_their_type():
    batch = default_collate([Point(np.zeros(2), 0), Point(np.ones(2), 1)])
    assert isinstance(batch, Point) and batch.label.tolist() == [0, 1] and batch.x.shape == (2, 2)
    assert isinstance(default_collate([(1, 2.0), (3, 4.0)]), tuple)  # torch gives a list


def test_collate_errors_name_the_problem():
    with pytest.raises(RuntimeError, match=r"equal size, but got \[3\] at entry 0 and \[2\] at entry 1"):
        default_collate([np.zeros(3), np.zeros(2)])
    with pytest.raises(TypeError, match="found an array of dtype <U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(TypeError, match="found NoneType"):
        default_collate([None, None])
    with pytest.raises(RuntimeError, match=r"same number of fields, got \[1, 2\]"):
        default_collate([(1, 2), (3,)])


class Records(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.arange(2.0) + i, "y": i, "name": f"r{i}"}


def test_loader_with_dict_samples_matches_torch_and_casts_floats():
    torch = pytest.importorskip("torch")
    ours = list(DataLoader(Records(), batch_size=2))
    theirs = list(torch.utils.data.DataLoader(Records(), batch_size=2))
    assert [b["name"] for b in ours] == [b["name"] for b in theirs]
    for a, b in zip(ours, theirs, strict=True):
        assert a["x"].dtype == np.float32  # the loader's dtype (default float), as ever
        np.testing.assert_array_equal(a["x"].data, b["x"].numpy())
        assert a["y"].tolist() == b["y"].tolist() and a["y"].dtype == np.int64
    assert next(iter(DataLoader(Records(), batch_size=2, dtype=np.float64)))["x"].dtype == np.float64


def test_collate_fn_result_is_yielded_as_it_is():
    def names(samples):
        return [s["name"] for s in samples]

    assert list(DataLoader(Records(), batch_size=2, collate_fn=names)) == [["r0", "r1"], ["r2", "r3"], ["r4"]]
    with pytest.raises(ValueError, match="dtype applies to the default collation"):
        DataLoader(Records(), collate_fn=names, dtype=np.float64)


def test_batch_size_none_yields_samples_as_tensors():
    torch = pytest.importorskip("torch")
    ours = list(DataLoader(Records(), batch_size=None))
    theirs = list(torch.utils.data.DataLoader(Records(), batch_size=None))
    assert len(ours) == len(theirs) == 5
    assert isinstance(ours[1]["x"], bp.Tensor) and ours[1]["x"].tolist() == theirs[1]["x"].tolist()
    assert ours[1]["y"] == theirs[1]["y"] == 1 and ours[1]["name"] == "r1"

import json
import math
import pathlib
from collections import OrderedDict

import numpy as np
import pytest

import backprop as bp
from backprop.io import CheckpointError, load_state, save_state

safetensors_numpy = pytest.importorskip("safetensors.numpy")

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def test_nested_state_round_trip(tmp_path):
    bp.manual_seed(123)
    state = {"model": {"0.weight": bp.tensor([[1.0, 2.0]]), "0.bias": np.zeros(1)},
             "optimizer": {"state": {0: {"step": 3, "exp_avg": np.full((1, 2), 0.5)}, 1: {"step": 3}},
                           "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1],
                                             "nesterov": False, "maximize": None}]},
             "epoch": np.int64(4), "rng_state": bp.random.get_rng_state(), "logs": {"loss": float("nan")},
             "name": "run-1", "empty": {}, "nothing": [], "pair": ()}
    bp.save(state, tmp_path / "c.safetensors")
    back = bp.load(tmp_path / "c.safetensors")
    weight = back["model"]["0.weight"]
    assert isinstance(weight, bp.Tensor) and weight.dtype == np.float32 and not weight.requires_grad
    np.testing.assert_array_equal(weight.data, [[1.0, 2.0]])
    assert type(back["model"]["0.bias"]) is np.ndarray  # Tensors stay Tensors, arrays stay arrays
    assert list(back["optimizer"]["state"]) == [0, 1]  # integer keys keep their type
    assert back["optimizer"]["state"][1] == {"step": 3}
    np.testing.assert_array_equal(back["optimizer"]["state"][0]["exp_avg"], np.full((1, 2), 0.5))
    assert back["optimizer"]["param_groups"] == state["optimizer"]["param_groups"]
    assert isinstance(back["optimizer"]["param_groups"][0]["betas"], tuple)
    assert back["epoch"] == 4 and type(back["epoch"]) is np.int64
    assert back["name"] == "run-1" and math.isnan(back["logs"]["loss"])
    assert back["rng_state"] == state["rng_state"]  # 128-bit integers intact
    assert back["empty"] == {} and back["nothing"] == [] and back["pair"] == ()
    # the arrays are named by their path, so the file reads with any safetensors tool
    assert set(safetensors_numpy.load_file(tmp_path / "c.safetensors")) == {
        "model/0.weight", "model/0.bias", "optimizer/state/0/exp_avg", "epoch"}


def test_user_keys_never_collide_with_the_format():
    tricky = {"__tuple__": [1, 2], "__array__": "model/0.weight", "__items__": {"a": 1}, "dict": {"items": [3]},
              "list": ("tuple",), "value": None, "": {"": "x"}, 0: "int zero", "0": "str zero", -7: [True, 2.5]}
    back = _round_trip(tricky)
    assert back == tricky
    assert list(back) == list(tricky) and [type(k) for k in back] == [type(k) for k in tricky]
    assert isinstance(back["list"], tuple) and isinstance(back["__tuple__"], list)


def _round_trip(obj):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / "x.safetensors"
        bp.save(obj, path)
        return bp.load(path)


@pytest.mark.parametrize("obj", [None, 3, 2**100, -1.5, "text", True, [1, [2, (3, None)]], (np.float32(0.5),),
                                 {"a": {"b": {"c": [np.arange(3)]}}}])
def test_any_shape_comes_back_as_saved(obj):
    back = _round_trip(obj)
    assert type(back) is type(obj)
    assert repr(back) == repr(obj)


def test_tensors_keep_dtype_shape_and_requires_grad():
    x = bp.tensor(np.arange(6.0).reshape(2, 3), dtype=np.float64, requires_grad=True)
    back = _round_trip({"x": x, "t": x.detach().T, "i": bp.tensor([1, 2]), "s": bp.tensor(2.0), "epoch": 0})
    assert back["x"].requires_grad and back["x"].dtype == np.float64 and back["x"].shape == (2, 3)
    np.testing.assert_array_equal(back["t"].data, x.data.T)
    assert back["i"].dtype == np.int64 and back["s"].shape == ()


def test_a_module_or_flat_dict_is_still_a_plain_safetensors_file(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    model = bp.nn.Linear(3, 2)
    bp.save(model, tmp_path / "m.safetensors")
    bp.save(model.state_dict(), tmp_path / "sd.safetensors")
    for name in ("m", "sd"):
        theirs = load_file(tmp_path / f"{name}.safetensors")
        assert set(theirs) == {"weight", "bias"}
        torch.testing.assert_close(theirs["weight"], torch.from_numpy(model.weight.data))
        ours = bp.load(tmp_path / f"{name}.safetensors")  # the flat dict, of arrays
        assert list(ours) == ["bias", "weight"] and type(ours["weight"]) is np.ndarray
    assert bp.io.read(tmp_path / "m.safetensors")[1] == {}  # no format header: nothing but the weights


def test_a_pytorch_style_checkpoint_resumes_training_identically(tmp_path):
    def build():
        bp.manual_seed(0)
        model = bp.nn.Sequential(bp.nn.Linear(3, 4), bp.nn.Tanh(), bp.nn.Linear(4, 1))
        return model, bp.optim.Adam(model.parameters(), lr=0.05)

    def step(model, opt, x, y):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    rng = np.random.default_rng(1)
    x, y = bp.tensor(rng.normal(size=(8, 3)), dtype=np.float32), bp.tensor(rng.normal(size=(8, 1)), dtype=np.float32)
    model, opt = build()
    losses = [step(model, opt, x, y) for _ in range(3)]
    bp.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "losses": losses},
            tmp_path / "ckpt.safetensors")
    ckpt = bp.load(tmp_path / "ckpt.safetensors")
    assert ckpt["epoch"] == 3 and ckpt["losses"] == losses
    resumed, resumed_opt = build()
    resumed.load_state_dict(ckpt["model"])
    resumed_opt.load_state_dict(ckpt["optimizer"])
    assert [step(resumed, resumed_opt, x, y) for _ in range(3)] == [step(model, opt, x, y) for _ in range(3)]
    for a, b in zip(resumed.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_save_state_and_load_state_are_aliases(tmp_path):
    assert bp.io.save_state is bp.save and bp.io.load_state is bp.load
    save_state({"epoch": 1, "w": np.ones(2)}, tmp_path / "s.safetensors")
    assert load_state(tmp_path / "s.safetensors")["epoch"] == 1


def _assert_v1_contents(state):
    np.testing.assert_array_equal(state["model"]["0.weight"], [[1.0, 2.0]])
    assert state["model"]["0.weight"].dtype == np.float32
    assert list(state["optimizer"]["state"]) == [0]
    np.testing.assert_array_equal(state["optimizer"]["state"][0]["exp_avg"], np.full((1, 2), 0.5))
    assert state["optimizer"]["param_groups"] == [{"lr": 0.001, "betas": (0.9, 0.999), "params": [0, 1]}]
    assert state["epoch"] == 4 and state["name"] == "run-1" and state["logs"] == {"loss": 0.25}


def test_a_file_written_by_the_old_save_state_still_loads(tmp_path):
    # state_v1.safetensors was written by save_state before bp.save took any object (format backprop.state/1)
    _assert_v1_contents(bp.load(FIXTURES / "state_v1.safetensors"))
    # the same format, built by hand from its description: markers inside the tree, non-str keys as pairs
    tree = {"model": {"0.weight": {"__array__": "model/0.weight"}, "0.bias": {"__array__": "model/0.bias"}},
            "optimizer": {"state": {"__items__": [[0, {"exp_avg": {"__array__": "optimizer/state/0/exp_avg"}}]]},
                          "param_groups": [{"lr": 0.001, "betas": {"__tuple__": [0.9, 0.999]}, "params": [0, 1]}]},
            "epoch": 4, "name": "run-1", "logs": {"loss": 0.25}}
    arrays = {"model/0.weight": np.array([[1.0, 2.0]], dtype=np.float32), "model/0.bias": np.zeros(1),
              "optimizer/state/0/exp_avg": np.full((1, 2), 0.5)}
    safetensors_numpy.save_file(arrays, tmp_path / "old.safetensors",
                                metadata={"format": "backprop.state/1", "state": json.dumps(tree)})
    _assert_v1_contents(load_state(tmp_path / "old.safetensors"))


def test_objects_that_would_need_pickle_are_refused(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save optimizer/hook: a function .*no pickled objects"):
        bp.save({"optimizer": {"hook": lambda: 0}}, tmp_path / "c.safetensors")
    with pytest.raises(TypeError, match=r"cannot save names: an array of dtype <U1"):
        bp.save({"names": np.array(["a", "b"]), "epoch": 1}, tmp_path / "c.safetensors")
    assert not (tmp_path / "c.safetensors").exists()


def test_dict_subclasses_come_back_as_dicts_in_order():
    back = _round_trip({"sd": OrderedDict([("b", np.zeros(1)), ("a", np.ones(1))]), "n": 1})
    assert type(back["sd"]) is dict and list(back["sd"]) == ["b", "a"]


def test_metadata_travels_with_a_checkpoint_but_not_in_the_formats_keys(tmp_path):
    bp.save({"epoch": 1}, tmp_path / "c.safetensors", metadata={"author": "me"})
    assert bp.io.read(tmp_path / "c.safetensors")[1]["author"] == "me"
    assert bp.load(tmp_path / "c.safetensors") == {"epoch": 1}
    with pytest.raises(ValueError, match=r"metadata keys \['schema'\] are the checkpoint format's own"):
        bp.save({"epoch": 1}, tmp_path / "c.safetensors", metadata={"schema": "mine"})


@pytest.mark.parametrize("header", [{"format": "backprop.state/1", "state": '{"w": {"__array__": "missing"}}'},
                                    {"format": "backprop.state/2", "data": '"missing"', "schema": '"array"'},
                                    {"format": "backprop.state/2", "data": "[1]", "schema": '{"set": ["value"]}'},
                                    {"format": "backprop.state/2", "data": "[1, 2]", "schema": '{"list": ["value"]}'},
                                    {"format": "backprop.state/2", "data": "{"}])
def test_corrupted_state_header_names_the_file(tmp_path, header):
    safetensors_numpy.save_file({"w": np.zeros(2)}, str(tmp_path / "c.safetensors"), metadata=header)
    with pytest.raises(CheckpointError, match=r"c\.safetensors.*corrupted checkpoint header"):
        bp.load(tmp_path / "c.safetensors")

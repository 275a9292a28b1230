import math

import numpy as np
import pytest

import backprop as bp
from backprop.io import CheckpointError, load_state, save_state

pytest.importorskip("safetensors")


def test_nested_state_round_trip(tmp_path):
    bp.manual_seed(123)
    state = {"model": {"0.weight": bp.tensor([[1.0, 2.0]]), "0.bias": np.zeros(1)},
             "optimizer": {"state": {0: {"step": 3, "exp_avg": np.full((1, 2), 0.5)}, 1: {"step": 3}},
                           "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1],
                                             "nesterov": False, "maximize": None}]},
             "epoch": np.int64(4), "rng_state": bp.random.get_rng_state(), "logs": {"loss": float("nan")},
             "name": "run-1"}
    save_state(state, tmp_path / "c.safetensors")
    back = load_state(tmp_path / "c.safetensors")
    np.testing.assert_array_equal(back["model"]["0.weight"], [[1.0, 2.0]])
    assert back["model"]["0.weight"].dtype == np.float32
    assert list(back["optimizer"]["state"]) == [0, 1]  # integer keys survive JSON
    assert back["optimizer"]["state"][1] == {"step": 3}
    np.testing.assert_array_equal(back["optimizer"]["state"][0]["exp_avg"], np.full((1, 2), 0.5))
    assert back["optimizer"]["param_groups"] == state["optimizer"]["param_groups"]
    assert isinstance(back["optimizer"]["param_groups"][0]["betas"], tuple)
    assert back["epoch"] == 4 and back["name"] == "run-1" and math.isnan(back["logs"]["loss"])
    assert back["rng_state"] == state["rng_state"]  # 128-bit integers intact
    # the arrays are named by their path, so the file reads with any safetensors tool
    assert set(bp.load(tmp_path / "c.safetensors")) == {"model/0.weight", "model/0.bias",
                                                        "optimizer/state/0/exp_avg"}


def test_objects_that_would_need_pickle_are_refused(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save optimizer/hook: a function .*no pickled objects"):
        save_state({"optimizer": {"hook": lambda: 0}}, tmp_path / "c.safetensors")
    assert not (tmp_path / "c.safetensors").exists()


def test_plain_weights_are_not_a_checkpoint(tmp_path):
    bp.save({"w": np.zeros(2)}, tmp_path / "w.safetensors")
    with pytest.raises(CheckpointError, match=r"w\.safetensors.*is not a backprop checkpoint"):
        load_state(tmp_path / "w.safetensors")


def test_corrupted_state_header_names_the_file(tmp_path):
    from safetensors.numpy import save_file

    save_file({"w": np.zeros(2)}, str(tmp_path / "c.safetensors"),
              metadata={"format": "backprop.state/1", "state": '{"w": {"__array__": "missing"}}'})
    with pytest.raises(CheckpointError, match=r"c\.safetensors.*corrupted checkpoint header"):
        load_state(tmp_path / "c.safetensors")

"""backprop train on data larger than memory: --data FOLDER of shards, or --data big.npy --target-file y.npy,
streamed by bp.data.ShardedDataset."""
import json

import numpy as np
import pytest

import backprop as bp
from backprop.cli.options import resolve
from backprop.cli.report import evaluate_splits
from backprop.cli.sharded import ShardedData

from ._helpers import cli

TRAIN = ("--hidden", 8, "--no-plots", "--quiet", "--batch-size", 16)


@pytest.fixture
def shards(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3)).astype(np.float32) * [1, 10, 100] + [0, 5, -50]
    y = (X[:, 0] + X[:, 1] / 10 > 0.5).astype(np.int64) + (X[:, 2] > -50)
    folder = tmp_path / "shards"
    folder.mkdir()
    for k in range(3):
        np.savez(folder / f"part-{k}.npz", X=X[k * 40:(k + 1) * 40], y=y[k * 40:(k + 1) * 40])
    np.save(tmp_path / "big.npy", X)
    np.save(tmp_path / "y.npy", y)
    return folder, X, y


def test_a_folder_of_shards_trains_and_its_metrics_are_summed_over_the_stream(shards, tmp_path, capsys):
    folder, X, y = shards
    out = tmp_path / "run"
    code, text, err = cli(capsys, "train", "--data", folder, *TRAIN, "--epochs", 3, "--out", out)
    assert code == 0, err
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics) == ["train"] and metrics["train"]["samples"] == 120
    data = ShardedData(resolve({"data": str(folder), "hidden": [8]}))
    np.testing.assert_allclose(data.prep.mean, X.mean(axis=0, dtype=np.float64), rtol=1e-6)
    from backprop.cli.runs import load_run

    _, _, prep, model = load_run(out)
    in_memory = evaluate_splits(model, "classification", prep, {"train": (prep.transform(X.astype(np.float64)),
                                                                          y)})
    for key, value in in_memory["train"].items():
        assert metrics["train"][key] == pytest.approx(value, rel=1e-9), key
    assert cli(capsys, "evaluate", out)[1].splitlines()[1].split()[:2] == ["train", "120"]


def test_a_large_npy_with_a_target_file_trains_and_resumes_exactly(shards, tmp_path, capsys):
    _, X, y = shards
    args = ("train", "--data", tmp_path / "big.npy", "--target-file", tmp_path / "y.npy", *TRAIN)
    assert cli(capsys, *args, "--epochs", 3, "--out", tmp_path / "whole")[0] == 0
    assert cli(capsys, *args, "--epochs", 2, "--out", tmp_path / "part")[0] == 0
    assert cli(capsys, "train", "--resume", tmp_path / "part", "--epochs", 3, "--quiet")[0] == 0
    whole, part = bp.load(tmp_path / "whole" / "model.safetensors"), bp.load(tmp_path / "part" / "model.safetensors")
    assert all(np.array_equal(whole[k], part[k]) for k in whole)
    config = json.loads((tmp_path / "whole" / "config.json").read_text())
    assert config["options"]["target_file"] == str(tmp_path / "y.npy") and "--target-file" in config["command"]


def test_regression_targets_are_standardised_by_streaming(shards, tmp_path, capsys):
    folder, X, _ = shards
    y = X[:, 0] * 3.0 + 100.0
    for k in range(3):
        np.savez(folder / f"part-{k}.npz", X=X[k * 40:(k + 1) * 40], y=y[k * 40:(k + 1) * 40])
    assert cli(capsys, "train", "--data", folder, *TRAIN, "--epochs", 2, "--task", "regression", "--out",
               tmp_path / "r")[0] == 0
    config = json.loads((tmp_path / "r" / "config.json").read_text())
    assert config["data"]["preprocessing"]["target_mean"] == pytest.approx(float(y.mean()), rel=1e-6)
    assert set(json.loads((tmp_path / "r" / "metrics.json").read_text())["train"]) == {"samples", "mse", "rmse",
                                                                                       "mae", "r2"}


@pytest.mark.parametrize("extra, message", [
    (("--model", "ridge"), "--model ridge fits its data in memory in one call"),
    (("--features", "x1,x2"), "--features derives 2-D inputs in memory"),
])
def test_what_needs_the_data_in_memory_is_refused(shards, tmp_path, capsys, extra, message):
    code, _, err = cli(capsys, "train", "--data", shards[0], *extra, "--out", tmp_path / "r")
    assert code == 2 and message in err


def test_a_bad_shard_is_named(shards, tmp_path, capsys):
    folder = shards[0]
    np.savez(folder / "part-9.npz", X=np.zeros((3, 3), np.float32))
    code, _, err = cli(capsys, "train", "--data", folder, "--out", tmp_path / "r")
    assert code == 2 and "part-9.npz" in err and len(err.strip().splitlines()) == 1


def test_a_nan_met_while_streaming_is_named(shards, tmp_path, capsys):
    folder, X, y = shards
    X = X.copy()
    X[45, 1] = np.nan
    np.savez(folder / "part-1.npz", X=X[40:80], y=y[40:80])
    code, _, err = cli(capsys, "train", "--data", folder, "--no-standardize", *TRAIN, "--out", tmp_path / "r")
    assert code == 2 and "part-1.npz" in err and "row 6" in err and len(err.strip().splitlines()) == 1, err

"""A run folder's files carry the run's fingerprint and config.json is checked field by field on load:
an edited, foreign or mixed file is refused with one line naming the file and what differs."""
import json

import pytest

from backprop.cli.identity import CHANGEABLE, fingerprint, run_identity

from ._helpers import cli

TINY = ("--data", "circles", "--n-samples", 60, "--hidden", 4, "--no-plots", "--quiet")


@pytest.fixture
def run(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli(capsys, "train", *TINY, "--epochs", 2, "--out", out)[0] == 0
    return out


def _edit(file, change):
    config = json.loads(file.read_text())
    change(config)
    file.write_text(json.dumps(config))


@pytest.mark.parametrize("change, message", [
    (lambda c: c["options"].update(lr=-0.1), "field 'lr': expected a positive number, got -0.1"),
    (lambda c: c["options"].update(epochs=10 ** 9), "field 'epochs': expected an integer ≥ 1 and ≤ 1,000,000"),
    (lambda c: c["options"].update(optimizer="bogus"), "field 'optimizer': expected one of sgd"),
    (lambda c: c["data"].update(task="bogus"), "field 'data.task': expected one of classification, regression"),
    (lambda c: c["data"]["preprocessing"]["scale"].__setitem__(0, 0),
     "field 'data.preprocessing.scale': expected positive finite numbers"),
    (lambda c: c["data"].pop("columns"), "field 'data.columns': missing"),
    (lambda c: c["options"].update(colour="red"), "field 'colour': unknown option"),
])
def test_an_edited_config_is_refused_naming_the_field(run, capsys, change, message):
    _edit(run / "config.json", change)
    for argv in (("evaluate", run), ("train", "--resume", run)):
        code, _, err = cli(capsys, *argv)
        assert code == 2 and f"{run / 'config.json'}: {message}" in err, err
        assert len(err.strip().splitlines()) == 1


def test_changed_identity_options_are_refused_by_the_fingerprint(run, capsys):
    _edit(run / "config.json", lambda c: c["options"].update(hidden=[8]))
    code, _, err = cli(capsys, "evaluate", run)
    assert code == 2 and f"{run / 'model.safetensors'} belongs to another run" in err
    assert "hidden [4] there, [8] here" in err
    code, _, err = cli(capsys, "train", "--resume", run, "--epochs", 3)
    assert code == 2 and f"{run / 'checkpoint.safetensors'} belongs to another run" in err


def test_a_file_of_another_run_is_refused_naming_both_fingerprints(run, tmp_path, capsys):
    other = tmp_path / "other"
    assert cli(capsys, "train", *TINY, "--epochs", 2, "--seed", 3, "--out", other)[0] == 0
    mine = json.loads((run / "config.json").read_text())["fingerprint"]
    theirs = json.loads((other / "config.json").read_text())["fingerprint"]
    (run / "model.safetensors").write_bytes((other / "model.safetensors").read_bytes())
    code, _, err = cli(capsys, "evaluate", run)
    assert code == 2 and f"(fingerprint {theirs}) than the run {run} describes (fingerprint {mine})" in err
    assert "seed 3 there, 0 here" in err


def test_data_file_change_is_named(tmp_path, capsys):
    data = tmp_path / "points.csv"
    data.write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(40)))
    out = tmp_path / "run"
    assert cli(capsys, "train", "--data", data, "--epochs", 1, "--hidden", 4, "--no-plots", "--quiet", "--out",
               out)[0] == 0
    data.write_text(data.read_text() + "1,1,1\n")
    code, _, err = cli(capsys, "train", "--resume", out, "--epochs", 2)
    assert code == 2 and "changed since the run started" in err


def test_training_options_may_change_on_resume_and_are_recorded(run, capsys):
    code, out, err = cli(capsys, "train", "--resume", run, "--epochs", 4, "--lr", 0.01, "--early-stopping", 2)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert config["options"]["lr"] == 0.01 and config["options"]["epochs"] == 4
    assert config["changes"] == [{"epoch": 2, "option": "epochs", "from": 2, "to": 4},
                                 {"epoch": 2, "option": "lr", "from": 0.001, "to": 0.01},
                                 {"epoch": 2, "option": "early_stopping", "from": None, "to": 2}]
    assert len(json.loads((run / "history.json").read_text())) == 4
    code, _, err = cli(capsys, "train", "--resume", run, "--epochs", 3)
    assert code == 2 and "--epochs 3 is below the 4 epochs" in err


def test_fingerprint_leaves_out_only_the_changeable_options():
    base = {"data": "circles", "seed": 0, "hidden": [4], "lr": 0.1, "epochs": 2, "weight_decay": 0.0,
            "early_stopping": None, "batch_size": 32, "optimizer": "adam"}
    same = fingerprint(run_identity(base, None, {}))
    for key in CHANGEABLE:
        assert fingerprint(run_identity({**base, key: 7}, None, {})) == same
    for key, value in (("seed", 1), ("hidden", [5]), ("batch_size", 8), ("optimizer", "sgd")):
        assert fingerprint(run_identity({**base, key: value}, None, {})) != same
    assert fingerprint(run_identity(base, "ab" * 32, {})) != same
    assert fingerprint(run_identity(base, None, {"mean": [1.0]})) != same


def test_divergence_keeps_the_last_finite_weights_and_resume_takes_a_new_lr(tmp_path, capsys):
    out = tmp_path / "run"
    code, _, err = cli(capsys, "train", *TINY, "--epochs", 2, "--optimizer", "sgd", "--lr", 1e300,
                       "--batch-size", 1, "--out", out)
    assert code == 1 and "keeps the last weights whose loss was finite" in err and "--resume" in err
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["diverged"]["epoch"] == 1 and metrics["diverged"]["loss"] in ("nan", "inf")
    assert cli(capsys, "evaluate", out)[0] == 0
    code, _, err = cli(capsys, "train", "--resume", out, "--lr", 0.01)
    assert code == 0, err
    config = json.loads((out / "config.json").read_text())
    assert config["changes"][-1]["option"] == "lr" and "diverged" not in json.loads(
        (out / "metrics.json").read_text())


def test_size_limits_of_the_options(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "--data", "circles", "--n-samples", 10 ** 8, "--out", tmp_path / "r")
    assert code == 2 and "--n-samples: expected an integer ≥ 1 and ≤ 10,000,000, got 100000000" in err


@pytest.mark.parametrize("change, message", [
    (lambda s: s["model"]["0.weight"].__setitem__((0, 0), float("nan")), "field 'model.0.weight': holds NaN"),
    (lambda s: s.update(surprise=1), "field 'surprise': not a field of a backprop train checkpoint"),
    (lambda s: s.update(early_stopping={"best": 1.0}), "holds the state of callbacks ['early_stopping']"),
    (lambda s: s["optimizer"]["param_groups"][0].update(lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda s: s["rng_state"].update(bit_generator="seed"), "'bit_generator' must be one of PCG64"),
])
def test_an_edited_checkpoint_is_refused(run, capsys, change, message):
    import backprop as bp
    from backprop.io import load_state, read_metadata

    file = run / "checkpoint.safetensors"
    state, header = load_state(file), read_metadata(file)
    change(state)
    bp.save(state, file, metadata={k: header[k] for k in ("fingerprint", "identity")})
    code, _, err = cli(capsys, "train", "--resume", run, "--epochs", 3)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err


def test_weights_holding_nan_are_refused(run, capsys):
    import backprop as bp
    from backprop.io import read, read_metadata

    file = run / "model.safetensors"
    arrays, header = read(file)[0], read_metadata(file)
    arrays["0.weight"][0, 0] = float("inf")
    bp.save(arrays, file, metadata=header)
    code, _, err = cli(capsys, "evaluate", run)
    assert code == 2 and "field '0.weight': holds NaN or infinity" in err

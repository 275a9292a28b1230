"""``backprop train --resume``: a run killed (SIGKILL) or stopped (Ctrl-C) in the middle ends with the same
weights and history as a run that was never interrupted."""
import json
import shutil
import signal

import numpy as np

import backprop as bp
from backprop.io import load_state
from tests.cli._helpers import cli, run_process

ARGS = ("--data", "moons", "--n-samples", 120, "--epochs", 5, "--hidden", "8,8", "--dropout", 0.2,
        "--batch-norm", "--optimizer", "momentum", "--early-stopping", 10, "--batch-size", 16, "--seed", 3,
        "--no-plots")


def assert_same_run(a, b):
    wa, wb = bp.load(a / "model.safetensors"), bp.load(b / "model.safetensors")
    assert list(wa) == list(wb)
    for k in wa:
        np.testing.assert_array_equal(wa[k], wb[k], err_msg=k)
    assert json.loads((a / "history.json").read_text()) == json.loads((b / "history.json").read_text())
    assert (a / "history.csv").read_text() == (b / "history.csv").read_text()


def uninterrupted(tmp_path, capsys, *extra):
    assert cli(capsys, "train", *ARGS, *extra, "--quiet", "--out", tmp_path / "whole")[0] == 0
    return tmp_path / "whole"


def test_sigkill_after_a_checkpoint_then_resume(tmp_path, capsys):
    whole = uninterrupted(tmp_path, capsys)
    killed = tmp_path / "killed"
    done = run_process("train", *ARGS, "--out", killed, env={"BACKPROP_CLI_TEST_SIGNAL": "2:KILL"})
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "Epoch 2/5" in done.stdout and "Epoch 3/5" not in done.stdout
    assert not (killed / "model.safetensors").exists()
    state = load_state(killed / "checkpoint.safetensors")
    assert state["epoch"] == 2 and len(state["run_recorder"]["rows"]) == 2
    # the CLI checkpoint's top-level keys, with the optimizer in PyTorch's layout
    assert {"model", "optimizer", "epoch", "history", "early_stopping", "rng_state"} <= set(state)
    assert set(state["optimizer"]) == {"state", "param_groups"} and state["history"]["epoch"] == [0, 1]
    code, out, _ = cli(capsys, "train", "--resume", killed)
    assert code == 0 and "resuming" in out and "after epoch 2" in out
    assert "Epoch 3/5" in out and "Epoch 2/5" not in out
    assert_same_run(whole, killed)


def test_ctrl_c_then_resume(tmp_path, capsys):
    whole = uninterrupted(tmp_path, capsys)
    stopped = tmp_path / "stopped"
    done = run_process("train", *ARGS, "--out", stopped, env={"BACKPROP_CLI_TEST_SIGNAL": "4:INT"})
    assert done.returncode == 130
    assert done.stderr.strip().splitlines() == [
        f"backprop: error: interrupted after epoch 4; continue with: backprop train --resume {stopped}"]
    assert cli(capsys, "train", "--resume", stopped, "--quiet")[0] == 0
    assert_same_run(whole, stopped)


def test_resume_before_the_first_checkpoint_starts_over(tmp_path, capsys):
    whole = uninterrupted(tmp_path, capsys)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    shutil.copy(whole / "config.json", fresh / "config.json")
    assert cli(capsys, "train", "--resume", fresh, "--quiet")[0] == 0
    assert_same_run(whole, fresh)


def test_resume_with_more_epochs_continues_training(tmp_path, capsys):
    args = ("--data", "circles", "--n-samples", 100, "--hidden", 4, "--no-plots", "--quiet")
    assert cli(capsys, "train", *args, "--epochs", 3, "--out", tmp_path / "short")[0] == 0
    assert cli(capsys, "train", "--resume", tmp_path / "short", "--epochs", 5, "--quiet")[0] == 0
    assert cli(capsys, "train", *args, "--epochs", 5, "--out", tmp_path / "long")[0] == 0
    assert_same_run(tmp_path / "long", tmp_path / "short")
    assert json.loads((tmp_path / "short" / "config.json").read_text())["options"]["epochs"] == 5


def test_resume_keeps_early_stopping_state(tmp_path, capsys):
    """Killed after the best epoch and before the stop: the resumed run stops at the same epoch and keeps the
    same best weights, which only the checkpoint still holds."""
    args = ("--data", "iris", "--epochs", 300, "--lr", 0.05, "--early-stopping", 3, "--hidden", 8,
            "--no-plots")
    assert cli(capsys, "train", *args, "--quiet", "--out", tmp_path / "whole")[0] == 0
    history = json.loads((tmp_path / "whole" / "history.json").read_text())
    best = min(range(len(history)), key=lambda i: history[i]["val_loss"]) + 1
    assert best < len(history) < 300
    done = run_process("train", *args, "--out", tmp_path / "killed",
                       env={"BACKPROP_CLI_TEST_SIGNAL": f"{best + 1}:KILL"})
    assert done.returncode == -signal.SIGKILL
    code, out, _ = cli(capsys, "train", "--resume", tmp_path / "killed")
    assert code == 0 and f"kept the weights of epoch {best}" in out
    assert_same_run(tmp_path / "whole", tmp_path / "killed")


def test_a_run_folder_with_braces_in_its_name_is_checkpointed_and_resumed(tmp_path, capsys):
    args = ("--data", "circles", "--n-samples", 100, "--hidden", 4, "--no-plots", "--quiet")
    out = tmp_path / "run{epoch}"
    assert cli(capsys, "train", *args, "--epochs", 2, "--out", out)[0] == 0
    assert load_state(out / "checkpoint.safetensors")["epoch"] == 2
    assert cli(capsys, "train", "--resume", out, "--epochs", 3, "--quiet")[0] == 0
    assert load_state(out / "checkpoint.safetensors")["epoch"] == 3


def test_a_checkpoint_that_does_not_fit_is_refused_with_its_name(tmp_path, capsys):
    from backprop.io import read_metadata

    args = ("--data", "circles", "--n-samples", 100, "--hidden", 4, "--no-plots", "--quiet")
    out = tmp_path / "run"
    assert cli(capsys, "train", *args, "--epochs", 2, "--out", out)[0] == 0
    file = out / "checkpoint.safetensors"
    state, header = load_state(file), read_metadata(file)
    run_header = {k: header[k] for k in ("fingerprint", "identity")}
    bp.save(state, file)  # the same state without the run's fingerprint
    code, _, err = cli(capsys, "train", "--resume", out, "--epochs", 3)
    assert code == 2 and f"{file} records no run fingerprint" in err
    for change, message in ((lambda s: s.pop("run_recorder"), "field 'epoch': 2, but its history holds no epochs"),
                            (lambda s: s.update(epoch="2"), "field 'epoch': expected a non-negative integer"),
                            (lambda s: s.update(epoch=10 ** 9), "field 'epoch': 1000000000, but its history "
                                                                "holds 2 epochs")):
        edited = dict(state)
        change(edited)
        bp.save(edited, file, metadata=run_header)
        code, _, err = cli(capsys, "train", "--resume", out, "--epochs", 3)
        assert code == 2 and message in err and str(file) in err, err

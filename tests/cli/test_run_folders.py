"""Run folders hold one run, and nothing the user has is overwritten silently (issue 18)."""
import json
import os
import signal
import warnings

import pytest

from backprop.io import files
from tests.cli._helpers import cli, run_process

TINY = ("--data", "xor-table", "--hidden", 2, "--no-plots", "--quiet")


@pytest.fixture
def run(tmp_path, capsys):
    folder = tmp_path / "run"
    assert cli(capsys, "train", *TINY, "--epochs", 2, "--out", folder)[0] == 0
    return folder


def test_check_new_file(tmp_path):
    data, out = tmp_path / "data.csv", tmp_path / "out.csv"
    data.write_text("x\n1\n")
    files.check_new_file(out)
    out.write_text("mine")
    with pytest.raises(FileExistsError, match="already exists; add --overwrite"):
        files.check_new_file(out)
    files.check_new_file(out, overwrite=True)
    with pytest.raises(FileExistsError, match="is the input file"):
        files.check_new_file(data, overwrite=True, protect=[data])
    os.symlink(data, tmp_path / "link.csv")
    with pytest.raises(FileExistsError, match="is the input file"):
        files.check_new_file(tmp_path / "link.csv", overwrite=True, protect=[data])
    with pytest.raises(FileExistsError, match="inside the run folder"):
        files.check_new_file(tmp_path / "sub" / "new.csv", overwrite=True, protect_dirs=[tmp_path])
    with pytest.raises(FileExistsError, match="is a folder"):
        files.check_new_file(tmp_path, overwrite=True)
    with pytest.raises(FileNotFoundError, match="there is no folder"):
        files.check_new_file(tmp_path / "no" / "out.csv")


def test_strict_atomic_json(tmp_path):
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match=r"m.json: a.b\[1\] is inf"):
        files.write_json(path, {"a": {"b": [1.0, float("inf")]}})
    assert not path.exists() and os.listdir(tmp_path) == []
    files.write_json(path, {"a": [1.0, float("nan")], "b": "é"}, nonfinite="null")
    assert json.loads(path.read_text(encoding="utf-8")) == {"a": [1.0, None], "b": "é"}
    assert os.listdir(tmp_path) == ["m.json"]


def test_predict_never_overwrites_silently(run, tmp_path, capsys):
    new = tmp_path / "new.csv"
    new.write_text("x1,x2\n0,1\n1,1\n")
    out = tmp_path / "p.csv"
    out.write_text("mine")
    code, _, err = cli(capsys, "predict", run, new, "-o", out)
    assert code == 2 and "p.csv already exists; add --overwrite" in err and out.read_text() == "mine"
    assert cli(capsys, "predict", run, new, "-o", out, "--overwrite")[0] == 0
    assert out.read_text().splitlines()[0].startswith("x1,x2,prediction")
    weights = (run / "model.safetensors").read_bytes()
    for target in (new, run / "model.safetensors", run / "extra.csv"):
        code, _, err = cli(capsys, "predict", run, new, "-o", target, "--overwrite")
        assert code == 2 and ("is the input file" in err or "inside the run folder" in err), err
    assert (run / "model.safetensors").read_bytes() == weights and not (run / "extra.csv").exists()
    code, _, err = cli(capsys, "predict", run, new, "-o", tmp_path / "no" / "p.csv")
    assert code == 2 and "there is no folder" in err
    assert new.read_text() == "x1,x2\n0,1\n1,1\n"


def test_graph_output_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "g.dot"
    out.write_text("mine")
    code, _, err = cli(capsys, "graph", "x*y", "--at", "x=2,y=3", "-o", out)
    assert code == 2 and "g.dot already exists" in err and out.read_text() == "mine"
    assert cli(capsys, "graph", "x*y", "--at", "x=2,y=3", "-o", out, "--overwrite")[0] == 0
    assert out.read_text().startswith("digraph")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, out, err = cli(capsys, "graph", "x/0 + log(y)", "--at", "x=1,y=-1")
    assert code == 0 and err == "" and "= nan" in out and not caught


def _files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_out_that_is_not_a_run_folder(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    code, _, err = cli(capsys, "train", *TINY, "--epochs", 1, "--out", mine)
    assert code == 2 and "is not a backprop run folder (it has no config.json)" in err
    assert _files(mine) == {"notes.txt": b"keep me"}
    code, out, _ = cli(capsys, "train", *TINY, "--epochs", 1, "--out", mine, "--overwrite")
    assert code == 0 and (mine / "config.json").exists() and not (mine / "notes.txt").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("mine.old-")]
    assert len(kept) == 1 and _files(kept[0]) == {"notes.txt": b"keep me"}
    assert f"moved to {kept[0]}" in out and out.splitlines()[-1].startswith(f"run folder: {mine} (")
    (tmp_path / "file").write_text("x")
    code, _, err = cli(capsys, "train", *TINY, "--out", tmp_path / "file", "--overwrite")
    assert code == 2 and "is a file, not a folder" in err
    (tmp_path / "empty").mkdir()
    assert cli(capsys, "train", *TINY, "--epochs", 1, "--out", tmp_path / "empty")[0] == 0


def test_overwrite_that_stops_before_its_first_checkpoint_leaves_the_old_run(run, tmp_path, capsys):
    before = _files(run)
    code, metrics, _ = cli(capsys, "evaluate", run)
    assert code == 0
    # a NaN loss in epoch 1 (4 steps of one row, lr 1e300), without a NumPy RuntimeWarning on the way
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code, _, err = cli(capsys, "train", *TINY, "--out", run, "--overwrite", "--optimizer", "sgd", "--lr",
                           1e300, "--batch-size", 1, "--seed", 5)
    assert code == 1 and f"at epoch 1, step 2, before the first epoch ended; try a smaller --lr; {run} was left " \
        "as it was" in err
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)], [str(w.message) for w in caught]
    assert _files(run) == before
    # killed (SIGKILL) as training begins: its temporary folder is left beside the run, never in it
    done = run_process("train", *TINY, "--epochs", 3, "--seed", 7, "--out", run, "--overwrite",
                       env={"BACKPROP_CLI_TEST_SIGNAL": "0:KILL"})
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert _files(run) == before and cli(capsys, "evaluate", run)[1] == metrics
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".run.new-")]
    assert cli(capsys, "train", "--resume", run, "--quiet")[0] == 0  # the old run, still whole
    assert json.loads((run / "config.json").read_text())["options"]["epochs"] == 2
    # a new run that reaches its checkpoint replaces the old one whole, and the debris is cleared
    assert cli(capsys, "train", *TINY, "--epochs", 3, "--seed", 7, "--out", run, "--overwrite")[0] == 0
    assert json.loads((run / "config.json").read_text())["options"]["seed"] == 7
    assert len(json.loads((run / "history.json").read_text())) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_second_train_into_a_locked_folder_fails_at_once(run, tmp_path, capsys):
    with files.folder_lock(run):
        assert (tmp_path / "run.lock").exists()
        code, _, err = cli(capsys, "train", "--resume", run, "--epochs", 3)
        assert code == 2 and f"{run} is being written by another process" in err
        code, _, err = cli(capsys, "train", *TINY, "--out", run, "--overwrite")
        assert code == 2 and "being written by another process" in err
    assert not (tmp_path / "run.lock").exists()
    assert json.loads((run / "config.json").read_text())["options"]["epochs"] == 2


def test_resume_epochs_and_stale_temporary_files(run, capsys):
    code, _, err = cli(capsys, "train", "--resume", run, "--epochs", 1)
    assert code == 2 and f"--epochs 1 is below the 2 epochs {run} has already trained" in err
    code, _, err = cli(capsys, "train", *TINY, "--epochs", 0)
    assert code == 2 and "--epochs: '0' is not a positive integer" in err
    (run / ".checkpoint.safetensors.0badf00d.tmp").write_bytes(b"half")
    (run / "history.csv.tmp").write_text("half")
    assert cli(capsys, "train", "--resume", run, "--epochs", 3, "--quiet")[0] == 0
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))
    assert json.loads((run / "config.json").read_text())["options"]["epochs"] == 3
    assert len(json.loads((run / "history.json").read_text())) == 3


def test_replace_folder(tmp_path):
    target, new = tmp_path / "t", tmp_path / "n"
    new.mkdir()
    (new / "a").write_text("new")
    assert files.replace_folder(new, target) is None and (target / "a").read_text() == "new"
    other = tmp_path / "o"
    other.mkdir()
    kept = files.replace_folder(other, target, keep_old=True)
    assert os.path.basename(kept).startswith("t.old-") and (tmp_path / kept / "a").read_text() == "new"
    with pytest.raises(FileNotFoundError):  # a failed second rename puts the old folder back
        files.replace_folder(tmp_path / "missing", target)
    assert target.is_dir() and sorted(p.name for p in tmp_path.iterdir()) == sorted(["t", os.path.basename(kept)])


def test_a_run_moved_aside_by_a_killed_swap_is_named(run, tmp_path, capsys):
    os.rename(run, tmp_path / "run.old-20260101-000000-abcd")
    code, _, err = cli(capsys, "evaluate", run)
    assert code == 2 and "run.old-20260101-000000-abcd holds the run that was there" in err



@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc, where no file can be made")
def test_a_folder_where_no_lock_can_be_made_is_one_line(capsys):
    code, _, err = cli(capsys, "train", *TINY, "--epochs", 1, "--out", "/proc/backprop-run")
    assert code == 2 and "cannot create the lock file beside /proc/backprop-run" in err

"""Run folders hold one run, and nothing the user has is overwritten silently (issue 18)."""
import json
import os

import pytest

from backprop.io import files
from tests.cli._helpers import cli

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
    assert new.read_text() == "x1,x2\n0,1\n1,1\n"


def test_graph_output_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "g.dot"
    out.write_text("mine")
    code, _, err = cli(capsys, "graph", "x*y", "--at", "x=2,y=3", "-o", out)
    assert code == 2 and "g.dot already exists" in err and out.read_text() == "mine"
    assert cli(capsys, "graph", "x*y", "--at", "x=2,y=3", "-o", out, "--overwrite")[0] == 0
    assert out.read_text().startswith("digraph")
    code, out, err = cli(capsys, "graph", "x/0 + log(y)", "--at", "x=1,y=-1")
    assert code == 0 and err == "" and "= nan" in out

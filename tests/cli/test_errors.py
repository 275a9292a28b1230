"""Bad input: one clear line on standard error, a non-zero exit status, never a traceback."""
import sys

import pytest

from tests.cli._helpers import cli


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    return tmp_path / name


BAD = {
    "missing file": (lambda d: ["train", "--data", d / "nope.csv"], "--data: no such file or folder: "),
    "unknown column": (lambda d: ["train", "--data", write(d, "a.csv", "a,b\n1,2\n3,4\n"), "--target", "c"],
                       "unknown column 'c'; the columns are: a, b"),
    "non-numeric cell": (lambda d: ["train", "--data", write(d, "a.csv", "a,b,y\n1,2,0\nabc,3,1\n")],
                         ("row 2 (line 3), column 'a': 'abc' is not a number; encode the column with "
                          "--one-hot a")),
    "missing cell": (lambda d: ["train", "--data", write(d, "a.csv", "a,b,y\n1,,0\n2,3,1\n")],
                     "row 1 (line 2), column 'b': is missing; drop such rows with --drop-missing"),
    "empty file": (lambda d: ["train", "--data", write(d, "a.csv", "")], "a.csv is empty"),
    "header only": (lambda d: ["train", "--data", write(d, "a.csv", "a,b\n")],
                    "has a header but no data rows"),
    "negative learning rate": (lambda d: ["train", "--lr", "-0.1"], "argument --lr: '-0.1' must be positive"),
    "zero learning rate": (lambda d: ["train", "--lr", "0"], "argument --lr: '0' must be positive"),
    "hidden list": (lambda d: ["train", "--hidden", "64,x"],
                    "argument --hidden: '64,x' is not a comma-separated list of positive integers"),
    "hidden zero": (lambda d: ["train", "--hidden", "64,0"], "argument --hidden: '64,0' is not a comma"),
    "test size": (lambda d: ["train", "--test-size", "1.5"], "argument --test-size: '1.5' must be a"),
    "epochs": (lambda d: ["train", "--epochs", "ten"], "argument --epochs: 'ten' is not a positive integer"),
    "unknown feature": (lambda d: ["train", "--data", "xor", "--features", "x1,x3"], "unknown feature 'x3'"),
    "features of wide data": (lambda d: ["train", "--data", "iris", "--features", "x1,x2"],
                              "--features applies to 2-D data, but the data has 4 input columns"),
    "model for another task": (lambda d: ["train", "--model", "ridge"],
                               "--model ridge (Ridge) is for regression, but the task is classification"),
    "unknown estimator parameter": (lambda d: ["train", "--data", "diabetes", "--model", "ridge", "--param",
                                               "beta=1"], "Ridge has no parameter 'beta'"),
    "single class": (lambda d: ["train", "--data", write(d, "a.csv", "a,y\n1,0\n2,0\n")],
                     "the target 'y' has a single class (0)"),
    "regression on labels": (lambda d: ["train", "--data", write(d, "a.csv", "a,y\n1,cat\n2,dog\n"), "--task",
                                        "regression"], "--task regression needs a numeric target"),
    "resume a non-run": (lambda d: ["train", "--resume", d], "is not a backprop run folder: no file"),
    "resume a missing folder": (lambda d: ["train", "--resume", d / "nope"], "no such run folder"),
    "evaluate a non-run": (lambda d: ["evaluate", d], "is not a backprop run folder"),
    "predict a missing run": (lambda d: ["predict", d / "nope", d / "x.csv"], "no such run folder"),
    "graph code": (lambda d: ["graph", "__import__('os').system('ls')", "--at", "x=1"], "is not allowed"),
    "graph syntax": (lambda d: ["graph", "x +* 2", "--at", "x=1"], "cannot parse 'x +* 2'"),
    "graph point": (lambda d: ["graph", "x + 1", "--at", "x:1"], "--at: 'x:1' is not name=value"),
    "graph value": (lambda d: ["graph", "x + y", "--at", "x=1"], "no value for 'y': give it with --at y=..."),
    "graph variable twice": (lambda d: ["graph", "x + y", "--at", "x=1,y=2,x=3"], "--at: 'x' is given twice"),
    "graph caret": (lambda d: ["graph", "x^2", "--at", "x=1"], "use ** for powers"),
    "demo lr": (lambda d: ["demo", "--lr", "0"], "argument --lr: '0' must be positive"),
    "demo epochs": (lambda d: ["demo", "--epochs", "-5"], "argument --epochs: '-5' is not a positive integer"),
    "demo seed": (lambda d: ["demo", "--seed", "1.5"], "argument --seed: '1.5'"),
    "demo hidden": (lambda d: ["demo", "--hidden", "0"], "argument --hidden: '0' is not a positive integer"),
    "explain row": (lambda d: ["explain", "--x", "1,2,3"], "--x has 3 values but the network takes 2 inputs"),
    "explain number": (lambda d: ["explain", "--x", "1,two"], "--x: 'two' is not a number"),
    "explain class": (lambda d: ["explain", "--y", "5"], "--y must be a class index in 0..1"),
    "unknown option": (lambda d: ["train", "--learning-rate", "1"],
                       "unrecognized arguments: --learning-rate 1"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_line(tmp_path, capsys, case):
    argv, message = BAD[case]
    code, _, err = cli(capsys, *argv(tmp_path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("backprop") and "error: " in err
    assert message in err, err
    assert "Traceback" not in err


def test_missing_extra_names_what_to_install(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    code, _, err = cli(capsys, "train")
    assert code == 2
    assert err.strip() == ("backprop: error: backprop train needs matplotlib, which is not installed: "
                           "pip install 'backprop[cli]'")


def test_existing_run_folder_is_not_overwritten(tmp_path, capsys):
    args = ("train", "--data", "xor-table", "--epochs", 1, "--no-plots", "--quiet", "--out", tmp_path)
    assert cli(capsys, *args)[0] == 0
    code, _, err = cli(capsys, *args)
    assert code == 2 and f"{tmp_path} already holds a run: continue it with --resume" in err
    assert cli(capsys, *args, "--overwrite")[0] == 0
    code, _, err = cli(capsys, "train", "--resume", tmp_path, "--hidden", 8)
    assert code == 2 and "drop --hidden (only --lr, --weight-decay, --epochs, --early-stopping may change" in err
    code, _, err = cli(capsys, "evaluate", tmp_path, "--target", "y")
    assert code == 2 and "--target applies to a file given with --data" in err


def test_predict_input_errors(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli(capsys, "train", "--data", "moons", "--epochs", 1, "--no-plots", "--quiet", "--out", run)[0] \
        == 0
    code, _, err = cli(capsys, "predict", run, tmp_path / "none.csv")
    assert code == 2 and "no such file" in err
    code, _, err = cli(capsys, "predict", run, write(tmp_path, "a.csv", "x1,x3\n1,2\n"))
    assert code == 2 and "unknown column 'x2': the model's input columns are x1, x2" in err
    code, _, err = cli(capsys, "predict", run, write(tmp_path, "b.csv", "1,2,3\n"))
    assert code == 2 and "3 columns, but the model takes 2 inputs" in err


def test_unexpected_errors_are_one_line_too(capsys, monkeypatch):
    from backprop.cli import graph

    def boom(*args):
        raise RuntimeError("boom")
    monkeypatch.setattr(graph, "parse", boom)
    code, _, err = cli(capsys, "graph", "x", "--at", "x=1")
    assert code == 1
    assert err.strip() == "backprop: error: RuntimeError: boom (set BACKPROP_DEBUG=1 for the traceback)"


@pytest.mark.parametrize("argv, message", [
    (("train", "--data", "circles", "--n-samples", 1), "--n-samples 1: n_samples must be at least 2"),
    (("train", "--data", "xor-table", "--batch-norm", "--batch-size", 1), "--batch-norm needs --batch-size 2 or more"),
    (("graph", "x", "--at", "x=1", "-o", "g.xyz"), "-o g.xyz: a graph is written as .dot, .svg, .png, .pdf, not .xyz"),
])
def test_more_misuse_is_named_in_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, _, err = cli(capsys, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "BACKPROP_DEBUG" not in err

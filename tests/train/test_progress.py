import io
import sys

import numpy as np
import pytest

import backprop as bp
from backprop.train import fit
from backprop.train.progress import bar_postfix

nn = bp.nn


def _fit(verbose):
    bp.manual_seed(0)
    X = np.random.default_rng(0).normal(size=(12, 2))
    y = X.sum(axis=1, keepdims=True)
    model = nn.Linear(2, 1)
    return fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
               val_data=(X, y), metrics=["mae"], batch_size=4, verbose=verbose)


@pytest.mark.parametrize("verbose", [False, None])  # None: quiet, since pytest's stdout is not a terminal
def test_quiet(verbose, capsys):
    _fit(verbose)
    assert capsys.readouterr() == ("", "")


def test_one_line_per_epoch_without_tqdm(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    history = _fit(True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    loss, mae = history.history["loss"][1], history.history["mae"][1]
    assert lines[1].startswith(f"Epoch 2/2 - loss: {loss:.4f} - mae: {mae:.4f} - val_loss: ")


def test_tqdm_bar_with_running_loss(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    monkeypatch.setenv("COLUMNS", "200")  # wide enough for the metrics' full names
    _fit(True)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "3/3" in out
    assert "loss=" in out and "val_loss=" in out


# The bar keeps every metric visible at 80 columns by shortening names, then decimals.
LOGS = {"loss": 0.12345, "accuracy": 0.95, "val_loss": 0.2, "val_accuracy": 0.9}


def test_wide_terminal_keeps_the_full_names():
    assert bar_postfix(LOGS, 200) == "loss=0.1235, accuracy=0.9500, val_loss=0.2000, val_accuracy=0.9000"


def test_names_shorten_as_the_terminal_narrows():
    assert bar_postfix(LOGS, 90) == "loss=0.1235, acc=0.9500, val_loss=0.2000, val_acc=0.9000"
    assert bar_postfix(LOGS, 80) == "loss=0.123, acc=0.950, v_loss=0.200, v_acc=0.900"


@pytest.mark.parametrize("steps", [40, 400])
def test_an_80_column_bar_shows_every_metric(steps):
    tqdm = pytest.importorskip("tqdm").tqdm
    out = io.StringIO()
    bar = tqdm(total=steps, desc="Epoch 10/30", file=out, ncols=80,
               bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{postfix}")
    bar.set_postfix_str(bar_postfix(LOGS, 80), refresh=False)
    bar.update(steps)
    bar.close()
    line = out.getvalue().split("\r")[-1].strip()
    assert len(line) <= 80 and line.endswith("v_loss=0.200, v_acc=0.900"), line

import sys

import numpy as np
import pytest

import backprop as bp
from backprop.train import fit

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


def test_tqdm_bar_with_running_loss(capsys):
    pytest.importorskip("tqdm")
    _fit(True)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "3/3" in out
    assert "loss=" in out and "val_loss=" in out

"""Readable widths (issue 13, item 10): the console view's blocks wrapped to ``width`` display columns,
the wide table on request, ``backprop explain`` at most 100 columns when not printing to a terminal,
and display width measured in columns (combining marks take none)."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain import _format
from tests.cli._helpers import cli


@pytest.fixture(scope="module")
def adam_trace():
    bp.manual_seed(3)
    model = bp.nn.Sequential(bp.nn.Linear(4, 3), bp.nn.Tanh(), bp.nn.Linear(3, 2)).double()
    opt = bp.optim.Adam(model.parameters(), lr=0.01)
    X = bp.tensor(np.linspace(-1, 1, 8).reshape(2, 4), dtype=np.float64)
    with bp.explain.trace(model=model, names={"X": X}) as tr:
        bp.F.cross_entropy(model(X), bp.tensor([0, 1])).backward()
        opt.step()
    return tr


def test_display_width_counts_columns():
    assert _format.width("m̂ ← m") == 5 and _format.width("v̂") == 1 and _format.width("表") == 2
    assert _format.pad("m̂", 3) == "m̂  " and _format.pad("7", 3, ">") == "  7"
    assert _format.wrap("a b c", 10) == ["a b c"]
    lines = _format.wrap("  x = [1, 2], y = [3, 4], z = [5, 6]", 16)
    assert all(_format.width(ln) <= 16 for ln in lines) and lines[0].startswith("  x = ")
    assert _format.wrap("a" * 30 + " b", 10) == ["a" * 30, "    b"]  # one long token stays whole


@pytest.mark.parametrize("width", [60, 80, 100, 140])
@pytest.mark.parametrize("lang", ["en", "ru"])
def test_blocks_fit_the_width(adam_trace, width, lang):
    tr = adam_trace
    text = tr.to_text(lang, 16, 6, width=width, layout="blocks")
    for line in text.splitlines():
        assert _format.width(line) <= width or " " not in line.strip(), line


def test_blocks_are_the_default_and_the_table_stays(adam_trace):
    tr = adam_trace
    blocks = tr.to_text("en", 16, 6)
    assert blocks == tr.to_text()
    assert "\n1. Linear\n  formula:" in blocks and "  inputs:" in blocks and "  output:" in blocks
    assert "gradient passed to each input:" in blocks and " | " not in blocks
    table = tr.to_text("en", 16, 6, layout="table")
    assert "# | op | formula" in " ".join(table.split()) and "-+-" in table
    assert max(_format.width(ln) for ln in table.splitlines()) > 100  # the wide table, unwrapped
    with pytest.raises(ValueError, match="layout"):
        tr.to_text("en", 16, 6, layout="wide")


def _cli_widths(capsys, *argv):
    code, out, _ = cli(capsys, "explain", *argv)
    assert code == 0
    return [_format.width(line) for line in out.splitlines()]


@pytest.mark.parametrize("lang", ["en", "ru"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop"])
def test_cli_explain_lines_at_most_100_columns(capsys, lang, optimizer):
    assert max(_cli_widths(capsys, "--lang", lang, "--optimizer", optimizer)) <= 100
    assert max(_cli_widths(capsys, "--lang", lang, "--optimizer", optimizer, "--layers", "3,5,2",
                           "--x", "1,2,3", "--width", 72)) <= 72
    assert max(_cli_widths(capsys, "--lang", lang, "--layout", "table")) > 100


def test_cli_explain_uses_the_terminal_width(capsys, monkeypatch):
    import os
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=(80, 24): os.terminal_size((70, 24)))
    assert max(_cli_widths(capsys)) <= 70


def test_docs_sample_output_fits_100_columns():
    import pathlib

    doc = pathlib.Path(__file__).resolve().parents[2] / "docs" / "explain-output.md"
    text = doc.read_text(encoding="utf-8")
    assert "Forward pass" in text and "Прямой проход" in text and "сеть: MLP(" in text
    assert max(_format.width(line) for line in text.splitlines() if not line.startswith(("#", "`"))) <= 100
    readme = doc.parents[1] / "README.md"
    assert "(docs/explain-output.md)" in readme.read_text(encoding="utf-8")

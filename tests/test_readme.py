"""The README's Python tour runs as written."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_tour_runs(tmp_path, monkeypatch, capsys):
    pytest.importorskip("safetensors")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "the README has no Python tour"
    monkeypatch.chdir(tmp_path)  # the tour writes model.safetensors
    namespace = {}
    exec(compile(blocks[0], str(README), "exec"), namespace)
    assert (float(namespace["x"].grad), float(namespace["y"].grad)) == (10.0, 7.0)
    assert (tmp_path / "model.safetensors").exists()
    out = capsys.readouterr().out
    assert "Обратный проход" in out and "def replay(arrays):" in out
    step = namespace["train_step"]
    assert (step.captures, step.last_replay) == (1, True) and len(namespace["losses"]) == 8

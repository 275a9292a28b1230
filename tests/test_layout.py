"""The layout of the source: no module of ``src/`` passes 400 lines (split it by topic instead)."""
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
MAX_LINES = 400


def _line_count(path):
    with path.open("rb") as f:
        return sum(1 for _ in f)


@pytest.mark.skipif(not SRC.is_dir(), reason="needs the source tree (src/), not an installed package")
def test_no_source_file_passes_400_lines():
    counts = {path.relative_to(SRC.parent).as_posix(): _line_count(path) for path in sorted(SRC.rglob("*.py"))}
    assert counts, f"no .py file found under {SRC}"
    over = {name: n for name, n in counts.items() if n > MAX_LINES}
    assert not over, f"{len(over)} file(s) under src/ pass {MAX_LINES} lines: " + ", ".join(
        f"{name} ({n} lines)" for name, n in sorted(over.items(), key=lambda item: -item[1]))

import pytest


@pytest.fixture(autouse=True)
def _in_tmp_folder(tmp_path, monkeypatch):
    """Every CLI test runs in its own folder, so a default ``runs/`` folder never lands in the repository."""
    monkeypatch.chdir(tmp_path)

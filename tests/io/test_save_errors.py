"""bp.save into a missing folder, onto a directory, or when the disk fails (issue 18): an OSError naming the path
the user gave, never the temporary file, and nothing changed (no file created, no temporary file left, an existing
file kept whole)."""
import errno
import os

import numpy as np
import pytest

import backprop as bp

pytest.importorskip("safetensors")

STATE = {"weight": np.arange(6.0).reshape(2, 3)}


def listing(folder):
    return sorted(os.listdir(folder))


def test_a_missing_folder_is_a_filenotfounderror_naming_the_given_path(tmp_path):
    path = str(tmp_path / "missing" / "model.safetensors")
    with pytest.raises(FileNotFoundError, match="the folder '.*missing' does not exist") as error:
        bp.save(STATE, path)
    assert error.value.filename == path and ".tmp" not in str(error.value)
    assert listing(tmp_path) == []


def test_a_directory_is_an_isadirectoryerror_naming_it_and_left_unchanged(tmp_path):
    (tmp_path / "inside.txt").write_text("kept")
    with pytest.raises(IsADirectoryError, match="Is a directory") as error:
        bp.save(STATE, tmp_path)
    assert error.value.filename == str(tmp_path) and ".tmp" not in str(error.value)
    assert listing(tmp_path) == ["inside.txt"] and listing(tmp_path.parent).count(tmp_path.name) == 1


def test_a_parent_that_is_a_file_is_a_notadirectoryerror(tmp_path):
    (tmp_path / "file").write_text("x")
    path = str(tmp_path / "file" / "model.safetensors")
    with pytest.raises(NotADirectoryError, match="is a file") as error:
        bp.save(STATE, path)
    assert error.value.filename == path
    assert (tmp_path / "file").read_text() == "x"


def test_a_failing_disk_names_the_given_path_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = str(tmp_path / "model.safetensors")
    bp.save(STATE, path)
    before = (tmp_path / "model.safetensors").read_bytes()

    def full_disk(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left on device") as error:
        bp.save({"weight": np.zeros(3)}, path)
    assert error.value.errno == errno.ENOSPC and error.value.filename == path
    monkeypatch.undo()
    assert listing(tmp_path) == ["model.safetensors"]  # no temporary file left
    assert (tmp_path / "model.safetensors").read_bytes() == before
    np.testing.assert_array_equal(bp.load(path)["weight"], STATE["weight"])

"""backprop predict: unseen categories (--unknown), cells written as read, no advice of options it lacks."""
import pytest

from ._helpers import cli


@pytest.fixture
def run(tmp_path, capsys):
    rows = ["size,colour,y"] + [f"{(i * 37 % 100) / 100},{('red', 'blue')[i % 3 == 0]},{i % 2}" for i in range(40)]
    (tmp_path / "train.csv").write_text("\n".join(rows) + "\n")
    out = tmp_path / "run"
    assert cli(capsys, "train", "--data", tmp_path / "train.csv", "--one-hot", "colour", "--epochs", 1, "--hidden",
               4, "--no-plots", "--quiet", "--out", out)[0] == 0
    (tmp_path / "new.csv").write_text("size,colour\n5.10,red\n0.7,green\n0.1,blue\n")
    return out


def test_unknown_category_warns_per_row_and_leaves_its_prediction_empty(run, tmp_path, capsys):
    code, out, err = cli(capsys, "predict", run, tmp_path / "new.csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "size,colour,prediction,prob_0,prob_1"
    assert lines[1].startswith("5.10,red,") and lines[1].count(",") == 4 and not lines[1].endswith(",")
    assert lines[2] == "0.7,green,,,"
    assert lines[3].startswith("0.1,blue,") and lines[3].split(",")[2] in ("0", "1")
    assert err.strip() == (f"warning: {tmp_path / 'new.csv'}, row 2 (line 3), column 'colour': category 'green' "
                           "was not seen in training (blue, red); its prediction is left empty")


def test_unknown_error_stops_and_ignore_is_silent(run, tmp_path, capsys):
    code, _, err = cli(capsys, "predict", run, tmp_path / "new.csv", "--unknown", "error")
    assert code == 2 and "row 2 (line 3), column 'colour': category 'green' was not seen" in err
    code, out, err = cli(capsys, "predict", run, tmp_path / "new.csv", "--unknown", "ignore")
    assert code == 0 and err == "" and out.splitlines()[2] == "0.7,green,,,"


def test_a_bad_cell_is_named_without_advising_a_reader_option(run, tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("size,colour\nabc,red\n")
    code, _, err = cli(capsys, "predict", run, tmp_path / "bad.csv")
    assert code == 2 and "row 1 (line 2), column 'size': 'abc' is not a number" in err
    assert "--one-hot" not in err and "--drop-missing" not in err

"""``backprop train --data sine --model rnn|lstm|gru``: the bundled sequence task, the recurrent models'
options, their run folder, resume, ``evaluate`` on the named set and ``predict`` on a CSV of sequences."""
import json
import shlex

import numpy as np
import pytest

import backprop as bp
from backprop.data.datasets import make_sine
from tests.cli._helpers import assert_png, cli, read_csv_rows

SMALL = ("--data", "sine", "--n-samples", 120, "--seq-len", 6, "--epochs", 2, "--batch-size", 16, "--lr", 0.01)


def train(capsys, out, *extra):
    hidden = () if "--hidden" in extra else ("--hidden", 4)
    code, stdout, err = cli(capsys, "train", *SMALL, *hidden, *extra, "--quiet", "--out", out)
    assert code == 0, err
    return stdout


def test_make_sine_windows_and_next_value():
    X, y = make_sine(n_samples=7, seq_len=5, noise=0.0, random_state=0)
    assert X.shape == (7, 5) and y.shape == (7,) and X.dtype == y.dtype == np.float64
    # noiseless, every value steps 0.3 along sin, the target included: sin(a + 2h) = 2cos(h)·sin(a + h) − sin(a)
    series = np.column_stack([X, y])
    np.testing.assert_allclose(series[:, 2:], 2 * np.cos(0.3) * series[:, 1:-1] - series[:, :-2], atol=1e-12)
    np.testing.assert_array_equal(X, make_sine(n_samples=7, seq_len=5, noise=0.0, random_state=0)[0])
    noisy = make_sine(n_samples=2000, seq_len=3, noise=0.1, random_state=1)[0]
    clean = make_sine(n_samples=2000, seq_len=3, noise=0.0, random_state=1)[0]
    assert abs(np.std(noisy - clean) - 0.1) < 0.01
    with pytest.raises(ValueError, match="seq_len must be a positive integer"):
        make_sine(seq_len=0)
    with pytest.raises(ValueError, match="noise must be non-negative"):
        make_sine(noise=-1)


def test_gru_run_folder_evaluate_and_predict(tmp_path, capsys):
    out = tmp_path / "gru"
    train(capsys, out, "--model", "gru")
    for name in ("model.safetensors", "config.json", "metrics.json", "history.csv", "history.json",
                 "checkpoint.safetensors"):
        assert (out / name).is_file(), name
    assert_png(out / "curves.png")
    assert_png(out / "predicted_vs_true.png")
    config = json.loads((out / "config.json").read_text())
    opts = config["options"]
    assert (opts["model"], opts["hidden"], opts["num_layers"], opts["seq_len"]) == ("gru", [4], 1, 6)
    assert config["data"]["columns"] == [f"x{j}" for j in range(6)] and config["data"]["task"] == "regression"
    # the time steps share one standardisation
    assert len(set(config["data"]["preprocessing"]["mean"])) == 1
    words = shlex.split(config["command"])
    assert words[words.index("--num-layers") + 1] == "1" and words[words.index("--seq-len") + 1] == "6"
    assert "GRU(1, 4, batch_first=True)" in config["model"]
    metrics = json.loads((out / "metrics.json").read_text())
    code, table, _ = cli(capsys, "evaluate", out)
    assert code == 0 and f"{metrics['test']['mse']:.4f}" in table
    code, table, _ = cli(capsys, "evaluate", out, "--data", "sine")  # new windows: seed + 1
    assert code == 0 and table.splitlines()[1].split()[:2] == ["sine", "120"]

    rows = make_sine(n_samples=3, seq_len=6, noise=0.0, random_state=5)[0]
    (tmp_path / "seq.csv").write_text("".join(",".join(str(float(v)) for v in r) + "\n" for r in rows))
    code, _, err = cli(capsys, "predict", out, tmp_path / "seq.csv", "-o", tmp_path / "pred.csv")
    assert code == 0, err
    written = read_csv_rows(tmp_path / "pred.csv")
    assert written[0] == [f"x{j}" for j in range(6)] + ["prediction"] and len(written) == 4
    # a header of any names is read by position
    (tmp_path / "named.csv").write_text("a,b,c,d,e,f\n" + ",".join(str(float(v)) for v in rows[0]) + "\n")
    code, stdout, _ = cli(capsys, "predict", out, tmp_path / "named.csv")
    assert code == 0 and stdout.splitlines()[0] == "a,b,c,d,e,f,prediction"
    assert stdout.splitlines()[1].split(",")[-1] == written[1][-1]


def test_predict_refuses_other_formats_and_lengths(tmp_path, capsys):
    out = tmp_path / "rnn"
    train(capsys, out, "--model", "rnn", "--epochs", 1, "--no-plots")
    np.save(tmp_path / "x.npy", np.zeros((2, 6)))
    code, _, err = cli(capsys, "predict", out, tmp_path / "x.npy")
    assert code == 2 and "not a CSV file" in err and "one sequence per row (6 numeric columns" in err
    (tmp_path / "short.csv").write_text("1,2,3\n4,5,6\n")
    code, _, err = cli(capsys, "predict", out, tmp_path / "short.csv")
    assert code == 2 and "rows of 3 values, but the model reads sequences of 6 values" in err
    (tmp_path / "text.csv").write_text("1,2,3,4,5,6\n1,2,x,4,5,6\n")
    code, _, err = cli(capsys, "predict", out, tmp_path / "text.csv")
    assert code == 2 and "line 2" in err


def test_stacked_lstm_and_resume_match_an_uninterrupted_run(tmp_path, capsys):
    whole, part = tmp_path / "whole", tmp_path / "part"
    train(capsys, whole, "--model", "lstm", "--hidden", "3,3", "--epochs", 3, "--no-plots")
    opts = json.loads((whole / "config.json").read_text())["options"]
    assert (opts["hidden"], opts["num_layers"]) == ([3], 2)
    train(capsys, part, "--model", "lstm", "--hidden", 3, "--num-layers", 2, "--epochs", 2, "--no-plots")
    code, out, err = cli(capsys, "train", "--resume", part, "--epochs", 3)
    assert code == 0, err
    assert "model: lstm 3 units × 2 layers over 6 steps → Linear → 1, adam lr 0.01" in out
    assert "resuming" in out and "after epoch 2" in out
    a, b = bp.load(whole / "model.safetensors"), bp.load(part / "model.safetensors")
    assert "1.weight_hh_l1" in a and list(a) == list(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.mark.parametrize(("extra", "message"), [
    (("--model", "gru", "--hidden", "8,4"), "--hidden 8,4: every layer of a recurrent model (gru) has the "
                                             "same hidden size; give one size with --hidden and the number "
                                             "of layers with --num-layers (e.g. --hidden 8 --num-layers 2)"),
    (("--model", "lstm", "--hidden", "4,4", "--num-layers", "3"), "--hidden 4,4 means 2 layers but "
                                                                  "--num-layers is 3"),
    (("--model", "rnn", "--hidden", "none"), "needs a hidden size"),
    (("--model", "gru", "--activation", "tanh"), "--activation applies to --model mlp"),
    (("--model", "gru", "--batch-norm"), "--batch-norm applies to --model mlp"),
    (("--num-layers", "2",), "--num-layers applies to the recurrent models (rnn, lstm, gru)"),
])
def test_option_errors(tmp_path, capsys, extra, message):
    code, _, err = cli(capsys, "train", *SMALL, *extra, "--out", tmp_path / "r")
    assert code == 2 and message in err
    assert not (tmp_path / "r").exists()


def test_mlp_on_the_same_windows_and_a_recurrent_config(tmp_path, capsys):
    """An MLP reads the windows as plain features; a --config of a gru run lends its data options to it,
    not its layer sizes."""
    train(capsys, tmp_path / "gru", "--model", "gru", "--num-layers", 2, "--epochs", 1, "--no-plots")
    code, _, err = cli(capsys, "train", "--config", tmp_path / "gru", "--model", "mlp", "--quiet", "--no-plots",
                       "--out", tmp_path / "mlp")
    assert code == 0, err
    opts = json.loads((tmp_path / "mlp" / "config.json").read_text())["options"]
    assert (opts["hidden"], opts["num_layers"], opts["seq_len"]) == ([128, 64], None, 6)

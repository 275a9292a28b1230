"""``backprop train`` end to end: run folders, printed tables, plots, data sources, models, repeatability."""
import json
import shlex

import numpy as np
import pytest

import backprop as bp
from tests.cli._helpers import assert_png, cli, read_csv_rows, write_idx

SMALL = ("--epochs", 3, "--hidden", 8, "--quiet")


def table_rows(out):
    """The printed metrics table: {split: [numbers...]}."""
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in ("train", "validation", "test"):
            rows[parts[0]] = [None if p == "-" else float(p) for p in parts[1:]]
    return rows


def test_default_run_reaches_96_percent_on_digits(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--out", tmp_path / "run")
    assert code == 0
    assert "data: digits: 1797 samples, 64 model inputs, classification into 10 classes" in out
    assert "Epoch 30/30" in out
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["test"]["accuracy"] >= 0.96
    assert table_rows(out)["test"][:2] == [360, round(metrics["test"]["accuracy"], 4)]
    for name in ("model.safetensors", "checkpoint.safetensors", "config.json", "history.csv", "history.json"):
        assert (tmp_path / "run" / name).stat().st_size > 0
    assert_png(tmp_path / "run" / "curves.png")
    assert_png(tmp_path / "run" / "confusion_matrix.png")
    history = json.loads((tmp_path / "run" / "history.json").read_text())
    assert [r["epoch"] for r in history] == list(range(1, 31))
    csv_rows = read_csv_rows(tmp_path / "run" / "history.csv")
    assert csv_rows[0] == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy"]
    assert float(csv_rows[-1][1]) == history[-1]["loss"]
    weights = bp.load(tmp_path / "run" / "model.safetensors")
    assert {k: v.shape for k, v in weights.items()} == {"0.weight": (128, 64), "0.bias": (128,), "2.weight": (
        64, 128), "2.bias": (64,), "4.weight": (10, 64), "4.bias": (10,)}


@pytest.mark.parametrize("data", ["circles", "xor", "gauss", "spiral", "moons"])
def test_2d_runs_draw_the_decision_boundary(tmp_path, capsys, data):
    code, out, _ = cli(capsys, "train", "--data", data, "--n-samples", 200, *SMALL, "--out", tmp_path)
    assert code == 0, out
    assert set(table_rows(out)) == {"train", "validation", "test"}
    assert table_rows(out)["test"][0] == 40
    assert_png(tmp_path / "decision_boundary.png")


def test_playground_features_and_standardisation_are_recorded(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--data", "xor", "--features", "x1,x2,x1x2", "--hidden", "none",
                       "--epochs", 20, "--lr", 0.05, "--out", tmp_path)
    assert code == 0
    assert "3 model inputs" in out and "features x1,x2,x1x2 computed from x1, x2" in out
    assert "inputs standardised on the training split" in out
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["data"]["feature_names"] == ["x1", "x2", "x1x2"]
    assert len(config["data"]["preprocessing"]["mean"]) == 3
    # a linear model on x1·x2 separates XOR, which it cannot do on x1, x2 alone
    assert table_rows(out)["test"][1] > 0.9
    assert_png(tmp_path / "decision_boundary.png")


def test_regression_run(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--data", "diabetes", "--epochs", 5, "--hidden", 16, "--quiet",
                       "--out", tmp_path)
    assert code == 0
    assert out.splitlines()[0].split() == ["split", "samples", "mse", "rmse", "mae", "r2"]
    test = json.loads((tmp_path / "metrics.json").read_text())["test"]
    assert test["rmse"] == pytest.approx(test["mse"] ** 0.5)
    assert 0 < test["r2"] < 1
    assert read_csv_rows(tmp_path / "history.csv")[0] == ["epoch", "loss", "mae", "val_loss", "val_mae"]
    assert_png(tmp_path / "predicted_vs_true.png")
    assert_png(tmp_path / "curves.png")


def iris_csv(path, rows=None):
    """Iris as a CSV with a header, a string target and a categorical column."""
    from backprop.data.datasets import load_bundled

    X, y, _, classes = load_bundled("iris")
    lines = ["sepal_length,sepal_width,petal_length,petal_width,garden,species"]
    for i in range(len(y)) if rows is None else rows:
        lines.append(",".join(f"{v:g}" for v in X[i]) + f",{'north' if i % 2 else 'south'},{classes[y[i]]}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_csv_train_evaluate_predict(tmp_path, capsys):
    data = iris_csv(tmp_path / "iris.csv")
    run = tmp_path / "run"
    code, out, err = cli(capsys, "train", "--data", data, "--target", "species", "--one-hot", "garden",
                         "--epochs", 20, "--lr", 0.01, "--quiet", "--out", run)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert config["data"]["classes"] == ["setosa", "versicolor", "virginica"]
    assert config["data"]["feature_names"][-2:] == ["garden=north", "garden=south"]
    assert table_rows(out)["test"][1] > 0.8
    # evaluate on the run's own split repeats the numbers train printed
    code, again, _ = cli(capsys, "evaluate", run)
    assert code == 0 and table_rows(again) == table_rows(out)
    # evaluate on a labelled file
    code, other, _ = cli(capsys, "evaluate", run, "--data", iris_csv(tmp_path / "part.csv", range(0, 150, 5)))
    assert code == 0 and "part.csv" in other and " 30 " in other
    # predict: rows in, the same rows out with a prediction and class probabilities
    (tmp_path / "new.csv").write_text("petal_width,sepal_length,sepal_width,petal_length,garden\n"
                                      "0.2,5.1,3.5,1.4,north\n2.3,6.9,3.1,5.4,south\n")
    code, said, _ = cli(capsys, "predict", run, tmp_path / "new.csv", "-o", tmp_path / "pred.csv")
    assert code == 0 and "wrote 2 predictions" in said
    rows = read_csv_rows(tmp_path / "pred.csv")
    assert rows[0][-4:] == ["prediction", "prob_setosa", "prob_versicolor", "prob_virginica"]
    assert rows[1][5] == "setosa" and rows[2][5] == "virginica"
    assert sum(map(float, rows[1][-3:])) == pytest.approx(1, abs=1e-5)
    code, printed, _ = cli(capsys, "predict", run, tmp_path / "new.csv")
    assert code == 0 and printed.splitlines()[1].split(",")[5] == "setosa"


def test_npz_and_idx_data(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    np.savez(tmp_path / "d.npz", X=X, y=X @ [1.0, -2.0, 0.5])
    code, out, _ = cli(capsys, "train", "--data", tmp_path / "d.npz", *SMALL, "--out", tmp_path / "a")
    assert code == 0 and "mse" in out.splitlines()[0]
    images = rng.integers(0, 255, (40, 4, 4))
    labels = (images.reshape(40, -1).mean(axis=1) > 127).astype(int)
    write_idx(tmp_path / "train-images-idx3-ubyte", images[:30])
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels[:30])
    write_idx(tmp_path / "t10k-images-idx3-ubyte", images[30:])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", labels[30:])
    code, out, _ = cli(capsys, "train", "--data", tmp_path, *SMALL, "--out", tmp_path / "b")
    assert code == 0
    assert table_rows(out)["test"][0] == 10 and table_rows(out)["train"][0] == 27  # 10% of 30 validate
    code, again, _ = cli(capsys, "evaluate", tmp_path / "b", "--data", tmp_path)  # the folder's t10k files
    assert code == 0 and again.splitlines()[1].split()[1] == "10"


def test_config_repeats_a_run_exactly(tmp_path, capsys):
    args = ("--data", "moons", "--n-samples", 100, "--epochs", 4, "--hidden", 6, "--dropout", 0.1,
            "--batch-norm", "--optimizer", "nesterov", "--seed", 7, "--quiet", "--no-plots")
    assert cli(capsys, "train", *args, "--out", tmp_path / "a")[0] == 0
    assert cli(capsys, "train", "--config", tmp_path / "a", "--out", tmp_path / "b", "--quiet")[0] == 0
    command = json.loads((tmp_path / "a" / "config.json").read_text())["command"]
    words = shlex.split(command)
    assert words[:2] == ["backprop", "train"] and "--batch-norm" in words
    assert cli(capsys, *words[1:], "--out", tmp_path / "c", "--quiet")[0] == 0
    a = bp.load(tmp_path / "a" / "model.safetensors")
    for other in ("b", "c"):
        b = bp.load(tmp_path / other / "model.safetensors")
        assert all(np.array_equal(a[k], b[k]) for k in a)


def test_early_stopping(tmp_path, capsys):
    code, out, _ = cli(capsys, "train", "--data", "iris", "--epochs", 300, "--lr", 0.05, "--early-stopping",
                       2, "--hidden", 8, "--no-plots", "--out", tmp_path)
    assert code == 0
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history) < 300 and "early stopping: val_loss did not improve for 2 epochs" in out
    best = min(range(len(history)), key=lambda i: history[i]["val_loss"])
    assert f"kept the weights of epoch {best + 1}" in out
    assert json.loads((tmp_path / "metrics.json").read_text())["validation"]["log_loss"] == pytest.approx(
        history[best]["val_loss"], rel=1e-4)


def test_ridge_estimator_run(tmp_path, capsys):
    sklearn = pytest.importorskip("sklearn.linear_model")
    code, out, _ = cli(capsys, "train", "--data", "diabetes", "--model", "ridge", "--param", "alpha=2",
                       "--out", tmp_path)
    assert code == 0
    assert "model: Ridge(alpha=2)" in out
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["data"]["preprocessing"]["target_mean"] is None  # estimators fit the raw target
    weights = bp.load(tmp_path / "model.safetensors")
    from backprop.cli.data import prepare
    from backprop.cli.options import resolve

    data = prepare(resolve({"data": "diabetes", "model": "ridge"}))
    ref = sklearn.Ridge(alpha=2).fit(data.splits["train"][1], data.splits["train"][2])
    np.testing.assert_allclose(weights["coef_"], ref.coef_, rtol=1e-6)
    assert f"prediction: {ref.intercept_:.4g} " in out  # the formula starts at the intercept
    code, again, _ = cli(capsys, "evaluate", tmp_path)
    assert code == 0 and table_rows(again) == table_rows(out)


def test_2d_csv_regression_and_three_classes_draw_their_maps(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, (120, 2))
    value = X[:, 0] ** 2 - X[:, 1]
    label = np.digitize(X[:, 0], [-0.7, 0.7])
    (tmp_path / "r.csv").write_text("p,q,value\n" + "".join(f"{a},{b},{v}\n" for (a, b), v in zip(X, value)))
    (tmp_path / "c.csv").write_text("p,q,kind\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(X, label)))
    assert cli(capsys, "train", "--data", tmp_path / "r.csv", *SMALL, "--out", tmp_path / "r")[0] == 0
    assert cli(capsys, "train", "--data", tmp_path / "c.csv", *SMALL, "--out", tmp_path / "c")[0] == 0
    assert json.loads((tmp_path / "c" / "config.json").read_text())["data"]["classes"] == [0, 1, 2]
    for run in ("r", "c"):
        assert_png(tmp_path / run / "decision_boundary.png")
    np.save(tmp_path / "new.npy", X[:3])
    code, out, _ = cli(capsys, "predict", tmp_path / "r", tmp_path / "new.npy")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "p,q,prediction" and len(lines) == 4


def test_default_run_folder_and_no_folder_on_error(tmp_path, capsys):
    code, _, _ = cli(capsys, "train", "--data", "nope.csv")
    assert code == 2 and not (tmp_path / "runs").exists()
    assert cli(capsys, "train", "--data", "xor-table", "--epochs", 1, "--quiet", "--no-plots")[0] == 0
    assert cli(capsys, "train", "--data", "xor-table", "--epochs", 1, "--quiet", "--no-plots")[0] == 0
    folders = sorted(p.name for p in (tmp_path / "runs").iterdir())
    assert len(folders) == 2 and all(f.startswith("xor-table-mlp-") for f in folders)


def test_course_xor_needs_the_product_feature(tmp_path, capsys):
    """The problem book: no linear classifier gets XOR right on x1, x2; one on x1, x2, x1·x2 does."""
    args = ("--data", "xor-table", "--hidden", "none", "--optimizer", "sgd", "--lr", 0.5, "--epochs", 200,
            "--no-plots")
    code, out, _ = cli(capsys, *("train", *args, "--out", tmp_path / "plain"))
    assert code == 0 and "note: xor-table has 4 rows: no split" in out
    assert "model: mlp 2 → 2 (no hidden layer)" in out
    assert table_rows(out)["train"][1] <= 0.75
    lines = [line for line in out.splitlines() if line.startswith("Epoch")]
    assert len(lines) == 20 and lines[-1].startswith("Epoch 200/200")
    code, out, _ = cli(capsys, "train", *args, "--features", "x1,x2,x1x2", "--out", tmp_path / "product")
    assert code == 0 and table_rows(out)["train"] == [4, 1.0, 1.0, pytest.approx(0.0268, abs=1e-3)]



def test_course_xor_with_the_perceptron(tmp_path, capsys):
    """The same exercise with the course's perceptron (bp.linear_model.Perceptron) on x1, x2, x1·x2."""
    code, out, _ = cli(capsys, "train", "--data", "xor-table", "--features", "x1,x2,x1x2", "--model",
                       "perceptron", "--out", tmp_path)
    assert code == 0 and "model: Perceptron(random_state=0)" in out
    assert table_rows(out)["train"] == [4, 1.0, 1.0, None]  # no log loss: a perceptron gives decisions only
    assert "decision function: " in out and "·x1x2" in out


def test_evaluate_on_a_file_reads_it_as_the_run_did(tmp_path, capsys):
    # a run trained with --drop-missing drops incomplete rows of the file it is evaluated on too
    rng = np.random.default_rng(0)
    rows = ["a,b,price"] + [f"{a:.3f},{'' if i % 10 == 3 else f'{b:.3f}'},{2 * a - b:.3f}"
                            for i, (a, b) in enumerate(rng.normal(size=(80, 2)))]
    (tmp_path / "houses.csv").write_text("\n".join(rows) + "\n")
    run = tmp_path / "run"
    code, _, _ = cli(capsys, "train", "--data", tmp_path / "houses.csv", "--target", "price", "--drop-missing",
                     "--epochs", "1", "--out", run)
    assert code == 0
    code, out, _ = cli(capsys, "evaluate", run, "--data", tmp_path / "houses.csv")
    assert code == 0 and "houses.csv            72" in out


def test_curves_start_at_epoch_1_and_mark_the_kept_epoch():
    from backprop.cli.plots import curves_figure

    rows = [{"epoch": e, "loss": 1 / e, "val_loss": 1 / e + 0.1, "accuracy": 0.5, "val_accuracy": 0.5}
            for e in range(1, 11)]
    fig = curves_figure(rows, "accuracy", kept_epoch=7)
    for ax in fig.axes:
        assert ax.get_xlim() == (1, 10)
        kept = [line for line in ax.get_lines() if line.get_label() == "kept (epoch 7)"]
        assert len(kept) == 1 and list(kept[0].get_xdata()) == [7, 7]
    assert not [line for line in curves_figure(rows, "accuracy").axes[0].get_lines()
                if line.get_label().startswith("kept")]


def test_batch_norm_with_a_last_batch_of_one_row_trains_and_says_so(tmp_path, capsys):
    # circles 100: 70 training rows; batches of 3 leave one row, whose variance is undefined
    code, out, err = cli(capsys, "train", "--data", "circles", "--n-samples", 100, "--hidden", 4, "--batch-norm",
                         "--batch-size", 3, "--epochs", 2, "--no-plots", "--out", tmp_path / "r")
    assert code == 0, err
    assert out.splitlines()[0] == ("note: with --batch-norm, the last batch of each epoch (70 training rows, "
                                   "--batch-size 3) would hold one row, whose variance is undefined: it is left "
                                   "out of each epoch")
    assert cli(capsys, "train", "--resume", tmp_path / "r", "--epochs", 3, "--quiet")[0] == 0


def test_no_jit_trains_the_same_weights(tmp_path, capsys):
    args = ("train", "--data", "circles", "--n-samples", 60, "--hidden", 4, "--epochs", 2, "--no-plots", "--quiet")
    assert cli(capsys, *args, "--out", tmp_path / "jit")[0] == 0
    assert cli(capsys, *args, "--no-jit", "--out", tmp_path / "eager")[0] == 0
    jit, eager = bp.load(tmp_path / "jit" / "model.safetensors"), bp.load(tmp_path / "eager" / "model.safetensors")
    assert jit.keys() == eager.keys() and all(np.array_equal(jit[k], eager[k]) for k in jit)

"""Reading errors in the command line's words, task inference, splitting, features and standardisation."""
import numpy as np
import pytest

from backprop.cli.common import CLIError
from backprop.cli.data import Preprocessor, infer_task, parse_features, prepare
from backprop.cli.files import reading
from backprop.cli.options import resolve
from backprop.data import read_csv, read_numpy


def test_reader_errors_use_the_command_line_names(tmp_path):
    """The readers live in bp.data (tests/data/test_files.py); the CLI prints their errors with its options."""
    path = tmp_path / "a.csv"
    path.write_text("colour,age,y\nred,30,1\nblue,,0\n")
    with pytest.raises(CLIError, match=r"row 1 \(line 2\), column 'colour': 'red' is not a number; encode the "
                                       "column with --one-hot colour$"), reading():
        read_csv(path)
    with pytest.raises(CLIError, match="is missing; drop such rows with --drop-missing$"), reading():
        read_csv(path, one_hot=["colour"])
    with pytest.raises(CLIError, match="--one-hot: unknown input column 'shape'"), reading():
        read_csv(path, one_hot=["shape"])
    with pytest.raises(CLIError, match="no such file: .*nope.csv$"), reading():
        read_csv(tmp_path / "nope.csv")
    with pytest.raises(CLIError, match="choose one with --target$"), reading():
        np.savez(tmp_path / "d.npz", X=np.ones((2, 2)), y=np.ones(2))
        read_numpy(tmp_path / "d.npz", target="z")


def test_infer_task():
    assert infer_task(np.array([0, 1, 1]), "auto", None) == "classification"
    assert infer_task(np.array(["a", "b"]), "auto", None) == "classification"
    assert infer_task(np.array([0.5, 1.0]), "auto", None) == "regression"
    assert infer_task(np.arange(50.0), "auto", None) == "regression"  # more than 20 integer values
    assert infer_task(np.array([0, 1]), "regression", None) == "regression"
    assert infer_task(np.arange(50.0), "auto", "classification") == "classification"
    with pytest.raises(CLIError, match="--task regression needs a numeric target"):
        infer_task(np.array(["a"]), "regression", None)


def test_features_are_derived_from_raw_coordinates_then_standardised():
    X = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5]])
    prep = Preprocessor.fit(X, None, parse_features("x1,x1x2,x2^2,sin_x1"), True, False)
    raw = np.column_stack([X[:, 0], X[:, 0] * X[:, 1], X[:, 1] ** 2, np.sin(X[:, 0])])
    np.testing.assert_allclose(prep.derive(X), raw)
    np.testing.assert_allclose(prep.transform(X), (raw - raw.mean(0)) / raw.std(0))
    assert Preprocessor.fit(X, None, None, False, False).transform(X) is X
    with pytest.raises(CLIError, match="unknown feature 'x3'"):
        parse_features("x1,x3")
    with pytest.raises(CLIError, match="applies to 2-D data, but the data has 3"):
        prep.derive(np.zeros((2, 3)))
    back = Preprocessor.from_dict(prep.to_dict())
    np.testing.assert_allclose(back.transform(X), prep.transform(X))


def test_prepare_splits_and_standardises_on_the_training_split_only():
    data = prepare(resolve({"data": "iris", "seed": 1}))
    assert {k: len(v[2]) for k, v in data.splits.items()} == {"train": 105, "validation": 15, "test": 30}
    X_train = data.splits["train"][1]
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1, atol=1e-12)
    assert np.abs(data.splits["test"][1].mean(axis=0)).max() > 1e-3  # the test split is not re-centred
    assert np.bincount(data.splits["test"][2]).tolist() == [10, 10, 10]  # stratified
    assert data.classes == ["setosa", "versicolor", "virginica"]
    rows = [tuple(r) for v in data.splits.values() for r in v[0]]
    assert len(rows) == 150
    again = prepare(resolve({"data": "iris", "seed": 1}))
    np.testing.assert_array_equal(again.splits["test"][0], data.splits["test"][0])


def test_prepare_keeps_tiny_data_whole():
    data = prepare(resolve({"data": "xor-table"}))
    assert list(data.splits) == ["train"] and "no split" in data.note


def test_predict_and_train_refuse_nan_and_inf_in_numpy_files(tmp_path, capsys):
    from tests.cli._helpers import cli

    assert cli(capsys, "train", "--data", "xor-table", "--epochs", 1, "--quiet", "--no-plots", "--out",
               tmp_path / "run")[0] == 0
    np.save(tmp_path / "new.npy", np.array([[0.0, 1.0], [1.0, np.nan]]))
    code, out, err = cli(capsys, "predict", tmp_path / "run", tmp_path / "new.npy")
    assert code == 2 and out == "" and "new.npy, row 2 (index 1), column 'x2': nan is not a finite" in err
    np.savez(tmp_path / "d.npz", X=np.array([[0.0, 1.0], [np.inf, 0.0]] * 10), y=np.arange(20) % 2)
    code, _, err = cli(capsys, "train", "--data", tmp_path / "d.npz", "--epochs", 1, "--quiet", "--no-plots")
    assert code == 2 and "d.npz, row 2 (index 1), column 'x0': inf is not a finite number" in err
    for name, array, message in [("s.npy", np.array(1.0), "a single number"), ("e.npy", np.zeros((0, 2)), "no samples"),
                                 ("t.npy", np.array([["a", "b"]]), "the inputs must be numbers")]:
        np.save(tmp_path / name, array)
        code, out, err = cli(capsys, "predict", tmp_path / "run", tmp_path / name)
        assert code == 2 and out == "" and message in err
    np.save(tmp_path / "f.npy", np.array([[5.1, 0.3]], dtype=np.float32))
    code, out, _ = cli(capsys, "predict", tmp_path / "run", tmp_path / "f.npy")
    assert code == 0 and out.splitlines()[1].startswith("5.1,0.3,")  # the cells as stored, not 5.0999999


def test_standardisation_is_the_library_standard_scaler_on_near_constant_columns():
    # 1e8 plus rounding noise: the old CLI standardiser scaled the noise up to about [0, 0.82, 0.82, 1.63]
    from backprop.preprocessing import StandardScaler

    X = np.column_stack([1e8 + np.array([0.0, 1.4901161e-08, 1.4901161e-08, 2.9802322e-08]) * 1e8 * 1e-8,
                         [1.0, 2.0, 3.0, 4.0]])
    prep = Preprocessor.fit(X, None, None, True, False)
    expected = StandardScaler().fit(X)
    np.testing.assert_array_equal(prep.scale, expected.scale_)
    np.testing.assert_array_equal(prep.transform(X), expected.transform(X))
    assert prep.scale[0] == 1.0 and np.abs(prep.transform(X)[:, 0]).max() < 1e-6

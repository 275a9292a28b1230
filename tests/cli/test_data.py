"""Reading user data (CSV, NPZ, NPY, IDX), task inference, splitting, features and standardisation."""
import numpy as np
import pytest

from backprop.cli import files
from backprop.cli.common import CLIError
from backprop.cli.data import Preprocessor, infer_task, parse_features, prepare
from backprop.cli.options import resolve
from tests.cli._helpers import write_idx


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_csv_with_header_and_string_target(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n")
    t = files.read_csv(path)
    assert t.header and t.columns == ["a", "b"] and t.target_name == "label"
    np.testing.assert_array_equal(t.X, [[1, 2], [3, 4], [5, 6]])
    assert t.y.tolist() == ["cat", "dog", "cat"]


@pytest.mark.parametrize("text, header", [("1,2,0\n3,4,1\n", False), ("x,y,t\n1,2,0\n", True),
                                          ("height,2020\n1.5,3\n", True), ("1;2;0\n3;4;1\n", False)])
def test_header_detection(tmp_path, text, header):
    columns, body, has_header = files.read_rows(write(tmp_path, text))
    assert has_header is header
    assert len(body) == text.count("\n") - header
    if not header:
        assert columns[0] == "x0"


def test_header_can_be_forced(tmp_path):
    path = write(tmp_path, "1,2,0\n3,4,1\n")
    t = files.read_csv(path, header=True)
    assert t.columns == ["1", "2"] and t.X.tolist() == [[3, 4]]


def test_target_by_name_or_index(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    assert files.read_csv(path, target="a").y.tolist() == [1, 4]
    assert files.read_csv(path, target="1").columns == ["a", "c"]
    with pytest.raises(CLIError, match="unknown column 'z'; the columns are: a, b, c"):
        files.read_csv(path, target="z")


def test_non_numeric_and_missing_cells_name_row_and_column(tmp_path):
    path = write(tmp_path, "age,colour,y\n30,red,1\n41,blue,0\n")
    with pytest.raises(CLIError, match=r"row 1 \(line 2\), column 'colour': 'red' is not a number; .*hot"):
        files.read_csv(path)
    path = write(tmp_path, "age,h,y\n30,1,1\n,2,0\n5,NA,1\n")
    with pytest.raises(CLIError, match=r"row 2 \(line 3\), column 'age': is missing; .*--drop-missing"):
        files.read_csv(path)
    t = files.read_csv(path, drop_missing=True)
    assert t.X.tolist() == [[30, 1]]


def test_one_hot_named_and_auto(tmp_path):
    path = write(tmp_path, "age,colour,size,y\n30,red,S,1\n41,blue,M,0\n50,red,M,1\n")
    with pytest.raises(CLIError, match="'size'"):
        files.read_csv(path, one_hot=["colour"])
    t = files.read_csv(path, one_hot=["auto"])
    assert t.feature_names == ["age", "colour=blue", "colour=red", "size=M", "size=S"]
    np.testing.assert_array_equal(t.X[0], [30, 0, 1, 0, 1])
    assert t.one_hot == {"colour": ["blue", "red"], "size": ["M", "S"]}
    with pytest.raises(CLIError, match="--one-hot: unknown input column 'shape'"):
        files.read_csv(path, one_hot=["shape"])
    # new data is encoded with the training categories; an unseen one is an error naming it
    other = write(tmp_path, "age,colour,size,y\n1,green,S,0\n", "new.csv")
    with pytest.raises(CLIError, match="category 'green' was not seen in training"):
        files.read_csv(other, categories=t.one_hot)


@pytest.mark.parametrize("text, message", [("", "is empty"), ("\n \n", "is empty"), ("a,b\n", "no data rows"),
                                           ("a,b\n1,2\n3\n", "line 3: 1 cells where the header has 2"),
                                           ("a\n1\n2\n", "single column"),
                                           ("a,a\n1,2\n", "names a column twice")])
def test_malformed_csv(tmp_path, text, message):
    with pytest.raises(CLIError, match=message):
        files.read_csv(write(tmp_path, text))


def test_missing_target_is_an_error(tmp_path):
    with pytest.raises(CLIError, match="column 'y': the target is missing"):
        files.read_csv(write(tmp_path, "a,y\n1,0\n2,\n"))


def test_npz_and_npy(tmp_path):
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1, 0, 1, 0, 1])
    np.savez(tmp_path / "d.npz", X=X, y=y)
    t = files.read_numpy(str(tmp_path / "d.npz"))
    np.testing.assert_array_equal(t.X, X)
    np.testing.assert_array_equal(t.y, y)
    np.savez(tmp_path / "e.npz", a=X, b=X, labels=y)
    with pytest.raises(CLIError, match="cannot tell which array holds the inputs"):
        files.read_numpy(str(tmp_path / "e.npz"))
    with pytest.raises(CLIError, match="no target array 'z'"):
        files.read_numpy(str(tmp_path / "d.npz"), target="z")
    np.save(tmp_path / "m.npy", np.column_stack([X, y]))
    t = files.read_numpy(str(tmp_path / "m.npy"))
    np.testing.assert_array_equal(t.X, X)
    np.testing.assert_array_equal(t.y, y)
    t = files.read_numpy(str(tmp_path / "m.npy"), target="0")
    np.testing.assert_array_equal(t.y, X[:, 0])


def test_idx_pair_by_name_and_folder(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, (5, 3, 3))
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", [0, 1, 2, 1, 0])
    train, test = files.read_idx(str(tmp_path / "train-images-idx3-ubyte.gz"))
    assert test is None and train.X.shape == (5, 9) and train.columns[0] == "pixel0"
    np.testing.assert_array_equal(train.X, images.reshape(5, 9))
    with pytest.raises(CLIError, match="no such file"):
        files.read_idx(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CLIError, match="no train-images-idx3-ubyte"):
        files.read_idx(str(tmp_path / "empty"))
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:2])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", [2, 2])
    train, test = files.read_idx(str(tmp_path))
    assert len(train.y) == 5 and test.y.tolist() == [2, 2]


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


def test_csv_quoted_cells_binary_files_and_infinities(tmp_path):
    path = write(tmp_path, 'a,note,y\n1,"two\nlines",0\n2,plain,1\n3,"x",0\n')
    columns, body, _ = files.read_rows(path)
    assert columns == ["a", "note", "y"] and [n for n, _ in body] == [3, 4, 5]  # a record ends on line 3
    assert body[0][1][1] == "two\nlines"
    with pytest.raises(CLIError, match=r"row 1 \(line 3\), column 'note'"):
        files.read_csv(path)
    with pytest.raises(CLIError, match="'inf' is not a number"):
        files.read_csv(write(tmp_path, "a,y\n1,0\ninf,1\n"))
    (tmp_path / "b.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    with pytest.raises(CLIError, match="is not a text"):
        files.read_csv(str(tmp_path / "b.csv"))

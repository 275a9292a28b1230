"""bp.data.read_csv, read_numpy and read_idx: every format into one Table, and errors naming the file, line,
row and column (NaN and infinity alike in every format)."""
import pickle

import numpy as np
import pytest

import backprop as bp
from backprop.data import (DataError, MissingValueError, NonFiniteError, Table, UnknownCategoryError, read_csv,
                           read_idx, read_numpy)
from backprop.data.csvfile import read_rows
from tests.cli._helpers import write_idx


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# -- CSV ---------------------------------------------------------------------------------------------------
def test_csv_with_header_and_string_target(tmp_path):
    path = write(tmp_path, "a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n")
    t = bp.data.read_csv(path)
    assert isinstance(t, Table) and t.header and t.columns == ["a", "b"] and t.target_name == "label"
    np.testing.assert_array_equal(t.X, [[1, 2], [3, 4], [5, 6]])
    assert t.X.dtype == np.float64 and t.y.tolist() == ["cat", "dog", "cat"]
    assert t.categories == {} and t.dropped_rows.tolist() == [] and t.feature_names == ["a", "b"]


@pytest.mark.parametrize("text, header", [("1,2,0\n3,4,1\n", False), ("x,y,t\n1,2,0\n", True),
                                          ("height,2020\n1.5,3\n", True), ("1;2;0\n3;4;1\n", False),
                                          ("a,b\nNA,1\n2,3\n", True)])
def test_header_detection(tmp_path, text, header):
    rows = read_rows(write(tmp_path, text))
    assert rows.header is header
    assert len(rows.rows) == text.count("\n") - header
    if not header:
        assert rows.columns[0] == "x0"


def test_header_can_be_forced(tmp_path):
    path = write(tmp_path, "1,2,0\n3,4,1\n")
    t = read_csv(path, header=True)
    assert t.columns == ["1", "2"] and t.X.tolist() == [[3, 4]]
    t = read_csv(write(tmp_path, "a,b,c\n1,2,3\n"), header=False, target=0, one_hot=["x1", "x2"])
    assert t.y.tolist() == ["a", "1"] and t.categories == {"x1": ["2", "b"], "x2": ["3", "c"]}


@pytest.mark.parametrize("text, delimiter", [("a;b;y\n1;2;0\n3;4;1\n", None), ("a\tb\ty\n1\t2\t0\n3\t4\t1\n", None),
                                             ("a|b|y\n1|2|0\n3|4|1\n", None), ("a:b:y\n1:2:0\n3:4:1\n", ":")])
def test_delimiters(tmp_path, text, delimiter):
    t = read_csv(write(tmp_path, text), delimiter=delimiter)
    assert t.columns == ["a", "b"] and t.y.tolist() == [0, 1]
    assert t.X[1].tolist() == [3, 4]
    with pytest.raises(ValueError, match="delimiter must be one character"):
        read_csv(write(tmp_path, text), delimiter=";;")


def test_utf8_and_utf16_byte_order_marks(tmp_path):
    (tmp_path / "u8.csv").write_bytes(b"\xef\xbb\xbfage,y\n1,0\n2,1\n")
    assert read_csv(tmp_path / "u8.csv").columns == ["age"]  # not "\ufeffage"
    (tmp_path / "u16.csv").write_bytes("age\tname\ty\n1\tÅsa\t0\n2\tBo\t1\n".encode("utf-16"))
    t = read_csv(tmp_path / "u16.csv", one_hot=["auto"])
    assert t.columns == ["age", "name"] and t.categories == {"name": ["Bo", "Åsa"]}


def test_quoting(tmp_path):
    path = write(tmp_path, 'a,note,y\n1,"two\nlines",0\n2, "with, comma",1\n3,"say ""hi""",0\n')
    rows = read_rows(path)
    assert rows.columns == ["a", "note", "y"] and [n for n, _ in rows.rows] == [3, 4, 5]  # record ends on line 3
    assert [r[1] for _, r in rows.rows] == ["two\nlines", "with, comma", 'say "hi"']
    with pytest.raises(DataError, match=r"row 1 \(line 3\), column 'note': 'two\\nlines' is not a number"):
        read_csv(path)
    t = read_csv(path, one_hot=["note"])
    assert t.feature_names == ["a", "note=say \"hi\"", "note=two\nlines", "note=with, comma"]
    with pytest.raises(DataError, match=r"data.csv, line 3: a quoted cell is never closed") as info:
        read_csv(write(tmp_path, 'a,y\n1,0\n"2,1\n3,0\n'))
    assert info.value.line == 3


def test_target_by_name_or_index(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    assert read_csv(path, target="a").y.tolist() == [1, 4]
    assert read_csv(path, target="1").columns == ["a", "c"]
    assert read_csv(path, target=-3).target_name == "a"
    with pytest.raises(DataError, match="data.csv: unknown column 'z'; the columns are: a, b, c"):
        read_csv(path, target="z")
    with pytest.raises(DataError, match="unknown column 3"):
        read_csv(path, target=3)


def test_non_numeric_and_missing_cells_name_file_row_line_and_column(tmp_path):
    path = write(tmp_path, "age,colour,y\n30,red,1\n41,blue,0\n")
    with pytest.raises(DataError, match=r"data.csv, row 1 \(line 2\), column 'colour': 'red' is not a number; "
                                        r"encode the column with one_hot=\['colour'\]") as info:
        read_csv(path)
    assert (info.value.path, info.value.row, info.value.line, info.value.column) == (path, 1, 2, "colour")
    path = write(tmp_path, "age,h,y\n30,1,1\n,2,0\n5,NA,1\n6,3,?\n7,4,0\n")
    with pytest.raises(MissingValueError, match=r"row 2 \(line 3\), column 'age': is missing; drop such rows "
                                                r"with drop_missing=True"):
        read_csv(path)
    t = read_csv(path, drop_missing=True)
    assert t.X.tolist() == [[30, 1], [7, 4]] and t.dropped_rows.tolist() == [1, 2, 3]
    with pytest.raises(MissingValueError, match="column 'y': the target is missing"):
        read_csv(write(tmp_path, "a,y\n1,0\n2,\n"))
    with pytest.raises(DataError, match="every row has a missing cell; nothing is left after drop_missing=True"):
        read_csv(write(tmp_path, "a,y\n,0\n2,\n"), drop_missing=True)


@pytest.mark.parametrize("cell", ["inf", "-Infinity", "1e999"])
def test_csv_infinity_names_row_and_column(tmp_path, cell):
    with pytest.raises(NonFiniteError, match=rf"row 2 \(line 3\), column 'a': '{cell}' is not a finite number"):
        read_csv(write(tmp_path, f"a,y\n1,0\n{cell},1\n"), one_hot=["auto"])  # still a numeric column
    with pytest.raises(NonFiniteError, match=rf"row 1 \(line 2\), column 'y': '{cell}' is not a finite"):
        read_csv(write(tmp_path, f"a,y\n1,{cell}\n2,1\n"))  # a numeric target too, never taken as labels


def test_one_hot_named_auto_and_categories_reused(tmp_path):
    path = write(tmp_path, "age,colour,size,y\n30,red,S,1\n41,blue,M,0\n50,red,M,1\n")
    with pytest.raises(DataError, match="'size'"):
        read_csv(path, one_hot=["colour"])
    t = read_csv(path, one_hot=["auto"])
    assert t.columns == ["age", "colour", "size"]
    assert t.feature_names == ["age", "colour=blue", "colour=red", "size=M", "size=S"]
    np.testing.assert_array_equal(t.X[0], [30, 0, 1, 0, 1])
    assert t.categories == {"colour": ["blue", "red"], "size": ["M", "S"]}
    with pytest.raises(DataError, match="one_hot: unknown input column 'shape'; the input columns are: age"):
        read_csv(path, one_hot=["shape"])
    other = write(tmp_path, "age,colour,size,y\n1,red,S,0\n2,blue,S,1\n", "new.csv")
    again = read_csv(other, categories=t.categories)  # new data encoded with the training categories
    assert again.feature_names == t.feature_names and again.X[:, 1:].tolist() == [[0, 1, 0, 1], [1, 0, 0, 1]]
    unseen = write(tmp_path, "age,colour,size,y\n1,red,S,0\n2,green,S,0\n", "unseen.csv")
    with pytest.raises(UnknownCategoryError, match=r"unseen.csv, row 2 \(line 3\), column 'colour': category "
                                                   r"'green' was not seen in training \(blue, red\)"):
        read_csv(unseen, categories=t.categories)
    with pytest.raises(DataError, match="categories: unknown input column 'shape'"):
        read_csv(other, categories={"shape": ["a"]})
    with pytest.raises(ValueError, match="give one_hot or categories, not both"):
        read_csv(other, one_hot=["colour"], categories=t.categories)


@pytest.mark.parametrize("text, message", [("", "is empty"), ("\n \n", "is empty"), ("a,b\n", "no data rows"),
                                           ("a,b\n1,2\n3\n", "data.csv, line 3: 1 cells where the header has 2"),
                                           ("1,2\n3\n", "line 2: 1 cells where the first row has 2"),
                                           ("a\n1\n2\n", "single column"),
                                           ("a,a\n1,2\n", "line 1: the header names a column twice: a")])
def test_malformed_csv(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_csv(write(tmp_path, text))


def test_binary_and_missing_files(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"a,y\n1,0\n\x89PNG\xff\n")
    with pytest.raises(DataError, match=r"b.csv, line 3: is not a text \(UTF-8\) CSV file: byte 0x89"):
        read_csv(tmp_path / "b.csv")
    with pytest.raises(FileNotFoundError):
        read_csv(tmp_path / "nope.csv")


# -- NumPy -------------------------------------------------------------------------------------------------
def test_npz_and_npy(tmp_path):
    X, y = np.arange(12.0).reshape(6, 2), np.array([0, 1, 0, 1, 0, 1])
    np.savez(tmp_path / "d.npz", X=X, y=y)
    t = read_numpy(tmp_path / "d.npz")
    np.testing.assert_array_equal(t.X, X)
    np.testing.assert_array_equal(t.y, y)
    assert t.target_name == "y" and t.columns == ["x0", "x1"]
    np.savez(tmp_path / "e.npz", a=X, b=X, labels=y)
    with pytest.raises(DataError, match="cannot tell which array holds the inputs"):
        read_numpy(tmp_path / "e.npz")
    with pytest.raises(DataError, match="no target array 'z'; the arrays are: X, y; choose one with target"):
        read_numpy(tmp_path / "d.npz", target="z")
    np.save(tmp_path / "m.npy", np.column_stack([X, y]))
    t = read_numpy(tmp_path / "m.npy")
    np.testing.assert_array_equal(t.X, X)
    np.testing.assert_array_equal(t.y, y)
    t = read_numpy(str(tmp_path / "m.npy"), target="0")
    np.testing.assert_array_equal(t.y, X[:, 0])
    assert t.columns == ["x1", "x2"] and t.target_name == "x0"
    np.savez(tmp_path / "img.npz", images=np.zeros((3, 2, 2)), labels=np.array(["a", "b", "a"]))
    t = read_numpy(tmp_path / "img.npz")
    assert t.X.shape == (3, 4) and t.y.tolist() == ["a", "b", "a"]


@pytest.mark.parametrize("arrays, message", [
    ({"X": np.array(1.0), "y": np.array(1.0)}, "a single number"),
    ({"X": np.array([["a", "b"]]), "y": np.array([1])}, "the inputs must be numbers, got an array of dtype <U1"),
    ({"X": np.ones((2, 2)) * 1j, "y": np.ones(2)}, "must be numbers, got an array of dtype complex128"),
    ({"X": np.zeros((0, 2)), "y": np.zeros(0)}, "holds no samples"),
    ({"X": np.zeros((2, 0)), "y": np.zeros(2)}, "the inputs have no columns"),
    ({"X": np.zeros((3, 2)), "y": np.zeros(2)}, "3 input rows but 2 targets")])
def test_bad_npz(tmp_path, arrays, message):
    np.savez(tmp_path / "d.npz", **arrays)
    with pytest.raises(DataError, match=message):
        read_numpy(tmp_path / "d.npz")


def test_bad_npy(tmp_path):
    for name, array, message in [("s.npy", np.array(3.0), "a single number"),
                                 ("v.npy", np.ones(4), r"must hold a 2-D array .* got shape \(4,\)"),
                                 ("t.npy", np.array([["a", "b"]]), "must be numbers")]:
        np.save(tmp_path / name, array)
        with pytest.raises(DataError, match=message):
            read_numpy(tmp_path / name)
    np.save(tmp_path / "o.npy", np.array([[1, None]], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="cannot read .*o.npy as a NumPy file"):  # no pickle is ever loaded
        read_numpy(tmp_path / "o.npy")
    (tmp_path / "junk.npy").write_bytes(b"not numpy")
    with pytest.raises(DataError, match="cannot read .*junk.npy as a NumPy file"):
        read_numpy(tmp_path / "junk.npy")
    with pytest.raises(FileNotFoundError):
        read_numpy(tmp_path / "nope.npy")


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_numpy_nan_and_inf_name_row_and_column(tmp_path, value):
    X = np.ones((4, 3))
    X[2, 1] = value
    np.savez(tmp_path / "d.npz", X=X, y=np.arange(4.0))
    with pytest.raises(NonFiniteError, match=rf"d.npz, row 3 \(index 2\), column 'x1': {value} is not a finite"):
        read_numpy(tmp_path / "d.npz")
    np.save(tmp_path / "m.npy", np.column_stack([X, np.arange(4.0)]))
    with pytest.raises(NonFiniteError, match=rf"m.npy, row 3 \(index 2\), column 'x1': {value} is not a finite"):
        read_numpy(tmp_path / "m.npy")
    y = np.arange(4.0)
    y[1] = value
    np.savez(tmp_path / "t.npz", X=np.ones((4, 3)), target=y)
    with pytest.raises(NonFiniteError, match=rf"row 2 \(index 1\), column 'target': {value} is not a finite"):
        read_numpy(tmp_path / "t.npz")


def test_numpy_drop_missing_drops_nan_rows_only(tmp_path):
    X = np.arange(10.0).reshape(5, 2)
    X[1, 0] = np.nan
    y = np.array([0.0, 1, np.nan, 1, 0])
    np.savez(tmp_path / "d.npz", X=X, y=y)
    with pytest.raises(NonFiniteError, match=r"row 2 \(index 1\), column 'x0': nan .*; drop such rows with "
                                             "drop_missing=True"):
        read_numpy(tmp_path / "d.npz")
    t = read_numpy(tmp_path / "d.npz", drop_missing=True)
    assert t.dropped_rows.tolist() == [1, 2] and t.X[:, 0].tolist() == [0, 6, 8]
    X[3, 1] = np.inf
    np.savez(tmp_path / "d.npz", X=X, y=y)
    with pytest.raises(NonFiniteError, match=r"row 2 \(index 1\), column 'x1': inf is not a finite number$"):
        read_numpy(tmp_path / "d.npz", drop_missing=True)  # infinity is not a missing value


# -- IDX ---------------------------------------------------------------------------------------------------
def test_idx_pair_by_name_and_folder(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, (5, 3, 3))
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", [0, 1, 2, 1, 0])
    t = read_idx(tmp_path / "train-images-idx3-ubyte.gz")
    assert t.X.shape == (5, 9) and t.columns[0] == "pixel0" and t.target_name == "train-labels-idx1-ubyte.gz"
    np.testing.assert_array_equal(t.X, images.reshape(5, 9))
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="no train-images-idx3-ubyte"):
        read_idx(tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="no t10k-images"):
        read_idx(tmp_path, train=False)
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images[:2])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", [2, 2])
    assert len(read_idx(tmp_path).y) == 5 and read_idx(tmp_path, train=False).y.tolist() == [2, 2]
    write_idx(tmp_path / "other-images.gz", images)
    with pytest.raises(DataError, match="no labels file .* beside it; name it with target"):
        read_idx(tmp_path / "other-images.gz")
    t = read_idx(tmp_path / "other-images.gz", target=tmp_path / "train-labels-idx1-ubyte.gz")
    assert t.y.tolist() == [0, 1, 2, 1, 0]
    write_idx(tmp_path / "short-labels.gz", [0, 1])
    with pytest.raises(DataError, match="5 input rows but 2 targets"):
        read_idx(tmp_path / "other-images.gz", target=tmp_path / "short-labels.gz")


def test_idx_floats_with_nan_name_row_and_column(tmp_path):
    images = np.zeros((3, 2, 2), ">f4")
    images[1, 0, 1] = np.nan
    header = bytes([0, 0, 0x0D, 3]) + np.array(images.shape, ">i4").tobytes()
    (tmp_path / "f-images-idx3").write_bytes(header + images.tobytes())
    write_idx(tmp_path / "f-labels-idx1", [0, 1, 0])
    with pytest.raises(NonFiniteError, match=r"f-images-idx3, row 2 \(index 1\), column 'pixel1': nan is not"):
        read_idx(tmp_path / "f-images-idx3")
    (tmp_path / "bad-images-idx3").write_bytes(b"\x01\x02")
    write_idx(tmp_path / "bad-labels-idx1", [0])
    with pytest.raises(DataError, match="is not an IDX file"):
        read_idx(tmp_path / "bad-images-idx3")


# -- in memory ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_in_memory_arrays_get_the_same_error(value):
    X = np.ones((3, 2))
    X[1, 1] = value
    with pytest.raises(NonFiniteError, match=rf"^X, row 2 \(index 1\), column 'b': {value} is not a finite num"):
        Table(X, np.zeros(3), ["a", "b"], "y")
    with pytest.raises(NonFiniteError, match=rf"^X, row 2 \(index 1\), column 'x1': {value}"):
        bp.data.check_finite(X)
    with pytest.raises(NonFiniteError, match=rf"^y, row 3 \(index 2\), column 'price': {value}"):
        Table(np.ones((3, 2)), np.array([1, 2, value]), target_name="price")
    with pytest.raises(DataError, match="X must be a 2-D array"):
        Table(np.ones(3))
    with pytest.raises(DataError, match="3 rows of X but 2 targets"):
        Table(np.ones((3, 1)), np.ones(2))


def test_errors_are_value_errors_that_survive_pickling():
    error = MissingValueError("is missing", path="a.csv", row=2, line=3, column="b",
                              fix=("drop such rows with", "drop_missing", True))
    assert isinstance(error, NonFiniteError) and isinstance(error, DataError) and isinstance(error, ValueError)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is MissingValueError and str(again) == str(error)
    assert error.describe(lambda argument, value=None: "--" + argument) == (
        "a.csv, row 2 (line 3), column 'b': is missing; drop such rows with --drop_missing")


def test_folders_pipes_and_damaged_files_are_named(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    for reader in (read_csv, read_numpy, read_idx):  # reading a FIFO would wait for a writer forever
        with pytest.raises(DataError, match="pipe.csv is not a regular file"):
            reader(tmp_path / "pipe.csv")
    with pytest.raises(DataError, match="is not a regular file"):
        read_csv(tmp_path)
    np.savez(tmp_path / "one.npz", X=np.ones((2, 2)))
    with pytest.raises(DataError, match=r"one.npz holds 1 array \(X\); it needs an inputs array and a target"):
        read_numpy(tmp_path / "one.npz")
    np.savez(tmp_path / "n.npz", a=np.ones((2, 2)), b=np.ones(2))
    with pytest.raises(DataError, match="no target array y, target or labels; the arrays are: a, b"):
        read_numpy(tmp_path / "n.npz")
    np.savez(tmp_path / "o.npz", X=np.ones((2, 2)), y=np.array([1, None], dtype=object))
    with pytest.raises(DataError, match="cannot read .*o.npz as a NumPy file"):  # a pickled array stays unread
        read_numpy(tmp_path / "o.npz")
    (tmp_path / "g-images-idx3.gz").write_bytes(b"\x1f\x8b\x08\x00broken")
    write_idx(tmp_path / "g-labels-idx1.gz", [0])
    with pytest.raises(DataError, match="cannot read .* as gzipped IDX files"):
        read_idx(tmp_path / "g-images-idx3.gz")

"""backprop.data.datasets: TensorFlow Playground's generators, moons, the XOR table, bundled sets, IDX."""
import numpy as np
import pytest

import backprop as bp
from backprop.data import datasets as ds
from tests.cli._helpers import write_idx

GENERATORS = [ds.make_circles, ds.make_xor, ds.make_gauss, ds.make_spiral, ds.make_moons]


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize("n", [2, 7, 500])
def test_generators_shapes_labels_and_seeds(make, n):
    X, y = make(n_samples=n, noise=0.2, random_state=3)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert y.shape == (n,) and y.dtype == np.int64 and set(y.tolist()) <= {0, 1}
    X2, y2 = make(n_samples=n, noise=0.2, random_state=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    bp.manual_seed(5)
    a = make(n_samples=n, noise=0.2)[0]
    bp.manual_seed(5)
    np.testing.assert_array_equal(a, make(n_samples=n, noise=0.2)[0])  # None draws from bp's generator


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_reject_bad_arguments(make):
    with pytest.raises(ValueError, match="noise"):
        make(noise=-0.1)
    if make is not ds.make_moons and make is not ds.make_xor:
        with pytest.raises(ValueError, match="n_samples"):
            make(n_samples=1)


def test_circles_without_noise_is_a_disc_inside_a_ring():
    X, y = ds.make_circles(400, noise=0.0, random_state=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert (y == 1).sum() == 200
    assert np.all(r[y == 1] < 2.5) and np.all((r[y == 0] >= 3.5) & (r[y == 0] <= 5))


def test_circles_noise_flips_labels_near_the_boundary_only():
    X, y = ds.make_circles(2000, noise=0.5, random_state=0)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.any((y == 0) & (r < 2.5))  # label noise: the playground labels the shifted point
    assert 0.3 < y.mean() < 0.7


def test_xor_quadrants_and_gap():
    X, y = ds.make_xor(500, noise=0.0, random_state=1)
    assert np.all(np.abs(X) >= 0.3) and np.all(np.abs(X) <= 5.3)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] >= 0).astype(int))


def test_gauss_centres_and_noise_widens_blobs():
    X, y = ds.make_gauss(4000, noise=0.0, random_state=2)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [2, 2], atol=0.05)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [-2, -2], atol=0.05)
    np.testing.assert_allclose(X[y == 1].var(axis=0), [0.5, 0.5], rtol=0.1)  # the playground's variance 0.5
    wide = ds.make_gauss(4000, noise=0.5, random_state=2)[0]
    np.testing.assert_allclose(wide[:2000].var(axis=0), [4, 4], rtol=0.1)  # 0.5 + 7·0.5


def test_spiral_without_noise_follows_the_formula():
    X, y = ds.make_spiral(8, noise=0.0, random_state=0)
    i = np.arange(4)
    r, t = 5 * i / 4, 1.75 * 2 * np.pi * i / 4
    np.testing.assert_allclose(X[:4], np.column_stack([r * np.sin(t), r * np.cos(t)]), atol=1e-12)
    np.testing.assert_allclose(X[4:], -X[:4], atol=1e-12)  # class 0 is turned by π
    np.testing.assert_array_equal(y, [1, 1, 1, 1, 0, 0, 0, 0])


def test_moons_equal_scikit_learn_without_noise():
    datasets = pytest.importorskip("sklearn.datasets")
    for n in (10, 11):
        X, y = ds.make_moons(n, noise=0.0)
        X_ref, y_ref = datasets.make_moons(n, shuffle=False)
        np.testing.assert_allclose(X, X_ref, atol=1e-12)
        np.testing.assert_array_equal(y, y_ref)


def test_xor_table_is_the_course_truth_table():
    X, y = ds.xor_table()
    np.testing.assert_array_equal(X, [[1, 1], [1, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(y, (X[:, 0] != X[:, 1]).astype(int))
    # the course's single perceptron with the product feature: [x1 + x2 − 2·x1x2 − 0.5 > 0]
    np.testing.assert_array_equal((X[:, 0] + X[:, 1] - 2 * X[:, 0] * X[:, 1] - 0.5 > 0).astype(int), y)


def test_load_bundled_matches_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y, names, classes = ds.load_bundled("iris")
    ref = datasets.load_iris()
    np.testing.assert_array_equal(X, ref.data)
    np.testing.assert_array_equal(y, ref.target)
    assert names == list(ref.feature_names) and classes == ["setosa", "versicolor", "virginica"]
    X, y, _, classes = ds.load_bundled("diabetes")
    assert X.shape == (442, 10) and y.dtype == np.float64 and classes is None
    with pytest.raises(ValueError, match="unknown bundled data set 'mnist'"):
        ds.load_bundled("mnist")


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_load_idx_round_trip(tmp_path, name):
    images = np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5)
    write_idx(tmp_path / name, images)
    out = ds.load_idx(tmp_path / name)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, images)


def test_load_idx_reads_big_endian_floats_and_rejects_bad_files(tmp_path):
    values = np.array([[1.5, -2.0]], dtype=">f4")
    header = bytes([0, 0, 0x0D, 2]) + np.array([1, 2], ">i4").tobytes()
    (tmp_path / "f.idx").write_bytes(header + values.tobytes())
    out = ds.load_idx(tmp_path / "f.idx")
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[1.5, -2.0]])
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        ds.load_idx(tmp_path / "bad")
    write_idx(tmp_path / "short", np.zeros((2, 3)))
    (tmp_path / "short").write_bytes((tmp_path / "short").read_bytes()[:-1])
    with pytest.raises(ValueError, match=r"announces shape \(2, 3\)"):
        ds.load_idx(tmp_path / "short")


@pytest.mark.parametrize("name, task, header", [("plane", "regression", "mse"), ("multigauss", "regression", "mse"),
                                                ("circle", "classification", "accuracy")])
def test_playground_data_sets_train_from_the_command_line(tmp_path, capsys, name, task, header):
    import json

    from tests.cli._helpers import cli

    code, out, err = cli(capsys, "train", "--data", name, "--n-samples", 80, "--epochs", 2, "--hidden", 4,
                         "--no-plots", "--quiet", "--out", tmp_path / name)
    assert code == 0, err
    assert header in out.splitlines()[0]
    config = json.loads((tmp_path / name / "config.json").read_text())
    assert config["data"]["task"] == task and config["data"]["columns"] == ["x1", "x2"]

"""TensorFlow Playground's regression sets: bp.data.datasets.make_plane and make_multi_gauss."""
import numpy as np
import pytest

from backprop.data.datasets import MULTI_GAUSS_CENTRES, make_multi_gauss, make_plane


def test_plane_is_the_sum_over_ten_without_noise_and_repeatable():
    X, y = make_plane(300, random_state=3)
    assert X.shape == (300, 2) and y.shape == (300,) and y.dtype == np.float64
    assert np.all(np.abs(X) <= 6)
    np.testing.assert_allclose(y, (X[:, 0] + X[:, 1]) / 10)
    X2, y2 = make_plane(300, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)


def test_plane_noise_moves_the_point_the_target_is_read_at():
    X, y = make_plane(2000, noise=0.5, random_state=0)
    residual = y - X.sum(axis=1) / 10
    assert np.abs(residual).max() <= 0.6 + 1e-12  # each coordinate moved by at most 6·0.5, over 10
    assert residual.std() > 0.1


def test_multi_gauss_bumps_at_the_centres():
    X, y = make_multi_gauss(3000, random_state=1)
    assert np.all(np.abs(y) <= 1)
    for cx, cy, sign in MULTI_GAUSS_CENTRES:
        d = np.hypot(X[:, 0] - cx, X[:, 1] - cy)
        near = d < 1.0
        np.testing.assert_allclose(y[near], sign * (1 - d[near] / 2))
    far = np.min([np.hypot(X[:, 0] - cx, X[:, 1] - cy) for cx, cy, _ in MULTI_GAUSS_CENTRES], axis=0) >= 2
    assert np.all(y[far] == 0)


@pytest.mark.parametrize("make", [make_plane, make_multi_gauss])
def test_bad_arguments_are_named(make):
    with pytest.raises(ValueError, match="noise"):
        make(10, noise=-1)
    with pytest.raises(ValueError, match="n_samples"):
        make(0)

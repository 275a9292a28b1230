"""adaptive_avg_pool2d, adaptive_max_pool2d and interpolate (nearest, linear, bilinear, align_corners):
PyTorch's windows, sampling points, values and gradients in float64; gradchecks to second order."""
import numpy as np
import pytest

import backprop as bp
from backprop.ops.resample import adaptive_avg_pool2d, adaptive_max_pool2d, interpolate
from tests.ops._torch_oracle import assert_matches_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional
X = np.random.default_rng(2).standard_normal((2, 2, 5, 7))


@pytest.mark.parametrize("size", [(2, 3), 3, 1, (5, None), (7, 9)])
def test_adaptive_pools_match_torch(size):
    assert_matches_torch(lambda t: adaptive_avg_pool2d(t, size), lambda t: TF.adaptive_avg_pool2d(t, size), X)
    assert_matches_torch(lambda t: adaptive_max_pool2d(t, size), lambda t: TF.adaptive_max_pool2d(t, size), X)
    _, ours = adaptive_max_pool2d(bp.tensor(X), size, return_indices=True)
    _, theirs = TF.adaptive_max_pool2d(torch.tensor(X), size, return_indices=True)
    np.testing.assert_array_equal(ours, theirs.numpy())


def test_adaptive_pools_unbatched_and_second_order():
    x = X[0, :, :4, :3]
    assert_matches_torch(lambda t: adaptive_avg_pool2d(t, 2), lambda t: TF.adaptive_avg_pool2d(t, 2), x)
    assert_matches_torch(lambda t: adaptive_max_pool2d(t, (3, 2)), lambda t: TF.adaptive_max_pool2d(t, (3, 2)), x)
    assert bp.gradgradcheck(lambda t: adaptive_avg_pool2d(t, (2, 3)), [x])
    assert bp.gradgradcheck(lambda t: adaptive_max_pool2d(t, (2, 2)), [x])


RESIZES = [dict(size=(8, 10)), dict(size=(3, 4)), dict(scale_factor=2), dict(scale_factor=1.7),
           dict(scale_factor=(0.6, 1.3)), dict(scale_factor=1.7, recompute_scale_factor=True), dict(size=(11, 3))]


@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("bilinear", False), ("bilinear", True)])
def test_interpolate_2d_matches_torch(mode, align_corners):
    for kwargs in RESIZES:
        assert_matches_torch(lambda t, k=kwargs: interpolate(t, mode=mode, align_corners=align_corners, **k),
                             lambda t, k=kwargs: TF.interpolate(t, mode=mode, align_corners=align_corners, **k), X)


@pytest.mark.parametrize("mode,align_corners", [("nearest", None), ("linear", False), ("linear", True)])
def test_interpolate_1d_matches_torch(mode, align_corners):
    x = X[:, :, 0]
    for kwargs in (dict(size=11), dict(scale_factor=1.5), dict(size=3)):
        assert_matches_torch(lambda t, k=kwargs: interpolate(t, mode=mode, align_corners=align_corners, **k),
                             lambda t, k=kwargs: TF.interpolate(t, mode=mode, align_corners=align_corners, **k), x)


def test_interpolate_gradchecks_to_second_order():
    x = X[:1, :1, :3, :3]
    assert bp.gradgradcheck(lambda t: interpolate(t, scale_factor=2, mode="bilinear"), [x])
    assert bp.gradgradcheck(lambda t: interpolate(t, size=(4, 5)), [x])


def test_bad_arguments_are_named():
    x = bp.tensor(X)
    with pytest.raises(ValueError, match="align_corners"):
        interpolate(x, size=3, align_corners=True)
    with pytest.raises(NotImplementedError, match="bicubic"):
        interpolate(x, size=3, mode="bicubic")
    with pytest.raises(ValueError, match="exactly one"):
        interpolate(x)
    with pytest.raises(bp.ShapeError, match="bilinear"):
        interpolate(x[0, 0], size=3, mode="bilinear")
    with pytest.raises(TypeError, match="size"):
        interpolate(x, size=2.5)
    with pytest.raises(TypeError, match="output_size"):
        adaptive_avg_pool2d(x, 1.5)

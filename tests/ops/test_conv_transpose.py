"""conv1d (conv2d on a unit-height image) and conv_transpose2d (conv2d's input gradient): PyTorch's values and
gradients in float64 over strides, padding, dilation, groups and output_padding; gradchecks to second order."""
import numpy as np
import pytest

import backprop as bp
from backprop.ops.conv_transpose import conv1d, conv_transpose2d
from tests.ops._torch_oracle import assert_matches_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(1)

CONV_T = [
    dict(),
    dict(stride=2),
    dict(stride=(2, 1), padding=1, output_padding=(1, 0)),
    dict(stride=2, padding=(0, 1), dilation=(1, 2), groups=2, output_padding=1),
    dict(dilation=2, groups=2),
]


@pytest.mark.parametrize("kwargs", CONV_T, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_conv_transpose2d_matches_torch(kwargs):
    g = kwargs.get("groups", 1)
    x, w, b = RNG.standard_normal((2, 4, 3, 3)), RNG.standard_normal((4, 6 // g, 2, 3)), RNG.standard_normal(6)
    assert_matches_torch(lambda x, w, b: conv_transpose2d(x, w, b, **kwargs),
                         lambda x, w, b: TF.conv_transpose2d(x, w, b, **kwargs), x, w, b)


def test_conv_transpose2d_unbatched_and_without_bias():
    x, w = RNG.standard_normal((2, 3, 2)), RNG.standard_normal((2, 3, 2, 2))
    assert_matches_torch(lambda x, w: conv_transpose2d(x, w, stride=2),
                         lambda x, w: TF.conv_transpose2d(x, w, stride=2), x, w)


def test_conv_transpose2d_gradchecks_to_second_order():
    arrays = [RNG.standard_normal((1, 2, 2, 2)), RNG.standard_normal((2, 2, 2, 2)), RNG.standard_normal(2)]
    def f(x, w, b):
        return conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)
    assert bp.gradcheck(f, arrays)
    assert bp.gradgradcheck(f, arrays)


def test_conv_transpose2d_is_the_input_gradient_of_conv2d():
    x, w = RNG.standard_normal((1, 3, 5, 5)), RNG.standard_normal((2, 3, 3, 3))
    xt = bp.tensor(x, dtype=np.float64, requires_grad=True)
    y = bp.F.conv2d(xt, bp.tensor(w, dtype=np.float64), stride=2, padding=1)
    dy = RNG.standard_normal(y.shape)
    (y * bp.tensor(dy, dtype=np.float64)).sum().backward()
    np.testing.assert_allclose(conv_transpose2d(bp.tensor(dy, dtype=np.float64), bp.tensor(w, dtype=np.float64),
                                                stride=2, padding=1).data, np.asarray(xt.grad), atol=1e-12)


CONV1D = [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=2), dict(groups=2, stride=(2,)),
          dict(padding="valid", dilation=(2,))]


@pytest.mark.parametrize("kwargs", CONV1D, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_conv1d_matches_torch(kwargs):
    g = kwargs.get("groups", 1)
    x, w, b = RNG.standard_normal((2, 4, 7)), RNG.standard_normal((6, 4 // g, 3)), RNG.standard_normal(6)
    assert_matches_torch(lambda x, w, b: conv1d(x, w, b, **kwargs), lambda x, w, b: TF.conv1d(x, w, b, **kwargs),
                         x, w, b)


def test_conv1d_unbatched_and_second_order():
    x, w = RNG.standard_normal((2, 5)), RNG.standard_normal((3, 2, 2))
    assert_matches_torch(lambda x, w: conv1d(x, w, padding=1), lambda x, w: TF.conv1d(x, w, padding=1), x, w)
    assert bp.gradgradcheck(lambda x, w: conv1d(x, w, stride=2), [x, w])


def test_bad_arguments_are_named():
    x, w = bp.tensor(RNG.standard_normal((1, 4, 3, 3))), bp.tensor(RNG.standard_normal((4, 2, 2, 2)))
    with pytest.raises(ValueError, match="output_padding"):
        conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(TypeError, match="stride"):
        conv_transpose2d(x, w, stride=1.5)
    with pytest.raises(bp.ShapeError, match="3 channels"):
        conv_transpose2d(x[:, :3], w)
    with pytest.raises(TypeError, match="padding"):
        conv1d(bp.zeros(1, 2, 5), bp.zeros(3, 2, 2), padding=0.5)
    with pytest.raises(bp.ShapeError, match="weight"):
        conv1d(bp.zeros(1, 2, 5), bp.zeros(3, 2, 2, 2))

"""Conv1d, ConvTranspose2d, the adaptive pools and Upsample against PyTorch's layers: outputs and the gradients
of inputs and parameters in float64 with copied weights, state dicts both ways, and PyTorch's initialisation."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from tests.ops._torch_oracle import assert_module_matches_torch

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(5)

CONV1D = [
    dict(), dict(stride=2, padding=1, bias=False), dict(padding="same", dilation=2), dict(groups=2),
    dict(padding=1, padding_mode="reflect"), dict(padding=2, padding_mode="circular"),
    dict(padding="same", padding_mode="replicate"),
]


@pytest.mark.parametrize("kwargs", CONV1D, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_conv1d_matches_torch(kwargs):
    bp.manual_seed(0)
    ours = nn.Conv1d(4, 6, 3, **kwargs, dtype=np.float64)
    theirs = torch.nn.Conv1d(4, 6, 3, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert_module_matches_torch(ours, theirs, RNG.standard_normal((2, 4, 7)))
    assert_module_matches_torch(ours, theirs, RNG.standard_normal((4, 7)))  # unbatched


CONV_T = [dict(), dict(stride=2, padding=1, output_padding=1), dict(stride=(2, 1), dilation=2, groups=2, bias=False)]


@pytest.mark.parametrize("kwargs", CONV_T, ids=lambda k: ",".join(f"{a}={b}" for a, b in k.items()) or "default")
def test_conv_transpose2d_matches_torch(kwargs):
    bp.manual_seed(0)
    ours = nn.ConvTranspose2d(4, 6, (2, 3), **kwargs, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(4, 6, (2, 3), **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert ours.weight.shape == tuple(theirs.weight.shape)
    assert_module_matches_torch(ours, theirs, RNG.standard_normal((2, 4, 3, 3)))


def test_conv_transpose2d_output_size_and_inverting_a_conv_shape():
    down = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    up = nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1, dtype=np.float64)
    theirs = torch.nn.ConvTranspose2d(3, 2, 3, stride=2, padding=1).double()
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.data)) for k, v in up.state_dict().items()})
    for size in (7, 8):
        h = down(bp.zeros(1, 2, size, size))
        y = up(h, output_size=(size, size))
        assert y.shape == (1, 2, size, size)
        x = RNG.standard_normal(h.shape)
        np.testing.assert_allclose(up(bp.tensor(x, dtype=np.float64), output_size=[1, 2, size, size]).data,
                                   theirs(torch.tensor(x), output_size=[1, 2, size, size]).detach().numpy(),
                                   atol=1e-12)
    with pytest.raises(ValueError, match="output_size"):
        up(h, output_size=(11, 11))
    with pytest.raises(ValueError, match="output_padding"):
        nn.ConvTranspose2d(2, 2, 3, stride=2, output_padding=2)
    with pytest.raises(ValueError, match="zeros"):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv1d(4, 6, 3, groups=2), 2 * 3),
    (lambda: nn.ConvTranspose2d(4, 6, (2, 3), groups=2), 3 * 2 * 3),
])
def test_init_is_uniform_one_over_sqrt_fan_in_as_torch(make, fan_in):
    bp.manual_seed(3)
    layer = make()
    bound = 1 / math.sqrt(fan_in)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound + 1e-7
        assert np.abs(p.data).max() > 0.5 * bound  # spread over the interval, not all near zero


def test_our_state_dicts_load_into_torch():
    for ours, theirs in ((nn.Conv1d(2, 3, 2), torch.nn.Conv1d(2, 3, 2)),
                         (nn.ConvTranspose2d(2, 3, 2), torch.nn.ConvTranspose2d(2, 3, 2))):
        theirs.load_state_dict({k: torch.from_numpy(np.array(v.data)) for k, v in ours.state_dict().items()})
        np.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.weight.data)


@pytest.mark.parametrize("size", [1, (2, 3), (None, 2)])
def test_adaptive_pool_modules_match_torch(size):
    x = RNG.standard_normal((2, 2, 5, 4))
    assert_module_matches_torch(nn.AdaptiveAvgPool2d(size), torch.nn.AdaptiveAvgPool2d(size), x)
    assert_module_matches_torch(nn.AdaptiveMaxPool2d(size), torch.nn.AdaptiveMaxPool2d(size), x)
    _, ours = nn.AdaptiveMaxPool2d(size, return_indices=True)(bp.tensor(x))
    _, theirs = torch.nn.AdaptiveMaxPool2d(size, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(ours, theirs.numpy())


@pytest.mark.parametrize("kwargs", [
    dict(scale_factor=2), dict(scale_factor=2, mode="bilinear"), dict(size=(7, 5), mode="bilinear", align_corners=True),
    dict(size=(3, 7)), dict(scale_factor=1.5, mode="bilinear", align_corners=False),
])
def test_upsample_matches_torch(kwargs):
    x = RNG.standard_normal((2, 2, 4, 3))
    assert_module_matches_torch(nn.Upsample(**kwargs), torch.nn.Upsample(**kwargs), x)


def test_upsample_1d_and_a_small_cnn_decoder():
    assert_module_matches_torch(nn.Upsample(scale_factor=3, mode="linear"),
                                torch.nn.Upsample(scale_factor=3, mode="linear"), RNG.standard_normal((2, 2, 4)))
    bp.manual_seed(0)
    decoder = nn.Sequential(nn.ConvTranspose2d(4, 3, 2, stride=2), nn.GroupNorm(1, 3), nn.GELU(),
                            nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(3, 1, 3, padding=1),
                            nn.AdaptiveAvgPool2d(1), nn.Flatten())
    theirs = torch.nn.Sequential(torch.nn.ConvTranspose2d(4, 3, 2, stride=2), torch.nn.GroupNorm(1, 3),
                                 torch.nn.GELU(), torch.nn.Upsample(scale_factor=2, mode="bilinear"),
                                 torch.nn.Conv2d(3, 1, 3, padding=1), torch.nn.AdaptiveAvgPool2d(1),
                                 torch.nn.Flatten())
    assert_module_matches_torch(decoder.double(), theirs, RNG.standard_normal((2, 4, 2, 2)))

"""Conv2d, MaxPool2d and AvgPool2d as modules: parameters, initialisation, PyTorch interchange
(state dicts, outputs, gradients, reprs), padding modes, errors, and a small CNN that learns."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop import nn
from backprop.exceptions import ShapeError

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _t(a):
    return bp.tensor(a, dtype=np.float64, requires_grad=True)


# -- Conv2d: parameters and initialisation --------------------------------------------------------------
def test_conv2d_parameter_shapes_and_output():
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert conv.weight.dtype == bp.get_default_dtype()
    assert [name for name, _ in conv.named_parameters()] == ["weight", "bias"]
    assert conv(bp.zeros(5, 4, 9, 8)).shape == (5, 6, 5, 5)
    assert conv(bp.zeros(4, 9, 8)).shape == (6, 5, 5)  # unbatched
    assert nn.Conv2d(1, 2, 3, bias=False).bias is None
    assert nn.Conv2d(1, 2, 3, dtype=np.float64).weight.dtype == np.float64


def test_conv2d_default_init_is_uniform_one_over_sqrt_fan_in():
    bp.manual_seed(0)
    conv = nn.Conv2d(32, 64, 3, groups=2)
    bound = 1 / math.sqrt(16 * 9)  # fan_in = in_channels / groups · kh · kw
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.9 * bound
    assert abs(conv.weight.data.std() - bound / math.sqrt(3)) < 0.02 * bound


def test_conv2d_init_is_seeded():
    bp.manual_seed(5)
    a = nn.Conv2d(2, 3, 3)
    bp.manual_seed(5)
    b = nn.Conv2d(2, 3, 3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)


# -- Conv2d: PyTorch interchange -------------------------------------------------------------------------
CONV_CONFIGS = [
    dict(in_channels=3, out_channels=4, kernel_size=3),
    dict(in_channels=2, out_channels=4, kernel_size=(3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2)),
    dict(in_channels=4, out_channels=4, kernel_size=3, padding="same", groups=4, bias=False),
    dict(in_channels=2, out_channels=3, kernel_size=2, padding="valid"),
    dict(in_channels=2, out_channels=3, kernel_size=3, padding=2, padding_mode="reflect"),
    dict(in_channels=2, out_channels=3, kernel_size=(2, 3), padding=(1, 2), padding_mode="replicate", stride=2),
    dict(in_channels=2, out_channels=2, kernel_size=4, padding="same", padding_mode="circular"),
]


@pytest.mark.parametrize("config", CONV_CONFIGS, ids=lambda c: ", ".join(f"{k}={v}" for k, v in c.items()))
def test_conv2d_matches_torch_through_its_state_dict(config):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Conv2d(**config).double()
    ours = nn.Conv2d(**config).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, config["in_channels"], 7, 8))
    xt, tt = _t(x), torch.tensor(x, requires_grad=True)
    y, ty = ours(xt), theirs(tt)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = rng.standard_normal(y.shape)
    y.backward(v)
    ty.backward(torch.tensor(v))
    np.testing.assert_allclose(xt.grad, tt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, getattr(theirs, name).grad.numpy(), rtol=1e-10, atol=1e-12)


def test_torch_loads_our_state_dict():
    torch = pytest.importorskip("torch")
    ours = nn.Conv2d(3, 5, 3, padding=1)
    theirs = torch.nn.Conv2d(3, 5, 3, padding=1)
    theirs.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((1, 3, 6, 6)).astype(np.float32)
    np.testing.assert_allclose(ours(bp.tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)


def test_padding_modes_have_second_derivatives():
    for mode in ("reflect", "replicate", "circular"):
        conv = nn.Conv2d(2, 2, 3, padding=1, padding_mode=mode).double()
        x = np.random.default_rng(2).standard_normal((1, 2, 4, 5))
        assert bp.gradgradcheck(conv, [x])


# -- Conv2d: errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, message", [
    (dict(in_channels=3, out_channels=4, kernel_size=3, groups=2), "in_channels must be divisible by groups"),
    (dict(in_channels=4, out_channels=3, kernel_size=3, groups=2), "out_channels must be divisible by groups"),
    (dict(in_channels=2, out_channels=2, kernel_size=3, groups=0), "groups must be a positive integer"),
    (dict(in_channels=2, out_channels=2, kernel_size=3, padding_mode="mirror"), "padding_mode must be one of"),
    (dict(in_channels=2, out_channels=2, kernel_size=3, padding="full"), "Invalid padding string"),
    (dict(in_channels=2, out_channels=2, kernel_size=3, padding="same", stride=2), "strided convolutions"),
])
def test_conv2d_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.Conv2d(**kwargs)


def test_conv2d_wrong_input_names_both_channel_counts():
    with pytest.raises(ShapeError, match=r"input has 3 channels .* expects 1"):
        nn.Conv2d(1, 8, 3)(bp.zeros(2, 3, 28, 28))
    with pytest.raises(ShapeError, match="smaller than the kernel"):
        nn.Conv2d(1, 8, 5)(bp.zeros(2, 1, 4, 4))


# -- pooling modules ---------------------------------------------------------------------------------
@pytest.mark.parametrize("cls, kwargs", [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)),
    ("MaxPool2d", dict(kernel_size=(2, 3), stride=(1, 2), dilation=2)),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ("AvgPool2d", dict(kernel_size=(2, 3), divisor_override=3)),
])
def test_pooling_modules_match_torch(cls, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, cls)(**kwargs), getattr(torch.nn, cls)(**kwargs)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(3).permutation(2 * 3 * 9 * 8).reshape(2, 3, 9, 8) / 10.0
    xt, tt = _t(x), torch.tensor(x, requires_grad=True)
    y, ty = ours(xt), theirs(tt)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    y.sum().backward()
    ty.sum().backward()
    np.testing.assert_allclose(xt.grad, tt.grad.numpy(), rtol=1e-12)


def test_max_pool_module_return_indices():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(4).standard_normal((3, 6, 7))  # unbatched
    y, idx = nn.MaxPool2d(3, stride=2, return_indices=True, ceil_mode=True)(_t(x))
    ty, tidx = torch.nn.MaxPool2d(3, stride=2, return_indices=True, ceil_mode=True)(torch.tensor(x))
    np.testing.assert_array_equal(y.data, ty.numpy())
    np.testing.assert_array_equal(idx.data, tidx.numpy())


# -- a CNN learns ------------------------------------------------------------------------------------
def test_small_cnn_learns_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_digits(return_X_y=True)
    X = (X / 16.0).reshape(-1, 1, 8, 8).astype(np.float32)
    X_train, y_train, X_test, y_test = X[:1400], y[:1400], X[1400:], y[1400:]
    bp.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8 * 4 * 4, 10))
    opt = bp.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    order = np.random.default_rng(0)
    for _ in range(15):  # epochs: a fraction of a second
        perm = order.permutation(len(X_train))
        for i in range(0, len(perm), 64):
            batch = perm[i:i + 64]
            opt.zero_grad()
            loss = loss_fn(model(bp.tensor(X_train[batch])), bp.tensor(y_train[batch]))
            loss.backward()
            opt.step()
    with bp.no_grad():
        accuracy = (model(bp.tensor(X_test)).data.argmax(1) == y_test).mean()
    assert accuracy > 0.88  # chance is 0.1; seeds 0-2 give 0.92-0.93

"""The activation, normalisation, dropout and container layers of issue 15 against PyTorch's: outputs and the
gradients of inputs and parameters in float64 (weights copied), state dicts both ways, defaults and
initialisation, training/evaluation behaviour, and constructor errors that name the argument."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn
from tests.ops._torch_oracle import assert_module_matches_torch

torch = pytest.importorskip("torch")
RNG = np.random.default_rng(4)


def _randomise(module, seed=0):
    """Move every parameter and buffer off its initial value, so copied weights are really tested."""
    rng = np.random.default_rng(seed)
    for _, t in list(module.named_parameters()) + list(module.named_buffers()):
        if t.dtype.kind == "f":
            t.data[...] = rng.uniform(0.5, 1.5, t.shape)
    return module


ACTIVATIONS = [
    ("GELU", {}), ("GELU", {"approximate": "tanh"}), ("ELU", {}), ("ELU", {"alpha": 0.5}), ("SiLU", {}),
    ("Softplus", {}), ("Softplus", {"beta": 2.0, "threshold": 1.0}), ("Mish", {}), ("Hardtanh", {}),
    ("Hardtanh", {"min_val": -0.5, "max_val": 2.0}), ("LogSigmoid", {}),
]


@pytest.mark.parametrize("name, kwargs", ACTIVATIONS, ids=[f"{n}{k or ''}" for n, k in ACTIVATIONS])
def test_activation_modules_match_torch(name, kwargs):
    x = np.array([[-2.5, -0.7, -0.3, 0.4], [0.6, 1.4, 2.2, -1.6]])
    assert_module_matches_torch(getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs), x)
    assert bp.gradgradcheck(getattr(nn, name)(**kwargs), [x[:, :2]])


def test_activation_defaults_and_reprs_follow_torch():
    assert nn.Softplus().threshold == torch.nn.Softplus().threshold == 20.0
    assert nn.ELU().alpha == torch.nn.ELU().alpha == 1.0
    assert (nn.Hardtanh().min_val, nn.Hardtanh().max_val) == (-1.0, 1.0)
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("fast")
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2.0, 1.0)


NORMS = [
    ("LayerNorm", (4,), {}, (2, 3, 4)),
    ("LayerNorm", ((3, 4),), {"eps": 1e-3}, (2, 3, 4)),
    ("LayerNorm", (4,), {"elementwise_affine": False}, (2, 4)),
    ("LayerNorm", (4,), {"bias": False}, (2, 4)),
    ("GroupNorm", (2, 4), {}, (2, 4, 3)),
    ("GroupNorm", (3, 3), {"eps": 1e-3}, (2, 3, 2, 2)),
    ("GroupNorm", (1, 4), {"affine": False}, (2, 4, 3)),
]


@pytest.mark.parametrize("name, args, kwargs, shape", NORMS)
def test_normalisation_layers_match_torch(name, args, kwargs, shape):
    ours = _randomise(getattr(nn, name)(*args, **kwargs, dtype=np.float64))
    theirs = getattr(torch.nn, name)(*args, **kwargs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert_module_matches_torch(ours, theirs, RNG.standard_normal(shape))
    assert bp.gradgradcheck(ours, [RNG.standard_normal(shape)])


def test_normalisation_init_and_state_dict_from_torch():
    pairs = ((nn.LayerNorm((2, 3)), torch.nn.LayerNorm((2, 3))), (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4)))
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.weight.data, 1.0)
        np.testing.assert_array_equal(ours.bias.data, 0.0)
        assert ours.weight.shape == tuple(theirs.weight.shape)
        with torch.no_grad():
            theirs.weight.uniform_()
        ours.load_state_dict(theirs.state_dict())
        np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy())
    assert nn.LayerNorm(4).normalized_shape == torch.nn.LayerNorm(4).normalized_shape == (4,)


def test_layer_norm_is_the_same_in_train_and_eval_and_for_one_sample():
    layer = nn.LayerNorm(3)
    x = bp.tensor([[1.0, 2.0, 4.0]])
    a = layer(x).data
    layer.eval()
    np.testing.assert_array_equal(layer(x).data, a)


def test_batchnorm2d_matches_torch_in_training_and_evaluation():
    ours = _randomise(nn.BatchNorm2d(3, momentum=0.2, dtype=np.float64))
    ours.num_batches_tracked.data[...] = 0
    theirs = torch.nn.BatchNorm2d(3, momentum=0.2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = RNG.standard_normal((2, 3, 2, 3)) * 2 + 1
    assert_module_matches_torch(ours, theirs, x)
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    assert_module_matches_torch(ours, theirs, x)
    assert bp.gradgradcheck(nn.BatchNorm2d(2, dtype=np.float64), [x[:, :2]])


def test_batchnorm2d_checks_its_input_and_loads_torch_state():
    with pytest.raises(bp.ShapeError, match=r"BatchNorm2d: expected 4D \(N, C, H, W\) input"):
        nn.BatchNorm2d(3)(bp.zeros(2, 3))
    with pytest.raises(bp.ShapeError, match="BatchNorm1d"):
        nn.BatchNorm1d(3)(bp.zeros(2, 3, 2, 2))
    theirs = torch.nn.BatchNorm2d(3)
    theirs(torch.randn(4, 3, 2, 2))
    ours = nn.BatchNorm2d(3)
    ours.load_state_dict(theirs.state_dict())
    assert int(ours.num_batches_tracked.data) == 1
    assert not isinstance(ours, nn.BatchNorm1d)


def test_dropout2d_zeroes_whole_channels_and_scales_the_rest():
    bp.manual_seed(0)
    layer = nn.Dropout2d(0.5)
    x = bp.ones(64, 8, 3, 3, requires_grad=True)
    y = layer(x)
    per_channel = y.data.reshape(64, 8, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2.0).all(-1))
    assert 0.4 < (per_channel[..., 0] == 0).mean() < 0.6
    y.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), y.data)
    layer.eval()
    assert layer(x) is x
    with pytest.raises(ValueError, match="p=1.5"):
        nn.Dropout2d(1.5)
    assert nn.Dropout2d(0.3)(bp.ones(2, 3, 4)).shape == (2, 3, 4)  # (N, C, L), as PyTorch reads 3-D input


def test_module_dict_registers_its_modules_like_torch():
    ours = nn.ModuleDict({"enc": nn.Linear(3, 4), "dec": nn.Linear(4, 3)})
    theirs = torch.nn.ModuleDict({"enc": torch.nn.Linear(3, 4), "dec": torch.nn.Linear(4, 3)})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict(theirs.state_dict())
    assert list(ours) == ["enc", "dec"] and "enc" in ours and len(ours) == 2
    ours["act"] = nn.ReLU()
    assert list(ours.keys()) == ["enc", "dec", "act"]
    ours["enc"] = nn.Linear(3, 4)  # replaced in place, as torch keeps the order
    theirs["enc"] = torch.nn.Linear(3, 4)
    assert list(ours.keys()) == ["enc", "dec", "act"] and list(ours.state_dict()) == list(theirs.state_dict())
    assert isinstance(ours.pop("act"), nn.ReLU) and "act" not in ours
    ours.update([("extra", nn.Linear(2, 2))])
    assert len(list(ours.parameters())) == 6
    del ours["extra"]
    with pytest.raises(KeyError):
        del ours["extra"]
    with pytest.raises(TypeError, match="strings"):
        ours[1] = nn.ReLU()
    ours.clear()
    assert len(ours) == 0 and list(ours.parameters()) == []


def test_parameter_list_and_dict_register_like_torch():
    values = [RNG.standard_normal((2, 3)), RNG.standard_normal(3)]
    ours = nn.ParameterList([bp.tensor(v) for v in values])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.tensor(v)) for v in values])
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in ours)
    ours.append(np.zeros(4))
    assert len(ours) == 3 and ours[-1].shape == (4,) and len(ours[:2]) == 2
    ours[0] = np.ones((2, 2))
    assert [p.shape for p in ours] == [(2, 2), (3,), (4,)] and list(ours.state_dict()) == ["0", "1", "2"]
    with pytest.raises(IndexError, match="out of range"):
        ours[5]
    pd = nn.ParameterDict({"a": np.ones(2), "b": nn.Parameter(np.zeros(3))})
    tpd = torch.nn.ParameterDict({"a": torch.nn.Parameter(torch.ones(2)), "b": torch.nn.Parameter(torch.zeros(3))})
    assert list(pd.state_dict()) == list(tpd.state_dict())
    pd.load_state_dict({k: v.detach().numpy() * 2 for k, v in tpd.state_dict().items()})
    np.testing.assert_array_equal(pd["a"].data, 2.0)
    assert pd.pop("a").shape == (2,) and list(pd) == ["b"]

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.ParameterList([np.ones(2)])
            self.named = nn.ParameterDict({"w": np.ones(3)})

    assert [n for n, _ in Model().named_parameters()] == ["weights.0", "named.w"]


def test_unflatten_matches_torch():
    x = RNG.standard_normal((2, 12))
    for dim, sizes in ((1, (3, 4)), (-1, (2, -1)), (0, (1, 2))):
        np.testing.assert_array_equal(nn.Unflatten(dim, sizes)(bp.tensor(x)).data,
                                      torch.nn.Unflatten(dim, sizes)(torch.tensor(x)).numpy())
    assert nn.Unflatten(1, (3, 4))(nn.Flatten()(bp.zeros(2, 3, 4))).shape == (2, 3, 4)
    with pytest.raises(bp.ShapeError, match=r"size 12, which does not split into \(5, 2\)"):
        nn.Unflatten(1, (5, 2))(bp.tensor(x))
    with pytest.raises(TypeError, match="unflattened_size"):
        nn.Unflatten(1, (3.0, 4))


@pytest.mark.parametrize("make, message", [
    (lambda: nn.Conv2d(3, 4, 2.5), "Conv2d: kernel_size must be an int or a pair of ints, got 2.5"),
    (lambda: nn.Conv2d(3, 4, (2, 2.0)), "kernel_size"),
    (lambda: nn.Conv2d(3.0, 4, 2), "in_channels"),
    (lambda: nn.Conv2d(3, 4, 2, stride=1.5), "stride"),
    (lambda: nn.Conv2d(3, 4, 2, groups=1.0), "groups"),
    (lambda: nn.Conv1d(3, 4, 2.5), "Conv1d: kernel_size"),
    (lambda: nn.Conv1d(3, 4, 2, dilation=(1, 1)), "dilation"),
    (lambda: nn.ConvTranspose2d(3, 4, 2, padding=0.5), "ConvTranspose2d: padding"),
    (lambda: nn.Linear(3.5, 2), "Linear: in_features must be an int, got 3.5"),
    (lambda: nn.Linear(3, "2"), "out_features"),
    (lambda: nn.MaxPool2d(2.5), "MaxPool2d: kernel_size"),
    (lambda: nn.MaxPool2d(2, stride=1.5), "MaxPool2d: stride"),
    (lambda: nn.AvgPool2d(2, padding=0.5), "AvgPool2d: padding"),
    (lambda: nn.AdaptiveAvgPool2d(2.5), "output_size"),
    (lambda: nn.BatchNorm2d(3.0), "num_features"),
    (lambda: nn.GroupNorm(2.0, 4), "num_groups"),
    (lambda: nn.LayerNorm(4.0), "normalized_shape"),
    (lambda: nn.Upsample(size=2.5), "size"),
])
def test_constructors_reject_non_integer_sizes_naming_the_argument(make, message):
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_value_errors_still_name_the_argument():
    with pytest.raises(ValueError, match="groups must be a positive integer"):
        nn.Conv2d(2, 2, 3, groups=0)
    with pytest.raises(ValueError, match="num_channels \\(5\\) must be divisible by num_groups \\(2\\)"):
        nn.GroupNorm(2, 5)
    with pytest.raises(ValueError, match="Linear: in_features must be positive, got -1"):
        nn.Linear(-1, 2)


@pytest.mark.parametrize("shape", [(2, 3, 4), (5,), ()])
@pytest.mark.parametrize("start_dim, end_dim", [(1, -1), (0, -1), (1, 1), (2, -1), (0, -3), (0, 0), (-1, 0),
                                                (2, 1), (-1, -3), (0, 5), (-4, 1), (3, 3), (1, 7)])
def test_flatten_agrees_with_torch_on_valid_and_invalid_dims(shape, start_dim, end_dim):
    x = RNG.standard_normal(shape)
    try:
        expected = torch.nn.Flatten(start_dim, end_dim)(torch.tensor(x)).numpy()
    except (IndexError, RuntimeError) as torch_error:
        with pytest.raises(type(torch_error), match=r"flatten: (start_dim|end_dim) .*input of shape"):
            nn.Flatten(start_dim, end_dim)(bp.tensor(x))
        return
    np.testing.assert_array_equal(nn.Flatten(start_dim, end_dim)(bp.tensor(x)).data, expected)


def test_flatten_and_unflatten_refuse_bad_arguments():
    with pytest.raises(RuntimeError, match=r"start_dim 2 comes after end_dim 1 for an input of shape \(2, 3, 4\)"):
        nn.Flatten(2, 1)(bp.zeros(2, 3, 4))
    with pytest.raises(IndexError, match=r"end_dim 3 is out of range .*\(2, 3, 4\) \(expected a dim in \[-3, 2\]\)"):
        nn.Flatten(0, 3)(bp.zeros(2, 3, 4))
    with pytest.raises(TypeError, match="Flatten: start_dim must be an int, got 1.5"):
        nn.Flatten(1.5)
    with pytest.raises(IndexError, match=r"Unflatten: dim 5 is out of range"):  # IndexError, as torch
        nn.Unflatten(5, (2, 2))(bp.zeros(2, 3, 4))
    with pytest.raises(IndexError):
        torch.nn.Unflatten(5, (2, 2))(torch.zeros(2, 3, 4))
    for sizes in ((-1, -1), (-2, -2), (3, -3)):
        with pytest.raises(ValueError, match=r"at most one -1, got \("):
            nn.Unflatten(1, sizes)
        with pytest.raises(RuntimeError):  # torch refuses them on the first input
            torch.nn.Unflatten(1, sizes)(torch.zeros(2, 4, 4))

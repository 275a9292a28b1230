"""The layers as modules: PyTorch's defaults and outputs (float64), training vs evaluation, errors."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop import nn
from backprop.exceptions import ShapeError


def _t(a):
    return bp.tensor(a, dtype=np.float64, requires_grad=True)


def _forward_backward(module, x, v):
    """Output and input gradient of ``module`` at x for the upstream gradient v."""
    xt = _t(x)
    y = module(xt)
    y.backward(v)
    return y.data, xt.grad


def _torch_forward_backward(module, x, v):
    """The same for a torch module."""
    import torch

    xt = torch.tensor(x, requires_grad=True)
    yt = module(xt)
    yt.backward(torch.tensor(v))
    return yt.detach().numpy(), xt.grad.numpy()


# -- Linear ---------------------------------------------------------------------------------------------
def test_linear_shapes_and_defaults():
    layer = nn.Linear(10, 5)
    assert layer.weight.shape == (5, 10) and layer.bias.shape == (5,)
    assert layer.weight.dtype == bp.get_default_dtype()
    assert nn.Linear(10, 5, bias=False).bias is None
    assert layer(bp.zeros(3, 10)).shape == (3, 5)
    assert layer(bp.zeros(10)).shape == (5,)
    assert layer(bp.zeros(2, 3, 10)).shape == (2, 3, 5)


def test_linear_wrong_width_names_both_sizes():
    with pytest.raises(ShapeError, match="Linear: input has 12 features but the layer expects 10"):
        nn.Linear(10, 5)(bp.zeros(32, 12))


def test_linear_default_init_is_uniform_one_over_sqrt_fan_in():
    bp.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert np.abs(p.data).max() <= bound
        assert np.abs(p.data).max() > 0.95 * bound
    assert abs(layer.weight.data.std() - bound / math.sqrt(3)) < 0.01 * bound  # U(±b) has std b/√3


def test_linear_init_is_seeded_and_reset_parameters_redraws():
    bp.manual_seed(3)
    a = nn.Linear(4, 3)
    bp.manual_seed(3)
    b = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    before = a.weight.data.copy()
    a.reset_parameters()
    assert not np.array_equal(before, a.weight.data)


def test_linear_matches_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Linear(4, 3).double()
    ours = nn.Linear(4, 3).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    x, v = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    y, gx = _forward_backward(ours, x, v)
    yt, gxt = _torch_forward_backward(theirs, x, v)
    np.testing.assert_allclose(y, yt, rtol=1e-12)
    np.testing.assert_allclose(gx, gxt, rtol=1e-12)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-12)


def test_linear_layer_gradcheck():
    layer = nn.Linear(3, 2).double()
    f = lambda x, w, b: bp.F.linear(x, w, b)
    inputs = [np.random.default_rng(1).standard_normal((4, 3)), layer.weight.data, layer.bias.data]
    assert bp.gradcheck(f, inputs)
    assert bp.gradgradcheck(f, inputs)


# -- activations ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda m: m.ReLU(), lambda m: m.LeakyReLU(), lambda m: m.LeakyReLU(0.2), lambda m: m.Sigmoid(),
    lambda m: m.Tanh(), lambda m: m.Softmax(dim=-1), lambda m: m.Softmax(dim=0),
    lambda m: m.LogSoftmax(dim=1),
    lambda m: m.Identity(), lambda m: m.Flatten(), lambda m: m.Flatten(0, 1), lambda m: m.PReLU(),
    lambda m: m.PReLU(3),
], ids=["relu", "leaky", "leaky0.2", "sigmoid", "tanh", "softmax", "softmax0", "logsoftmax", "identity",
        "flatten", "flatten01", "prelu", "prelu3"])
def test_activation_matches_torch(make):
    torch = pytest.importorskip("torch")
    ours, theirs = make(nn).double(), make(torch.nn).double()
    rng = np.random.default_rng(2)
    x = rng.standard_normal((4, 3, 2))
    x[0, 0, 0] = 0.0  # the kink: both libraries take the derivative at 0 from the left
    v = rng.standard_normal(theirs(torch.tensor(x)).shape)
    y, gx = _forward_backward(ours, x, v)
    yt, gxt = _torch_forward_backward(theirs, x, v)
    np.testing.assert_allclose(y, yt, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gx, gxt, rtol=1e-12, atol=1e-15)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12, err_msg=name)


def test_softmax_temperature_course_exercise():
    # Problem book §5 ex. 4: logits 1, 2, 5.
    z = bp.tensor([[1.0, 2.0, 5.0]], dtype=np.float64)
    t10 = [[0.278010, 0.307248, 0.414742]]
    np.testing.assert_allclose(nn.Softmax(temperature=10)(z).data, t10, atol=1e-6)
    np.testing.assert_allclose(nn.Softmax()(z).data, [[0.017148, 0.046613, 0.936240]], atol=1e-6)
    np.testing.assert_allclose(nn.Softmax(temperature=0.1)(z).data, [[0.0, 0.0, 1.0]], atol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(temperature=10)(z).data, np.log(t10), atol=1e-5)
    with pytest.raises(ValueError, match="temperature"):
        nn.Softmax(temperature=0)


def test_prelu_starts_at_quarter_and_learns_its_slope():
    layer = nn.PReLU()
    np.testing.assert_array_equal(layer.weight.data, [0.25])
    x = bp.tensor([[-2.0, 3.0], [-1.0, -4.0]])
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, [-7.0])  # Σ min(0, x)
    with pytest.raises(ShapeError, match="3 slopes"):
        nn.PReLU(3)(bp.zeros(2, 4))


def test_heaviside_perceptrons_solve_xor():
    # Problem book §1 ex. 5: OR = [x₁ + x₂ − 0.5 > 0], AND = [x₁ + x₂ − 1.5 > 0], XOR = [OR − AND − 0.5 > 0].
    model = nn.Sequential(nn.Linear(2, 2), nn.Heaviside(), nn.Linear(2, 1), nn.Heaviside())
    model.load_state_dict({"0.weight": [[1.0, 1.0], [1.0, 1.0]], "0.bias": [-0.5, -1.5],
                           "2.weight": [[1.0, -1.0]], "2.bias": [-0.5]})
    x = bp.tensor([[1.0, 1.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(model(x).data.ravel(), [0.0, 1.0, 1.0, 0.0])
    np.testing.assert_array_equal(model[:2](x).data, [[1, 1], [1, 0], [1, 0], [0, 0]])


# -- Dropout -----------------------------------------------------------------------------------------------
def test_dropout_training_zeroes_and_rescales():
    bp.manual_seed(0)
    x = bp.ones(200, 50, requires_grad=True)
    layer = nn.Dropout(0.2)
    y = layer(x)
    values = np.unique(y.data)
    np.testing.assert_allclose(values, [0.0, 1.25])  # survivors scaled by 1/(1 − p)
    assert abs((y.data == 0).mean() - 0.2) < 0.02
    assert abs(y.data.mean() - 1.0) < 0.03  # E[y] = x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)  # the same mask scales the gradient


def test_dropout_eval_is_identity_and_p_bounds():
    x = bp.randn(3, 4)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x).data, np.zeros((3, 4)))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"p={p}"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match=f"p={p}"):
            bp.F.dropout(x, p)


def test_dropout_is_seeded():
    x = bp.ones(10, 10)
    bp.manual_seed(5)
    a = nn.Dropout()(x)
    bp.manual_seed(5)
    b = nn.Dropout()(x)
    np.testing.assert_array_equal(a.data, b.data)
    assert repr(nn.Dropout()) == "Dropout(p=0.5)"


# -- BatchNorm1d -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"affine": False}, {"bias": False},
                                     {"track_running_stats": False}, {"eps": 0.1, "momentum": 0.3}])
def test_batchnorm_matches_torch_in_training_and_eval(shape, options):
    torch = pytest.importorskip("torch")
    ours = nn.BatchNorm1d(3, **options).double()
    theirs = torch.nn.BatchNorm1d(3, **options).double()
    with torch.no_grad():
        for p, q in zip(ours.parameters(), theirs.parameters()):
            values = np.random.default_rng(len(p.data)).uniform(0.5, 1.5, 3)
            p.data[...] = values
            q.copy_(torch.tensor(values))
    rng = np.random.default_rng(0)
    for _ in range(3):
        x, v = rng.normal(1.0, 2.0, shape), rng.standard_normal(shape)
        y, gx = _forward_backward(ours, x, v)
        yt, gxt = _torch_forward_backward(theirs, x, v)
        np.testing.assert_allclose(y, yt, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(gx, gxt, rtol=1e-9, atol=1e-12)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-10, err_msg=name)
    for (name, b), (_, c) in zip(ours.named_buffers(), theirs.named_buffers()):
        np.testing.assert_allclose(b.data, c.numpy(), rtol=1e-12, err_msg=name)
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(bp.tensor(x, dtype=np.float64)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_batchnorm_running_stats_by_hand():
    layer = nn.BatchNorm1d(1, momentum=0.5)
    x = bp.tensor([[1.0], [3.0]])  # mean 2, biased variance 1, unbiased variance 2
    y = layer(x)
    np.testing.assert_allclose(y.data.ravel(), [-1, 1], atol=1e-4)
    np.testing.assert_allclose(layer.running_mean.data, [1.0])  # 0.5·0 + 0.5·2
    np.testing.assert_allclose(layer.running_var.data, [1.5])  # 0.5·1 + 0.5·2 (unbiased)
    assert int(layer.num_batches_tracked.data) == 1
    layer.eval()
    np.testing.assert_allclose(layer(bp.tensor([[1.0]])).data, [[0.0]], atol=1e-6)  # (1 − 1)/√1.5
    assert int(layer.num_batches_tracked.data) == 1  # evaluation leaves the statistics alone


def test_batchnorm_gradcheck_in_training_mode():
    layer = nn.BatchNorm1d(3).double()
    x = np.random.default_rng(4).standard_normal((5, 3))
    w, b = np.array([0.5, 1.5, -1.0]), np.array([0.1, 0.0, -0.3])
    f = lambda x, w, b: bp.F.batch_norm(x, None, None, w, b, training=True)
    assert bp.gradcheck(f, [x, w, b])
    assert bp.gradgradcheck(f, [x, w, b])
    layer.weight.data[...] = w
    layer.bias.data[...] = b
    xt = _t(x)
    layer(xt).backward(np.ones((5, 3)))
    np.testing.assert_allclose(xt.grad, 0, atol=1e-12)  # Σ of a normalised column does not depend on x
    np.testing.assert_allclose(layer.bias.grad, [5, 5, 5])
    np.testing.assert_allclose(layer.weight.grad, 0, atol=1e-12)  # Σ x̂ = 0


def test_batchnorm_errors():
    layer = nn.BatchNorm1d(4)
    with pytest.raises(ShapeError, match="input has 5 channels .* expects 4"):
        layer(bp.zeros(8, 5))
    with pytest.raises(ShapeError, match="2D .* or 3D"):
        layer(bp.zeros(8))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(bp.zeros(1, 4))
    assert layer.eval()(bp.zeros(1, 4)).shape == (1, 4)  # one example is fine in evaluation


def test_functional_batch_norm_updates_running_stats_in_place():
    rm, rv = bp.zeros(2), bp.ones(2)
    x = bp.tensor([[0.0, 1.0], [2.0, 5.0], [4.0, 9.0]])
    bp.F.batch_norm(x, rm, rv, training=True, momentum=1.0)
    np.testing.assert_allclose(rm.data, [2.0, 5.0])
    np.testing.assert_allclose(rv.data, [4.0, 16.0])  # unbiased
    y = bp.F.batch_norm(x, rm, rv, eps=0.0)
    np.testing.assert_allclose(y.data, [[-1.0, -1.0], [0.0, 0.0], [1.0, 1.0]], atol=1e-6)
    with pytest.raises(ShapeError, match="running_mean has shape \\(3,\\)"):
        bp.F.batch_norm(x, bp.zeros(3), bp.ones(3))


def test_functional_namespace():
    assert bp.F is bp.nn.functional
    assert bp.F.softmax is bp.nn.functional.softmax
    for name in ("linear", "relu", "leaky_relu", "prelu", "sigmoid", "tanh", "softmax", "log_softmax",
                 "heaviside", "dropout", "batch_norm", "mse_loss", "cross_entropy"):
        assert callable(getattr(bp.F, name)), name


def test_heaviside_and_temperature_softmax_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[-1.5, 0.0, 2.0], [3.0, -0.0, 1e-300]])
    expected = torch.heaviside(torch.tensor(x), torch.tensor(0.0, dtype=torch.float64)).numpy()
    np.testing.assert_array_equal(nn.Heaviside()(bp.tensor(x, dtype=np.float64)).data, expected)
    for t in (0.5, 3.0):
        for dim in (0, 1):
            y = nn.Softmax(dim, t)(bp.tensor(x, dtype=np.float64)).data
            np.testing.assert_allclose(y, torch.softmax(torch.tensor(x) / t, dim).numpy(), rtol=1e-12)
            y = nn.LogSoftmax(dim, t)(bp.tensor(x, dtype=np.float64)).data
            np.testing.assert_allclose(y, torch.log_softmax(torch.tensor(x) / t, dim).numpy(), rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 6), st.integers(1, 4), st.integers(0, 3), st.integers(0, 1000))
def test_sequential_slices_compose(n, features, cut, seed):
    bp.manual_seed(seed)
    model = nn.Sequential(nn.Linear(features, 5), nn.Tanh(), nn.Linear(5, 4), nn.LeakyReLU(), nn.Linear(4, 2))
    x = bp.randn(n, features, dtype=np.float64)
    model.double()
    np.testing.assert_allclose(model[cut:](model[:cut](x)).data, model(x).data, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 8), st.integers(1, 4), st.floats(0.1, 100.0), st.floats(-50.0, 50.0),
       st.integers(0, 1000))
def test_batchnorm_training_output_is_standardised(n, channels, scale, shift, seed):
    x = np.random.default_rng(seed).standard_normal((n, channels)) * scale + shift
    y = nn.BatchNorm1d(channels, eps=1e-300).double()(bp.tensor(x, dtype=np.float64)).data
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=0), 1.0, rtol=1e-9)

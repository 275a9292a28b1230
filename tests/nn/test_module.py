"""Module, Parameter, Sequential and ModuleList: registration, traversal, modes, dtype, state dicts, repr."""
import copy
import itertools
from collections import OrderedDict

import numpy as np
import pytest

import backprop as bp
from backprop import nn


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 3)
        self.norm = nn.BatchNorm1d(3)
        self.out = nn.Linear(3, 1)
        self.scale = 2.0  # a plain attribute, not a parameter

    def forward(self, x):
        return self.out(bp.relu(self.norm(self.hidden(x)))) * self.scale


def coffee_shop():
    """The course's coffee-shop network (problem book §1, ex. 2): ReLU everywhere, no first-layer bias."""
    model = nn.Sequential(nn.Linear(3, 2, bias=False), nn.ReLU(), nn.Linear(2, 1), nn.ReLU())
    model.load_state_dict({"0.weight": np.array([[5.0, -60.0, 0.5], [-2.0, -80.0, 2.0]]),
                           "2.weight": np.array([[1.0, 0.2]]), "2.bias": np.array([4.0])})
    return model


# -- Parameter ------------------------------------------------------------------------------------
def test_parameter_requires_grad_and_keeps_dtype():
    p = nn.Parameter(np.zeros(3, np.float64))
    assert isinstance(p, bp.Tensor) and p.requires_grad and p.is_leaf
    assert p.dtype == np.float64
    assert nn.Parameter([1.0, 2.0]).dtype == bp.get_default_dtype()
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad
    assert repr(nn.Parameter([1.0])).startswith("Parameter containing:\ntensor(")


# -- registration and traversal -----------------------------------------------------------------------
def test_parameters_found_by_attribute_assignment():
    m = TwoLayer()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["hidden.weight", "hidden.bias", "norm.weight", "norm.bias", "out.weight", "out.bias"]
    assert len(list(m.parameters())) == 6
    assert [n for n, _ in m.named_buffers()] == [
        "norm.running_mean", "norm.running_var", "norm.num_batches_tracked"]
    assert [n for n, _ in m.named_children()] == ["hidden", "norm", "out"]
    assert [type(c) for c in m.children()] == [nn.Linear, nn.BatchNorm1d, nn.Linear]
    assert [n for n, _ in m.named_modules()] == ["", "hidden", "norm", "out"]
    assert len(list(m.modules())) == 4
    assert m.scale == 2.0 and "scale" not in m._parameters
    assert [n for n, _ in m.named_parameters(recurse=False)] == []


def test_parameter_count_of_course_network():
    # Problem book §5 ex. 7a: 12 inputs, hidden layers of 300, 200, 100, one output.
    sizes = [12, 300, 200, 100, 1]
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    assert sum(p.numel() for p in model.parameters()) == 84301


def test_shared_parameter_listed_once():
    a = nn.Linear(2, 2)
    b = nn.Linear(2, 2)
    b.weight = a.weight
    model = nn.Sequential(a, b)
    assert len(list(model.parameters())) == 3
    assert set(model.state_dict()) == {"0.weight", "0.bias", "1.weight", "1.bias"}


def test_reassigning_and_deleting_attributes():
    m = nn.Linear(2, 2)
    m.bias = None
    assert m.bias is None and [n for n, _ in m.named_parameters()] == ["weight"]
    with pytest.raises(TypeError, match="parameter 'weight'"):
        m.weight = bp.zeros(2, 2)
    m.extra = nn.ReLU()
    assert "extra" in dict(m.named_children())
    del m.extra
    assert "extra" not in dict(m.named_children())
    with pytest.raises(AttributeError, match="has no attribute 'extra'"):
        _ = m.extra


def test_assigning_before_init_is_an_error():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter([1.0])

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(bp.zeros(1))


def test_buffers_are_not_parameters_and_non_persistent_left_out_of_state_dict():
    m = nn.Module()
    m.register_buffer("kept", bp.zeros(2))
    m.register_buffer("scratch", bp.ones(2), persistent=False)
    assert len(list(m.buffers())) == 2 and not list(m.parameters())
    assert list(m.state_dict()) == ["kept"]
    m.kept = bp.ones(2)  # a buffer stays a buffer when re-assigned
    assert "kept" in m._buffers


def test_apply_visits_every_module():
    seen = []
    TwoLayer().apply(lambda mod: seen.append(type(mod).__name__))
    assert seen == ["Linear", "BatchNorm1d", "Linear", "TwoLayer"]


# -- modes and gradients ---------------------------------------------------------------------------
def test_train_and_eval_propagate_and_recording_is_independent_of_mode():
    m = TwoLayer()
    assert all(mod.training for mod in m.modules())
    assert m.eval() is m
    assert not any(mod.training for mod in m.modules())
    y = m(bp.randn(4, 2))
    assert y.requires_grad  # eval() does not switch gradients off
    with bp.no_grad():
        assert not m(bp.randn(4, 2)).requires_grad
    m.train()
    assert all(mod.training for mod in m.modules())


def test_zero_grad_sets_to_none_or_zeros():
    m = nn.Linear(3, 2)
    m(bp.randn(4, 3)).sum().backward()
    m.zero_grad(set_to_none=False)
    assert all(bool((p.grad == 0).all()) for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_requires_grad_freezes():
    m = nn.Linear(3, 2).requires_grad_(False)
    assert not m(bp.randn(1, 3)).requires_grad


def test_to_double_and_float_convert_params_and_float_buffers():
    m = TwoLayer()
    m(bp.randn(4, 2)).sum().backward()
    assert m.double() is m
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in m.parameters())
    assert m.norm.running_mean.dtype == np.float64
    assert m.norm.num_batches_tracked.dtype == np.int64
    assert m(bp.randn(4, 2, dtype=np.float64)).dtype == np.float64
    m.float()
    assert all(p.dtype == np.float32 for p in m.parameters())
    m.to("float64")
    assert m.out.weight.dtype == np.float64
    assert m.to("cpu") is m
    with pytest.raises(TypeError, match="floating point"):
        m.to(np.int32)


def test_layers_take_a_dtype():
    assert nn.Linear(2, 3, dtype=np.float64).weight.dtype == np.float64
    assert nn.BatchNorm1d(3, dtype=np.float64).running_var.dtype == np.float64
    assert nn.PReLU(dtype=np.float64).weight.dtype == np.float64


def test_deepcopy_is_independent():
    m = TwoLayer()
    c = copy.deepcopy(m)
    c.out.weight.data[...] = 0
    assert not np.all(m.out.weight.data == 0)
    assert isinstance(c.out.weight, nn.Parameter)


# -- state dict -------------------------------------------------------------------------------------
def test_state_dict_round_trip():
    bp.manual_seed(0)
    a, b = TwoLayer(), TwoLayer()
    a(bp.randn(8, 2))  # moves a's running statistics
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    a.eval(), b.eval()
    x = bp.randn(5, 2)
    np.testing.assert_array_equal(a(x).data, b(x).data)
    assert int(b.norm.num_batches_tracked.data) == 1


def test_state_dict_shares_memory_and_load_copies_in_place():
    m = nn.Linear(2, 2)
    sd = m.state_dict()
    assert not sd["weight"].requires_grad
    assert np.shares_memory(sd["weight"].data, m.weight.data)
    w = m.weight
    version = w._vc[0]
    m.load_state_dict({"weight": np.ones((2, 2)), "bias": [1.0, 2.0]})
    assert m.weight is w and w._vc[0] > version  # same Parameter object, so an optimizer keeps working
    np.testing.assert_array_equal(m.bias.data, [1.0, 2.0])


def test_load_state_dict_errors_name_keys_and_shapes():
    m = nn.Sequential(nn.Linear(3, 2))
    good = {k: v.data.copy() for k, v in m.state_dict().items()}
    with pytest.raises(RuntimeError, match=r'Missing key\(s\) in state_dict: "0.bias"'):
        m.load_state_dict({"0.weight": good["0.weight"]})
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "0.extra"'):
        m.load_state_dict({**good, "0.extra": np.zeros(1)})
    with pytest.raises(RuntimeError) as err:
        m.load_state_dict({"0.weight": np.zeros((3, 2)), "0.bias": good["0.bias"]})
    assert "size mismatch for 0.weight" in str(err.value)
    assert "(3, 2)" in str(err.value) and "(2, 3)" in str(err.value)
    assert "Sequential" in str(err.value)
    np.testing.assert_array_equal(m[0].weight.data, good["0.weight"])  # nothing copied on error


def test_load_state_dict_non_strict_reports_keys_but_still_checks_shapes():
    m = nn.Linear(3, 2)
    result = m.load_state_dict({"weight": np.ones((2, 3)), "other": np.zeros(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(m.weight.data, np.ones((2, 3)))
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        m.load_state_dict({"weight": np.ones(3)}, strict=False)


# -- repr ------------------------------------------------------------------------------------------
def test_repr_is_nested_like_pytorch():
    m = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Dropout(0.25)), nn.Softmax())
    assert repr(m) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Dropout(p=0.25)\n"
        "  )\n"
        "  (2): Softmax(dim=-1)\n"
        ")")
    assert repr(nn.BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
    assert repr(nn.LogSoftmax(dim=1, temperature=0.5)) == "LogSoftmax(dim=1, temperature=0.5)"


def test_repr_matches_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3, bias=False), nn.LeakyReLU(0.2), nn.PReLU(3), nn.Flatten(),
                         nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False), torch.nn.LeakyReLU(0.2),
                                 torch.nn.PReLU(3), torch.nn.Flatten(), torch.nn.BatchNorm1d(3))
    assert repr(ours) == repr(theirs)


# -- Sequential and ModuleList --------------------------------------------------------------------------
def test_coffee_shop_forward_and_hidden_features_by_slicing():
    model = coffee_shop()
    x = bp.tensor([[20.0, 0.0, 1.0]])  # 20 degrees, no rally, Agnessa at the bar
    np.testing.assert_allclose(model(x).data, [[104.5]])
    np.testing.assert_allclose(model[:2](x).data, [[100.5, 0.0]])  # h₁ = 100.5, h₂ = max(0, −38) = 0
    assert isinstance(model[:2], nn.Sequential) and len(model[:2]) == 2
    assert isinstance(model[-1], nn.ReLU) and model[2] is list(model)[2]


def test_sequential_with_names_and_editing():
    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("act", nn.Tanh())]))
    assert model.hidden is model[0]
    assert list(model[1:].state_dict()) == []
    assert list(model[:1].state_dict()) == ["hidden.weight", "hidden.bias"]
    model.append(nn.Linear(3, 1))
    assert len(model) == 3 and model(bp.randn(4, 2)).shape == (4, 1)
    model[1] = nn.ReLU()
    assert isinstance(model.act, nn.ReLU)
    del model[0]
    assert [n for n, _ in model.named_children()] == ["0", "1"]
    with pytest.raises(IndexError, match="out of range"):
        model[5]


def test_module_list_registers_its_members():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    m = Stack()
    assert len(list(m.parameters())) == 6
    assert m(bp.randn(1, 2)).shape == (1, 2)
    m.layers.append(nn.Linear(2, 2))
    m.layers.insert(0, nn.Identity())
    assert len(m.layers) == 5 and isinstance(m.layers[0], nn.Identity)
    assert isinstance(m.layers[1:3], nn.ModuleList) and len(m.layers[1:3]) == 2
    assert [n for n, _ in m.layers.named_children()] == ["0", "1", "2", "3", "4"]
    with pytest.raises(NotImplementedError):
        m.layers(bp.zeros(1, 2))

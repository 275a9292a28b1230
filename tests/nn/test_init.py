"""bp.nn.init: PyTorch's gains and fans, the distributions' bounds and spread, seeding, in-place semantics."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop.nn import init


@pytest.mark.parametrize("nonlinearity, param, gain", [
    ("linear", None, 1.0), ("sigmoid", None, 1.0), ("conv2d", None, 1.0), ("tanh", None, 5 / 3),
    ("relu", None, math.sqrt(2)), ("leaky_relu", None, math.sqrt(2 / (1 + 0.01 ** 2))),
    ("leaky_relu", 0.2, math.sqrt(2 / 1.04)), ("leaky_relu", math.sqrt(5), math.sqrt(1 / 3)),
    ("selu", None, 0.75),
])
def test_calculate_gain(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain)


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        init.calculate_gain("swish")


def test_fan_in_and_fan_out():
    assert init._calculate_fan_in_and_fan_out(bp.zeros(5, 3)) == (3, 5)
    assert init._calculate_fan_in_and_fan_out(bp.zeros(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(bp.zeros(5))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        init.kaiming_uniform_(bp.zeros(5, 3), mode="fan_avg")


def _filled(fn, shape=(400, 600), seed=0, **kw):
    bp.manual_seed(seed)
    t = bp.zeros(*shape, dtype=np.float64)
    assert fn(t, **kw) is t
    return t.data


def test_uniform_normal_constant():
    u = _filled(init.uniform_, a=-2.0, b=3.0)
    assert u.min() >= -2.0 and u.max() < 3.0 and abs(u.mean() - 0.5) < 0.02
    n = _filled(init.normal_, mean=1.0, std=2.0)
    assert abs(n.mean() - 1.0) < 0.02 and abs(n.std() - 2.0) < 0.02
    np.testing.assert_array_equal(_filled(init.constant_, shape=(2, 2), val=0.3), np.full((2, 2), 0.3))
    np.testing.assert_array_equal(_filled(init.ones_, shape=(2,)), [1.0, 1.0])
    t = bp.ones(3)
    np.testing.assert_array_equal(init.zeros_(t).data, [0.0, 0.0, 0.0])


@pytest.mark.parametrize("fn, kw, std", [
    (init.xavier_uniform_, {}, math.sqrt(2 / 1000)),
    (init.xavier_uniform_, {"gain": 2.0}, 2 * math.sqrt(2 / 1000)),
    (init.xavier_normal_, {}, math.sqrt(2 / 1000)),
    (init.kaiming_uniform_, {"nonlinearity": "relu"}, math.sqrt(2 / 600)),
    (init.kaiming_uniform_, {"nonlinearity": "relu", "mode": "fan_out"}, math.sqrt(2 / 400)),
    (init.kaiming_normal_, {"nonlinearity": "relu"}, math.sqrt(2 / 600)),
    (init.kaiming_normal_, {}, math.sqrt(2 / (1 + 0.01 ** 2) / 600)),
    (init.kaiming_uniform_, {"a": math.sqrt(5)}, 1 / math.sqrt(3 * 600)),  # nn.Linear's U(±1/√fan_in)
])
def test_scaled_initialisations_have_the_documented_spread(fn, kw, std):
    w = _filled(fn, **kw)  # shape (400, 600): fan_in 600, fan_out 400
    assert abs(w.std() - std) < 0.01 * std
    assert abs(w.mean()) < 0.01 * std
    if fn in (init.xavier_uniform_, init.kaiming_uniform_):
        bound = math.sqrt(3) * std  # U(±b) has std b/√3
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound


def test_seeded_and_in_place():
    a = _filled(init.kaiming_normal_, shape=(5, 4), seed=7)
    b = _filled(init.kaiming_normal_, shape=(5, 4), seed=7)
    np.testing.assert_array_equal(a, b)
    p = bp.nn.Parameter(np.zeros((3, 2), np.float32))
    version = p._vc[0]
    init.xavier_uniform_(p)  # on a leaf that requires grad: no in-place error, no graph
    assert p.dtype == np.float32 and p.is_leaf and p._vc[0] > version


def test_init_keeps_a_saved_value_from_being_used_after_modification():
    w = bp.nn.Parameter(np.ones((2, 2)))
    y = (w * w).sum()
    init.zeros_(w)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()

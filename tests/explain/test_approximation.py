"""Universal approximation (001 §1 ex. 9): Σ f(midpoint)·[aᵢ ≤ x < aᵢ + h] as a Heaviside network."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain.approximation import approximation_error, approximation_errors, step_network


def _eval(net, x):
    return net(bp.tensor(np.asarray(x, dtype=np.float64)[:, None], dtype=np.float64)).data[:, 0]


def test_network_is_two_layers_of_heaviside_steps():
    net = step_network(np.sin, 0.0, np.pi, n=4)
    assert isinstance(net, bp.nn.Sequential)
    assert [type(m).__name__ for m in net] == ["Linear", "Heaviside", "Linear"]
    assert net[0].weight.shape == (8, 1) and net[2].weight.shape == (1, 8) and net[2].bias is None


def test_each_step_is_half_open_and_takes_f_at_its_midpoint():
    f = lambda x: x ** 2
    net = step_network(f, 0.0, 1.0, n=4)            # steps [0, .25), [.25, .5), [.5, .75), [.75, 1)
    mids = np.array([0.125, 0.375, 0.625, 0.875])
    # the left edge belongs to its step (aᵢ ≤ x), the right edge to the next (x < aᵢ + h), b to none
    x = np.array([0.0, 0.1, 0.25, 0.3, 0.5, 0.74, 0.75, 0.99, 1.0, -0.1, 1.1])
    expected = np.array([f(mids[0]), f(mids[0]), f(mids[1]), f(mids[1]), f(mids[2]), f(mids[2]), f(mids[3]),
                         f(mids[3]), 0.0, 0.0, 0.0])
    np.testing.assert_allclose(_eval(net, x), expected, rtol=0, atol=1e-15)


def test_steps_tile_the_interval_without_gaps_or_overlaps():
    net = step_network(lambda x: np.ones_like(x), -1.3, 2.9, h=0.1)
    x = -1.3 + 0.1 * np.arange(42)                   # the edges themselves, computed another way
    np.testing.assert_array_equal(_eval(net, x), np.ones(42))


def test_maximum_error_falls_as_h_shrinks():
    hs = [0.5, 0.1, 0.02, 0.004]
    errors = approximation_errors(np.sin, 0.0, np.pi, hs)
    assert all(e1 > e2 for e1, e2 in zip(errors, errors[1:]))
    for h, e in zip(hs, errors):
        assert e <= h / 2 + 1e-12            # sin is 1-Lipschitz: |f(x) − f(midpoint)| ≤ h/2
        assert e >= 0.4 * h                  # and the bound is nearly reached where |cos| ≈ 1
    assert approximation_error(np.exp, 0.0, 1.0, 0.01) <= np.e * 0.01 / 2


def test_h_is_rounded_so_whole_steps_tile_the_interval():
    net = step_network(np.cos, 0.0, 1.0, h=0.3)      # ⌈1/0.3⌉ = 4 steps of 0.25
    assert net[0].weight.shape == (8, 1)
    np.testing.assert_allclose(net[0].bias.data[1::2], [0.0, 0.25, 0.5, 0.75])


@pytest.mark.parametrize("kwargs, message", [({"h": 0.1, "n": 3}, "exactly one"), ({}, "exactly one"),
                                             ({"h": -1.0}, "must be positive"), ({"n": 0}, "at least one")])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        step_network(np.sin, 0.0, 1.0, **kwargs)
    with pytest.raises(ValueError, match="a < b"):
        step_network(np.sin, 1.0, 0.0, n=2)

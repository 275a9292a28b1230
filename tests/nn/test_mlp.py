"""bp.nn.MLP: the one MLP builder behind MLPClassifier/MLPRegressor and ``backprop train --model mlp``."""
import numpy as np
import pytest

import backprop as bp
from backprop import nn


def test_layers_in_order_with_batch_norm_and_dropout():
    m = nn.MLP(4, [8, 6], 3, nn.Tanh, batch_norm=True, dropout=0.5)
    kinds = [type(layer).__name__ for layer in m]
    assert kinds == ["Linear", "BatchNorm1d", "Tanh", "Dropout", "Linear", "BatchNorm1d", "Tanh", "Dropout",
                     "Linear"]
    assert [(lin.in_features, lin.out_features) for lin in m.linear_layers()] == [(4, 8), (8, 6), (6, 3)]
    assert list(m.state_dict())[:2] == ["0.weight", "0.bias"]


def test_no_hidden_layer_is_one_linear_and_forward_is_the_formula():
    bp.manual_seed(0)
    m = nn.MLP(3, [], 2, dtype=bp.float64)
    assert len(m) == 1
    x = np.random.default_rng(0).normal(size=(5, 3))
    lin = m.linear_layers()[0]
    expected = x @ lin.weight.data.T + lin.bias.data
    np.testing.assert_allclose(m(bp.tensor(x)).data, expected)


def test_relu_hidden_forward_matches_numpy():
    bp.manual_seed(1)
    m = nn.MLP(2, [5], 1, dtype=bp.float64)
    x = np.random.default_rng(1).normal(size=(4, 2))
    w1, w2 = m.linear_layers()
    h = np.maximum(x @ w1.weight.data.T + w1.bias.data, 0)
    np.testing.assert_allclose(m(bp.tensor(x)).data, h @ w2.weight.data.T + w2.bias.data)
    assert m(bp.tensor(x)).dtype == bp.float64


def test_an_activation_that_is_not_callable_is_refused_naming_it():
    with pytest.raises(TypeError, match=r"activation must be .* got 'relu'"):
        bp.nn.MLP(4, [8], 2, activation="relu")

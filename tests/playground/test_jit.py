"""The playground's training loop replays its step with bp.jit, with the numbers of eager mode."""
import numpy as np
import pytest

from backprop.playground.network import Network
from backprop.playground.settings import Settings


@pytest.mark.parametrize("extra", [{}, {"dropout": 0.2, "optimizer": "adam", "reg": "l1", "regrate": 0.003},
                                   {"batchnorm": True, "optimizer": "rmsprop", "reg": "l2", "regrate": 0.01}])
def test_the_session_replays_its_step_bitwise_as_eager_mode(extra):
    settings = Settings(layers=(6, 4), activations=("tanh", "relu"), points=120, **extra)
    jitted, eager = Network(settings, 7), Network(settings, 7)
    eager._update = eager._update.fn  # the undecorated method, bound: every step eager
    for _ in range(40):
        jitted.train_step()
        eager.train_step()
    assert jitted._update.captures == 1 and jitted._update.last_replay
    for (name, a), (_, b) in zip(jitted.model.state_dict().items(), eager.model.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=name)

"""Recurrent layers replay bitwise: their initial zero states are made anew at each replay."""
import numpy as np
import pytest

import backprop as bp


@pytest.mark.parametrize("cell", ["LSTM", "GRU"])
def test_recurrent_step_replays_bitwise(cell):
    rng = np.random.default_rng(0)
    xs = [bp.tensor(rng.standard_normal((7, 3, 4)).astype(np.float32)) for _ in range(5)]

    def make():
        bp.manual_seed(0)
        layer = getattr(bp.nn, cell)(4, 6)
        head = bp.nn.Linear(6, 1)
        opt = bp.optim.Adam([*layer.parameters(), *head.parameters()], lr=0.01)

        def step(x):
            opt.zero_grad()
            out, _ = layer(x)
            loss = (head(out[-1]) ** 2).mean()
            loss.backward()
            opt.step()
            return loss.item()

        return step, layer

    (eager, eager_layer), (jitted, jit_layer) = make(), make()
    jitted = bp.jit(jitted)
    assert [eager(x) for x in xs] == [jitted(x) for x in xs]
    assert all(np.array_equal(a.data, b.data) for a, b in zip(eager_layer.parameters(), jit_layer.parameters()))
    assert jitted.last_replay, jitted.eager_reason

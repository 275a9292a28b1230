"""Cross-entropy's class targets are built once for the same indices: eagerly and in replays, a batch whose
targets are refilled in place (the same array, new values) still gets its own targets."""
import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import assert_bitwise, build, data


def test_targets_refilled_in_place_give_the_new_loss():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    z = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.integers(0, 3, 8)
    first = bp.F.cross_entropy(bp.tensor(z), y).item()
    assert bp.F.cross_entropy(bp.tensor(z), y).item() == first  # the same indices: the same targets again
    y[:] = (y + 1) % 3  # the same array, other classes
    again = bp.F.cross_entropy(bp.tensor(z), y).item()
    assert again == bp.F.cross_entropy(bp.tensor(z), y.copy()).item() != first
    assert np.isclose(again, torch.nn.functional.cross_entropy(torch.tensor(z), torch.tensor(y)).item(), rtol=1e-6)


def test_a_replay_on_one_target_array_refilled_in_place_is_bitwise_eager():
    xs, ys = data(10)
    x_batch, y_batch = bp.tensor(np.empty_like(xs[0].data)), bp.tensor(np.empty_like(ys[0].data))

    def run(use_jit, refill=True):
        model, _, _, step = build(optimizer="adam")
        step = bp.jit(step) if use_jit else step
        losses = []
        for x, y in zip(xs, ys):
            if refill:
                x_batch.data[...], y_batch.data[...] = x.data, y.data  # a loader reusing its buffers
                x, y = x_batch, y_batch
            losses.append(step(x, y).item())
            losses.append(step(x, y).item())  # the same targets twice in a row
        return losses, [p.data.copy() for p in model.parameters()], step

    fresh, eager, replayed = run(False, refill=False), run(False), run(True)
    assert replayed[2].last_replay and replayed[2].captures == 1, replayed[2].eager_reason
    assert fresh[0] == eager[0] == replayed[0]  # each batch's own targets, though the array is the same
    assert_bitwise(fresh[1], eager[1])
    assert_bitwise(eager[1], replayed[1])

"""Steps written in PyTorch's usual idioms replay, with eager mode's numbers bit for bit: log-probabilities and
nll_loss, one-hot targets, tensors made in the step (an initial state, a batch copied from NumPy) and written
in place (``t[rows, y] = 1``, ``fill_``), rows picked with an index that holds the targets, gradients clipped
by value."""
import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import assert_bitwise, classifier

F = bp.nn.functional


def loss_of(idiom, model, x, y):
    if idiom == "nll_loss":
        return F.nll_loss(F.log_softmax(model(x), 1), y)
    if idiom == "one_hot":
        return F.mse_loss(model(x).softmax(1), F.one_hot(y, 3).float())
    if idiom == "picked rows":
        return -F.log_softmax(model(x), 1)[bp.arange(x.shape[0]), y].mean()
    if idiom == "tensors made in the step":
        h = bp.zeros(x.shape[0], 3) + bp.ones(3) * 0.1  # a state of zeros and a bias made at every call
        return F.cross_entropy(model(bp.tensor(x.numpy())) + h, y)
    if idiom == "clip by value":
        return F.cross_entropy(model(x), y)
    if idiom == "targets written in place":  # one-hot rows set by indexing, smoothed by a fill
        target, floor = bp.zeros(x.shape[0], 3), bp.empty(x.shape[0], 3)
        target[bp.arange(x.shape[0]), y] = 1.0
        floor.fill_(0.05)
        return F.mse_loss(model(x).softmax(1), target + floor)
    raise ValueError(idiom)


IDIOMS = ["nll_loss", "one_hot", "picked rows", "tensors made in the step", "clip by value", "targets written in place"]


@pytest.mark.parametrize("idiom", IDIOMS)
def test_the_idiom_replays_bitwise(idiom):
    rng = np.random.default_rng(0)
    data = [(bp.tensor(rng.standard_normal((8, 3)).astype(np.float32)), bp.tensor(rng.integers(0, 3, 8)))
            for _ in range(8)]
    data[1] = data[0]  # the same batch twice: an array the step reads must still be the new one afterwards

    def run(use_jit):
        model, opt = classifier()

        def step(x, y):
            opt.zero_grad()
            loss = loss_of(idiom, model, x, y)
            loss.backward()
            if idiom == "clip by value":
                bp.nn.utils.clip_grad_value_(model.parameters(), 0.01)
            opt.step()
            return loss

        step = bp.jit(step) if use_jit else step
        losses = [step(x, y).item() for x, y in data]
        return losses, [p.data.copy() for p in model.parameters()], step

    eager, replayed = run(False), run(True)
    assert eager[0] == replayed[0]
    assert_bitwise(eager[1], replayed[1])
    assert replayed[2].last_replay, replayed[2].eager_reason


def test_one_hot_counting_its_classes_from_the_values_is_not_replayed():
    x, y = bp.tensor(np.ones((4, 3), np.float32)), bp.tensor(np.array([0, 1, 2, 1]))
    model = bp.nn.Linear(3, 3)
    opt = bp.optim.SGD(model.parameters(), lr=0.1)

    @bp.jit
    def step(x, y):
        opt.zero_grad()
        loss = F.mse_loss(model(x), F.one_hot(y).float())  # 3 classes here; another batch may have fewer
        loss.backward()
        opt.step()
        return loss

    for _ in range(5):
        step(x, y)
    assert not step.last_replay and step.captures == 0

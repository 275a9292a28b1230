"""What a replay cannot see: it either repeats what the step does or never runs.

``p.grad = None``, in-place ops under ``bp.no_grad()`` and on gradients (``p.grad.clamp_(-c, c)``) are recorded
and replayed; NumPy writes through ``.data`` or ``.numpy()`` (a manual weight decay, a gradient zeroed by
hand) and shapes that depend on the values (a boolean mask) cannot be, so the step stays eager and says why.
Either way every call gives eager mode's numbers, bitwise.
"""
import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import assert_bitwise, classifier

F = bp.nn.functional


def batches(n=8, seed=0):
    rng = np.random.default_rng(seed)
    return [(bp.tensor(rng.standard_normal((8, 3)).astype(np.float32)), bp.tensor(rng.integers(0, 3, 8)))
            for _ in range(n)]


def run(change, use_jit):
    model, opt = classifier()
    scale = bp.tensor(np.float32(1.0))  # a constant the step reads

    def step(x, y):
        opt.zero_grad()
        loss = F.cross_entropy(model(x) * scale, y)
        loss.backward()
        for p in model.parameters():
            if change == "grad through .data":
                p.grad.data *= 0.5
            elif change == "grad through .numpy()":
                p.grad.numpy()[...] = np.clip(p.grad.numpy(), -0.01, 0.01)
            elif change == "weight decay through .data":
                p.data *= 0.999
            elif change == "a constant through .data":
                scale.data[...] = float(p.grad.data.sum())
            elif change == "grad clamped in place":
                p.grad.clamp_(-0.01, 0.01)
            elif change == "grad scaled in place":
                p.grad.mul_(0.5)
            elif change == "weight decay under no_grad":
                with bp.no_grad():
                    p.mul_(0.999)
        opt.step()
        if change == "grad set to None":
            for p in model.parameters():
                p.grad = None
        return loss

    step = bp.jit(step) if use_jit else step
    losses = [step(x, y).item() for x, y in batches()]
    return losses, [p.data.copy() for p in model.parameters()], [p.grad for p in model.parameters()], step


REPLAYED = ["weight decay under no_grad", "grad set to None", "grad clamped in place", "grad scaled in place"]
EAGER = ["grad through .data", "grad through .numpy()", "weight decay through .data", "a constant through .data"]


@pytest.mark.parametrize("change", REPLAYED + EAGER)
def test_ops_are_replayed_and_numpy_writes_leave_the_step_eager(change):
    eager, replayed = run(change, False), run(change, True)
    assert eager[0] == replayed[0]
    assert_bitwise(eager[1], replayed[1])
    assert [g is None for g in eager[2]] == [g is None for g in replayed[2]]
    step = replayed[3]
    if change in REPLAYED:
        assert step.last_replay
    else:
        assert not step.last_replay and step.captures == 0 and "changed outside ops" in step.eager_reason


def test_a_boolean_mask_computed_in_the_step_leaves_it_eager_even_when_two_calls_agree():
    # the first batches keep 8 rows each, the later ones 5 and 11: a replay of the first shapes would break
    rng = np.random.default_rng(1)

    def batch(kept):
        x = rng.standard_normal((16, 3)).astype(np.float32)
        x[:, 0] = -1
        x[:kept, 0] = 1
        return bp.tensor(x), bp.tensor(rng.integers(0, 3, 16))

    data = [batch(8) for _ in range(4)] + [batch(5), batch(11)]

    def run(use_jit):
        model, opt = classifier()

        def step(x, y):
            opt.zero_grad()
            keep = x[:, 0] > 0
            loss = F.cross_entropy(model(x[keep]), y[keep])
            loss.backward()
            opt.step()
            return loss.item()

        step = bp.jit(step) if use_jit else step
        return [step(x, y) for x, y in data], step

    eager, (replayed, step) = run(False)[0], run(True)
    assert eager == replayed
    assert step.captures == 0 and "data-dependent shape" in step.eager_reason


@pytest.mark.parametrize("returned", ["rounded loss", "count in NumPy", "batch size", "two equal counts"])
def test_a_returned_number_not_taken_from_a_tensor_leaves_the_step_eager(returned):
    # the first two calls see the same batch, so such a number is the same in both recordings: replayed, it
    # would stay the first call's forever
    data = batches(6)
    data[1] = data[0]

    def run(use_jit):
        model, opt = classifier()

        def step(x, y):
            opt.zero_grad()
            out = model(x)
            loss = F.cross_entropy(out, y)
            loss.backward()
            opt.step()
            if returned == "rounded loss":
                return round(loss.item(), 1)
            if returned == "count in NumPy":
                return int(np.sum(out.detach().numpy().argmax(1) == y.numpy()))
            if returned == "batch size":
                return loss, len(y)
            hits = (out.argmax(1) == y).sum()
            return hits.item(), hits.item()  # two items of one value: a replay could not tell them apart

        step = bp.jit(step) if use_jit else step
        return [step(x, y) for x, y in data], step

    eager, (replayed, step) = run(False)[0], run(True)
    if returned == "batch size":
        eager, replayed = [n for _, n in eager], [n for _, n in replayed]
    assert eager == replayed
    assert step.captures == 0 and "not one .item() of a tensor" in step.eager_reason

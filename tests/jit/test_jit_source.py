"""What a replay runs, as a user sees it: the generated source, tracebacks into it, and calls it makes with
any keyword."""
import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import build, data
from .test_jit_guards import jitted


def test_source_shows_the_replayed_step_with_parameter_names():
    model, opt, _, step = build()
    jitted = bp.jit(step)
    xs, ys = data(3)
    assert jitted.source is None
    for x, y in zip(xs, ys):
        jitted(x, y)
    source = jitted.source
    assert source.startswith("def replay(arrays):")
    assert "Linear_forward(ctx0, r0, p0_weight, p0_bias)" in source and "Linear_backward(" in source
    assert "sgd_update(p0_weight, " in source and "reduction='mean'" in source
    compile(source, "<test>", "exec")  # the text is the function a replay runs


def test_an_error_inside_a_replay_shows_the_generated_line_it_stopped_at():
    import traceback

    _, _, step = jitted()
    xs, ys = data(4)
    for x, y in zip(xs[:3], ys[:3]):
        step(x, y)
    assert step.last_replay
    bad = bp.tensor(np.full(16, 7))  # class 7 of 3: the replayed target check raises
    with pytest.raises(Exception) as info:
        step(xs[3], bad)
    text = "".join(traceback.format_exception(info.value))
    assert "<bp.jit replay" in text and "t = _class_targets('cross_entropy', (16, 3)" in text


def test_a_keyword_that_is_not_an_identifier_reaches_a_replayed_call():
    from backprop.autograd.recording import replayable

    @replayable
    def scaled(a, **options):  # any string may name a keyword of a function taking **options
        return a * options["from"]

    w = bp.tensor(np.ones(3, np.float32), requires_grad=True)
    opt = bp.optim.SGD([w], lr=0.1)

    @bp.jit
    def step(x):
        opt.zero_grad()
        loss = (w * bp.Tensor.wrap(scaled(x.data, **{"from": 2.0}))).sum()
        loss.backward()
        opt.step()
        return loss

    losses = [step(bp.tensor(np.full(3, float(i), np.float32))).item() for i in range(4)]
    assert step.last_replay and "**{'from': 2.0}" in step.source
    assert losses == pytest.approx([0.0, 6.0, 9.6, 7.2])


def test_a_hand_written_descent_step_reads_with_the_names_of_its_tensors():
    """The course's own step (weights w and b, descent by hand): the source names them as the step does."""
    w = bp.tensor(np.ones(3, np.float32), requires_grad=True)
    b = bp.tensor(np.zeros(1, np.float32), requires_grad=True)

    @bp.jit
    def step(x, y):
        w.grad = b.grad = None
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with bp.no_grad():
            w.sub_(0.1 * w.grad)
            b.sub_(0.1 * b.grad)
        return loss

    x, y = bp.ones(4, 3), bp.ones(4)
    losses = [step(x, y).item() for _ in range(4)]
    assert step.last_replay and losses[-1] < losses[0]
    assert "MatMul_forward(ctx0, r0, w)" in step.source and "copyto(b, " in step.source

"""bp.jit's cache and guards: what re-captures, what runs eagerly, and check_every."""
import threading

import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import assert_bitwise, build, data


def jitted(**setup):
    model, opt, sched, step = build(**setup)
    return model, opt, bp.jit(step)


def test_first_two_calls_run_eagerly_then_replay():
    xs, ys = data(4)
    _, _, step = jitted()
    seen = []
    for x, y in zip(xs, ys):
        step(x, y)
        seen.append(step.last_replay)
    assert seen == [False, False, True, True] and step.captures == 1


def test_a_shape_change_captures_again_and_a_short_last_batch_keeps_its_capture():
    _, _, step = jitted()
    full, short = data(3, batch=16), data(1, batch=5, seed=1)
    batches = list(zip(*full)) + list(zip(*short))
    for _ in range(4):  # epochs: three full batches, then a short one
        for x, y in batches:
            step(x, y)
    assert step.captures == 2 and step.last_replay  # one per shape, none after the second epoch


def test_optimizer_load_state_dict_captures_again_and_stays_bitwise():
    xs, ys = data(12)

    def run(use_jit):
        model, opt, _, step = build(optimizer="adam")
        step = bp.jit(step) if use_jit else step
        losses = []
        for i, (x, y) in enumerate(zip(xs, ys)):
            if i == 6:
                saved = opt.state_dict()
                opt.load_state_dict(saved)  # new groups and state arrays
                model.load_state_dict(model.state_dict())  # copied into the same arrays
            losses.append(step(x, y).item())
        return losses, [p.data.copy() for p in model.parameters()], step

    eager, replayed = run(False), run(True)
    assert eager[0] == replayed[0]
    assert_bitwise(eager[1], replayed[1])
    assert replayed[2].captures == 2 and replayed[2].last_replay


def test_a_rebound_parameter_array_captures_again():
    xs, ys = data(6)
    model, _, step = jitted()
    for x, y in zip(xs[:3], ys[:3]):
        step(x, y)
    model[0].weight.data = model[0].weight.data.copy()  # as .to() or a loader that rebinds would
    step(xs[3], ys[3])
    assert not step.last_replay
    for x, y in zip(xs[4:], ys[4:]):
        step(x, y)
    assert step.captures == 2 and step.last_replay


def test_no_grad_and_eval_mode_have_their_own_captures():
    xs, _ = data(5)
    model, _, _, _ = build(dropout=0.5)
    predict = bp.jit(lambda x: model(x))
    for mode in ("train", "eval", "train", "eval", "train", "eval"):
        model.train(mode == "train")
        with bp.no_grad():
            predict(xs[0])
        predict(xs[1])
    assert predict.captures == 4 and predict.last_replay  # {train, eval} × {grad, no_grad}
    model.eval()
    with bp.no_grad():
        assert np.array_equal(predict(xs[2]).data, model(xs[2]).data)


def test_a_trace_around_a_jitted_step_shows_the_eager_computation():
    xs, ys = data(4)
    _, _, step = jitted()
    for x, y in zip(xs[:3], ys[:3]):
        step(x, y)
    with bp.explain.trace() as tr:
        step(xs[3], ys[3])
    assert not step.last_replay and "trace" in step.eager_reason
    assert len(tr.forward) >= 4 and len(tr.backward) >= 4


def test_hooks_make_the_step_run_eagerly():
    xs, ys = data(8)
    model, _, step = jitted()
    for x, y in zip(xs[:3], ys[:3]):
        step(x, y)
    calls = []
    handle = model[0].weight.register_post_accumulate_grad_hook(lambda p: calls.append(p))  # as DDP's buckets
    for x, y in zip(xs[3:6], ys[3:6]):
        step(x, y)
    assert len(calls) == 3 and not step.last_replay and "hook" in step.eager_reason
    handle.remove()
    for x, y in zip(xs[6:], ys[6:]):
        step(x, y)
    assert len(calls) == 3 and step.captures == 2


def test_a_parameter_changed_through_data_runs_eagerly_and_says_why():
    xs, ys = data(5)
    w = bp.tensor(np.ones((4, 3), np.float32), requires_grad=True)

    @bp.jit
    def step(x, y):
        w.grad = None
        loss = bp.nn.functional.cross_entropy(x @ w, y)
        loss.backward()
        w.data -= 0.1 * w.grad.data  # not an op: a replay would not repeat it
        return loss

    for x, y in zip(xs, ys):
        step(x, y)
    assert not step.last_replay and ".data" in step.eager_reason


def test_a_scheduler_inside_the_step_runs_eagerly():
    xs, ys = data(4)
    model, opt, _, step = build()
    sched = bp.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.9)

    @bp.jit
    def with_scheduler(x, y):
        loss = step(x, y)
        sched.step()
        return loss

    for x, y in zip(xs, ys):
        with_scheduler(x, y)
    assert not with_scheduler.last_replay and "scheduler" in with_scheduler.eager_reason


def test_manual_sgd_through_in_place_ops_replays():
    xs, ys = data(6)

    def run(use_jit):
        w = bp.tensor(np.full((4, 3), 0.1, np.float32), requires_grad=True)

        def step(x, y):
            w.grad = None
            loss = bp.nn.functional.cross_entropy(x @ w, y)
            loss.backward()
            with bp.no_grad():
                w.sub_(0.5 * w.grad)
            return loss.item()

        step = bp.jit(step) if use_jit else step
        return [step(x, y) for x, y in zip(xs, ys)], w.data.copy(), step

    eager, replayed = run(False), run(True)
    assert eager[0] == replayed[0] and np.array_equal(eager[1], replayed[1])
    assert replayed[2].last_replay and isinstance(replayed[0][-1], float)


def test_check_every_passes_for_a_faithful_step_and_raises_for_hidden_python_state():
    xs, ys = data(8)
    *_, step = build()
    checked = bp.jit(check_every=2)(step)
    for x, y in zip(xs, ys):
        checked(x, y)
    assert checked.captures == 1

    model, opt, _, _ = build()
    scale = [1.0]

    def scaled(x, y):
        opt.zero_grad()
        loss = bp.nn.functional.cross_entropy(model(x) * scale[0], y)
        loss.backward()
        opt.step()
        return loss

    checked = bp.jit(scaled, check_every=1)
    for x, y in zip(xs[:3], ys[:3]):
        checked(x, y)
    scale[0] = 2.0  # a Python number read when recording: a replay keeps the old one
    with pytest.raises(RuntimeError, match="bp.jit check"):
        checked(xs[3], ys[3])


def test_bad_check_every_is_refused():
    with pytest.raises(ValueError, match="check_every"):
        bp.jit(lambda: None, check_every=0)


def test_a_decorated_method_keeps_a_capture_per_instance():
    xs, ys = data(4)

    class Trainer:
        def __init__(self):
            self.model, self.opt, _, _ = build()
            self.loss_fn = bp.nn.CrossEntropyLoss()

        @bp.jit
        def step(self, x, y):
            self.opt.zero_grad()
            loss = self.loss_fn(self.model(x), y)
            loss.backward()
            self.opt.step()
            return loss

    a, b = Trainer(), Trainer()
    losses_a = [a.step(x, y).item() for x, y in zip(xs, ys)]
    losses_b = [b.step(x, y).item() for x, y in zip(xs, ys)]
    assert losses_a == losses_b and a.step.last_replay and a.step is not b.step


def test_a_gradient_into_an_argument_runs_eagerly():
    w = bp.tensor(np.ones(4, np.float32), requires_grad=True)

    @bp.jit
    def input_gradient(x):
        (x * w).sum().backward()
        return x.grad

    xs = [bp.tensor(np.full(4, float(i), np.float32), requires_grad=True) for i in range(4)]
    grads = [input_gradient(x) for x in xs]
    assert all(x.grad is g for x, g in zip(xs, grads)) and "argument" in input_gradient.eager_reason


def test_a_call_while_another_thread_is_inside_runs_eagerly_and_gives_its_own_result():
    """A program's buffers serve one call at a time: the second caller runs the function eagerly."""
    model = bp.nn.Linear(3, 2)
    inside, leave = threading.Event(), threading.Event()

    @bp.jit
    def predict(x, wait):
        if wait:  # the first call of this signature runs eagerly: it holds the function here
            inside.set()
            leave.wait(10)
        with bp.no_grad():
            return model(x)

    x = bp.ones(4, 3)
    for _ in range(3):
        predict(x, False)
    assert predict.last_replay
    other = threading.Thread(target=predict, args=(x * 2, True))
    other.start()
    assert inside.wait(10)
    try:
        out = predict(x, False)
        assert not predict.last_replay and "another call" in predict.eager_reason
    finally:
        leave.set()
        other.join(10)
    with bp.no_grad():
        assert np.array_equal(out.data, model(x).data)
    predict(x, False)
    assert predict.last_replay  # the capture is still there once the other call is done


def test_arrays_numbers_and_keywords_replay_and_each_form_of_call_keeps_its_own_capture():
    """The check tried first (the capture replayed last) is stricter than the cache's key: an equal
    number that is another object, or a call of another form, still finds its capture and replays."""
    model, opt, _, _ = build()
    eager_model, eager_opt, _, _ = build()
    xs, ys = data(8)

    def step(m, o, x, y, scale):
        o.zero_grad()
        loss = bp.nn.functional.cross_entropy(m(x) * scale, y)
        loss.backward()
        o.step()
        return loss.item()

    jitted = bp.jit(lambda x, y, scale: step(model, opt, x, y, scale))
    replays, losses, expected = [], [], []
    for i, (x, y) in enumerate(zip(xs, ys)):
        scale = float(str(0.5))  # an equal float, a new object at every call
        # Tensors passed positionally and arrays with a keyword alternate: two signatures
        losses.append(jitted(x.data, y.data, scale=scale) if i % 2 else jitted(x, y, scale))
        replays.append(jitted.last_replay)
        expected.append(step(eager_model, eager_opt, x, y, scale))
    assert losses == expected
    assert replays == [False] * 4 + [True] * 4 and jitted.captures == 2
    for p, q in zip(model.parameters(), eager_model.parameters()):
        assert np.array_equal(p.data, q.data)


def test_a_training_flag_or_grad_mode_changed_between_calls_is_seen_by_the_first_check():
    model, opt, _, step = build()
    jitted = bp.jit(step)
    xs, ys = data(9)
    for x, y in zip(xs[:3], ys[:3]):
        jitted(x, y)
    assert jitted.last_replay and jitted.captures == 1
    model.eval()  # a flag the capture read: another signature, recorded anew
    jitted(xs[3], ys[3])
    assert not jitted.last_replay
    model.train()
    jitted(xs[4], ys[4])
    assert jitted.last_replay and jitted.captures == 1

"""Grad mode and op observers are per thread and per asyncio task (context variables)."""
import asyncio
import threading

import numpy as np
import pytest

import backprop as bp
from backprop.autograd.graph import register_op_observer


def _train(w0, b0, x, y, steps, barrier=None):
    """A few SGD steps of a linear model from given arrays, with no_grad evaluation in between."""
    model = bp.nn.Linear(w0.shape[1], w0.shape[0]).double()
    model.load_state_dict({"weight": bp.tensor(w0), "bias": bp.tensor(b0)})
    opt = bp.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    xt, yt = bp.tensor(x), bp.tensor(y)
    if barrier is not None:
        barrier.wait()
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(xt) - yt) ** 2).mean()
        loss.backward()
        opt.step()
        with bp.no_grad():  # another thread's no_grad must not stop this thread's recording
            model(xt).sum()
    return model.weight.data.copy(), model.bias.data.copy()


def test_four_threads_train_four_models_exactly_as_alone():
    rng = np.random.default_rng(0)
    jobs = [(rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal((16, 3)),
             rng.standard_normal((16, 2))) for _ in range(4)]
    alone = [_train(*job, steps=60) for job in jobs]
    barrier = threading.Barrier(4)
    results, errors = [None] * 4, []

    def work(i):
        try:
            results[i] = _train(*jobs[i], steps=60, barrier=barrier)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for (w, b), (w_alone, b_alone) in zip(results, alone):
        np.testing.assert_array_equal(w, w_alone)
        np.testing.assert_array_equal(b, b_alone)


def test_a_new_thread_starts_with_grad_mode_on_and_no_observers():
    seen = {}

    def probe():
        seen["grad"] = bp.is_grad_enabled()
        x = bp.tensor([1.0], requires_grad=True)
        seen["recorded"] = (x * 2).requires_grad

    calls = []
    with bp.no_grad(), register_op_observer(on_forward=lambda *a: calls.append(a[0].__name__)):
        t = threading.Thread(target=probe)
        t.start()
        t.join()
    assert seen == {"grad": True, "recorded": True}
    assert calls == []  # the other thread's op was not seen here


def test_an_observer_sees_only_its_own_threads_ops():
    barrier = threading.Barrier(2)
    seen = {0: [], 1: []}

    def work(i):
        x = bp.tensor([1.0, 2.0], requires_grad=True)
        with register_op_observer(on_forward=lambda op, *rest: seen[i].append(op.__name__)):
            barrier.wait()
            for _ in range(50):
                (x.exp() if i == 0 else x.tanh()).sum()
            barrier.wait()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(seen[0]) == {"Exp", "Sum"} and set(seen[1]) == {"Tanh", "Sum"}
    assert len(seen[0]) == len(seen[1]) == 100


def test_an_asyncio_task_starts_from_a_copy_of_its_creators_context():
    async def child():
        inherited = bp.is_grad_enabled()
        bp.set_grad_enabled(True)  # changes the task's copy only
        return inherited

    async def main():
        with bp.no_grad():
            inherited = await asyncio.create_task(child())
            return inherited, bp.is_grad_enabled()

    assert asyncio.run(main()) == (False, False)
    assert bp.is_grad_enabled()


def test_inference_mode_records_nothing_and_its_tensors_are_ordinary():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    with bp.inference_mode():
        y = x * 2
        assert not bp.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    y += 1  # an ordinary tensor: in-place changes and later recorded use are fine
    (x * y).sum().backward()
    np.testing.assert_array_equal(x.grad, y.data)

    @bp.inference_mode()
    def f(t):
        return t * 3

    assert f(x).grad_fn is None and bp.is_grad_enabled()
    with bp.inference_mode(False):
        assert (x * 2).requires_grad


def test_set_grad_enabled_as_call_context_and_decorator():
    bp.set_grad_enabled(False)
    try:
        assert not bp.is_grad_enabled()
        with bp.set_grad_enabled(True):
            assert bp.is_grad_enabled()
        assert not bp.is_grad_enabled()
    finally:
        bp.set_grad_enabled(True)

    @bp.set_grad_enabled(False)
    def g():
        return bp.is_grad_enabled()

    assert bp.is_grad_enabled() and g() is False and bp.is_grad_enabled()


def test_observers_nest_and_report_depth():
    events = []
    x = bp.tensor([[1.0, -2.0]], requires_grad=True)
    with register_op_observer(on_forward=lambda op, i, o, out, node, depth: events.append((op.__name__, depth))):
        bp.nn.functional.mse_loss(x, bp.tensor([[0.0, 0.0]]))
    assert events and events[-1][1] == 0 and all(d >= 0 for _, d in events)
    with pytest.raises(ZeroDivisionError):
        with register_op_observer(on_forward=lambda *a: 1 / 0):
            x * 2
    assert (x * 2).requires_grad  # the failing observer was removed on leaving the block

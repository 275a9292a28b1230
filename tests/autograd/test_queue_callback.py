"""bp.autograd.graph.queue_callback: a callback that runs once when the current backward pass ends."""
import numpy as np
import pytest

import backprop as bp
from backprop.autograd.graph import queue_callback


def test_callback_runs_after_every_leaf_hook_and_once():
    a = bp.tensor([1.0, 2.0], requires_grad=True)
    b = bp.tensor([3.0, 4.0], requires_grad=True)
    events = []

    def on_leaf(t):
        events.append(("leaf", t.grad.data.copy()))
        if len(events) == 1:
            queue_callback(lambda: events.append(("end", b.grad.data.copy(), a.grad.data.copy())))

    a.register_post_accumulate_grad_hook(on_leaf)
    b.register_post_accumulate_grad_hook(on_leaf)
    (a * b).sum().backward()
    assert [e[0] for e in events] == ["leaf", "leaf", "end"]
    np.testing.assert_array_equal(events[-1][1], [1.0, 2.0])  # both gradients were there at the end
    np.testing.assert_array_equal(events[-1][2], [3.0, 4.0])
    (a * b).sum().backward()  # the queue belonged to the first pass: only this pass's callback runs
    assert [e[0] for e in events] == ["leaf", "leaf", "end", "leaf", "leaf"]


def test_a_callback_may_queue_another():
    x = bp.tensor(2.0, requires_grad=True)
    order = []
    x.register_post_accumulate_grad_hook(
        lambda t: queue_callback(lambda: (order.append(1), queue_callback(lambda: order.append(2)))))
    (x * x).backward()
    assert order == [1, 2]


def test_outside_a_backward_pass_is_refused():
    with pytest.raises(RuntimeError, match="no backward pass is running"):
        queue_callback(lambda: None)

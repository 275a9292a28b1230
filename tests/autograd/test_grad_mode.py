"""Grad mode: no_grad, enable_grad and set_grad_enabled, as context managers and decorators."""
import numpy as np
import pytest

import backprop as bp


@pytest.fixture
def w():
    return bp.tensor([1.0, 2.0], requires_grad=True)


def _records_nothing(t):
    return not t.requires_grad and t.grad_fn is None and t.is_leaf


def test_no_grad_context_records_nothing(w):
    with bp.no_grad():
        assert not bp.is_grad_enabled()
        y = (w * 2).exp().sum()
        z = w @ w
    assert bp.is_grad_enabled()
    assert _records_nothing(y) and _records_nothing(z)
    np.testing.assert_allclose(y.data, np.exp(2.0) + np.exp(4.0), rtol=1e-6)
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_decorator(w):
    @bp.no_grad()
    def predict(t):
        assert not bp.is_grad_enabled()
        return t * 3

    y = predict(w)
    assert _records_nothing(y)
    assert bp.is_grad_enabled()
    assert predict.__name__ == "predict"


def test_enable_grad_inside_no_grad(w):
    with bp.no_grad():
        with bp.enable_grad():
            assert bp.is_grad_enabled()
            y = w * 2
        z = w * 2
        assert not bp.is_grad_enabled()
    assert y.requires_grad and y.grad_fn is not None
    assert _records_nothing(z)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])


def test_enable_grad_decorator_inside_no_grad(w):
    @bp.enable_grad()
    def double(t):
        return t * 2

    with bp.no_grad():
        y = double(w)
    assert y.requires_grad


def test_set_grad_enabled(w):
    with bp.set_grad_enabled(False):
        y = w * 2
    assert _records_nothing(y) and bp.is_grad_enabled()
    with bp.set_grad_enabled(True):
        assert (w * 2).requires_grad


def test_set_grad_enabled_as_a_decorator(w):
    @bp.set_grad_enabled(False)
    def frozen(t):
        assert not bp.is_grad_enabled()
        return t * 2

    assert bp.is_grad_enabled()   # decorating does not switch the mode
    assert _records_nothing(frozen(w))
    assert bp.is_grad_enabled() and (w * 2).requires_grad
    with bp.no_grad():
        assert bp.set_grad_enabled(True)(lambda t: t * 2)(w).requires_grad
        assert not bp.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception(w):
    with pytest.raises(KeyError), bp.no_grad():
        raise KeyError("boom")
    assert bp.is_grad_enabled()
    assert (w * 2).requires_grad


def test_no_grad_nests():
    with bp.no_grad():
        with bp.no_grad():
            pass
        assert not bp.is_grad_enabled()
    assert bp.is_grad_enabled()


def test_backward_of_a_recorded_graph_works_inside_no_grad(w):
    y = (w * w).sum()
    with bp.no_grad():
        y.backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])
    assert w.grad.grad_fn is None


def test_switching_grad_mode_reuses_one_twin_state_and_keeps_the_other_switches(w):
    """A no_grad block or a backward pass switches to this state's twin, made once: the observers and the
    recorder of the state it came from are kept, and leaving the block gives back the state itself."""
    from backprop.autograd.grad_mode import STATE

    seen = []
    with bp.explain.trace() as trace:  # observers on: the twin must keep them
        outer = STATE.get()
        for _ in range(2):
            with bp.no_grad():
                inner = STATE.get()
                seen.append(inner)
                with bp.enable_grad():
                    assert STATE.get() is outer
            assert STATE.get() is outer
        (w * 3).sum().backward()
    assert seen[0] is seen[1] and not seen[0].grad_enabled
    assert seen[0].on_forward == outer.on_forward and seen[0].observed
    assert len(trace.forward) == 2 and len(trace.backward) == 2  # the multiplication and the sum, both ways
    assert outer.with_grad_enabled(1) is outer and outer.with_grad_enabled(0) is seen[0]

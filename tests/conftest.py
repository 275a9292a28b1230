"""Every test must leave the engine's per-thread state as it found it: grad mode on, no op observers,
no global optimizer hooks. A leak would silently change the tests after it (a forgotten observer makes
every op keep its shown values)."""
import pytest

from backprop.autograd.grad_mode import STATE


@pytest.fixture(autouse=True)
def _engine_state_is_left_as_found():
    before = STATE.get()
    yield
    after = STATE.get()
    if after is not before:
        STATE.set(before)
        assert (after.grad_enabled, after.on_forward, after.on_backward) == (
            before.grad_enabled, before.on_forward, before.on_backward), f"the test left {after!r}"

"""fit(jit='auto') trains bit for bit as fit(jit=False), replaying its steps."""
import numpy as np
import pytest

import backprop as bp
from backprop.train import captured


def _fit(jit):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((70, 4)).astype(np.float32)
    y = rng.integers(0, 3, 70)
    bp.manual_seed(0)
    model = bp.nn.Sequential(bp.nn.Linear(4, 16), bp.nn.BatchNorm1d(16), bp.nn.ReLU(), bp.nn.Dropout(0.2),
                             bp.nn.Linear(16, 3))
    opt = bp.optim.Adam(model.parameters(), lr=0.01)
    history = bp.train.fit(model, bp.nn.CrossEntropyLoss(), opt, (X, y), epochs=4, batch_size=16,
                           val_data=(X[:20], y[:20]), metrics=["accuracy"], verbose=False, jit=jit)
    return history.history, [a.data.copy() for a in (*model.parameters(), *model.buffers())]


def test_fit_with_jit_is_bitwise_fit_without(monkeypatch):
    made = []
    real = captured._jit
    monkeypatch.setattr(captured, "_jit", lambda fn: made.append(real(fn)) or made[-1])
    eager_history, eager_state = _fit(False)
    assert not made
    jit_history, jit_state = _fit("auto")
    assert eager_history == jit_history
    assert all(np.array_equal(a, b) for a, b in zip(eager_state, jit_state))
    (step,) = made
    assert step.captures == 2 and step.last_replay  # batches of 16 and the short last one of 6


def test_fit_auto_leaves_a_loss_of_the_users_own_eager(monkeypatch):
    made = []
    monkeypatch.setattr(captured, "_jit", lambda fn: made.append(fn) or fn)
    model = bp.nn.Linear(2, 1)
    X, y = np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)
    bp.train.fit(model, lambda p, t: ((p - t) ** 2).mean(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y),
                 epochs=1, verbose=False)
    assert not made


def test_fit_refuses_a_bad_jit():
    model = bp.nn.Linear(2, 1)
    with pytest.raises(ValueError, match="jit must be"):
        bp.train.fit(model, bp.nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1),
                     (np.ones((4, 2), np.float32), np.ones((4, 1), np.float32)), epochs=1, jit="yes")

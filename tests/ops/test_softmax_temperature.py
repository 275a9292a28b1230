"""A learned softmax temperature: ``softmax(z, temperature=T)`` with a Tensor T that requires grad gives T
the gradient of softmax(z / T) (issue 13, item 3)."""
import numpy as np
import pytest

import backprop as bp
from backprop.autograd.gradcheck import gradcheck, gradgradcheck

FUNCTIONS = [(bp.softmax, "softmax"), (bp.log_softmax, "log_softmax")]


def _inputs(shape_t=()):
    rng = np.random.default_rng(3)
    z = bp.tensor(rng.standard_normal((3, 4)), dtype=np.float64, requires_grad=True)
    t = bp.tensor(0.5 + rng.random(shape_t), dtype=np.float64, requires_grad=True)
    return z, t


@pytest.mark.parametrize("f, name", FUNCTIONS)
@pytest.mark.parametrize("shape_t", [(), (3, 1)])
def test_temperature_gets_a_gradient_equal_to_dividing_first(f, name, shape_t):
    z, t = _inputs(shape_t)
    w = np.random.default_rng(0).standard_normal((3, 4))
    y = f(z, temperature=t)
    (y * w).sum().backward()
    assert t.grad is not None
    z2 = bp.tensor(z.data, dtype=np.float64, requires_grad=True)
    t2 = bp.tensor(t.data, dtype=np.float64, requires_grad=True)
    y2 = f(z2 / t2)
    (y2 * w).sum().backward()
    np.testing.assert_allclose(y.data, y2.data, rtol=1e-12)
    np.testing.assert_allclose(np.asarray(t.grad), np.asarray(t2.grad), rtol=1e-10)
    np.testing.assert_allclose(np.asarray(z.grad), np.asarray(z2.grad), rtol=1e-10)


@pytest.mark.parametrize("f, name", FUNCTIONS)
def test_temperature_gradcheck_first_and_second_order(f, name):
    z, t = _inputs()
    fn = lambda a, b: f(a, temperature=b)  # noqa: E731
    assert gradcheck(fn, [z, t])
    assert gradgradcheck(fn, [z, t])


@pytest.mark.parametrize("f, name", FUNCTIONS)
def test_temperature_gradient_agrees_with_torch(f, name):
    torch = pytest.importorskip("torch")
    z, t = _inputs()
    w = np.random.default_rng(1).standard_normal((3, 4))
    (f(z, temperature=t) * w).sum().backward()
    zt = torch.tensor(z.data, requires_grad=True)
    tt = torch.tensor(t.data, requires_grad=True)
    yt = getattr(torch, name)(zt / tt, -1)
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(np.asarray(t.grad), tt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(np.asarray(z.grad), zt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_constant_temperatures_still_work_and_are_checked():
    z = bp.tensor([[1.0, 2.0, 3.0]])
    for t in (2.0, bp.tensor(2.0)):
        np.testing.assert_allclose(bp.softmax(z, temperature=t).data, bp.softmax(z / 2.0).data)
    with pytest.raises(ValueError, match="positive"):
        bp.softmax(z, temperature=bp.tensor(-1.0, requires_grad=True))
    with pytest.raises(ValueError, match="positive"):
        bp.log_softmax(z, temperature=0.0)


def test_a_trace_shows_the_division_by_a_learned_temperature():
    z, t = _inputs()
    with bp.explain.trace(names={"z": z, "T": t}) as tr:
        bp.softmax(z, temperature=t).sum().backward()
    ops = [e["op"] for e in tr.forward]
    assert ops[:2] == ["Div", "Softmax"]
    assert [i["name"] for i in tr.forward[0]["inputs"]] == ["z", "T"]
    assert "T" in [g["name"] for g in tr.gradients]

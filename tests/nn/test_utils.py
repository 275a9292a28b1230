"""bp.nn.utils: gradient clipping (against torch) and the L1/L2 penalties that leave biases alone."""
import doctest

import numpy as np
import pytest

import backprop as bp
from backprop.nn.utils import clip_grad_norm_, clip_grad_value_, l1_penalty, l2_penalty


def params_with_grads(scale=1.0):
    rng = np.random.default_rng(3)
    params = [bp.tensor(rng.normal(size=s), requires_grad=True, dtype=np.float64) for s in [(3, 4), (4,), ()]]
    for p in params:
        p.grad = np.asarray(scale * rng.normal(size=p.shape))
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    torch = pytest.importorskip("torch")
    ours = params_with_grads()
    theirs = [torch.tensor(p.data, requires_grad=True) for p in ours]
    for p, q in zip(ours, theirs):
        q.grad = torch.from_numpy(p.grad.numpy().copy())
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, bp.Tensor) and total.shape == () and total.dtype == np.float64
    assert total.item() == pytest.approx(expected.item(), rel=1e-14)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-14)


def test_clip_grad_norm_literal():
    # Gradients (3, 4) and (12,): joint norm √(9 + 16 + 144) = 13; clipped to 6.5 they are halved
    # (up to the 1e-6 that PyTorch adds to the norm).
    a = bp.tensor([0.0, 0.0], requires_grad=True)
    b = bp.tensor(0.0, requires_grad=True)
    c = bp.tensor([1.0], requires_grad=True)          # no gradient: skipped
    a.grad, b.grad = np.array([3.0, 4.0], np.float32), np.array(12.0, np.float32)
    grad_a = a.grad
    assert clip_grad_norm_([a, b, c], 6.5).item() == pytest.approx(13.0)
    assert a.grad is grad_a                           # scaled in place
    np.testing.assert_allclose(a.grad, [1.5, 2.0], rtol=1e-6)
    np.testing.assert_allclose(b.grad, 6.0, rtol=1e-6)
    assert c.grad is None
    assert clip_grad_norm_(c, 1.0).item() == 0.0      # nothing to clip


def test_clip_grad_norm_nonfinite():
    p = bp.tensor([1.0, 2.0], requires_grad=True)
    p.grad = np.array([np.inf, 1.0], np.float32)
    with pytest.raises(RuntimeError, match="norm of order 2.0 of the gradients is inf"):
        clip_grad_norm_([p], 1.0, error_if_nonfinite=True)


def test_clip_grad_value():
    params = params_with_grads(scale=3.0)
    expected = [np.clip(p.grad, -1.0, 1.0) for p in params]
    clip_grad_value_(params, 1.0)
    for p, e in zip(params, expected):
        np.testing.assert_array_equal(p.grad, e)
    with pytest.raises(ValueError, match="clip_value must be non-negative, got -1.0"):
        clip_grad_value_(params, -1)


def test_clip_tensor_gradient_after_create_graph():
    x = bp.tensor([3.0, 4.0], requires_grad=True)
    (x * x).sum().backward(create_graph=True)          # grad 2x = (6, 8), norm 10
    assert isinstance(x.grad, bp.Tensor)
    assert clip_grad_norm_([x], 5.0).item() == pytest.approx(10.0)
    np.testing.assert_allclose(x.grad.data, [3.0, 4.0], rtol=1e-6)


class TwoLayer(bp.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = bp.nn.Linear(2, 2, dtype=np.float64)
        self.out = bp.nn.Linear(2, 1, dtype=np.float64)
        self.slope = bp.nn.Parameter(np.array([0.25]))         # 1-d: counts as a bias
        with bp.no_grad():
            self.hidden.weight.copy_(bp.tensor([[1.0, -2.0], [0.5, 0.0]]))
            self.hidden.bias.copy_(bp.tensor([10.0, -10.0]))
            self.out.weight.copy_(bp.tensor([[3.0, -1.0]]))
            self.out.bias.copy_(bp.tensor([7.0]))


def test_penalties_skip_biases_of_a_module():
    model = TwoLayer()
    # Weights: |1| + |−2| + |0.5| + |0| + |3| + |−1| = 7.5;  squares: 1 + 4 + 0.25 + 0 + 9 + 1 = 15.25
    assert l1_penalty(model).item() == pytest.approx(7.5)
    assert l2_penalty(model).item() == pytest.approx(15.25)
    # With the biases and the 1-d slope: + 10 + 10 + 7 + 0.25, and + 100 + 100 + 49 + 0.0625
    assert l1_penalty(model, include_bias=True).item() == pytest.approx(34.75)
    assert l2_penalty(model, include_bias=True).item() == pytest.approx(264.3125)


def test_penalty_gradients():
    model = TwoLayer()
    (2.0 * l2_penalty(model) + l1_penalty(model)).backward()
    W1 = model.hidden.weight.data
    np.testing.assert_allclose(model.hidden.weight.grad, 4.0 * W1 + np.sign(W1))   # λ₂·2w + λ₁·sign(w)
    assert model.hidden.bias.grad is None and model.out.bias.grad is None and model.slope.grad is None


def test_penalty_inputs_named_and_unnamed():
    W = bp.tensor([[1.0, -2.0]], requires_grad=True)
    b = bp.tensor([3.0], requires_grad=True)
    kernel_bias = bp.tensor([[5.0]], requires_grad=True)   # 2-d but named as a bias
    assert l2_penalty([W, b]).item() == pytest.approx(5.0)                       # 1-d b skipped
    assert l2_penalty({"w": W, "conv.bias": kernel_bias}).item() == pytest.approx(5.0)
    assert l2_penalty([("w", W), ("bias_net.weight", kernel_bias)]).item() == pytest.approx(30.0)
    assert l1_penalty(W).item() == pytest.approx(3.0)
    with pytest.warns(UserWarning, match="every parameter given counts as a bias"):
        zero = l2_penalty([b])
    assert zero.item() == 0.0
    assert l2_penalty([b], include_bias=True).item() == pytest.approx(9.0)


def test_l2_penalty_is_weight_decay():
    # d/dw [L + λ·Σw²] = dL/dw + 2λ·w, which SGD's weight_decay = 2λ adds to the gradient.
    lam = 0.05
    x, y = bp.tensor(np.array([[1.0, 2.0], [3.0, -1.0]])), bp.tensor(np.array([[1.0], [0.0]]))
    models = [bp.nn.Linear(2, 1, bias=False, dtype=np.float64) for _ in range(2)]
    with bp.no_grad():
        models[1].weight.copy_(models[0].weight)
    penalised = bp.optim.SGD(models[0].parameters(), lr=0.1)
    decayed = bp.optim.SGD(models[1].parameters(), lr=0.1, weight_decay=2 * lam)
    for _ in range(3):
        for model, opt, extra in ((models[0], penalised, True), (models[1], decayed, False)):
            opt.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            (loss + lam * l2_penalty(model) if extra else loss).backward()
            opt.step()
    np.testing.assert_allclose(models[0].weight.data, models[1].weight.data, rtol=1e-14)


def test_docstring_examples():
    assert doctest.testmod(bp.nn.utils).failed == 0

"""The Optimizer machinery: validation, parameter groups, in-place steps, state_dict, hooks, zero_grad."""
import doctest

import numpy as np
import pytest

import backprop as bp
from backprop.optim import adagrad_update, adam_update, rmsprop_update, sgd_update

ALL = [(bp.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
       (bp.optim.RMSprop, dict(lr=0.01, centered=True, momentum=0.5)),
       (bp.optim.Adam, dict(lr=0.1, amsgrad=True)),
       (bp.optim.AdamW, dict(lr=0.1)),
       (bp.optim.Adagrad, dict(lr=0.1, lr_decay=0.01))]
IDS = [cls.__name__ for cls, _ in ALL]


def make_params(dtype=np.float64):
    rng = np.random.default_rng(1)
    return [bp.tensor(rng.normal(size=(3, 2)), requires_grad=True, dtype=dtype),
            bp.tensor(rng.normal(size=3), requires_grad=True, dtype=dtype),
            bp.tensor(0.5, requires_grad=True, dtype=dtype)]


def loss_of(params):
    W, b, s = params
    x = bp.tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), dtype=W.dtype)
    return (((x @ W.T + b) * s) ** 2).mean() + (W ** 4).sum() * 0.1


def train(opt, params, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_of(params).backward()
        opt.step()


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_step_updates_in_place_and_bumps_version(cls, kwargs):
    params = make_params()
    arrays = [p.data for p in params]
    before = [a.copy() for a in arrays]
    versions = [p._vc[0] for p in params]
    train(cls(params, **kwargs), params, 2)
    for p, a, b0, v in zip(params, arrays, before, versions):
        assert p.data is a                       # the same ndarray object: updated in place
        assert not np.array_equal(a, b0)
        assert p._vc[0] == v + 2                 # one bump per step
        assert p.requires_grad and p.is_leaf     # no graph recorded by the step


@pytest.mark.parametrize("cls, kwargs", ALL, ids=IDS)
def test_state_dict_round_trip_continues_identically(cls, kwargs):
    params = make_params()
    opt = cls(params, **kwargs)
    train(opt, params, 3)
    saved = opt.state_dict()
    # The saved arrays are copies: stepping on does not change them.
    snapshot = {i: {k: np.copy(v) for k, v in s.items()} for i, s in saved["state"].items()}
    clones = [bp.tensor(p.data, requires_grad=True, dtype=p.dtype) for p in params]
    train(opt, params, 1)
    for i, s in saved["state"].items():
        for k, v in s.items():
            np.testing.assert_array_equal(v, snapshot[i][k])
    # A fresh optimizer (other hyperparameters) takes the saved state and follows the same path exactly.
    twin = cls(clones, lr=123.0)
    twin.load_state_dict(saved)
    assert twin.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    train(twin, clones, 1)
    train(opt, params, 2)
    train(twin, clones, 2)
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_layout_is_pytorchs():
    W, b, s = make_params()
    opt = bp.optim.Adam([{"params": [W, b]}, {"params": [s], "lr": 0.5}], lr=0.1)
    train(opt, [W, b, s], 2)
    sd = opt.state_dict()
    assert sorted(sd) == ["param_groups", "state"]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.1, 0.5]
    assert sd["param_groups"][1]["betas"] == (0.9, 0.999)
    assert sorted(sd["state"]) == [0, 1, 2]
    assert sorted(sd["state"][0]) == ["exp_avg", "exp_avg_sq", "step"]
    assert sd["state"][2]["step"] == 2
    assert sd["state"][1]["exp_avg"] is not opt.state[b]["exp_avg"]


def test_load_state_dict_errors():
    params = make_params()
    opt = bp.optim.Adam(params)
    train(opt, params, 1)
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="group 0 has 3 parameters, but the optimizer's has 2"):
        bp.optim.Adam(params[:2]).load_state_dict(sd)
    with pytest.raises(ValueError, match="1 parameter groups, but the optimizer has 2"):
        bp.optim.Adam([{"params": params[:2]}, {"params": params[2:]}]).load_state_dict(sd)
    other = [bp.tensor(np.zeros((2, 3)), requires_grad=True), params[1], params[2]]
    with pytest.raises(ValueError, match=r"'exp_avg' of parameter 0 has shape \(3, 2\).*\(2, 3\)"):
        bp.optim.Adam(other).load_state_dict(sd)


@pytest.mark.parametrize("make, message", [
    (lambda p: bp.optim.SGD(p, lr=-0.1), "Invalid learning rate: -0.1"),
    (lambda p: bp.optim.SGD(p, lr=float("nan")), "Invalid learning rate: nan"),
    (lambda p: bp.optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: bp.optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
    (lambda p: bp.optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
    (lambda p: bp.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "zero dampening"),
    (lambda p: bp.optim.RMSprop(p, alpha=1.5), "Invalid alpha value: 1.5"),
    (lambda p: bp.optim.RMSprop(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
    (lambda p: bp.optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: bp.optim.Adam(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
    (lambda p: bp.optim.AdamW(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: bp.optim.Adagrad(p, lr_decay=-0.1), "Invalid lr_decay value: -0.1"),
    (lambda p: bp.optim.Adagrad(p, initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    (lambda p: bp.optim.SGD([{"params": p[:1]}, {"params": p[1:], "lr": -2.0}], lr=0.1),
     "Invalid learning rate: -2.0"),
])
def test_hyperparameter_validation(make, message):
    with pytest.raises(ValueError, match=message):
        make(make_params())


def test_parameter_list_errors():
    W, b, s = make_params()
    with pytest.raises(ValueError, match="empty parameter list"):
        bp.optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="single Tensor"):
        bp.optim.SGD(W, lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        bp.optim.SGD([{"params": [W, b]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        bp.optim.SGD([W * 2], lr=0.1)
    with pytest.raises(TypeError, match="ndarray"):
        bp.optim.SGD([np.zeros(3)], lr=0.1)
    with pytest.raises(TypeError, match="not a set"):
        bp.optim.SGD([{"params": {W}}], lr=0.1)


def test_param_groups_and_add_param_group():
    W, b, s = make_params()
    opt = bp.optim.SGD([{"params": [W]}, {"params": b, "lr": 0.5, "name": "bias"}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["name"] == "bias"
    opt.add_param_group({"params": [s], "nesterov": True})
    assert opt.param_groups[2]["nesterov"] and opt.param_groups[2]["lr"] == 0.1
    with pytest.raises(ValueError, match="Invalid momentum value: -1"):
        opt.add_param_group({"params": [bp.tensor(1.0, requires_grad=True)], "momentum": -1})
    assert len(opt.param_groups) == 3
    # Each group steps with its own learning rate: plain steps (no momentum yet) of lr·grad.
    for p in (W, b, s):
        p.grad = np.ones_like(p.data)
    before = [p.data.copy() for p in (W, b, s)]
    opt.step()
    np.testing.assert_allclose(W.data, before[0] - 0.1)
    np.testing.assert_allclose(b.data, before[1] - 0.5)
    np.testing.assert_allclose(s.data, before[2] - 0.1 * (1 + 0.9))   # Nesterov: g + momentum·b, b = g


def test_parameters_without_grad_are_skipped():
    W, b, s = make_params()
    opt = bp.optim.Adam([W, b, s], lr=0.1)
    W.grad = np.ones_like(W.data)
    b_before, vc = b.data.copy(), b._vc[0]
    opt.step()
    np.testing.assert_array_equal(b.data, b_before)
    assert b._vc[0] == vc and b not in opt.state and W in opt.state


def test_gradient_of_the_wrong_shape_or_dtype():
    W, b, s = make_params()
    with pytest.raises(RuntimeError, match=r"assigned grad has shape \(3,\), but the tensor has shape \(3, 2\)"):
        W.grad = np.ones(3, W.dtype)
    other = np.float32 if W.dtype == np.float64 else np.float64
    with pytest.raises(RuntimeError, match=f"assigned grad has dtype {np.dtype(other)}, but the tensor has dtype "
                                           f"{W.dtype}"):
        W.grad = bp.zeros(W.shape, dtype=other)
    with pytest.raises(TypeError, match="assigned grad must be a Tensor, a NumPy array or None, not list"):
        W.grad = [[1.0, 2.0]] * 3
    W.grad = np.ones(W.shape, W.dtype)
    W.data = np.ones(3, W.dtype)  # the parameter replaced after the gradient was set
    with pytest.raises(ValueError, match=r"SGD.step: a gradient of shape \(3, 2\) was set for a parameter "
                                         r"of shape \(3,\)"):
        bp.optim.SGD([W], lr=0.1).step()


def test_tensor_gradient_from_create_graph_is_used():
    ours, ref = make_params(), make_params()
    loss_of(ours).backward(create_graph=True)
    loss_of(ref).backward()
    assert isinstance(ours[0].grad, bp.Tensor)
    o1, o2 = bp.optim.Adam(ours, lr=0.1), bp.optim.Adam(ref, lr=0.1)
    o1.step()
    o2.step()
    for p, q in zip(ours, ref):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-14)


def test_zero_grad():
    params = make_params()
    opt = bp.optim.SGD(params, lr=0.1)
    loss_of(params).backward()
    grads = [p.grad for p in params]
    arrays = [g.data for g in grads]
    opt.zero_grad(set_to_none=False)
    for p, g, a in zip(params, grads, arrays):  # zeroed in place, as PyTorch
        assert p.grad is g and p.grad.data is a and not a.any()
    loss_of(params).backward()  # accumulates into the same arrays
    assert all(p.grad is g and p.grad.data is a and a.any() for p, g, a in zip(params, grads, arrays))
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_step_with_closure_returns_loss_and_records_gradients():
    params = make_params()
    opt = bp.optim.SGD(params, lr=0.1)

    def closure():
        opt.zero_grad()
        loss = loss_of(params)
        loss.backward()
        return loss

    with bp.no_grad():
        loss = opt.step(closure)
    assert loss.item() == pytest.approx(loss_of(make_params()).item())
    assert loss_of(params).item() < loss.item()


def test_float32_parameters_keep_their_dtype():
    params = make_params(np.float32)
    for cls, kwargs in ALL:
        opt = cls(params, **kwargs)
        train(opt, params, 2)
        for p in params:
            assert p.dtype == np.float32
            assert all(v.dtype == np.float32 for v in opt.state[p].values() if isinstance(v, np.ndarray))


def test_update_hook_sees_intermediates_and_can_be_removed():
    W, b, s = make_params()
    opt = bp.optim.Adam([W, b, s], lr=0.1)
    seen = []
    handle = opt.register_update_hook(lambda o, p, info: seen.append((p, dict(info))))
    W.grad = np.full(W.shape, 2.0)
    before = W.data.copy()
    opt.step()
    (p, info), = seen
    assert p is W and info["group"] == 0 and info["step"] == 1
    np.testing.assert_array_equal(info["param_before"], before)
    np.testing.assert_allclose(info["m_hat"], 2.0)      # bias-corrected first moment of a constant gradient
    np.testing.assert_allclose(info["v_hat"], 4.0)
    np.testing.assert_allclose(before - info["delta"], W.data)
    handle.remove()
    opt.step()
    assert len(seen) == 1


def test_pure_update_functions_on_arrays():
    theta, grad = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    state = {}
    info = sgd_update(theta, grad, state, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(theta, [0.95, -2.05])
    np.testing.assert_array_equal(info["b"], grad)
    assert info["b"] is state["momentum_buffer"] and info["b"] is not grad
    np.testing.assert_array_equal(grad, [0.5, 0.5])    # the gradient is never changed
    theta = np.array(3.0)                                # 0-d parameters stay arrays, updated in place
    for update in (sgd_update, rmsprop_update, adam_update, adagrad_update):
        before = theta.copy()
        update(theta, np.array(1.0), {}, lr=0.1, weight_decay=0.1)
        assert theta.shape == () and theta < before
    info = adagrad_update(np.array([1.0]), np.array([2.0]), {}, lr=0.1, initial_accumulator_value=5.0)
    np.testing.assert_allclose(info["sum"], [9.0])                         # G = 5 + 2²
    np.testing.assert_allclose(info["delta"], [0.1 * 2 / (3 + 1e-10)])     # η·g/(√G + eps)


def test_adamw_shrinks_weights_directly():
    # With a zero gradient Adam's m̂ = 0, so AdamW's only change is θ ← θ·(1 − lr·weight_decay).
    w = bp.tensor([2.0, -4.0], requires_grad=True, dtype=np.float64)
    opt = bp.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    w.grad = np.zeros(2)
    opt.step()
    np.testing.assert_allclose(w.data, [2.0 * 0.95, -4.0 * 0.95])
    opt.load_state_dict(bp.optim.Adam([w], weight_decay=0.5).state_dict())
    assert opt.param_groups[0]["decoupled_weight_decay"]


def test_repr_lists_groups():
    text = repr(bp.optim.SGD(make_params(), lr=0.1, momentum=0.9))
    assert text.startswith("SGD (\nParameter Group 0\n") and "    momentum: 0.9" in text


def test_docstring_examples():
    for module in (bp.optim.sgd, bp.optim.rmsprop, bp.optim.adam, bp.optim.adagrad, bp.optim.lr_scheduler):
        assert doctest.testmod(module).failed == 0

"""Loss modules: each one equals its functional with the options it was built with, keeps PyTorch's
constructor options and buffers, and is exported as ``bp.nn.<Name>`` (the functionals as ``bp.F.<name>``)."""
import numpy as np
import pytest

import backprop as bp
from backprop.nn import loss as nn_loss
from backprop.ops import losses as LF

rng = np.random.default_rng(3)
Z = rng.standard_normal((4, 3))
P = rng.uniform(0.1, 0.9, (4, 3))
Y01 = rng.integers(0, 2, (4, 3)).astype(float)
SIGNS = 2 * Y01 - 1
CLASSES = np.array([0, 2, 1, -100])
W = np.array([1.0, 2.0, 0.5])

# (module, its functional called with the same options, input, target)
CASES = {
    "MSELoss": (lambda: nn_loss.MSELoss(reduction="sum"), lambda x, y: LF.mse_loss(x, y, reduction="sum"), Z, P),
    "L1Loss": (lambda: nn_loss.L1Loss(), LF.l1_loss, Z, P),
    "MAPELoss": (lambda: nn_loss.MAPELoss("none"), lambda x, y: LF.mape_loss(x, y, "none"), Z, P),
    "HuberLoss": (lambda: nn_loss.HuberLoss(delta=0.3), lambda x, y: LF.huber_loss(x, y, delta=0.3), Z, P),
    "BCELoss": (lambda: nn_loss.BCELoss(W), lambda x, y: LF.binary_cross_entropy(x, y, W), P, Y01),
    "BCEWithLogitsLoss": (lambda: nn_loss.BCEWithLogitsLoss(pos_weight=W),
                          lambda x, y: LF.binary_cross_entropy_with_logits(x, y, pos_weight=W), Z, Y01),
    "CrossEntropyLoss": (lambda: nn_loss.CrossEntropyLoss(W, label_smoothing=0.1),
                         lambda x, y: LF.cross_entropy(x, y, W, label_smoothing=0.1), Z, CLASSES),
    "NLLLoss": (lambda: nn_loss.NLLLoss(W, reduction="sum"), lambda x, y: LF.nll_loss(x, y, W, reduction="sum"),
                Z, CLASSES),
    "HingeLoss": (lambda: nn_loss.HingeLoss(), LF.hinge_loss, Z, SIGNS),
    "PerceptronLoss": (lambda: nn_loss.PerceptronLoss("sum"), lambda x, y: LF.perceptron_loss(x, y, "sum"),
                       Z, SIGNS),
    "PoissonNLLLoss": (lambda: nn_loss.PoissonNLLLoss(full=True), lambda x, y: LF.poisson_nll_loss(x, y, full=True),
                       Z, 3 * P),
    "SoftMarginLoss": (lambda: nn_loss.SoftMarginLoss(), LF.soft_margin_loss, Z, SIGNS),
}


def test_every_module_is_exported():
    assert sorted(nn_loss.__all__) == sorted(CASES)
    for name in nn_loss.__all__:
        assert getattr(bp.nn, name) is getattr(nn_loss, name)
        assert getattr(nn_loss, name).__doc__.count("ℓ") >= 1  # the formula is in the docstring
    for name in LF.__all__:
        assert getattr(bp.F, name) is getattr(LF, name)


@pytest.mark.parametrize("name", list(CASES))
def test_module_equals_functional(name):
    make, functional, x, y = CASES[name]
    module = make()
    assert isinstance(module, bp.nn.Module)
    a = bp.tensor(x, dtype=np.float64, requires_grad=True)
    b = bp.tensor(x, dtype=np.float64, requires_grad=True)
    out = module(a, y)
    expected = functional(b, y)
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-15)
    out.sum().backward()
    expected.sum().backward()
    np.testing.assert_allclose(a.grad, b.grad, rtol=1e-15)
    assert repr(module) == f"{name}()"


@pytest.mark.parametrize("cls", [getattr(nn_loss, n) for n in nn_loss.__all__])
def test_module_rejects_bad_reduction(cls):
    with pytest.raises(ValueError, match=rf"{cls.__name__}: reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        cls(reduction="avg")


def test_weights_are_buffers_in_the_state_dict():
    """As PyTorch: class weights and pos_weight are buffers, so the state dicts have the same keys."""
    ce = bp.nn.CrossEntropyLoss(weight=W)
    assert list(ce.state_dict()) == ["weight"] and list(ce.parameters()) == []
    np.testing.assert_array_equal(ce.state_dict()["weight"].data, W.astype(np.float32))
    assert list(bp.nn.BCEWithLogitsLoss(pos_weight=W).state_dict()) == ["pos_weight"]
    assert list(bp.nn.MSELoss().state_dict()) == []
    # a model in float64 converts its weights too, and the loss follows the input's dtype
    ce.double()
    assert ce.weight.dtype == np.float64
    assert ce(bp.tensor(Z, dtype=np.float32), CLASSES).dtype == np.float32


def test_state_dict_keys_match_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in [(bp.nn.CrossEntropyLoss(W), torch.nn.CrossEntropyLoss(torch.tensor(W))),
                         (bp.nn.BCEWithLogitsLoss(W, pos_weight=W),
                          torch.nn.BCEWithLogitsLoss(torch.tensor(W), pos_weight=torch.tensor(W))),
                         (bp.nn.NLLLoss(), torch.nn.NLLLoss())]:
        assert list(ours.state_dict()) == list(theirs.state_dict())


def test_constructor_options():
    ce = bp.nn.CrossEntropyLoss(ignore_index=5, reduction="sum", label_smoothing=0.2)
    assert (ce.ignore_index, ce.reduction, ce.label_smoothing, ce.weight) == (5, "sum", 0.2, None)
    poisson = bp.nn.PoissonNLLLoss(False, True, eps=1e-4, reduction="none")
    assert (poisson.log_input, poisson.full, poisson.eps, poisson.reduction) == (False, True, 1e-4, "none")
    assert bp.nn.HuberLoss("sum", 2.0).delta == 2.0
    with pytest.raises(ValueError, match="label_smoothing"):
        bp.nn.CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(ValueError, match="delta must be positive"):
        bp.nn.HuberLoss(delta=-1.0)


def test_training_a_perceptron_with_the_module_from_zero_weights():
    """The course's perceptron: gradient steps on PerceptronLoss (sum) from w = 0 separate AND-like data."""
    X = bp.tensor([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]], dtype=np.float64)
    y = np.array([-1.0, -1.0, -1.0, 1.0])  # AND, with the bias as a constant feature
    w = bp.zeros(3, dtype=np.float64, requires_grad=True)
    loss_fn = bp.nn.PerceptronLoss(reduction="sum")
    for _ in range(20):
        loss = loss_fn(X @ w, y)
        w.grad = None
        loss.backward()
        w.data -= 1.0 * w.grad.numpy()
        w._vc[0] += 1
    assert np.all(np.sign(X.data @ w.data) == y)

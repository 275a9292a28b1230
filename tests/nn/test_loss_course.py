"""Losses against the course: its worked numbers, the margin convention, stability for logits of ±1000,
the closed-form gradients of the fused ops, and the error messages."""
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import ShapeError
from backprop.ops import losses as LF


def t64(x, requires_grad=True):
    return bp.tensor(np.asarray(x, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


# -- the problem book (seed 001), §2 and §3 ---------------------------------------------------------------------
def test_softmax_exercise_probabilities_and_logloss():
    """§2 ex. 3: logits (1, −2, 0) and (0.5, −1, 0) for whale, ant, beaver; the first is a whale, the second a beaver.

    By hand: e¹ + e⁻² + e⁰ = 2.718282 + 0.135335 + 1 = 3.853617, so p₁ = (0.705385, 0.035119, 0.259496);
    e^0.5 + e⁻¹ + e⁰ = 1.648721 + 0.367879 + 1 = 3.016600, so p₂ = (0.546549, 0.121952, 0.331499).
    logloss = −ln 0.705385 − ln 0.331499 = 0.349012 + 1.104131 = 1.453143 (sum); mean 0.726571.
    """
    z = t64([[1.0, -2.0, 0.0], [0.5, -1.0, 0.0]])
    np.testing.assert_allclose(bp.softmax(z, 1).data, [[0.705385, 0.035119, 0.259496],
                                                        [0.546549, 0.121952, 0.331499]], atol=1e-6)
    y = np.array([0, 2])
    assert LF.cross_entropy(z, y, reduction="sum").item() == pytest.approx(1.453143, abs=1e-6)
    np.testing.assert_allclose(LF.cross_entropy(z, y, reduction="none").data, [0.349012, 1.104131], atol=1e-6)
    loss = LF.cross_entropy(z, y)
    assert loss.item() == pytest.approx(0.726571, abs=1e-6)
    # the fused gradient is (softmax(z) − y)/N
    loss.backward()
    np.testing.assert_allclose(z.grad, ([[0.705385, 0.035119, 0.259496], [0.546549, 0.121952, 0.331499]]
                                        - np.array([[1, 0, 0], [0, 0, 1]])) / 2, atol=1e-6)


def test_two_class_softmax_is_the_sigmoid_of_the_logit_difference():
    """§2 ex. 3в: a two-output softmax with logits (a, b) is a one-output sigmoid of a − b; so are the losses."""
    z = t64([[0.3, -1.2], [2.0, 0.5], [-0.7, 0.1]], requires_grad=False)
    y = np.array([0, 1, 0])
    diff = z.data[:, 0] - z.data[:, 1]
    ce = LF.cross_entropy(z, y).item()
    bce = LF.binary_cross_entropy_with_logits(t64(diff, False), (y == 0).astype(float)).item()
    assert ce == pytest.approx(bce, rel=1e-14)


def test_logloss_exercise_separable_data_has_no_minimum():
    """§2 ex. 2: whale at x = 1, ants at x = 2, 3, logistic regression with a constant.

    The loss is L(β₀, β₁) = −ln σ(β₀ + β₁) − ln(1 − σ(β₀ + 2β₁)) − ln(1 − σ(β₀ + 3β₁)). The classes are
    separated at x = 1.5, so along β = t·(1.5, −1) the loss decreases to 0 as t grows and no finite
    minimum exists. The logits reach ±1500 on the way: the loss stays finite and warning-free.
    """
    x, y = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0])
    losses = []
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        for t in [1.0, 10.0, 100.0, 3000.0]:
            beta = t64([1.5 * t, -t])
            loss = LF.binary_cross_entropy_with_logits(beta[0] + beta[1] * bp.tensor(x, dtype=np.float64), y,
                                                       reduction="sum")
            loss.backward()
            assert np.all(np.isfinite(beta.grad.numpy()))
            losses.append(loss.item())
    assert all(a > b for a, b in zip(losses, losses[1:]))
    # t = 1: z = 1.5 − x = (0.5, −0.5, −1.5), so L = 2 ln(1 + e^−0.5) + ln(1 + e^−1.5) = 2·0.474077 + 0.201413
    assert losses[0] == pytest.approx(1.149567, abs=1e-6)
    assert losses[-1] == 0.0


@pytest.mark.parametrize("via", ["with_logits", "sigmoid_then_bce", "soft_margin"])
def test_one_logistic_regression_step(via):
    """§3 ex. 2: x = −5, y = 1, w₀ = 1, γ = 0.01.

    p = σ(w·x) = σ(−5) = 0.0066928509; dlogloss/dw = (p − y)·x = (0.0066928509 − 1)·(−5) = 4.9665357
    (the book truncates it to "≈ 4.96" and omits the step); w₁ = 1 − 0.01·4.9665357 = 0.95033464.
    """
    w = t64(1.0)
    z = w * -5.0
    if via == "with_logits":
        loss = LF.binary_cross_entropy_with_logits(z, np.array(1.0))
    elif via == "sigmoid_then_bce":
        loss = LF.binary_cross_entropy(bp.sigmoid(z), np.array(1.0))
    else:  # the ±1 form: y = 1 stays +1
        loss = LF.soft_margin_loss(z, np.array(1.0))
    loss.backward()
    assert loss.item() == pytest.approx(-np.log(0.0066928509242848554), rel=1e-12)
    assert w.grad.item() == pytest.approx(4.966535745378576, rel=1e-12)
    assert w.item() - 0.01 * w.grad.item() == pytest.approx(0.9503346425462142, rel=1e-12)


def test_mse_gradient_is_the_closed_form():
    """dŷ = 2(ŷ − y)/N: for ŷ = (0, 0), y = (2, 3) (the book's §3 ex. 1 at w₀ = 0), dŷ = (−2, −3), dy = (2, 3)."""
    y_hat, y = t64([0.0, 0.0]), t64([2.0, 3.0])
    loss = LF.mse_loss(y_hat, y)
    assert loss.item() == pytest.approx(6.5)  # (4 + 9)/2
    loss.backward()
    np.testing.assert_allclose(y_hat.grad, [-2.0, -3.0])
    np.testing.assert_allclose(y.grad, [2.0, 3.0])
    assert loss.grad_fn.op is LF.MSE  # one fused op, so a trace shows this formula


def test_fused_ops_are_single_nodes_with_the_course_formulas():
    z = t64([[0.5, -1.0]])
    ce = LF.cross_entropy(z, [1]).grad_fn
    assert ce.op.formulas(ce)[1]["input"].startswith("dz = (softmax(z) − y) / N")
    bce = LF.binary_cross_entropy_with_logits(z, [[0.0, 1.0]]).grad_fn
    assert bce.op.formulas(bce)[1]["input"].startswith("dz = w·(σ(z) − y) / N")


def test_second_derivatives_of_the_fused_ops_are_the_closed_forms():
    """∂²/∂z² of mean softmax cross-entropy is (diag(p) − ppᵀ)/N per row; of mean BCE with logits σ(1 − σ)/N."""
    z = t64([[1.0, -2.0, 0.0]])
    p = bp.softmax(z, 1).data[0]
    h = bp.hessian(lambda v: LF.cross_entropy(v, [2]), z).data.reshape(3, 3)
    np.testing.assert_allclose(h, np.diag(p) - np.outer(p, p), atol=1e-14)
    z = t64([0.3, -2.0])
    s = 1 / (1 + np.exp(-z.data))
    h = bp.hessian(lambda v: LF.binary_cross_entropy_with_logits(v, np.array([1.0, 0.0])), z).data
    np.testing.assert_allclose(h, np.diag(s * (1 - s) / 2), atol=1e-14)
    h = bp.hessian(lambda v: LF.mse_loss(v, np.array([1.0, 2.0])), z).data
    np.testing.assert_allclose(h, np.eye(2), atol=1e-14)  # 2/N · I


# -- the margin convention of the course's perceptron and SVM ---------------------------------------------------
def test_perceptron_from_zero_weights_moves():
    """All margins are 0 at w = 0: every point counts as misclassified, the gradient is −(1/N) Σ yᵢ xᵢ."""
    X = np.array([[1.0, 2.0], [-1.0, 0.5], [2.0, -1.0]])
    y = np.array([1.0, -1.0, 1.0])
    w = t64(np.zeros(2))
    loss = LF.perceptron_loss(bp.tensor(X, dtype=np.float64) @ w, y)
    assert loss.item() == 0.0
    loss.backward()
    np.testing.assert_allclose(w.grad, -(y[:, None] * X).mean(0))
    assert (w.grad != 0).any()


@pytest.mark.parametrize("loss_fn, margin", [(LF.perceptron_loss, 0.0), (LF.hinge_loss, 1.0)])
def test_margin_losses_at_the_kink(loss_fn, margin):
    """At M = y·z = m exactly the gradient is −y; just above it, 0; below, −y; the value is max(0, m − M)."""
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    z = t64([margin, -margin, margin + 0.5, -margin - 0.5, margin - 0.5])
    loss = loss_fn(z, y, reduction="sum")
    np.testing.assert_allclose(loss_fn(z, y, reduction="none").data, [0, 0, 0, 0, 0.5])
    loss.backward()
    np.testing.assert_allclose(z.grad, [-1.0, 1.0, 0.0, 0.0, -1.0])
    z.grad = None
    loss_fn(z, y).backward()
    np.testing.assert_allclose(z.grad, np.array([-1.0, 1.0, 0.0, 0.0, -1.0]) / 5)


# -- stability for logits of ±1000 -------------------------------------------------------------------------------
@pytest.fixture
def no_numpy_warnings():
    """Overflow, division by zero and invalid values raise (underflow to 0 is exact enough and silent)."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("no_numpy_warnings")
def test_cross_entropy_at_1000():
    z = t64([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]])
    loss = LF.cross_entropy(z, np.array([0, 0]), reduction="none")
    np.testing.assert_allclose(loss.data, [0.0, 2000.0 + np.log(2)], rtol=1e-15)
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [[0, 0, 0], [-1, 0.5, 0.5]], atol=1e-300)
    z.grad = None
    loss = LF.cross_entropy(z, np.array([[0.0, 1.0, 0.0], [0.5, 0.0, 0.5]]), label_smoothing=0.1)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(z.grad.numpy()))
    (g,) = bp.grad(LF.cross_entropy(z, np.array([1, 2])), z, create_graph=True)
    (gg,) = bp.grad((g * g).sum(), z)
    assert np.all(np.isfinite(gg.data))


@pytest.mark.usefixtures("no_numpy_warnings")
def test_bce_with_logits_and_soft_margin_at_1000():
    z = t64([1000.0, -1000.0, 1000.0, -1000.0])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    loss = LF.binary_cross_entropy_with_logits(z, y, reduction="none")
    np.testing.assert_allclose(loss.data, [1000.0, 1000.0, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [1.0, -1.0, 0.0, 0.0])  # σ(z) − y
    z.grad = None
    loss = LF.binary_cross_entropy_with_logits(z, y, pos_weight=np.array(3.0), reduction="none")
    np.testing.assert_allclose(loss.data, [1000.0, 3000.0, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [1.0, -3.0, 0.0, 0.0])
    z.grad = None
    loss = LF.soft_margin_loss(z, 2 * y - 1, reduction="none")
    np.testing.assert_allclose(loss.data, [1000.0, 1000.0, 0.0, 0.0])
    loss.sum().backward()
    np.testing.assert_allclose(z.grad, [1.0, -1.0, 0.0, 0.0])


def test_bce_clamps_its_logarithms_at_minus_100():
    """p = 0 with y = 1 and p = 1 with y = 0 cost 100 each, as PyTorch; the gradient stays finite."""
    p = t64([0.0, 1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = LF.binary_cross_entropy(p, np.array([1.0, 0.0, 0.0, 1.0]), reduction="none")
        np.testing.assert_allclose(loss.data, [100.0, 100.0, 0.0, 0.0])
        loss.sum().backward()
    assert np.all(np.isfinite(p.grad.numpy()))


def test_float32_in_float32_out():
    z = bp.tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    for loss in [LF.cross_entropy(z, [0, 1]), LF.mse_loss(z, np.zeros((2, 3))),
                 LF.binary_cross_entropy_with_logits(z, np.zeros((2, 3))), LF.hinge_loss(z, -np.ones((2, 3))),
                 LF.mape_loss(z, np.full((2, 3), 2.0)), LF.binary_cross_entropy(bp.sigmoid(z), np.zeros((2, 3))),
                 LF.perceptron_loss(z, np.ones((2, 3)), reduction="none"), LF.soft_margin_loss(z, np.ones((2, 3))),
                 LF.poisson_nll_loss(z, np.full((2, 3), 3.0), full=True), LF.huber_loss(z, np.zeros((2, 3))),
                 LF.nll_loss(z, [2, 1], np.array([1.0, 2.0, 3.0]))]:
        assert loss.dtype == np.float32
        loss.sum().backward()
        assert z.grad.dtype == np.float32
        z.grad = None


# -- errors ------------------------------------------------------------------------------------------------------
def test_target_shape_mismatch_names_both_shapes():
    for fn in [LF.mse_loss, LF.l1_loss, LF.huber_loss, LF.mape_loss, LF.binary_cross_entropy_with_logits,
               LF.soft_margin_loss, LF.poisson_nll_loss]:
        with pytest.raises(ShapeError, match=r"\(4, 1\).*\(4,\)"):
            fn(t64(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ShapeError, match=r"input has shape \(4, 3\).*\(4,\).*got target of shape \(5,\)"):
        LF.cross_entropy(t64(np.zeros((4, 3))), np.zeros(5, dtype=int))


def test_cross_entropy_rejects_float_class_indices():
    with pytest.raises(TypeError, match=r"class indices and must be integers, got dtype float64.*\(4, 3\)"):
        LF.cross_entropy(t64(np.zeros((4, 3))), np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(TypeError, match="must be floats"):
        LF.cross_entropy(t64(np.zeros((2, 3))), np.eye(3, dtype=int)[[0, 1]])


@pytest.mark.parametrize("fn", [LF.cross_entropy, LF.nll_loss])
@pytest.mark.parametrize("bad", [3, -1, 7])
def test_class_index_out_of_range_names_value_and_c(fn, bad):
    with pytest.raises(IndexError, match=rf"class index {bad} is out of range \[0, 3\).*C = 3"):
        fn(t64(np.zeros((3, 3))), np.array([0, bad, 1]))
    fn(t64(np.zeros((3, 3))), np.array([0, -100, 1]))  # the ignore_index itself is fine


@pytest.mark.parametrize("fn", [LF.mse_loss, LF.l1_loss, LF.mape_loss, LF.soft_margin_loss,
                                LF.binary_cross_entropy_with_logits, LF.poisson_nll_loss])
def test_bad_reduction(fn):
    with pytest.raises(ValueError, match=r"reduction must be 'mean', 'sum' or 'none', got 'avg'"):
        fn(t64([0.5]), np.array([1.0]), reduction="avg")


def test_bad_reduction_in_other_losses():
    for fn, target in [(LF.cross_entropy, [0]), (LF.nll_loss, [0]), (LF.hinge_loss, [[1.0, 1.0]]),
                       (LF.perceptron_loss, [[1.0, 1.0]]), (LF.huber_loss, [[0.0, 0.0]]),
                       (LF.binary_cross_entropy, [[0.0, 0.0]])]:
        with pytest.raises(ValueError, match=r"got 'mena'"):
            fn(t64([[0.5, 0.5]]), np.array(target), reduction="mena")


@pytest.mark.parametrize("fn", [LF.hinge_loss, LF.perceptron_loss])
def test_margin_losses_need_plus_minus_one_targets(fn):
    with pytest.raises(ValueError, match=r"targets must be -1 or \+1, got 0\.0 .*2·y − 1"):
        fn(t64([0.5, -0.5, 1.0]), np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"got 0\.5, 2\.0"):
        fn(t64([0.5, -0.5, 1.0]), np.array([2.0, 0.5, -1.0]))


def test_other_bad_arguments():
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*1\.5"):
        LF.binary_cross_entropy(t64([0.5, 1.5]), np.array([1.0, 0.0]))
    with pytest.raises(ShapeError, match=r"weight must have shape \(3,\).*\(2,\)"):
        LF.cross_entropy(t64(np.zeros((2, 3))), [0, 1], np.ones(2))
    with pytest.raises(ShapeError, match=r"pos_weight of shape \(4,\) does not broadcast.*\(2, 3\)"):
        LF.binary_cross_entropy_with_logits(t64(np.zeros((2, 3))), np.zeros((2, 3)), pos_weight=np.ones(4))
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1\.5"):
        LF.cross_entropy(t64(np.zeros((2, 3))), [0, 1], label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"delta must be positive, got 0"):
        LF.huber_loss(t64([1.0]), np.array([0.0]), delta=0)
    with pytest.raises(TypeError, match=r"floating-point.*int64"):
        LF.mse_loss(np.array([1, 2]), np.array([1, 2]))
    with pytest.raises(TypeError):  # options after the weight are keyword-only, so a positional call cannot misbind
        LF.cross_entropy(t64(np.zeros((2, 3))), [0, 1], None, -100)

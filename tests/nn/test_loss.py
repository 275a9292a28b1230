"""Losses: gradients and second derivatives of every loss and reduction, and agreement with PyTorch.

The course's worked numbers, the ±1000 stability, the margin convention, the error messages and the
loss modules are in test_loss_course.py and test_loss_modules.py.
"""
import numpy as np
import pytest

from backprop.ops import losses as LF
from tests.ops._harness import arrays, case

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(7)
N, C = 5, 4
CLASSES = rng.integers(0, C, N)                                   # class indices (N,)
CLASSES_IGNORED = np.array([0, -100, 3, 1, -100])                 # two observations ignored
CLASSES_2D = rng.integers(0, C, (N, 3))                           # (N, d) targets for (N, C, d) logits
CLASS_WEIGHT = rng.uniform(0.5, 2.0, C)
SIGNS = rng.choice([-1.0, 1.0], (N, 2))                           # labels in {−1, +1}
COUNTS = rng.integers(0, 5, (N, 2))                               # Poisson counts, some ≤ 1, some > 1
RATE_TARGET = rng.uniform(1.5, 4.0, (N, 2))


def _gradient_cases(reduction):
    r = dict(reduction=reduction)
    probs = arrays((N, C), domain="positive", seed=3)[0]
    return [
        case("mse", lambda x, y: LF.mse_loss(x, y, **r), arrays((N, 2), (N, 2))),
        case("l1", lambda x, y: LF.l1_loss(x, y, **r), arrays((N, 2), (N, 2))),
        case("huber", lambda x, y: LF.huber_loss(x, y, delta=0.7, **r), arrays((N, 2), (N, 2), seed=1)),
        case("mape", lambda x, y: LF.mape_loss(x, y, **r), arrays((N, 2)) + arrays((N, 2), domain="nonzero")),
        case("poisson_log", lambda z, y: LF.poisson_nll_loss(z, y, **r),  # counts are ≥ 0
             arrays((N, 2)) + arrays((N, 2), domain="positive")),
        case("poisson_full_counts", lambda z: LF.poisson_nll_loss(z, COUNTS, full=True, **r), arrays((N, 2))),
        case("poisson_rate_full", lambda lam, y: LF.poisson_nll_loss(lam, y, log_input=False, full=True, **r),
             arrays((N, 2), domain="positive") + [RATE_TARGET]),
        case("bce", lambda p, y: LF.binary_cross_entropy(p, y, **r), arrays((N, 2), (N, 2), domain="unit")),
        case("bce_weight", lambda p, y: LF.binary_cross_entropy(p, y, np.array([0.5, 2.0]), **r),
             arrays((N, 2), (N, 2), domain="unit", seed=2)),
        case("bce_logits", lambda z, y: LF.binary_cross_entropy_with_logits(z, y, **r),
             arrays((N, 3)) + arrays((N, 3), domain="unit")),
        case("bce_logits_weights", lambda z, y: LF.binary_cross_entropy_with_logits(
            z, y, np.array([1.0, 0.5, 2.0]), pos_weight=np.array([3.0, 1.0, 0.5]), **r),
             arrays((N, 3)) + arrays((N, 3), domain="unit")),
        case("cross_entropy", lambda z: LF.cross_entropy(z, CLASSES, **r), arrays((N, C))),
        case("cross_entropy_weight_smoothing_ignore", lambda z: LF.cross_entropy(
            z, CLASSES_IGNORED, CLASS_WEIGHT, label_smoothing=0.2, **r), arrays((N, C))),
        case("cross_entropy_probabilities", lambda z, q: LF.cross_entropy(z, q / q.sum(1, keepdims=True), **r),
             arrays((N, C)) + [probs]),
        case("cross_entropy_probabilities_weight_smoothing", lambda z, q: LF.cross_entropy(
            z, q, CLASS_WEIGHT, label_smoothing=0.1, **r), arrays((N, C)) + [probs]),
        case("cross_entropy_nCd", lambda z: LF.cross_entropy(z, CLASSES_2D, CLASS_WEIGHT, **r), arrays((N, C, 3))),
        case("cross_entropy_single", lambda z: LF.cross_entropy(z, np.array(2), **r), arrays((C,))),
        case("nll", lambda x: LF.nll_loss(x, CLASSES_IGNORED, CLASS_WEIGHT, **r), arrays((N, C))),
        case("hinge", lambda z: LF.hinge_loss(z, SIGNS, **r), arrays((N, 2), seed=4)),
        case("perceptron", lambda z: LF.perceptron_loss(z, SIGNS, **r), arrays((N, 2), seed=5)),
        case("soft_margin", lambda z: LF.soft_margin_loss(z, SIGNS, **r), arrays((N, 2))),
        case("soft_margin_target", lambda z, y: LF.soft_margin_loss(z, y, **r), arrays((N, 2), (N, 2))),
    ]


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("index", range(len(_gradient_cases("mean"))),
                         ids=[c.id for c in _gradient_cases("mean")])
def test_gradcheck_and_gradgradcheck(index, reduction):
    """Forward, float64 gradcheck, gradgradcheck and array mode == Tensor mode, for each loss and reduction."""
    out = _gradient_cases(reduction)[index].values[0].check()
    if reduction == "none":  # the per-term losses add up to the 'sum' reduction
        total = _gradient_cases("sum")[index].values[0]
        np.testing.assert_allclose(out.data.sum(), total.fn(*total.inputs).data, rtol=1e-12)
    else:
        assert out.ndim == 0


# -- agreement with torch.nn.functional, float64, values and gradients of every input ------------------------
def _torch_cases():
    probs = rng.dirichlet(np.ones(C), N)
    return {
        "mse": ("mse_loss", arrays((N, 3), (N, 3)), {}),
        "l1": ("l1_loss", arrays((N, 3), (N, 3)), {}),
        "huber": ("huber_loss", arrays((N, 3), (N, 3)), {"delta": 0.5}),
        "bce": ("binary_cross_entropy", arrays((N, 3), (N, 3), domain="unit"), {}),
        "bce_weight": ("binary_cross_entropy", arrays((N, 3), (N, 3), domain="unit") + [np.array([1., 2., .5])],
                       {}),
        "bce_logits": ("binary_cross_entropy_with_logits", arrays((N, 3)) + arrays((N, 3), domain="unit"), {}),
        "bce_logits_multilabel": ("binary_cross_entropy_with_logits",
                                  arrays((N, 3)) + [rng.integers(0, 2, (N, 3)).astype(float),
                                                    np.array([1.0, 0.5, 2.0])],
                                  {"pos_weight": np.array([3.0, 1.0, 0.5])}),
        "cross_entropy": ("cross_entropy", arrays((N, C)) + [CLASSES], {}),
        "cross_entropy_weight": ("cross_entropy", arrays((N, C)) + [CLASSES, CLASS_WEIGHT], {}),
        "cross_entropy_ignore": ("cross_entropy", arrays((N, C)) + [CLASSES_IGNORED, CLASS_WEIGHT], {}),
        "cross_entropy_smoothing": ("cross_entropy", arrays((N, C)) + [CLASSES_IGNORED, CLASS_WEIGHT],
                                    {"label_smoothing": 0.3}),
        "cross_entropy_smoothing_no_weight": ("cross_entropy", arrays((N, C)) + [CLASSES], {"label_smoothing": 0.3}),
        "cross_entropy_probabilities": ("cross_entropy", arrays((N, C)) + [probs], {}),
        "cross_entropy_probabilities_weight_smoothing": ("cross_entropy", arrays((N, C)) + [probs, CLASS_WEIGHT],
                                                         {"label_smoothing": 0.2}),
        "cross_entropy_nCd": ("cross_entropy", arrays((N, C, 3)) + [CLASSES_2D, CLASS_WEIGHT],
                              {"label_smoothing": 0.1}),
        "cross_entropy_nCd_probabilities": ("cross_entropy", arrays((N, C, 3)) + [rng.dirichlet(
            np.ones(C), (N, 3)).transpose(0, 2, 1)], {}),
        "nll": ("nll_loss", arrays((N, C)) + [CLASSES_IGNORED, CLASS_WEIGHT], {}),
        "poisson": ("poisson_nll_loss", arrays((N, 3)) + [COUNTS[:, :1].repeat(3, 1).astype(float)], {}),
        "poisson_full": ("poisson_nll_loss", arrays((N, 3)) + [rng.uniform(0, 4, (N, 3))], {"full": True}),
        "poisson_rate": ("poisson_nll_loss", arrays((N, 3), domain="positive") + [rng.uniform(0, 4, (N, 3))],
                         {"log_input": False, "full": True, "eps": 1e-3}),
        # PyTorch gives soft_margin_loss's target no gradient; ours has one (gradchecked above)
        "soft_margin": ("soft_margin_loss", arrays((N, 3)) + [SIGNS[:, :1].repeat(3, 1)], {}, 1),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(_torch_cases()))
def test_agrees_with_torch(name, reduction):
    torch = pytest.importorskip("torch")
    import backprop as bp

    fn_name, args, options, *n_differentiable = _torch_cases()[name]
    ours_args, theirs_args = [], []
    for i, a in enumerate(args):
        differentiable = a.dtype.kind == "f" and i < (n_differentiable or [2])[0]
        ours_args.append(bp.tensor(a, dtype=a.dtype, requires_grad=differentiable) if differentiable else a)
        theirs_args.append(torch.tensor(a, requires_grad=differentiable))
    torch_options = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}
    ours = getattr(LF, fn_name)(*ours_args, reduction=reduction, **options)
    theirs = getattr(torch.nn.functional, fn_name)(*theirs_args, reduction=reduction, **torch_options)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)

    v = rng.standard_normal(ours.shape)
    ours.backward(v)
    theirs.backward(torch.tensor(v))
    for o, t in zip(ours_args, theirs_args):
        if isinstance(o, bp.Tensor) and o.requires_grad:
            np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_mape_agrees_with_scikit_learn():
    """ε = float64 machine epsilon, so a zero target gives |ŷ| / ε, exactly as scikit-learn's metric."""
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    y = np.array([3.0, -0.5, 0.0, 7.0, 2.0])
    y_hat = np.array([2.5, 0.0, 1e-17, 8.0, 2.0])
    ours = LF.mape_loss(y_hat, y).item()
    assert ours == pytest.approx(sklearn_metrics.mean_absolute_percentage_error(y, y_hat), rel=1e-14)
    # by hand: (0.5/3 + 0.5/0.5 + 1e-17/2.22e-16 + 1/7 + 0) / 5
    assert ours == pytest.approx((0.5 / 3 + 1 + 1e-17 / np.finfo(float).eps + 1 / 7) / 5, rel=1e-14)

"""GELU (exact and tanh), ELU, SiLU, Mish, Hardtanh, Softplus (β, threshold), LogSigmoid, layer and group
norm: PyTorch's values and gradients in float64, and gradchecks to second order."""
import numpy as np
import pytest

import backprop as bp
from backprop.ops import activations as act
from backprop.ops import activations_more as A
from backprop.ops import normalization as N
from tests.ops._torch_oracle import assert_matches_torch

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 4)) * 2
# Away from Hardtanh's edges and the kinks at 0, where finite differences straddle a corner.
KINKED = np.array([[-2.5, -0.7, -0.3, 0.4], [0.6, 1.4, 2.2, -1.6]])

ACTIVATIONS = {
    "gelu": (A.gelu, TF.gelu, X),
    "gelu tanh": (lambda t: A.gelu(t, "tanh"), lambda t: TF.gelu(t, approximate="tanh"), X),
    "elu": (A.elu, TF.elu, KINKED),
    "elu alpha": (lambda t: A.elu(t, 0.4), lambda t: TF.elu(t, 0.4), KINKED),
    "silu": (A.silu, TF.silu, X),
    "mish": (A.mish, TF.mish, X),
    "hardtanh": (A.hardtanh, TF.hardtanh, KINKED),
    "hardtanh range": (lambda t: A.hardtanh(t, -0.5, 2.0), lambda t: TF.hardtanh(t, -0.5, 2.0), KINKED),
    "softplus": (lambda t: bp.F.softplus(t), TF.softplus, X),
    "softplus beta threshold": (lambda t: bp.F.softplus(t, 2.0, 1.5), lambda t: TF.softplus(t, 2.0, 1.5), KINKED),
    "logsigmoid": (bp.F.logsigmoid, TF.logsigmoid, X),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_matches_torch_and_gradchecks(name):
    ours, theirs, x = ACTIVATIONS[name]
    assert_matches_torch(ours, theirs, x)
    assert bp.gradcheck(ours, [x[:1, :3]])
    assert bp.gradgradcheck(ours, [x[:1, :3]])


def test_gelu_third_derivative_through_its_companion_op():
    x = bp.tensor([0.3, -1.2], dtype=np.float64, requires_grad=True)
    t = torch.tensor([0.3, -1.2], dtype=torch.float64, requires_grad=True)
    g1, = bp.grad(A.gelu(x).sum(), [x], create_graph=True)
    g2, = bp.grad(g1.sum(), [x], create_graph=True)
    g3, = bp.grad(g2.sum(), [x])
    h1, = torch.autograd.grad(TF.gelu(t).sum(), [t], create_graph=True)
    h2, = torch.autograd.grad(h1.sum(), [t], create_graph=True)
    h3, = torch.autograd.grad(h2.sum(), [t])
    np.testing.assert_allclose(np.asarray(g3.data), h3.numpy(), rtol=1e-10, atol=1e-12)


def test_activations_are_finite_for_large_inputs():
    x = bp.tensor([-1000.0, 1000.0], dtype=np.float64, requires_grad=True)
    for f in (A.gelu, A.elu, A.silu, A.mish, bp.F.softplus, bp.F.logsigmoid):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            y = f(x)
            y.sum().backward()
        assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(np.asarray(x.grad)))
        x.grad = None


def test_argument_errors_name_the_value():
    with pytest.raises(ValueError, match="approximate.*'exact'"):
        A.gelu(bp.tensor(X), "exact")
    with pytest.raises(ValueError, match="min_val"):
        A.hardtanh(bp.tensor(X), 1.0, -1.0)


NORMS = {
    "layer_norm last axis": (lambda x, w, b: N.layer_norm(x, 4, w, b), lambda x, w, b: TF.layer_norm(x, (4,), w, b),
                             [(2, 3, 4), (4,), (4,)]),
    "layer_norm two axes": (lambda x, w, b: N.layer_norm(x, (3, 4), w, b, 1e-3),
                            lambda x, w, b: TF.layer_norm(x, (3, 4), w, b, 1e-3), [(2, 3, 4), (3, 4), (3, 4)]),
    "layer_norm no affine": (lambda x: N.layer_norm(x, (3, 4)), lambda x: TF.layer_norm(x, (3, 4)), [(2, 3, 4)]),
    "group_norm": (lambda x, w, b: N.group_norm(x, 2, w, b), lambda x, w, b: TF.group_norm(x, 2, w, b),
                   [(2, 4, 3), (4,), (4,)]),
    "group_norm 4-D": (lambda x, w, b: N.group_norm(x, 3, w, b, 1e-3),
                       lambda x, w, b: TF.group_norm(x, 3, w, b, 1e-3), [(2, 3, 2, 2), (3,), (3,)]),
    "group_norm no affine": (lambda x: N.group_norm(x, 1), lambda x: TF.group_norm(x, 1), [(2, 4, 3)]),
}


@pytest.mark.parametrize("name", list(NORMS))
def test_normalisation_matches_torch_and_gradchecks(name):
    ours, theirs, shapes = NORMS[name]
    arrays = [RNG.standard_normal(s) for s in shapes]
    assert_matches_torch(ours, theirs, *arrays)
    assert bp.gradcheck(ours, arrays)
    assert bp.gradgradcheck(ours, arrays)


def test_normalisation_shape_errors_name_the_shapes():
    x = bp.tensor(X)
    with pytest.raises(bp.ShapeError, match=r"\(2, 3, 4\).*\(3,\)"):
        N.layer_norm(x, 3)
    with pytest.raises(bp.ShapeError, match="weight has shape"):
        N.layer_norm(x, 4, bp.ones(3))
    with pytest.raises(bp.ShapeError, match="num_groups=2"):
        N.group_norm(x, 2)


def test_layer_norm_formulas_drop_the_affine_terms_when_absent():
    forward, backward = N.LayerNorm.formulas()
    assert "γ" in forward and set(backward) == {"x", "weight", "bias"}
    assert act.Softplus.forward_formula.startswith("y = ln(1 + exp(β·x))")

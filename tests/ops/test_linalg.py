"""bp.linalg: values, first and second derivatives, the identities of the course's matrix-calculus
chapter (§8 of the problem book), errors, and agreement with torch.linalg in float64."""
from functools import partial, reduce

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
from backprop.exceptions import DoubleBackwardError, ShapeError

L = bp.linalg
rng = np.random.default_rng(1234)


def general(*batch, n=3):
    """A well-conditioned random square matrix (batch): random + 3I."""
    return rng.standard_normal(batch + (n, n)) + 3 * np.eye(n)


def spd(*batch, n=3):
    """A symmetric positive-definite matrix (batch): A Aᵀ + n I."""
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def sym(f):
    """f applied to the symmetric part of X: eigvalsh and cholesky read one triangle only, so finite
    differences must move X_ij and X_ji together, as a symmetric perturbation does."""
    return lambda x: f((x + bp.transpose(x, -1, -2)) * 0.5)


def t64(a, requires_grad=True):
    return bp.tensor(np.asarray(a, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


def mT(a):
    return np.swapaxes(a, -1, -2)


# Each case: name, function of the inputs, inputs, NumPy reference value.
CASES = [
    ("inv", L.inv, (general(),), lambda x: np.linalg.inv(x)),
    ("inv batched", L.inv, (general(2),), lambda x: np.linalg.inv(x)),
    ("det", L.det, (general(),), lambda x: np.linalg.det(x)),
    ("det batched", L.det, (general(2, 2, n=2),), lambda x: np.linalg.det(x)),
    ("slogdet", lambda x: L.slogdet(x).logabsdet, (-general(),), lambda x: np.linalg.slogdet(x)[1]),
    ("slogdet batched", lambda x: L.slogdet(x).logabsdet, (general(2),), lambda x: np.linalg.slogdet(x)[1]),
    ("logdet", L.logdet, (spd(),), lambda x: np.log(np.linalg.det(x))),
    ("logdet batched", L.logdet, (spd(2),), lambda x: np.log(np.linalg.det(x))),
    ("trace", L.trace, (general(),), lambda x: np.trace(x)),
    ("trace batched non-square", L.trace, (rng.standard_normal((2, 3, 4)),),
     lambda x: np.trace(x, axis1=-2, axis2=-1)),
    ("solve vector", L.solve, (general(), rng.standard_normal(3)), np.linalg.solve),
    ("solve matrix", L.solve, (general(), rng.standard_normal((3, 2))), np.linalg.solve),
    ("solve batch of vectors", L.solve, (general(2), rng.standard_normal((2, 3))),
     lambda a, b: np.linalg.solve(a, b[..., None])[..., 0]),
    ("solve broadcast", L.solve, (general(2), rng.standard_normal((3, 2))), np.linalg.solve),
    ("norm vector", L.norm, (rng.standard_normal(4),), np.linalg.norm),
    ("norm frobenius", lambda x: L.norm(x, "fro"), (rng.standard_normal((3, 2)),), np.linalg.norm),
    ("norm axis keepdims", lambda x: L.norm(x, 2, axis=1, keepdims=True), (rng.standard_normal((2, 3, 2)),),
     lambda x: np.linalg.norm(x, axis=1, keepdims=True)),
    ("norm fro axes", lambda x: L.norm(x, "fro", axis=(0, 2)), (rng.standard_normal((2, 3, 2)),),
     lambda x: np.linalg.norm(x, axis=(0, 2))),
    ("cholesky", sym(L.cholesky), (spd(),), np.linalg.cholesky),
    ("cholesky batched", sym(L.cholesky), (spd(2),), np.linalg.cholesky),
]
IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, f, inputs, reference", CASES, ids=IDS)
def test_values(name, f, inputs, reference):
    np.testing.assert_allclose(f(*[t64(a, False) for a in inputs]).data, reference(*inputs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name, f, inputs, reference", CASES, ids=IDS)
def test_gradcheck(name, f, inputs, reference):
    assert bp.gradcheck(f, inputs, raise_exception=True)


@pytest.mark.parametrize("name, f, inputs, reference", CASES, ids=IDS)
def test_gradgradcheck(name, f, inputs, reference):
    assert bp.gradgradcheck(f, inputs, raise_exception=True)


def test_eigvalsh_first_order_and_no_second_order():
    x = spd(2)
    np.testing.assert_allclose(L.eigvalsh(t64(x)).data, np.linalg.eigvalsh(x), rtol=1e-12)
    assert bp.gradcheck(sym(L.eigvalsh), (x,), raise_exception=True)
    with pytest.raises(DoubleBackwardError, match="EigvalsH"):
        bp.gradgradcheck(sym(L.eigvalsh), (x,))


def test_eigvalsh_gradient_is_the_eigenvector_outer_product():
    # dλᵢ = vᵢᵀ dX vᵢ: the gradient of the largest eigenvalue is v vᵀ.
    x = spd()
    v = np.linalg.eigh(x)[1][:, -1]
    xt = t64(x)
    L.eigvalsh(xt)[-1].backward()
    np.testing.assert_allclose(xt.grad, np.outer(v, v), atol=1e-12)


# -- the course's identities (problem book §8, cheat sheet 000) --------------------------------------------
def test_det_gradient_is_det_times_inverse_transpose():
    x = general()
    xt = t64(x)
    L.det(xt).backward()
    np.testing.assert_allclose(xt.grad, np.linalg.det(x) * np.linalg.inv(x).T, rtol=1e-12)


def test_det_gradient_pinned_by_hand():
    # det [[a, b], [c, d]] = ad − bc, so ∇ = [[d, −c], [−b, a]].
    xt = t64([[1.0, 2.0], [3.0, 4.0]])
    y = L.det(xt)
    y.backward()
    assert y.item() == pytest.approx(-2.0)
    np.testing.assert_allclose(xt.grad, [[4.0, -3.0], [-2.0, 1.0]], atol=1e-12)


def test_logdet_gradient_is_inverse_for_spd():
    # d ln det X = tr(X⁻¹ dX): ∇ = X⁻ᵀ = X⁻¹ for symmetric X.
    x = spd(n=4)
    for f in (L.logdet, lambda t: L.slogdet(t).logabsdet):
        xt = t64(x)
        f(xt).backward()
        np.testing.assert_allclose(xt.grad, np.linalg.inv(x), rtol=1e-10, atol=1e-12)


def test_inverse_differential():
    # d(X⁻¹) = −X⁻¹ dX X⁻¹: the Jacobian applied to a direction E gives −X⁻¹ E X⁻¹.
    x, e = general(), rng.standard_normal((3, 3))
    jac = bp.jacobian(L.inv, t64(x, False)).data  # shape (3, 3, 3, 3)
    xi = np.linalg.inv(x)
    np.testing.assert_allclose(np.tensordot(jac, e, axes=2), -xi @ e @ xi, rtol=1e-10, atol=1e-12)


def test_trace_gradients():
    # d tr X = tr(I dX); ∇ tr(AXB) = AᵀBᵀ (§8 ex. 3a, A p×m, X m×n, B n×p).
    xt = t64(general())
    L.trace(xt).backward()
    np.testing.assert_array_equal(xt.grad, np.eye(3))
    a, x, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    xt = t64(x)
    L.trace(L.matmul(L.matmul(a, xt), b)).backward()
    np.testing.assert_allclose(xt.grad, a.T @ b.T, rtol=1e-12)


def test_quadratic_form_gradient_and_hessian():
    # ∇ₓ xᵀAx = (A + Aᵀ)x and its Hessian is A + Aᵀ (cheat sheet; §8 ex. 1в).
    a, x = rng.standard_normal((3, 3)), rng.standard_normal(3)
    xt = t64(x)
    (g,) = bp.grad(L.matmul(xt, L.matmul(a, xt)), xt)
    np.testing.assert_allclose(g.data, (a + a.T) @ x, rtol=1e-12)
    h = bp.hessian(lambda v: L.matmul(v, L.matmul(a, v)), t64(x, False))
    np.testing.assert_allclose(h.data, a + a.T, rtol=1e-12)


def test_bilinear_form_gradient_in_the_matrix():
    # ∇_A xᵀAy = xyᵀ (cheat sheet; §8 ex. 3ж).
    x, a, y = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(4)
    at = t64(a)
    (g,) = bp.grad(L.matmul(x, L.matmul(at, y)), at)
    np.testing.assert_allclose(g.data, np.outer(x, y), rtol=1e-12)


def test_gradient_of_a_x_a_x_a_corrects_the_books_slip():
    # §8 ex. 1д: ∇ aᵀXAXa = aaᵀXᵀAᵀ + AᵀXᵀaaᵀ (the book drops a transpose).
    a_vec, a, x = rng.standard_normal(3), rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    xt = t64(x)
    (g,) = bp.grad(L.matmul(a_vec, L.matmul(xt, L.matmul(a, L.matmul(xt, a_vec)))), xt)
    aa = np.outer(a_vec, a_vec)
    np.testing.assert_allclose(g.data, aa @ x.T @ a.T + a.T @ x.T @ aa, rtol=1e-10)


def test_normal_likelihood_is_stationary_at_the_sample_covariance():
    # §8 ex. 7: f(Σ) = −n/2 ln det Σ − ½ Σᵢ (xᵢ − x̄)ᵀ Σ⁻¹ (xᵢ − x̄) is maximised by Σ̂ = (1/n) Σᵢ (xᵢ − x̄)(xᵢ − x̄)ᵀ.
    data = rng.standard_normal((20, 3)) @ rng.standard_normal((3, 3))
    centred = data - data.mean(axis=0)
    sigma_hat = centred.T @ centred / len(data)
    st_ = t64(sigma_hat)
    f = -len(data) / 2 * L.logdet(st_) - 0.5 * L.trace(L.matmul(L.matmul(centred, L.inv(st_)), centred.T))
    (g,) = bp.grad(f, st_)
    np.testing.assert_allclose(g.data, 0, atol=1e-10)


def test_ridge_solution_zeroes_the_gradient_and_the_hessian_is_positive_definite():
    # §8 ex. 5: w = (XᵀX + λI)⁻¹Xᵀy; H = 2XᵀX + 2λI (the book's "+ 2λ" is a slip) is positive definite.
    x, y, lam = rng.standard_normal((10, 3)), rng.standard_normal(10), 0.5
    w = L.solve(t64(x.T @ x + lam * np.eye(3), False), t64(x.T @ y, False))

    def loss(w):
        r = y - L.matmul(x, w)
        return L.matmul(r, r) + lam * L.matmul(w, w)

    wt = t64(w.data)
    (g,) = bp.grad(loss(wt), wt)
    np.testing.assert_allclose(g.data, 0, atol=1e-10)
    h = bp.hessian(loss, wt)
    np.testing.assert_allclose(h.data, 2 * x.T @ x + 2 * lam * np.eye(3), rtol=1e-10)
    assert (L.eigvalsh(h).data > 0).all()
    L.cholesky(h)  # succeeds only for a positive-definite matrix


def test_nearest_symmetric_matrix():
    # §8 ex. 8: ½(A + Aᵀ) minimises ‖X − A‖²_F over symmetric X: the gradient along symmetric X vanishes.
    a = rng.standard_normal((3, 3))
    xt = t64((a + a.T) / 2)
    (g,) = bp.grad(L.norm(sym(lambda s: s)(xt) - a) ** 2, xt)
    np.testing.assert_allclose(g.data, 0, atol=1e-12)
    assert L.norm(t64(a, False) - xt.data).item() ** 2 == pytest.approx(np.sum((a - a.T) ** 2) / 4)


# -- edge cases ----------------------------------------------------------------------------------------
def test_norm_gradient_at_zero_is_zero():
    for f in (L.norm, lambda t: L.norm(t, axis=1)):
        xt = t64(np.zeros((2, 3)))
        f(xt).sum().backward()
        np.testing.assert_array_equal(xt.grad, 0)


def test_norm_gradient_is_unit_vector():
    xt = t64([3.0, 4.0])
    y = L.norm(xt)
    y.backward()
    assert y.item() == 5.0
    np.testing.assert_allclose(xt.grad, [0.6, 0.8])


def test_logdet_of_negative_and_zero_determinant():
    xt = t64([[1.0, 2.0], [3.0, 4.0]])  # det = −2
    y = L.logdet(xt)
    assert np.isnan(y.item())
    y.backward()
    np.testing.assert_array_equal(xt.grad, 0)
    assert L.logdet(t64(np.zeros((2, 2)), False)).item() == -np.inf


def test_slogdet_sign_is_a_constant():
    x = np.array([[[1.0, 2.0], [3.0, 4.0]], [[2.0, 0.0], [0.0, 3.0]]])
    sign, logabsdet = L.slogdet(t64(x))
    np.testing.assert_array_equal(sign.data, [-1.0, 1.0])
    assert not sign.requires_grad and logabsdet.requires_grad
    np.testing.assert_allclose(logabsdet.data, np.log([2.0, 6.0]))


def test_solve_right_hand_side_shapes_follow_torch():
    a = general(2)
    assert L.solve(a, rng.standard_normal(3)).shape == (2, 3)  # one vector, broadcast
    assert L.solve(a, rng.standard_normal((2, 3))).shape == (2, 3)  # a batch of vectors
    assert L.solve(a, rng.standard_normal((3, 1))).shape == (2, 3, 1)  # one matrix, broadcast
    assert L.solve(general(), rng.standard_normal((2, 3, 4))).shape == (2, 3, 4)


def test_float32_stays_float32():
    x = bp.tensor(general().astype(np.float32), requires_grad=True)
    for f in (L.inv, L.det, L.logdet, L.trace, L.norm, L.eigvalsh, L.cholesky, lambda t: L.solve(t, t)):
        y = f(x @ x.T)
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32


@settings(max_examples=15, deadline=None)
@given(batch=st.lists(st.integers(1, 3), max_size=2), n=st.integers(1, 4))
def test_inverse_property(batch, n):
    x = general(*batch, n=n)
    y = L.inv(t64(x, False)).data
    np.testing.assert_allclose(y @ x, np.broadcast_to(np.eye(n), x.shape), atol=1e-10)
    assert bp.gradcheck(L.inv, (x,))


# -- errors --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("f", [L.inv, L.det, L.logdet, L.slogdet, L.eigvalsh, L.cholesky,
                               lambda x: L.solve(x, np.ones(2))])
def test_non_square_names_the_shape(f):
    with pytest.raises(ShapeError, match=r"square.*\(2, 3\)"):
        f(t64(np.ones((2, 3))))


@pytest.mark.parametrize("f, name", [(L.inv, "inv"), (lambda x: L.solve(x, np.ones(2)), "solve")])
def test_singular_matrix_names_the_op(f, name):
    with pytest.raises(np.linalg.LinAlgError, match=f"^{name}: .*singular"):
        f(t64(np.ones((2, 2))))


def test_det_of_singular_matrix_is_zero_but_its_gradient_raises():
    xt = t64(np.ones((2, 2)))
    y = L.det(xt)
    assert y.item() == 0.0
    with pytest.raises(np.linalg.LinAlgError, match="^det: .*singular"):
        y.backward()


def test_cholesky_of_indefinite_matrix():
    with pytest.raises(np.linalg.LinAlgError, match="^cholesky: .*not positive definite"):
        L.cholesky(t64(np.diag([1.0, -1.0])))


def test_solve_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError, match=r"\(3, 3\).*\(4,\)"):
        L.solve(general(), np.ones(4))
    with pytest.raises(ShapeError, match=r"\(2, 3, 3\).*\(4, 3, 1\)"):
        L.solve(general(2), np.ones((4, 3, 1)))


def test_trace_needs_a_matrix():
    with pytest.raises(ShapeError, match=r"trace.*\(3,\)"):
        L.trace(t64(np.ones(3)))


def test_norm_rejects_unsupported_orders():
    with pytest.raises(ValueError, match="ord=1"):
        L.norm(t64(np.ones(3)), 1)
    with pytest.raises(ValueError, match="spectral"):
        L.norm(t64(np.ones((2, 2))), 2)
    with pytest.raises(ShapeError, match="fro"):
        L.norm(t64(np.ones(3)), "fro")
    with pytest.raises(ShapeError, match=r"ord=2.*\(2, 2, 2\)"):
        L.norm(t64(np.ones((2, 2, 2))), 2)


# -- agreement with PyTorch (float64) ------------------------------------------------------------------
TORCH_CASES = [
    ("inv", L.inv, "linalg.inv", (general(2),)),
    ("det", L.det, "linalg.det", (general(2),)),
    ("slogdet", lambda x: L.slogdet(x).logabsdet, lambda t, x: t.linalg.slogdet(x).logabsdet, (-general(2),)),
    ("logdet", L.logdet, "logdet", (spd(2),)),
    ("trace", L.trace, "trace", (rng.standard_normal((3, 4)),)),
    ("solve vector", L.solve, "linalg.solve", (general(2), rng.standard_normal((2, 3)))),
    ("solve matrix", L.solve, "linalg.solve", (general(2), rng.standard_normal((3, 2)))),
    ("norm", L.norm, "linalg.norm", (rng.standard_normal((2, 3, 4)),)),
    ("norm fro", lambda x: L.norm(x, "fro", axis=(0, 1), keepdims=True),
     lambda t, x: t.linalg.norm(x, "fro", dim=(0, 1), keepdim=True), (rng.standard_normal((2, 3, 4)),)),
    ("norm dim", lambda x: L.norm(x, 2, dim=-1), lambda t, x: t.linalg.norm(x, 2, dim=-1),
     (rng.standard_normal((2, 3)),)),
    ("eigvalsh", L.eigvalsh, "linalg.eigvalsh", (spd(2),)),
    ("eigvalsh upper", lambda x: L.eigvalsh(x, "U"), lambda t, x: t.linalg.eigvalsh(x, "U"), (general(),)),
    ("cholesky", L.cholesky, "linalg.cholesky", (spd(2),)),
]


@pytest.mark.parametrize("name, f, torch_f, inputs", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch(name, f, torch_f, inputs):
    torch = pytest.importorskip("torch")
    if isinstance(torch_f, str):  # a dotted name under torch
        torch_f = reduce(getattr, torch_f.split("."), torch)
    else:  # a function of (torch, *inputs)
        torch_f = partial(torch_f, torch)
    ours = [t64(a) for a in inputs]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    y, ty = f(*ours), torch_f(*theirs)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    v = rng.standard_normal(y.shape)
    (y * v).sum().backward()
    (ty * torch.from_numpy(v)).sum().backward()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)

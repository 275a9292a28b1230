"""Higher-order derivatives: create_graph, bp.grad of gradients, bp.jacobian and bp.hessian."""
import numpy as np
import pytest

import backprop as bp


def f64(a, requires_grad=True):
    return bp.tensor(np.asarray(a, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


# -- create_graph ------------------------------------------------------------------------------------
def test_create_graph_leaves_a_tensor_with_a_graph_in_grad():
    x = f64([1.0, 2.0, 3.0])
    (x ** 3).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, bp.Tensor) and g.requires_grad and g.grad_fn is not None
    np.testing.assert_allclose(g.data, 3 * x.data ** 2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)  # d²/dx² x³ = 6x
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_second_derivative_of_x_cubed_with_grad():
    x = f64(np.linspace(-2, 2, 7))
    (g,) = bp.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = bp.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data, atol=1e-12)


def test_third_derivative():
    x = f64([0.5, -1.0, 2.0])
    (g1,) = bp.grad((x ** 4).sum(), x, create_graph=True)
    (g2,) = bp.grad(g1.sum(), x, create_graph=True)
    (g3,) = bp.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.data, 24 * x.data, rtol=1e-12)


def test_create_graph_gradients_accumulate_as_tensors():
    x = f64([1.0, 2.0])
    (x ** 3).sum().backward(create_graph=True)
    (x ** 2).sum().backward(create_graph=True)
    assert isinstance(x.grad, bp.Tensor)
    np.testing.assert_allclose(x.grad.data, 3 * x.data ** 2 + 2 * x.data)
    (h,) = bp.grad(x.grad.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data + 2)


def test_grad_of_a_linear_function_is_a_constant_even_with_create_graph():
    x = f64([1.0, 2.0])
    (g,) = bp.grad((3 * x).sum(), x, create_graph=True)
    assert not g.requires_grad
    np.testing.assert_array_equal(g.data, [3.0, 3.0])


def test_mixed_second_derivative():
    x, y = f64(1.5), f64(-0.5)
    f = x ** 2 * y.exp() + x * y
    gx, gy = bp.grad(f, [x, y], create_graph=True)
    (dxy,) = bp.grad(gx, y)
    (dyx,) = bp.grad(gy, x)
    expected = 2 * 1.5 * np.exp(-0.5) + 1
    np.testing.assert_allclose([dxy.item(), dyx.item()], [expected, expected], rtol=1e-12)


@pytest.mark.parametrize("fn, second", [
    (bp.sigmoid, lambda s, x: s * (1 - s) * (1 - 2 * s)),
    (bp.tanh, lambda t, x: -2 * t * (1 - t * t)),
    (bp.exp, lambda e, x: e),
    (bp.log, lambda _, x: -1 / x ** 2),
])
def test_second_derivatives_against_closed_forms(fn, second):
    x = f64([0.3, 1.2, 2.5])
    (g,) = bp.grad(fn(x).sum(), x, create_graph=True)
    (h,) = bp.grad(g.sum(), x)
    y = fn(x.detach()).data
    np.testing.assert_allclose(h.data, second(y, x.data), rtol=1e-12, atol=1e-14)


# -- jacobian ------------------------------------------------------------------------------------------
def test_jacobian_shape_and_values_of_a_linear_map():
    A = np.arange(12.0).reshape(3, 4)
    x = bp.tensor(np.ones(4), dtype=np.float64)   # need not require grad
    J = bp.jacobian(lambda t: bp.from_numpy(A) @ t, x)
    assert isinstance(J, bp.Tensor) and J.shape == (3, 4)
    np.testing.assert_array_equal(J.data, A)
    assert not x.requires_grad and x.grad is None


def test_jacobian_shape_is_output_shape_plus_input_shape():
    x = bp.tensor(np.arange(6.0).reshape(2, 3), dtype=np.float64)
    J = bp.jacobian(lambda t: (t * t).sum(axis=0), x)
    assert J.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for j in range(3):
        expected[j, :, j] = 2 * x.data[:, j]
    np.testing.assert_allclose(J.data, expected)
    assert bp.jacobian(lambda t: (t * t).sum(), x).shape == (2, 3)   # scalar output: the gradient
    assert bp.jacobian(lambda t: t * 2, np.ones((2, 2))).shape == (2, 2, 2, 2)


def test_jacobian_of_a_function_that_ignores_x_is_zero():
    J = bp.jacobian(lambda t: bp.ones(2, dtype=np.float64), np.ones(3))
    assert J.shape == (2, 3)
    np.testing.assert_array_equal(J.data, 0.0)


def test_jacobian_of_softmax_is_diag_s_minus_s_sT():
    z = np.array([1.0, -0.5, 2.0, 0.25])
    s = np.exp(z - z.max())
    s /= s.sum()
    J = bp.jacobian(bp.softmax, z)
    np.testing.assert_allclose(J.data, np.diag(s) - np.outer(s, s), atol=1e-15)


def test_vector_chain_rule_with_the_jacobian():
    # the course: ∇ₓz = J(y, x)ᵀ ∇_y z
    x = f64([0.3, -1.0, 2.0])
    W = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    y_of = lambda t: (bp.from_numpy(W) @ t).tanh()
    z_of = lambda y: (y * y).sum()
    J = bp.jacobian(y_of, x.detach()).data
    y = y_of(x.detach())
    grad_y = 2 * y.data
    z_of(y_of(x)).backward()
    np.testing.assert_allclose(x.grad, J.T @ grad_y, rtol=1e-12)


def test_jacobian_agrees_with_torch():
    torch = pytest.importorskip("torch")
    from torch.autograd.functional import jacobian as torch_jacobian

    x = np.random.default_rng(1).standard_normal((2, 3))

    def f(lib, t):
        return lib.sigmoid(t @ t.T) * t.sum()

    ours = bp.jacobian(lambda t: f(bp, t), x)
    theirs = torch_jacobian(lambda t: f(torch, t), torch.tensor(x))
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-14)


# -- hessian ---------------------------------------------------------------------------------------
def test_hessian_of_least_squares_is_2_XtX():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal(8)
    w = rng.standard_normal(3)
    H = bp.hessian(lambda w: ((bp.from_numpy(X) @ w - y) ** 2).sum(), w)
    assert H.shape == (3, 3) and H.dtype == np.float64
    np.testing.assert_allclose(H.data, 2 * X.T @ X, rtol=0, atol=1e-10)
    # positive definite, as the matrix-calculus chapter asks to check
    assert np.all(np.linalg.eigvalsh(H.data) > 0)


def test_hessian_shape_is_input_shape_twice():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    H = bp.hessian(lambda t: (t ** 3).sum(), x)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(H.data.reshape(4, 4), np.diag(6 * x.ravel()))


def test_hessian_needs_a_scalar_function():
    with pytest.raises(ValueError, match=r"scalar.*\(3,\)"):
        bp.hessian(lambda t: t * t, np.ones(3))


def test_hessian_leaves_x_alone():
    x = f64([1.0, 2.0])
    bp.hessian(lambda t: (t ** 3).sum(), x)
    assert x.grad is None and x.is_leaf


def test_hessian_of_a_function_that_does_not_depend_on_x_is_zero():
    w = f64([1.0, 2.0])
    for f in (lambda t: bp.tensor(3.0, dtype=np.float64), lambda t: (w * w).sum(), lambda t: t.sum() * 2):
        H = bp.hessian(f, np.ones(2))
        assert H.shape == (2, 2)
        np.testing.assert_array_equal(H.data, 0.0)


def test_hessian_vector_product_and_its_derivative():
    x = f64([1.0, 2.0, 3.0])
    v = f64([1.0, 0.0, -1.0])
    (g,) = bp.grad((x ** 3).sum(), x, create_graph=True)
    (hv,) = bp.grad(g, x, grad_outputs=v, create_graph=True)   # H v with H = diag(6x)
    np.testing.assert_allclose(hv.data, 6 * x.data * v.data)
    (dv,) = bp.grad(hv.sum(), v)                                 # d(1ᵀ H v)/dv = H 1
    np.testing.assert_allclose(dv.data, 6 * x.data)


def test_hessian_agrees_with_torch():
    torch = pytest.importorskip("torch")
    from torch.autograd.functional import hessian as torch_hessian

    x = np.random.default_rng(2).standard_normal(4)
    A = np.random.default_rng(3).standard_normal((4, 4))

    def f(lib, t):
        u = (torch.from_numpy(A) if lib is torch else bp.from_numpy(A)) @ t
        return lib.log(1 + lib.exp(u)).sum() + (lib.tanh(t) * t).sum()

    ours = bp.hessian(lambda t: f(bp, t), x)
    theirs = torch_hessian(lambda t: f(torch, t), torch.tensor(x))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12, atol=1e-14)

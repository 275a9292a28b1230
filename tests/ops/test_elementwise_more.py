"""clone, log1p, sign, std, norm, prod, cumsum, //, %, all, any, isnan, isinf: PyTorch's values and
gradients, gradchecks to second order, and the Tensor methods."""
import numpy as np
import pytest

import backprop as bp

X = np.array([[1.5, -2.0, 0.5, 3.0], [-0.7, 1.2, 2.5, -1.1], [0.9, -0.4, 1.7, 2.2]])
ZEROS = np.array([[1.5, 0.0, 0.5, 3.0], [-0.7, 1.2, 0.0, 0.0], [0.9, -0.4, 1.7, 2.2]])
TIES = np.array([[1.0, -3.0, 3.0, 2.0], [0.0, 0.0, 0.0, 0.0], [4.0, -4.0, 1.0, 4.0]])

# name -> (function of a tensor, valid for both libraries; input)
DIFFERENTIABLE = {
    "clone": (lambda t: t.clone(), X),
    "log1p": (lambda t: t.log1p(), np.abs(X)),
    "sign": (lambda t: t.sign(), X),
    "std": (lambda t: t.std(), X),
    "std dim 1": (lambda t: t.std(1), X),
    "std dim 0 correction 0 keepdim": (lambda t: t.std(0, correction=0, keepdim=True), X),
    "norm": (lambda t: t.norm(), X),
    "norm fro dim": (lambda t: t.norm("fro", dim=1), X),
    "norm 2 dim 0 keepdim": (lambda t: t.norm(2, 0, True), X),
    "norm 1": (lambda t: t.norm(1), X),
    "norm 1 dim 1": (lambda t: t.norm(1, 1), X),
    "norm inf": (lambda t: t.norm(float("inf")), X),
    "norm inf dim 1": (lambda t: t.norm(float("inf"), 1), X),
    "prod": (lambda t: t.prod(), X),
    "prod dim 1": (lambda t: t.prod(1), X),
    "prod dim 0 keepdim": (lambda t: t.prod(0, True), X),
    "prod with zeros": (lambda t: t.prod(), ZEROS),
    "prod with zeros dim 1": (lambda t: t.prod(1), ZEROS),
    "prod with zeros dim -2": (lambda t: t.prod(-2), ZEROS),
    "cumsum 0": (lambda t: t.cumsum(0), X),
    "cumsum -1": (lambda t: t.cumsum(-1), X),
}


def _pair(x):
    torch = pytest.importorskip("torch")
    return (bp.tensor(x, dtype=np.float64, requires_grad=True),
            torch.tensor(x, dtype=torch.float64, requires_grad=True))


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") and not isinstance(t, bp.Tensor) else np.asarray(t.data)


@pytest.mark.parametrize("name", list(DIFFERENTIABLE))
def test_values_and_gradients_match_pytorch(name):
    f, x = DIFFERENTIABLE[name]
    ours, theirs = _pair(x)
    a, b = f(ours), f(theirs)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12, atol=1e-12)
    weights = np.arange(1.0, 1.0 + a.data.size).reshape(a.shape)
    (a * bp.tensor(weights)).sum().backward()
    (b * b.new_tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", [n for n in DIFFERENTIABLE if n != "sign"])
def test_gradcheck_and_gradgradcheck(name):
    f, x = DIFFERENTIABLE[name]
    assert bp.gradcheck(lambda t: f(t), [x])
    assert bp.gradgradcheck(lambda t: f(t), [x])


def test_sign_has_a_zero_gradient_that_flows():
    x = bp.tensor(X, requires_grad=True)
    y = x.sign()
    assert y.requires_grad
    (y * x).sum().backward()
    np.testing.assert_array_equal(x.grad, np.sign(X))


@pytest.mark.parametrize("p", [2, "fro", 1, float("inf")])
def test_norm_of_zeros_and_ties_has_pytorchs_gradient(p):
    for x in (np.zeros((2, 3)), TIES):
        ours, theirs = _pair(x)
        ours.norm(p).backward()
        theirs.norm(p).backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)
        ours, theirs = _pair(x)
        ours.norm(p, dim=1).sum().backward()
        theirs.norm(p, dim=1).sum().backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_norm_is_of_the_flattened_tensor_not_a_matrix_norm():
    torch = pytest.importorskip("torch")
    for p in (1, 2, float("inf")):
        assert np.isclose(bp.norm(bp.tensor(X), p).item(), torch.norm(torch.tensor(X), p).item())
    with pytest.raises(ValueError, match="p=3"):
        bp.norm(bp.tensor(X), 3)


def test_clone_shares_no_memory():
    x = bp.tensor(X)
    y = bp.clone(x)
    y.data[0, 0] = 100.0
    assert x.data[0, 0] == 1.5


def test_prod_gradient_with_two_zeros_and_one_zero():
    x = bp.tensor([2.0, 0.0, 3.0, 0.0], requires_grad=True)
    bp.prod(x).backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 0.0])
    x = bp.tensor([2.0, 0.0, 3.0, 4.0], requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 24.0, 0.0, 0.0])


INTS = np.array([[7, -7, 5, -5], [0, 3, -3, 9]])
DIVISORS = np.array([2, 2, -3, -3])
FLOATS = np.array([[7.5, -7.5, 5.25, -5.25], [0.0, 3.0, -3.0, 9.1]])


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_floor_divide_and_remainder_match_pytorch_and_python(dtype):
    torch = pytest.importorskip("torch")
    a = (INTS if dtype == "int64" else FLOATS).astype(dtype)
    ours, theirs = bp.tensor(a, dtype=a.dtype), torch.tensor(a)
    for other in (DIVISORS.astype(dtype), 2, -3):
        o_ours = bp.tensor(other, dtype=other.dtype) if isinstance(other, np.ndarray) else other
        o_theirs = torch.tensor(other) if isinstance(other, np.ndarray) else other
        np.testing.assert_allclose((ours // o_ours).numpy(), (theirs // o_theirs).numpy())
        np.testing.assert_allclose((ours % o_ours).numpy(), (theirs % o_theirs).numpy())
        np.testing.assert_allclose(bp.floor_divide(ours, o_ours).numpy(), torch.floor_divide(theirs, o_theirs).numpy())
        np.testing.assert_allclose(bp.remainder(ours, o_ours).numpy(), torch.remainder(theirs, o_theirs).numpy())
    np.testing.assert_allclose((7 // ours[:, 1:]).numpy(), (7 // theirs[:, 1:]).numpy())
    np.testing.assert_allclose((7 % ours[:, 1:]).numpy(), (7 % theirs[:, 1:]).numpy())


def test_floor_divide_and_remainder_record_no_gradient():
    x = bp.tensor(FLOATS, requires_grad=True)
    assert not (x // 2).requires_grad and not (x % 3).requires_grad


def test_logical_reductions_and_tests_match_pytorch():
    torch = pytest.importorskip("torch")
    a = np.array([[1.0, np.nan, 0.0], [np.inf, -np.inf, 2.0], [1.0, 1.0, 1.0]])
    ours, theirs = bp.tensor(a, dtype=np.float64, requires_grad=True), torch.tensor(a)
    calls = [lambda t: t.all(), lambda t: t.any(), lambda t: t.all(1), lambda t: t.any(0),
             lambda t: t.all(dim=0, keepdim=True), lambda t: t.any(dim=-1, keepdim=True),
             lambda t: t.isnan(), lambda t: t.isinf(), lambda t: (t == 0).any(1), lambda t: (t == 0).all()]
    for f in calls:
        r, s = f(ours), f(theirs)
        assert r.dtype == np.bool_ and not r.requires_grad and r.shape == tuple(s.shape)
        np.testing.assert_array_equal(r.numpy(), s.numpy())
    np.testing.assert_array_equal(bp.isnan(ours).numpy(), torch.isnan(theirs).numpy())
    np.testing.assert_array_equal(bp.isinf(ours).numpy(), torch.isinf(theirs).numpy())
    assert bp.all(ours, 1).shape == (3,) and bp.any(ours).item() is True


def test_functions_match_methods():
    x = bp.tensor(X)
    pairs = [(bp.std(x, 1), x.std(1)), (bp.norm(x, 1), x.norm(1)), (bp.prod(x, 0), x.prod(0)),
             (bp.cumsum(x, 0), x.cumsum(0)), (bp.log1p(abs(x)), abs(x).log1p()), (bp.sign(x), x.sign())]
    for a, b in pairs:
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_cumsum_of_a_0d_tensor_is_itself():
    x = bp.tensor(3.0, requires_grad=True)
    y = x.cumsum(0)
    assert y.shape == () and y.item() == 3.0
    y.backward()
    assert x.grad == 1.0

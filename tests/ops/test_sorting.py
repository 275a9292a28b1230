"""max/min along a dim with indices, sort, argsort, topk: PyTorch's results, gradients and errors."""
import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")

TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 0.0, 5.0, 5.0], [4.0, 4.0, 4.0, 4.0]])


def _pair(lib, x, requires_grad=True):
    if lib == "bp":
        return bp.tensor(x, dtype=np.float64, requires_grad=requires_grad)
    return torch.tensor(x, dtype=torch.float64, requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data)


CASES = {
    "max dim 1": lambda t: t.max(1),
    "max dim=0 keepdim": lambda t: t.max(dim=0, keepdim=True),
    "min dim -1": lambda t: t.min(-1),
    "min dim=0": lambda t: t.min(dim=0),
    "sort": lambda t: t.sort(1),
    "sort descending stable": lambda t: t.sort(dim=1, descending=True, stable=True),
    "sort dim 0 stable": lambda t: t.sort(dim=0, stable=True),
    "topk 2": lambda t: t.topk(2),
    "topk smallest dim 0": lambda t: t.topk(2, dim=0, largest=False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_indices_and_gradients_match_pytorch_ties_included(name):
    ours, theirs = _pair("bp", TIES), _pair("torch", TIES)
    a, b = CASES[name](ours), CASES[name](theirs)
    np.testing.assert_array_equal(_np(a.values), _np(b.values))
    if name.startswith(("max", "min", "sort")):  # topk's order among ties is unspecified in PyTorch
        np.testing.assert_array_equal(_np(a.indices), _np(b.indices))
    assert a.indices.dtype == np.int64 and a.values is a[0] and a.indices is a[1]
    weights = np.arange(1.0, 1.0 + a.values.data.size).reshape(a.values.shape)
    (a.values * bp.tensor(weights, dtype=np.float64)).sum().backward()
    (b.values * torch.tensor(weights)).sum().backward()
    if name.startswith(("max", "min", "sort")):
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    else:
        np.testing.assert_array_equal(np.sort(ours.grad.numpy().ravel()), np.sort(theirs.grad.numpy().ravel()))


def test_the_users_habit_max_1_gives_class_indices_for_any_batch():
    for n in (1, 2, 3, 7):
        logits = bp.randn(n, 5)
        _, pred = logits.max(1)
        np.testing.assert_array_equal(pred.numpy(), np.argmax(logits.numpy(), 1))
        _, pred = bp.max(logits, dim=1)
        assert pred.dtype == np.int64 and pred.shape == (n,)


def test_without_dim_and_amax_the_ties_share_the_gradient():
    x = bp.tensor(TIES, dtype=np.float64, requires_grad=True)
    x.max().backward()
    t = torch.tensor(TIES, requires_grad=True)
    t.max().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy())
    for f, g in ((lambda v: v.amax(1), lambda v: torch.amax(v, 1)),
                 (lambda v: bp.amin(v, (0, 1)), lambda v: torch.amin(v, (0, 1))),
                 (lambda v: v.amax(dim=0, keepdim=True), lambda v: torch.amax(v, 0, True))):
        x, t = _pair("bp", TIES), _pair("torch", TIES)
        f(x).sum().backward()
        g(t).sum().backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy())


def test_numpys_names_act_as_pytorchs():
    x = bp.tensor(TIES)
    a, b = x.max(axis=1, keepdims=True), x.max(dim=1, keepdim=True)
    np.testing.assert_array_equal(a.values.numpy(), b.values.numpy())
    np.testing.assert_array_equal(a.indices.numpy(), b.indices.numpy())
    assert a.indices.shape == (3, 1)


def test_argsort_and_errors():
    x = bp.tensor(TIES)
    t = torch.tensor(TIES)
    np.testing.assert_array_equal(bp.argsort(x, dim=1, stable=True).numpy(),
                                  torch.argsort(t, dim=1, stable=True).numpy())
    with pytest.raises(TypeError, match="amax"):
        x.max((0, 1))
    with pytest.raises(IndexError, match="out of range"):
        x.max(2)
    with pytest.raises(RuntimeError, match="k \\(5\\)"):
        x.topk(5)


@pytest.mark.parametrize("f", [lambda t: t.max(1).values, lambda t: t.min(0, keepdim=True).values,
                               lambda t: t.sort(1, descending=True).values, lambda t: t.topk(2, 0).values])
def test_gradcheck_first_and_second_order(f):
    x = np.random.default_rng(0).standard_normal((3, 4))  # distinct values: the selection is locally fixed
    assert bp.gradcheck(lambda t: f(t) ** 2, [x])
    assert bp.gradgradcheck(lambda t: f(t) ** 2, [x])


@pytest.mark.parametrize("take", [lambda x: x.max(1), lambda x: x.min(1, keepdim=True), lambda x: x.sort(1),
                                  lambda x: x.topk(2, 1)])
def test_changing_the_returned_indices_leaves_the_gradient_where_the_values_came_from(take):
    x = bp.tensor(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 6.0]]), requires_grad=True)
    values, indices = take(x)
    expected = indices.data.copy()
    indices += 1  # the caller's own array: the graph keeps its copy
    values.sum().backward()
    want = np.zeros_like(x.data)
    np.put_along_axis(want, expected.reshape(2, -1), 1.0, 1)
    np.testing.assert_array_equal(x.grad.data, want)

"""masked_fill, repeat, gather, scatter_add, index_select, einsum, one_hot, flip, chunk, unbind:
PyTorch's values and gradients (repeated indices included), gradchecks to second order, method forms."""
import numpy as np
import pytest

import backprop as bp
from backprop.ops import indexing as I

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
IDX = np.array([[0, 2, 2, 1], [1, 1, 0, 0]])           # repeated indices along dim 0 (size 3)
IDX1 = np.array([[3, 3, 0], [1, 2, 1], [0, 0, 0]])     # along dim 1 (size 4), smaller than x in dim 1
SRC0, SRC1 = RNG.standard_normal((2, 4)), RNG.standard_normal((3, 3))  # index's shapes (torch's backward needs it)
MASK = np.array([True, False, True, False])
A, B, C = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal((4,))

# name: (function of (lib, tensors...), inputs); lib is bp or torch, and each function uses both spellings.
CASES = {
    "masked_fill": (lambda L, x: x.masked_fill(L.tensor(MASK), -1.5), [X]),
    "masked_fill fn column mask": (lambda L, x: L.masked_fill(x, L.tensor(MASK[:3, None]), 2.0), [X]),
    "repeat": (lambda L, x: x.repeat(2, 1, 3), [X]),
    "repeat same ndim": (lambda L, x: x.repeat((2, 2)), [X]),
    "gather dim 0": (lambda L, x: x.gather(0, L.tensor(IDX)), [X]),
    "gather dim 1 smaller": (lambda L, x: L.gather(x, 1, L.tensor(IDX1)), [X]),
    "gather dim -1": (lambda L, x: x.gather(-1, L.tensor(IDX1)), [X]),
    "scatter_add dim 0": (lambda L, x, s: L.scatter_add(x, 0, L.tensor(IDX), s), [X, SRC0]),
    "scatter_add dim 1": (lambda L, x, s: x.scatter_add(1, L.tensor(IDX1), s), [X, SRC1]),
    "index_select dim 0": (lambda L, x: x.index_select(0, L.tensor([2, 0, 2, 2])), [X]),
    "index_select dim 1": (lambda L, x: L.index_select(x, 1, L.tensor([3, 3, 1])), [X]),
    "einsum matmul": (lambda L, a, b: L.einsum("ij,jk->ik", a, b), [A, B]),
    "einsum three": (lambda L, a, b, c: L.einsum("ij,jk,k->i", a, b, c), [A, B, C]),
    "einsum implicit": (lambda L, a, b: L.einsum("ij,jk", a, b), [A, B]),
    "einsum outer": (lambda L, a, c: L.einsum("ij,k->ikj", a, c), [A, C]),
    "einsum sum over own index": (lambda L, a, b: L.einsum("ij,kl->ik", a, b), [A, B]),
    "einsum transpose": (lambda L, a: L.einsum("ij->ji", a), [A]),
    "einsum total": (lambda L, a: L.einsum("ij->", a), [A]),
    "einsum list": (lambda L, a, b: L.einsum("ij,jk->ik", [a, b]), [A, B]),
    "flip": (lambda L, x: x.flip((0, 1)), [X]),
    "flip fn -1": (lambda L, x: L.flip(x, [-1]), [X]),
    "chunk": (lambda L, x: L.stack([c.sum() * (i + 1) for i, c in enumerate(x.chunk(3, 1))]),
              [RNG.standard_normal((2, 7))]),
    "chunk fn": (lambda L, x: L.cat(L.chunk(x, 2)[::-1], 0), [RNG.standard_normal((5, 2))]),
    "unbind": (lambda L, x: L.stack([t * (i + 1) for i, t in enumerate(x.unbind(1))]), [X]),
    "unbind fn": (lambda L, x: L.stack(L.unbind(x)[::-1]), [X]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_values_and_gradients_match_pytorch(name):
    torch = pytest.importorskip("torch")
    f, inputs = CASES[name]
    ours = [bp.tensor(a, dtype=np.float64, requires_grad=True) for a in inputs]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in inputs]
    y, z = f(bp, *ours), f(torch, *theirs)
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert y.shape == tuple(z.shape)
    weights = np.arange(1.0, 1.0 + y.detach().numpy().size).reshape(y.shape)
    (y * bp.tensor(weights)).sum().backward()
    (z * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_gradcheck_and_gradgradcheck(name):
    f, inputs = CASES[name]
    g = (lambda *t: f(bp, *t) * f(bp, *t).tanh())
    assert bp.gradcheck(lambda *t: f(bp, *t), list(inputs))
    assert bp.gradgradcheck(g, list(inputs))


def test_one_hot_matches_pytorch():
    torch = pytest.importorskip("torch")
    t = np.array([[0, 3], [1, 1]])
    for kw in ({}, {"num_classes": 6}):
        ours = bp.nn.functional.one_hot(bp.tensor(t), **kw)
        theirs = torch.nn.functional.one_hot(torch.tensor(t), **kw)
        assert ours.dtype == np.int64 and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    with pytest.raises(RuntimeError):
        bp.nn.functional.one_hot(bp.tensor([0, 4]), num_classes=3)


def test_chunk_sizes_follow_pytorch():
    torch = pytest.importorskip("torch")
    for n in (0, 1, 5, 6, 7, 13):
        for chunks in (1, 2, 3, 4, 6):
            ours = bp.arange(n).chunk(chunks)
            theirs = torch.arange(n).chunk(chunks)
            assert [tuple(c.shape) for c in ours] == [tuple(c.shape) for c in theirs], (n, chunks)


def test_unbind_and_chunk_return_tuples():
    x = bp.tensor(X)
    assert isinstance(x.unbind(), tuple) and len(x.unbind()) == 3 and x.unbind()[1].shape == (4,)
    assert isinstance(bp.chunk(x, 2, dim=1), tuple)


def test_scatter_add_uses_only_the_part_of_a_larger_src_that_index_covers():
    x = bp.tensor(X, dtype=np.float64, requires_grad=True)
    src = bp.tensor(np.ones((3, 5)), dtype=np.float64, requires_grad=True)
    y = x.scatter_add(0, bp.tensor(IDX), src)
    expected = X.copy()
    np.add.at(expected, (IDX, np.arange(4)[None, :]), 1.0)
    np.testing.assert_allclose(y.detach().numpy(), expected)
    y.sum().backward()
    np.testing.assert_array_equal(src.grad, np.pad(np.ones((2, 4)), ((0, 1), (0, 1))))
    np.testing.assert_array_equal(x.grad, np.ones((3, 4)))


def test_repeated_indices_accumulate_in_the_gradient():
    x = bp.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.index_select(0, bp.tensor([1, 1, 1, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 3.0, 0.0])


def test_clear_errors():
    x = bp.tensor(X, requires_grad=True)
    with pytest.raises(NotImplementedError, match="repeated index"):
        bp.einsum("ii->i", bp.tensor(np.eye(3)))
    with pytest.raises(NotImplementedError, match="ellipsis"):
        bp.einsum("...i->i", x)
    with pytest.raises(bp.ShapeError):
        bp.einsum("ijk->i", x)
    with pytest.raises(TypeError, match="integer"):
        x.gather(0, bp.tensor([[0.0]]))
    with pytest.raises(bp.ShapeError):
        x.gather(0, bp.tensor([0, 1]))
    with pytest.raises(IndexError):
        x.gather(0, bp.tensor([[5]]))
    with pytest.raises(RuntimeError):
        x.repeat(2)
    with pytest.raises(TypeError, match="bool"):
        x.masked_fill(bp.tensor([1, 0, 1, 0]), 0.0)


def test_dispatch_scatter_add_helper_is_untouched():
    out = bp.ops.dispatch.scatter_add(np.ones(3), np.array([0, 0, 2]), (4,))
    np.testing.assert_array_equal(out, [2.0, 0.0, 1.0, 0.0])
    assert I.scatter_add is not bp.ops.dispatch.scatter_add

"""Compare a backprop function with its PyTorch counterpart in float64: the output and the gradient of
every input, for a random upstream gradient (so no two outputs' gradients can cancel unnoticed)."""
import numpy as np
import pytest

import backprop as bp

TOLERANCE = 1e-10


def assert_matches_torch(ours, theirs, *arrays, tol=TOLERANCE, seed=0):
    """``ours(*bp tensors)`` and ``theirs(*torch tensors)`` give the same output and input gradients.

    Each function may return a Tensor or a tuple whose first item is the differentiable output.
    """
    torch = pytest.importorskip("torch")
    mine = [bp.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    them = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    y, z = ours(*mine), theirs(*them)
    y, z = (y[0], z[0]) if isinstance(y, tuple) else (y, z)
    np.testing.assert_allclose(y.data, z.detach().numpy(), rtol=tol, atol=tol)
    upstream = np.random.default_rng(seed).standard_normal(y.shape)
    (y * bp.tensor(upstream, dtype=np.float64)).sum().backward()
    (z * torch.tensor(upstream)).sum().backward()
    for i, (a, b) in enumerate(zip(mine, them)):
        if b.grad is None:
            assert a.grad is None or not np.any(np.asarray(a.grad)), f"input {i}: torch gives no gradient"
            continue
        np.testing.assert_allclose(np.asarray(a.grad), b.grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"gradient of input {i}")


def assert_module_matches_torch(ours, theirs, *arrays, tol=TOLERANCE, seed=0):
    """A backprop module and a torch module with the same parameters (copied from ours into theirs)
    give the same output, input gradients and parameter gradients; returns the two modules."""
    torch = pytest.importorskip("torch")
    theirs = theirs.double()
    theirs.load_state_dict({k: torch.tensor(np.asarray(v.data)) for k, v in ours.state_dict().items()})
    assert_matches_torch(ours, theirs, *arrays, tol=tol, seed=seed)
    params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(np.asarray(p.grad), params[name].grad.numpy(), rtol=tol, atol=tol,
                                   err_msg=f"gradient of {name}")
    return ours, theirs

"""The shared op test case: one call checks an op's forward value, gradients and second derivatives.

Usage, for any function of Tensors (ops, layers, losses)::

    from tests.ops._harness import arrays, case, check_op

    check_op(bp.exp, arrays((3, 4)), np.exp)                       # one check

    @pytest.mark.parametrize("case", [                              # a table of checks
        case("exp", bp.exp, arrays((3, 4)), np.exp),
        case("log", bp.log, arrays((3, 4), domain="positive"), np.log),
    ])
    def test_op(case):
        case.check()

:func:`check_op` runs, on float64 inputs:

1. forward: ``fn(*tensors)`` equals ``reference(*arrays)`` (when a reference is given);
2. ``bp.gradcheck``: backpropagated gradients equal central finite differences;
3. ``bp.gradgradcheck`` (or, with ``double_backward=False``, that differentiating twice raises
   ``DoubleBackwardError``);
4. "array mode == Tensor mode": the first-order gradients of the fast path (``backward()`` on NumPy
   arrays, filling ``.grad``) equal those recorded with ``create_graph=True`` (``bp.grad``, Tensors).
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import DoubleBackwardError

# Each domain draws values where the op is smooth and finite differences are reliable.
_DOMAINS = {
    "real": lambda rng, shape: rng.standard_normal(shape),
    "positive": lambda rng, shape: rng.uniform(0.5, 2.0, shape),
    "unit": lambda rng, shape: rng.uniform(0.1, 0.9, shape),  # inside (0, 1): logit's domain
    # |x| ≥ 0.2: away from the kinks of abs, relu, sign and from a zero denominator
    "nonzero": lambda rng, shape: rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape),
}


def arrays(*shapes, domain="real", seed=0):
    """Float64 test inputs, one array per shape, drawn reproducibly from ``domain``.

    Parameters
    ----------
    *shapes : tuple of int
        One shape per array; ``()`` gives a 0-d array.
    domain : {"real", "positive", "unit", "nonzero"}, default "real"
        "real": standard normal; "positive": uniform on [0.5, 2]; "unit": uniform on [0.1, 0.9];
        "nonzero": |x| uniform on [0.2, 2] with a random sign.
    seed : int, default 0

    Returns
    -------
    list of numpy.ndarray
    """
    if domain not in _DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; choose one of {sorted(_DOMAINS)}")
    rng = np.random.default_rng(seed)
    return [np.asarray(_DOMAINS[domain](rng, shape), dtype=np.float64) for shape in shapes]


def _leaves(inputs):
    """Fresh float64 leaves for float arrays (copied, so checks never share state); others as given."""
    out = []
    for x in inputs:
        if isinstance(x, np.ndarray) and x.dtype.kind == "f":
            out.append(bp.tensor(x, dtype=np.float64, requires_grad=True))
        else:
            out.append(x)
    return out


def _raw(inputs):
    return [x.data if isinstance(x, bp.Tensor) else x for x in inputs]


def check_forward(fn, inputs, reference, rtol=1e-10, atol=1e-12):
    """Assert that ``fn(*tensors)`` has the shape and values of ``reference(*arrays)``; return the output."""
    out = fn(*_leaves(inputs))
    expected = np.asarray(reference(*_raw(inputs)))
    assert out.shape == expected.shape, f"forward shape {out.shape}, reference shape {expected.shape}"
    np.testing.assert_allclose(out.data, expected, rtol=rtol, atol=atol, err_msg="forward value")
    return out


def check_array_vs_tensor_mode(fn, inputs, seed=0, rtol=1e-12, atol=1e-12):
    """Assert that the first-order gradients are the same on the fast path and in graph mode.

    Fast path: ``out.backward(v)`` fills each leaf's ``.grad`` with a NumPy array of its shape.
    Graph mode: ``bp.grad(out, leaves, v, create_graph=True)`` returns Tensors.
    """
    leaves = _leaves(inputs)
    wrt = [x for x in leaves if isinstance(x, bp.Tensor) and x.requires_grad]
    out = fn(*leaves)
    if not out.requires_grad:
        return
    v = np.random.default_rng(seed).standard_normal(out.shape)
    recorded = bp.grad(out, wrt, v, create_graph=True, allow_unused=True)
    fn(*leaves).backward(v)
    for i, (x, g) in enumerate(zip(wrt, recorded)):
        if x.grad is None:
            assert g is None, f"input {i}: graph mode gives a gradient, the fast path none"
            continue
        assert type(x.grad) is bp.Tensor and x.grad.grad_fn is None, f"input {i}: .grad must be a plain Tensor"
        assert x.grad.shape == x.shape and x.grad.dtype == x.dtype, f"input {i}: .grad shape/dtype"
        assert isinstance(g, bp.Tensor), f"input {i}: create_graph=True must give Tensors"
        np.testing.assert_allclose(g.data, x.grad, rtol=rtol, atol=atol,
                                   err_msg=f"input {i}: array mode != Tensor mode")


def check_op(fn, inputs, reference=None, *, double_backward=True, eps=1e-6, atol=1e-5, rtol=1e-3,
             forward_rtol=1e-10, forward_atol=1e-12, seed=0):
    """Run the whole op test case on ``fn`` (forward, gradcheck, gradgradcheck, array == Tensor mode).

    Parameters
    ----------
    fn : callable
        Takes one argument per input (float arrays arrive as float64 Tensors that require grad,
        anything else as given) and returns a Tensor.
    inputs : sequence
        The arguments: float arrays are differentiated; integer arrays, numbers, Tensors that do
        not require grad etc. are constants.
    reference : callable, optional
        Takes the same arguments as NumPy arrays and returns the expected forward value.
    double_backward : bool, default True
        True: run ``bp.gradgradcheck``. False: the op declares no second derivative, so assert that
        differentiating twice raises ``DoubleBackwardError``.
    eps, atol, rtol : float
        Finite-difference step and tolerances of ``gradcheck``/``gradgradcheck``.
    forward_rtol, forward_atol : float
        Tolerances of the forward comparison with ``reference``.
    seed : int
        Seed of the random projection vectors.

    Returns
    -------
    Tensor
        The forward output (float64).
    """
    inputs = list(inputs)
    out = (check_forward(fn, inputs, reference, forward_rtol, forward_atol) if reference is not None
           else fn(*_leaves(inputs)))
    tol = {"eps": eps, "atol": atol, "rtol": rtol, "seed": seed}
    report = bp.gradcheck(fn, _leaves(inputs), **tol)
    assert report, f"gradcheck failed:\n{report}"
    if double_backward:
        report = bp.gradgradcheck(fn, _leaves(inputs), **tol)
        assert report, f"gradgradcheck failed:\n{report}"
    else:
        with pytest.raises(DoubleBackwardError):
            bp.gradgradcheck(fn, _leaves(inputs), **tol)
    check_array_vs_tensor_mode(fn, inputs, seed)
    return out


@dataclass(frozen=True)
class OpCase:
    """One row of an op table: the arguments of :func:`check_op`, checked by :meth:`check`."""

    fn: Callable
    inputs: Sequence[Any]
    reference: Callable | None = None
    options: dict = field(default_factory=dict)

    def check(self):
        return check_op(self.fn, self.inputs, self.reference, **self.options)


def case(id, fn, inputs, reference=None, **options):
    """A ``pytest.param`` holding an :class:`OpCase` with test id ``id``, for ``parametrize("case", …)``.

    ``options`` are :func:`check_op`'s keyword arguments (``double_backward``, tolerances).
    """
    return pytest.param(OpCase(fn, inputs, reference, options), id=id)


def closed_form_second_derivative(fn, x, expected):
    """Assert that d²/dx² Σ fn(x) (elementwise fn) equals ``expected(x)``, via grad of grad."""
    t = bp.tensor(x, dtype=np.float64, requires_grad=True)
    (g,) = bp.grad(fn(t).sum(), t, create_graph=True)
    (gg,) = bp.grad(g.sum(), t)
    np.testing.assert_allclose(gg.data, expected(t.data), rtol=1e-10, atol=1e-12)

"""Checking backpropagated gradients against central finite differences, in float64."""
import numpy as np

from ..exceptions import GradcheckError
from .engine import grad
from .grad_mode import enable_grad
from .tensor import Tensor


class GradcheckReport:
    """The outcome of :func:`gradcheck`: per input, the largest absolute and relative error.

    True (in ``if`` and ``assert``) when every input passes ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
    """

    def __init__(self, rows, atol, rtol):
        self.rows = rows  # (name, shape, max_abs_error, max_rel_error, passed)
        self.atol, self.rtol = atol, rtol

    @property
    def ok(self):
        return all(r[4] for r in self.rows)

    def __bool__(self):
        return self.ok

    def __str__(self):
        lines = [f"{'input':<10}{'shape':<16}{'max abs err':>14}{'max rel err':>14}  ok"]
        for name, shape, a, r, ok in self.rows:
            lines.append(f"{name:<10}{str(shape):<16}{a:>14.3e}{r:>14.3e}  {'yes' if ok else 'NO'}")
        return "\n".join(lines)

    __repr__ = __str__


def _as_inputs(inputs):
    inputs = (inputs,) if isinstance(inputs, (Tensor, np.ndarray)) else tuple(inputs)
    out = []
    for x in inputs:
        if isinstance(x, Tensor) and not x.requires_grad:
            out.append(x)  # a constant argument
        elif isinstance(x, Tensor) or (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
            data = x.data if isinstance(x, Tensor) else x
            out.append(Tensor._make(np.array(data, dtype=np.float64), None).requires_grad_(True))
        else:
            out.append(x)
    return out


def central_differences(value, array, eps, indices=None):
    """(value() at x + ε·eⱼ − value() at x − ε·eⱼ) / 2ε for each flat index j of ``array``.

    ``array`` (contiguous) is perturbed in place, one element at a time, and restored; ``value`` reads it.
    ``indices`` picks the elements (all of them by default). Returns a 1-D float64 array.
    """
    flat = array.reshape(-1)  # a view of a contiguous array, so writes reach ``array``
    indices = range(flat.size) if indices is None else indices
    out = np.empty(len(indices))
    for k, j in enumerate(indices):
        old = flat[j]
        flat[j] = old + eps
        hi = value()
        flat[j] = old - eps
        lo = value()
        flat[j] = old
        out[k] = (hi - lo) / (2 * eps)
    return out


def _scalar(f, xs, v):
    out = f(*xs)
    return out, (out * v).sum() if v is not None else out.sum()


def gradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False, seed=0):
    """Compare backprop's gradient of ``f`` with central finite differences, in float64.

    ``f(*inputs)`` returns a Tensor; the check projects it on a fixed random vector v and compares
    ∂(v·f)/∂x from one backward pass with (v·f(x + ε) − v·f(x − ε)) / 2ε, element by element.
    Float inputs (Tensors that require grad, or float arrays) are converted to float64 and checked;
    other arguments are passed through as constants.

    Returns a :class:`GradcheckReport`; with ``raise_exception=True`` a failing check raises
    :class:`~backprop.exceptions.GradcheckError` carrying the report.
    """
    xs = _as_inputs(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    with enable_grad():
        out = f(*xs)
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.shape) if out.data.size > 1 else None

    def value():
        with enable_grad():
            return float(_scalar(f, xs, v)[1].data)

    with enable_grad():
        s = _scalar(f, xs, v)[1]
        wrt = [xs[i] for i in checked]
        analytic = grad(s, wrt, allow_unused=True) if s.requires_grad else [None] * len(wrt)
    rows = []
    for i, a in zip(checked, analytic):
        x = xs[i]
        a = np.zeros_like(x.data) if a is None else np.asarray(a.data, dtype=np.float64)
        numeric = central_differences(value, x.data, eps).reshape(x.shape)
        diff = np.abs(a - numeric)
        passed = bool(np.all(diff <= atol + rtol * np.abs(numeric)))
        max_abs = float(diff.max()) if diff.size else 0.0
        max_rel = float((diff / np.maximum(np.abs(numeric), 1e-12)).max()) if diff.size else 0.0
        rows.append((f"input {i}", x.shape, max_abs, max_rel, passed))
    report = GradcheckReport(rows, atol, rtol)
    if raise_exception and not report.ok:
        raise GradcheckError(f"gradients disagree with finite differences:\n{report}")
    return report


def gradgradcheck(f, inputs, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=False, seed=0):
    """Check second derivatives: gradcheck of x ↦ ∂(v·f)/∂x computed with ``create_graph=True``."""
    xs = _as_inputs(inputs)
    checked = [i for i, x in enumerate(xs) if isinstance(x, Tensor) and x.requires_grad]
    with enable_grad():
        out = f(*xs)
    rng = np.random.default_rng(seed + 1)
    v = rng.standard_normal(out.shape)
    # gradcheck projects its function's output on a random vector; projecting the gradients on
    # random vectors w here, and adding, is that projection of all the gradients side by side.
    w = [rng.standard_normal(xs[i].shape) for i in checked]

    def first_derivatives(*args):
        with enable_grad():
            s = (f(*args) * v).sum()
            wrt = [args[i] for i in checked]
            gs = grad(s, wrt, create_graph=True, allow_unused=True) if s.requires_grad else []
            terms = [(g * wi).sum() for g, wi in zip(gs, w) if g is not None]
            if not terms:
                return Tensor._make(np.zeros(()), None)
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            return total

    return gradcheck(first_derivatives, xs, eps, atol, rtol, raise_exception, seed)

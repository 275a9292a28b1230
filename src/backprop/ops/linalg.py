"""Matrix products and linear algebra, with the gradients of the matrix-calculus chapter.

Each gradient comes from a differential (the course, §8): write dY in terms of dX, rewrite
dL = tr(Ȳᵀ dY) with the trace trick as tr(X̄ᵀ dX), and read off the gradient X̄ = ∂L/∂X. The backward
formulas write the gradients Ȳ and X̄ as dY and dX, like the course's dW = Xᵀ dZ.

Every op works on the last two axes, so a batch (..., n, n) is a stack of matrices, as in NumPy and
PyTorch. Backward formulas use saved inputs and outputs only, so they are differentiable again,
except eigvalsh's (see :class:`EigvalsH`). The public functions are in ``backprop.linalg``.
"""
import numpy as np

from ..autograd.function import Function
from ..exceptions import ShapeError
from . import _gemm
from . import dispatch as D
from ._operands import check_same_float_dtype
from ._doc import documents
from .reduce import _Reduction, _kept_shape


class MatMul(Function):
    """C = A @ B (1-D, 2-D or batched operands, as ``np.matmul``).

    The minibatch formulas of the course (Z = X·W: dX = dZ·Wᵀ, dW = Xᵀ·dZ): dA = dC @ Bᵀ, dB = Aᵀ @ dC.
    Batch axes broadcast; a 1-D operand is a row (on the left) or a column (on the right) vector,
    so at a call with a 1-D operand the formulas become their vector forms (an outer product).
    """

    forward_formula = "C = A @ B"
    backward_formulas = {"a": "dA = dC @ Bᵀ", "b": "dB = Aᵀ @ dC"}

    @classmethod
    def formulas(cls, ctx=None):
        """The vector forms for 1-D operands: B a vector, dA = outer(dC, B); A a vector, dB = outer(A, dC);
        both (a dot product), dA = dC·B and dB = dC·A."""
        if ctx is None:
            return super().formulas(ctx)
        a_vec, b_vec = ctx.vectors
        if a_vec and b_vec:
            return "c = A · B", {"a": "dA = dC·B", "b": "dB = dC·A"}
        return cls.forward_formula, {"a": "dA = outer(dC, B)" if b_vec else "dA = dC @ Bᵀ",
                                     "b": "dB = outer(A, dC)" if a_vec else "dB = Aᵀ @ dC"}

    @staticmethod
    def forward(ctx, a, b):
        if a.dtype is not b.dtype:
            check_same_float_dtype("matmul", a, b, names=("first operand", "second operand"))
        ctx.save(a=a, b=b)
        ctx.vectors = (a.ndim == 1, b.ndim == 1)
        return _gemm.matmul(a, b)

    @staticmethod
    def backward(ctx, dz):
        nx, nw = ctx.needs_input_grad
        x, w = ctx.a, ctx.b
        x_vec, w_vec = x.ndim == 1, w.ndim == 1
        # w first: for vector · vector, dz is 0-d and becomes (1,) here, then (1, 1) below.
        if w_vec:
            w, dz = D.reshape(w, w.shape + (1,)), D.expand_dims(dz, -1)
        if x_vec:
            x, dz = D.reshape(x, (1,) + x.shape), D.expand_dims(dz, -2)
        dx = D.matmul(dz, D.swapaxes(w, -1, -2)) if nx else None
        dw = D.matmul(D.swapaxes(x, -1, -2), dz) if nw else None
        if x_vec and dx is not None:
            dx = dx[..., 0, :]
        if w_vec and dw is not None:
            dw = dw[..., 0]
        return dx, dw


@documents(MatMul)
def matmul(x, w):
    """The matrix product X @ W; a shape mismatch names both shapes and what disagrees."""
    try:
        return MatMul.apply(x, w)
    except ValueError:
        xs, ws = np.shape(D.raw(x)), np.shape(D.raw(w))
        inner_x = xs[-1] if xs else None
        inner_w = (ws[0] if len(ws) == 1 else ws[-2]) if ws else None
        if inner_x is not None and inner_x == inner_w:
            reason = f"their batch axes {xs[:-2]} and {ws[:-2]} cannot be broadcast together"
        else:
            reason = (f"X's last axis ({inner_x}) must equal W's "
                      f"{'first' if len(ws) == 1 else 'second-to-last'} axis ({inner_w})")
        raise ShapeError(f"matmul: X has shape {xs} but W has shape {ws}: {reason}") from None


# -- helpers shared by the ops below ------------------------------------------------------------
def _mT(x):
    """The matrix transpose of the last two axes (Xᵀ for each matrix of a batch)."""
    return D.swapaxes(x, -1, -2)


def _as_matrix_scalar(s):
    """A scalar per matrix, shape (...,), as shape (..., 1, 1) so it scales whole matrices."""
    return D.reshape(s, tuple(s.shape) + (1, 1))


def solve_array(a, b):
    """A⁻¹B on arrays, B a matrix (..., n, k). B gets at least A's number of axes, because NumPy before
    2.0 would read a B of shape (n, k) beside a batch of A's (..., n, n) as a stack of vectors."""
    if b.ndim < a.ndim:
        b = b.reshape((1,) * (a.ndim - b.ndim) + b.shape)
    return np.linalg.solve(a, b)


def _check_square(name, x):
    shape = np.shape(x)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise ShapeError(f"{name}: expected a square matrix or a batch of them, shape (..., n, n), "
                         f"but got shape {shape}")


def _lapack(name, problem, routine, *args):
    """Run a NumPy linear-algebra routine; if it refuses the matrix, say which op and why."""
    try:
        return routine(*args)
    except np.linalg.LinAlgError as e:
        raise np.linalg.LinAlgError(f"{name}: {problem} (NumPy: {e})") from None


def _inv_t(name, x):
    """X⁻ᵀ for a gradient formula; a singular X is reported under the op's own name."""
    try:
        return _mT(D.inv(x))
    except np.linalg.LinAlgError:
        raise np.linalg.LinAlgError(
            f"{name}: the gradient needs X⁻¹, but X is singular (det X = 0)") from None


# -- inverse, determinant, trace ----------------------------------------------------------------
class Inv(Function):
    """Y = X⁻¹ for a square matrix X, or each matrix of a batch (..., n, n).

    From X⁻¹X = I: d(X⁻¹) X + X⁻¹ dX = 0, so d(X⁻¹) = −X⁻¹ dX X⁻¹ (the course, §8 ex. 2a).
    Then tr(Ȳᵀ d(X⁻¹)) = tr((−X⁻ᵀ Ȳ X⁻ᵀ)ᵀ dX), so X̄ = −X⁻ᵀ Ȳ X⁻ᵀ = −Yᵀ Ȳ Yᵀ.
    """

    forward_formula = "Y = X⁻¹"
    backward_formulas = {"x": "dX = −Yᵀ · dY · Yᵀ"}

    @staticmethod
    def forward(ctx, x):
        _check_square("inv", x)
        y = _lapack("inv", "the matrix is singular, so it has no inverse", np.linalg.inv, x)
        ctx.save(y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        yt = _mT(ctx.y)
        return -D.matmul(D.matmul(yt, dy), yt)


class Det(Function):
    """y = det X for a square matrix X, or each matrix of a batch (..., n, n).

    Expanding det X along a row gives d(det X) = tr(det X · X⁻¹ dX), so ∇ det X = det X · X⁻ᵀ
    (the course, §8 ex. 2б) and X̄ = ȳ · det X · X⁻ᵀ. PyTorch also differentiates det at a singular
    X (through the adjugate); here the gradient needs X⁻¹ and a singular X raises ``LinAlgError``.
    """

    forward_formula = "y = det X"
    backward_formulas = {"x": "dX = dy · y · X⁻ᵀ"}

    @staticmethod
    def forward(ctx, x):
        _check_square("det", x)
        y = np.asarray(np.linalg.det(x))
        ctx.save(x=x, y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        return _as_matrix_scalar(dy * ctx.y) * _inv_t("det", ctx.x)


class LogAbsDet(Function):
    """y = ln |det X|, the differentiable half of :func:`slogdet`.

    d ln|det X| = d(det X) / det X = tr(X⁻¹ dX), so X̄ = ȳ · X⁻ᵀ (the course, §8 ex. 3в and the
    normal likelihood of ex. 7, where X = Σ is symmetric and X⁻ᵀ = Σ⁻¹).
    """

    forward_formula = "y = ln |det X|"
    backward_formulas = {"x": "dX = dy · X⁻ᵀ"}

    @staticmethod
    def forward(ctx, x):
        _check_square("slogdet", x)
        ctx.save(x=x)
        return np.asarray(np.linalg.slogdet(x)[1])

    @staticmethod
    def backward(ctx, dy):
        return _as_matrix_scalar(dy) * _inv_t("slogdet", ctx.x)


class LogDet(Function):
    """y = ln det X: NaN where det X < 0 and −∞ where det X = 0, as ``torch.logdet``.

    X̄ = ȳ · X⁻ᵀ where det X > 0 (see :class:`LogAbsDet`); where ln det X is NaN the gradient is 0,
    as in PyTorch.
    """

    forward_formula = "y = ln det X"
    backward_formulas = {"x": "dX = dy · X⁻ᵀ  (0 where det X < 0)"}

    @staticmethod
    def forward(ctx, x):
        _check_square("logdet", x)
        sign, logabsdet = np.linalg.slogdet(x)
        ctx.save(x=x, negative=np.asarray(sign < 0))
        return np.asarray(np.where(sign < 0, np.nan, logabsdet)).astype(logabsdet.dtype, copy=False)

    @staticmethod
    def backward(ctx, dy):
        dy = D.where(ctx.negative, 0.0, dy)
        return _as_matrix_scalar(dy) * _inv_t("logdet", ctx.x)


class Trace(Function):
    """y = tr X = Σᵢ Xᵢᵢ over the last two axes (the main diagonal; X may be non-square).

    d(tr X) = tr(I dX) (the course, §8 ex. 2в), so X̄ = ȳ · I.
    """

    forward_formula = "y = tr X"
    backward_formulas = {"x": "dX = dy · I"}

    @staticmethod
    def forward(ctx, x):
        if np.ndim(x) < 2:
            raise ShapeError(f"trace: expected a matrix or a batch of them, shape (..., m, n), "
                             f"but got shape {np.shape(x)}")
        ctx.eye = np.eye(*np.shape(x)[-2:], dtype=np.result_type(x))
        return np.asarray(np.trace(x, axis1=-2, axis2=-1))

    @staticmethod
    def backward(ctx, dy):
        return _as_matrix_scalar(dy) * ctx.eye


# -- linear systems and norms -------------------------------------------------------------------
class Solve(Function):
    """X = A⁻¹B, the solution of AX = B for a square A (..., n, n), without forming A⁻¹.

    From AX = B: dA X + A dX = dB, so dX = A⁻¹(dB − dA X), and tr(X̄ᵀ dX) gives the gradients
    B̄ = A⁻ᵀ X̄ (one more solve, with Aᵀ) and Ā = −B̄ Xᵀ.
    B is a vector, or a batch of vectors (..., n), when it is 1-D or has exactly A's shape without the
    last axis (``torch.linalg.solve``'s rule); otherwise it is a matrix (..., n, k). Batch axes broadcast.
    """

    forward_formula = "X = A⁻¹ B"
    backward_formulas = {"a": "dA = −(A⁻ᵀ · dX) · Xᵀ", "b": "dB = A⁻ᵀ · dX"}

    @staticmethod
    def forward(ctx, a, b):
        _check_square("solve", a)
        a, b = np.asarray(a), np.asarray(b)
        ctx.vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
        bm = b[..., None] if ctx.vector else b
        try:
            if bm.ndim < 2 or bm.shape[-2] != a.shape[-1]:
                raise ValueError
            np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        except ValueError:
            n = a.shape[-1]
            raise ShapeError(f"solve: A has shape {a.shape} but B has shape {b.shape}: B must be (..., {n}) "
                             f"or (..., {n}, k) with batch axes that broadcast with A's") from None
        x = _lapack("solve", "A is singular, so AX = B has no unique solution", solve_array, a, bm)
        out = x[..., 0] if ctx.vector else x
        ctx.save(a=a, x=out)
        return out

    @staticmethod
    def backward(ctx, dx):
        na, nb = ctx.needs_input_grad
        a, x = ctx.a, ctx.x
        if ctx.vector:
            x, dx = D.expand_dims(x, -1), D.expand_dims(dx, -1)
        db = D.solve(_mT(a), dx)
        da = -D.matmul(db, _mT(x)) if na else None
        if ctx.vector:
            db = db[..., 0]
        return da, (db if nb else None)


class Norm(_Reduction):
    """y = ‖x‖₂ = √(Σ x²) over ``axes``: the vector 2-norm, or the Frobenius norm of matrices.

    dy = xᵀdx / ‖x‖, so x̄ = ȳ · x / y. At x = 0 the norm has no derivative; the gradient there is 0,
    the subgradient PyTorch picks.
    """

    forward_formula = "y = √(Σ x²)"
    backward_formulas = {"x": "dx = dy · x / y  (0 where y = 0)"}

    @staticmethod
    def forward(ctx, x, *, axes, keepdims):
        ctx.axes = axes
        ctx.kept_shape = _kept_shape(np.shape(x), axes)
        y = np.asarray(np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdims)))
        ctx.save(x=x, y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        y = D.reshape(ctx.y, ctx.kept_shape)
        # x = 0 wherever y = 0, so any finite divisor gives the 0 gradient there without a 0/0.
        return ctx.x * (D.reshape(dy, ctx.kept_shape) / D.where(D.raw(y) == 0, 1.0, y))


# -- decompositions of symmetric matrices ------------------------------------------------------
class EigvalsH(Function):
    """λ = the eigenvalues of a symmetric matrix X (..., n, n), in ascending order.

    With X = V diag(λ) Vᵀ, V orthogonal: dλᵢ = vᵢᵀ dX vᵢ, so X̄ = V diag(λ̄) Vᵀ.
    Only the triangle named by ``UPLO`` is read and the gradient is this symmetric matrix, both as
    in PyTorch. The eigenvectors V are a float intermediate without a differentiable form here, so
    there are no second derivatives (``DoubleBackwardError``).
    """

    forward_formula = "X = V diag(λ) Vᵀ"
    backward_formulas = {"x": "dX = V · diag(dλ) · Vᵀ"}
    supports_double_backward = False

    @staticmethod
    def forward(ctx, x, *, UPLO):
        _check_square("eigvalsh", x)
        lam, v = _lapack("eigvalsh", "the eigenvalue iteration did not converge", np.linalg.eigh, x, UPLO)
        # x itself is not needed, but saving it ties the engine's DoubleBackwardBarrier to X, so that
        # differentiating the gradient raises instead of finding no path back to X.
        ctx.save(v=v, x=x)
        return lam

    @staticmethod
    def backward(ctx, dlam):
        v = ctx.v
        return (v * dlam[..., None, :]) @ np.swapaxes(v, -1, -2)


class Cholesky(Function):
    """L, lower triangular with a positive diagonal, such that X = L Lᵀ (X symmetric, positive definite).

    From dX = dL Lᵀ + L dLᵀ: L⁻¹ dX L⁻ᵀ = M + Mᵀ with M = L⁻¹ dL lower triangular, so
    dL = L Φ(L⁻¹ dX L⁻ᵀ), where Φ keeps the lower triangle and halves the diagonal. Transposing this
    map (Murray 2016, PyTorch's ``cholesky_backward``): with P = Φ(Lᵀ L̄), X̄ = L⁻ᵀ · ½(P + Pᵀ) · L⁻¹.
    Only the lower triangle of X is read; the gradient is symmetric, as in PyTorch.
    """

    forward_formula = "X = L Lᵀ"
    backward_formulas = {"x": "dX = L⁻ᵀ · ½(P + Pᵀ) · L⁻¹  with P = Φ(Lᵀ · dL)"}

    @staticmethod
    def forward(ctx, x):
        _check_square("cholesky", x)
        lower = _lapack("cholesky", "the matrix is not positive definite", np.linalg.cholesky, x)
        n = lower.shape[-1]
        ctx.phi = np.tril(np.ones((n, n), lower.dtype)) - 0.5 * np.eye(n, dtype=lower.dtype)
        ctx.save(lower=lower)
        return lower

    @staticmethod
    def backward(ctx, dlower):
        lower = ctx.lower
        p = D.matmul(_mT(lower), dlower) * ctx.phi
        inv_lower = D.inv(lower)
        return D.matmul(D.matmul(_mT(inv_lower), (p + _mT(p)) * 0.5), inv_lower)


"""``bp.linalg``: linear algebra with the gradients of the matrix-calculus chapter (the course, §8).

The names, arguments and results follow ``torch.linalg`` (``logdet`` and ``trace`` are ``torch.logdet``
and ``torch.trace``). Each function is one op of :mod:`backprop.ops.linalg`, whose docstring derives
its gradient. The matrix functions take a batch (..., n, n) as a stack of matrices. A non-square matrix
raises ``ShapeError`` naming its shape; a singular one (or, for ``cholesky``, one that is not positive
definite) raises ``numpy.linalg.LinAlgError`` naming the function.
"""
from collections import namedtuple

import numpy as np

from .autograd.tensor import Tensor
from .exceptions import ShapeError
from .ops import dispatch as D
from .ops.linalg import Cholesky, Det, EigvalsH, Inv, LogAbsDet, LogDet, Norm, Solve, Trace, matmul
from .ops.reduce import _norm_axis
from .ops.shape import _axis_arg

__all__ = ["cholesky", "det", "eigvalsh", "inv", "logdet", "matmul", "norm", "slogdet", "solve", "trace"]

SlogdetResult = namedtuple("SlogdetResult", "sign logabsdet")


def inv(x):
    """The inverse X⁻¹ of a square matrix, or of each matrix of a batch.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)

    Returns
    -------
    Tensor, shape (..., n, n)

    Examples
    --------
    >>> import backprop as bp
    >>> bp.linalg.inv(bp.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    """
    return Inv.apply(x)


def det(x):
    """The determinant det X of a square matrix, or of each matrix of a batch.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)

    Returns
    -------
    Tensor, shape (...)
    """
    return Det.apply(x)


def slogdet(x):
    """The sign and the logarithm of the absolute value of det X, as ``torch.linalg.slogdet``.

    ln|det X| does not overflow where det X would. Only ``logabsdet`` is differentiable
    (d ln|det X| = tr(X⁻¹ dX)); ``sign`` (−1, 0 or 1) is a constant.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)

    Returns
    -------
    SlogdetResult
        The named pair ``(sign, logabsdet)``, Tensors of shape (...), with det X = sign · exp(logabsdet).
    """
    logabsdet = LogAbsDet.apply(x)
    # An op returns one array, so the constant sign comes from a second factorisation.
    return SlogdetResult(Tensor.wrap(np.linalg.slogdet(D.raw(x))[0]), logabsdet)


def logdet(x):
    """ln det X, as ``torch.logdet``: NaN where det X < 0, −∞ where det X = 0.

    For a symmetric positive-definite X (a covariance Σ), d ln det X = tr(X⁻¹ dX): the gradient is X⁻¹.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)

    Returns
    -------
    Tensor, shape (...)
    """
    return LogDet.apply(x)


def trace(x):
    """The trace tr X = Σᵢ Xᵢᵢ of the last two axes.

    Unlike ``torch.trace``, which takes 2-D input only, a batch (..., m, n) gives one trace per matrix.

    Parameters
    ----------
    x : Tensor, shape (..., m, n)

    Returns
    -------
    Tensor, shape (...)
    """
    return Trace.apply(x)


def solve(A, B):
    """The solution X = A⁻¹B of the linear system AX = B, as ``torch.linalg.solve``.

    Parameters
    ----------
    A : Tensor, shape (..., n, n)
    B : Tensor, shape (..., n) or (..., n, k)
        A batch of vectors when B is 1-D or B.shape == A.shape[:-1]; otherwise a batch of matrices.

    Returns
    -------
    Tensor, B's shape (batch axes broadcast with A's)
    """
    return Solve.apply(A, B)


def norm(x, ord=None, axis=None, keepdims=False, *, dim=None, keepdim=None):
    """The vector 2-norm or the Frobenius norm, as ``torch.linalg.norm``.

    Parameters
    ----------
    x : Tensor
    ord : {None, 2, 'fro'}, default None
        None: the 2-norm √(Σ x²) over ``axis`` (all elements when ``axis`` is None, which is the
        Frobenius norm of a matrix). 2: the vector 2-norm, over one axis. 'fro': the Frobenius norm,
        over two axes. The other norms of PyTorch (ord=1, ∞, the spectral ord=2 of a matrix, the
        nuclear norm) are not provided. Unlike PyTorch, ord=None accepts any number of axes.
    axis : int or tuple of ints, optional
        The axes to reduce; ``dim`` is PyTorch's name for it.
    keepdims : bool, default False
        Keep the reduced axes with length 1; ``keepdim`` is PyTorch's name for it.

    Returns
    -------
    Tensor, x's shape without the reduced axes

    Examples
    --------
    >>> import backprop as bp
    >>> bp.linalg.norm(bp.tensor([3.0, 4.0]))
    tensor(5.)
    """
    axis = _axis_arg(axis, dim)
    keepdims = keepdims if keepdim is None else keepdim
    shape = np.shape(D.raw(x))
    if ord is not None and ord != 2 and ord != "fro":
        raise ValueError(f"norm: ord={ord!r} is not supported: use None or 2 (the vector 2-norm) "
                         "or 'fro' (the Frobenius norm)")
    axes = _norm_axis(axis, len(shape))
    if ord == "fro" and len(axes) != 2:
        raise ShapeError(f"norm: ord='fro' is a matrix norm: it needs a 2-D input or two axes, "
                         f"but got shape {shape} with axis={axis}")
    if ord == 2 and len(axes) == 2:
        raise ValueError("norm: ord=2 of a matrix is the spectral norm (the largest singular value), "
                         "which is not supported: use ord=None or 'fro' for the Frobenius norm")
    if ord == 2 and len(axes) != 1:
        raise ShapeError(f"norm: ord=2 is a vector norm: it needs a 1-D input or one axis, "
                         f"but got shape {shape} with axis={axis}")
    return Norm.apply(x, axes=axes, keepdims=bool(keepdims))


def eigvalsh(x, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending, as ``torch.linalg.eigvalsh``.

    A Hessian is positive definite when all of them are positive (the check the course asks for after
    finding H = 2XᵀX). First derivatives only.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)
    UPLO : {'L', 'U'}, default 'L'
        Which triangle of ``x`` is read; the other is taken to mirror it.

    Returns
    -------
    Tensor, shape (..., n)
    """
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigvalsh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return EigvalsH.apply(x, UPLO=UPLO)


def cholesky(x):
    """The Cholesky factor L of a symmetric positive-definite X = L Lᵀ, as ``torch.linalg.cholesky``.

    Raises ``numpy.linalg.LinAlgError`` when X is not positive definite,
    which makes it a test of positive definiteness.

    Parameters
    ----------
    x : Tensor, shape (..., n, n)
        Only its lower triangle is read.

    Returns
    -------
    Tensor, shape (..., n, n), lower triangular
    """
    return Cholesky.apply(x)

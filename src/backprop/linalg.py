"""``bp.linalg``: linear algebra with gradients from the matrix-calculus chapter."""
from .ops.linalg import matmul  # noqa: F401

"""The fully connected layer, and the shape-only layers ``Identity``, ``Flatten`` and ``Unflatten``."""
import math

import numpy as np

from ..autograd.factory import zeros
from ..exceptions import ShapeError
from ..ops.shape import flatten, reshape
from . import functional as F
from . import init
from ._args import int_arg, int_sizes
from .module import Module, Parameter


class Linear(Module):
    r"""A fully connected layer: Z = X·Wᵀ + b (PyTorch's ``nn.Linear``, same weight layout).

    The weight has shape (out_features, in_features), as in PyTorch, so state dicts can be
    exchanged with it. The course writes the layer as Z = X·W with W of shape (in, out): our W is
    its transpose. The gradients, for a minibatch X (N, in) and dZ = ∂L/∂Z (N, out)::

        dL/dW = dZᵀ·X      (out, in)   — the lecture's Xᵀ·dZ, transposed like W
        dL/dX = dZ·W       (N, in)     — the lecture's dZ·Wᵀ
        dL/db = Σₙ dZₙ     (out,)

    The layer is one fused op (``backprop.ops.layers.Linear``), so a trace shows these formulas.

    Parameters
    ----------
    in_features : int
        Size of each input row (the number of features).
    out_features : int
        Size of each output row (the number of neurons).
    bias : bool, default True
        Learn an additive bias b.
    dtype : numpy dtype, optional
        The parameters' dtype (default: ``bp.get_default_dtype()``).

    Attributes
    ----------
    weight : Parameter, shape (out_features, in_features)
        Initialised from U(−1/√in_features, 1/√in_features): PyTorch's ``kaiming_uniform_(a=√5)``,
        which is the course's U(±1/√n_in).
    bias : Parameter, shape (out_features,), or None
        Initialised from U(−1/√in_features, 1/√in_features).

    Shape
    -----
    Input (..., in_features); output (..., out_features). A wrong input width raises
    :class:`~backprop.exceptions.ShapeError` naming both sizes.

    Examples
    --------
    >>> import backprop as bp
    >>> layer = bp.nn.Linear(3, 2)
    >>> layer(bp.zeros(4, 3)).shape
    (4, 2)
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        self.in_features = int_arg("Linear", "in_features", in_features)
        self.out_features = int_arg("Linear", "out_features", out_features)
        self.weight = Parameter(zeros(out_features, in_features, dtype=dtype))
        self.bias = Parameter(zeros(out_features, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights and bias from U(±1/√in_features) (seeded by ``bp.manual_seed``)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Identity(Module):
    """Returns its input unchanged (a placeholder, e.g. to switch a layer off); any arguments are ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Flatten(Module):
    """Merges axes ``start_dim`` … ``end_dim`` into one: (N, C, L) → (N, C·L) with the defaults.

    Parameters
    ----------
    start_dim : int, default 1
        The first axis to merge (axis 0, the batch, is kept).
    end_dim : int, default -1

    As PyTorch, a dim outside [-ndim, ndim - 1] raises IndexError and ``start_dim`` after ``end_dim``
    raises RuntimeError (a 0-d input counts as 1-d); non-integer dims raise TypeError when the layer is built.
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = int_arg("Flatten", "start_dim", start_dim, minimum=None)
        self.end_dim = int_arg("Flatten", "end_dim", end_dim, minimum=None)

    def forward(self, input):
        return flatten(input, self.start_dim, self.end_dim)  # which checks the dims against the input

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Splits axis ``dim`` into ``unflattened_size``: (N, 12) → (N, 3, 4) with ``Unflatten(1, (3, 4))``,
    the inverse of :class:`Flatten` (PyTorch's ``nn.Unflatten``; one entry may be -1).

    Parameters
    ----------
    dim : int
    unflattened_size : tuple of int
        Its product must equal the size of axis ``dim``.

    As PyTorch, a ``dim`` outside the input's axes raises IndexError. Sizes below -1, or -1 twice, raise
    ValueError when the layer is built (PyTorch waits for the first input).
    """

    def __init__(self, dim, unflattened_size):
        super().__init__()
        self.dim = int_arg("Unflatten", "dim", dim, minimum=None)
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(f"Unflatten: unflattened_size must be a tuple of ints, got {unflattened_size!r}")
        self.unflattened_size = int_sizes("Unflatten", "unflattened_size", unflattened_size, minimum=None)
        if min(self.unflattened_size, default=0) < -1 or self.unflattened_size.count(-1) > 1:
            raise ValueError(f"Unflatten: unflattened_size must hold sizes >= 0 and at most one -1, "
                             f"got {unflattened_size!r}")

    def forward(self, input):
        shape = tuple(input.shape)
        if not -len(shape) <= self.dim < len(shape):
            raise IndexError(f"Unflatten: dim {self.dim} is out of range for an input of shape {shape}")
        d = self.dim % len(shape)
        sizes = self.unflattened_size
        known = int(np.prod([s for s in sizes if s != -1]))
        if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
            raise ShapeError(f"Unflatten: axis {self.dim} of the input (shape {shape}) has size {shape[d]}, "
                             f"which does not split into {sizes}")
        return reshape(input, shape[:d] + sizes + shape[d + 1:])

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"

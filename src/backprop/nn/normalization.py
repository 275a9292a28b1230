"""Layer and group normalisation (PyTorch's ``nn.LayerNorm`` and ``nn.GroupNorm``): statistics per
sample, not per batch, so training and evaluation compute the same thing and batches of one work."""
from ..autograd.factory import ones, zeros
from . import functional as F
from . import init
from ._args import int_arg, int_sizes, real_arg
from .module import Module, Parameter


class LayerNorm(Module):
    r"""Layer normalisation: each sample standardised over its last axes, then scaled and shifted::

        x̂ = (x − μ) / √(σ² + ε),    y = γ ⊙ x̂ + β

    μ and σ² (biased) are the mean and variance over the last ``len(normalized_shape)`` axes of each
    sample; γ and β have ``normalized_shape`` and act elementwise. The gradient is batch norm's, per
    sample: dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε), dx̂ = dy·γ
    (:class:`backprop.ops.normalization.LayerNorm`).

    Parameters
    ----------
    normalized_shape : int or tuple of int
        The trailing shape normalised over, e.g. the feature size of (N, L, features) inputs.
    eps : float, default 1e-5
    elementwise_affine : bool, default True
        Learn γ (``weight``, starts at 1) and β (``bias``, starts at 0).
    bias : bool, default True
        With ``elementwise_affine``, learn β too.
    dtype : numpy dtype, optional

    Attributes
    ----------
    weight, bias : Parameter of shape normalized_shape, or None

    Examples
    --------
    >>> import backprop as bp
    >>> layer = bp.nn.LayerNorm(4)
    >>> layer(bp.randn(2, 3, 4)).shape, layer.weight.shape
    ((2, 3, 4), (4,))
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        self.normalized_shape = int_sizes("LayerNorm", "normalized_shape", normalized_shape)
        self.eps = real_arg("LayerNorm", "eps", eps, 0, open_low=True)
        self.elementwise_affine = elementwise_affine
        self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype)) if elementwise_affine else None
        self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype)) if elementwise_affine and bias else None

    def reset_parameters(self):
        """γ back to ones and β to zeros."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    r"""Group normalisation: the channels of each sample split into groups, each group standardised
    over its channels and positions, then y = γ_c·x̂ + β_c per channel.

    ``num_groups = 1`` normalises each sample over all its channels and positions; ``num_groups =
    num_channels`` each channel separately (instance normalisation, with an affine per channel).

    Parameters
    ----------
    num_groups : int
        Must divide ``num_channels``.
    num_channels : int
    eps : float, default 1e-5
    affine : bool, default True
        Learn γ (``weight``, starts at 1) and β (``bias``, starts at 0), one per channel.
    dtype : numpy dtype, optional

    Shape
    -----
    Input (N, C, *), output the same.
    """

    def __init__(self, num_groups, num_channels, eps=1e-5, affine=True, dtype=None):
        super().__init__()
        self.num_groups = int_arg("GroupNorm", "num_groups", num_groups, 1)
        self.num_channels = int_arg("GroupNorm", "num_channels", num_channels, 1)
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by num_groups "
                             f"({num_groups})")
        self.eps, self.affine = real_arg("GroupNorm", "eps", eps, 0, open_low=True), affine
        self.weight = Parameter(ones(num_channels, dtype=dtype)) if affine else None
        self.bias = Parameter(zeros(num_channels, dtype=dtype)) if affine else None

    def reset_parameters(self):
        """γ back to ones and β to zeros."""
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def forward(self, input):
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"

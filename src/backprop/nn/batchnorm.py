"""Batch normalisation (``BatchNorm1d``, ``BatchNorm2d``): each channel standardised over the minibatch,
scaled and shifted."""
from ..autograd.factory import ones, tensor, zeros
from ..exceptions import ShapeError
from . import functional as F
from . import init
from ._args import int_arg, real_arg
from .module import Module, Parameter


class _BatchNorm(Module):
    """What the batch-norm layers share; each declares the input ranks it takes (``input_dims``)."""

    input_dims, input_form = (), ""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 dtype=None, *, bias=True):
        super().__init__()
        self.num_features = int_arg(type(self).__name__, "num_features", num_features)
        owner = type(self).__name__
        self.eps = real_arg(owner, "eps", eps, 0, open_low=True)  # eps = 0 divides by 0 on a constant channel
        # None: the cumulative average of the batches' statistics (PyTorch's meaning)
        self.momentum = momentum if momentum is None else real_arg(owner, "momentum", momentum, 0, 1)
        self.affine, self.track_running_stats = affine, track_running_stats
        self.weight = Parameter(ones(num_features, dtype=dtype)) if affine else None
        self.bias = Parameter(zeros(num_features, dtype=dtype)) if affine and bias else None
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input):
        shape = input.shape
        if len(shape) not in self.input_dims:
            raise ShapeError(f"{type(self).__name__}: expected {self.input_form} input, got shape {shape}")
        if shape[1] != self.num_features:
            raise ShapeError(f"{type(self).__name__}: input has {shape[1]} channels (shape {shape}) "
                             f"but the layer expects {self.num_features}")
        momentum = self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.add_(1)
            if momentum is None:  # the cumulative average: the n-th batch gets weight 1/n
                momentum = 1.0 / int(self.num_batches_tracked.data)
        # Without running statistics (track_running_stats=False) the batch's are used in evaluation too.
        use_batch_stats = self.training or self.running_mean is None
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch_stats, momentum, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    r"""Batch normalisation over a minibatch of shape (N, C) or (N, C, L), per channel C (PyTorch's layer).

    ::

        x̂ = (x − μ) / √(σ² + ε),    y = γ · x̂ + β

    In training, μ and σ² are the batch mean and biased variance of each channel (over N, and L),
    and the running statistics are updated: running ← (1 − momentum)·running + momentum·batch,
    with the *unbiased* batch variance for ``running_var`` (as PyTorch). In evaluation
    (``model.eval()``) the running statistics replace the batch's, so one example can be processed
    alone. The backward pass (the course's "backprop through batch norm") goes through μ and σ² too::

        dγ = Σ dy·x̂,  dβ = Σ dy,  dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) / √(σ² + ε),  dx̂ = dy·γ

    Parameters
    ----------
    num_features : int
        C, the number of channels (features).
    eps : float, default 1e-5
        Added to the variance for stability.
    momentum : float or None, default 0.1
        Weight of the new batch in the running statistics; None: their cumulative (equal-weight) average.
    affine : bool, default True
        Learn γ (``weight``, starts at 1) and β (``bias``, starts at 0).
    track_running_stats : bool, default True
        Keep running statistics; when False, batch statistics are used in evaluation too.
    dtype : numpy dtype, optional
    bias : bool, default True (keyword only)
        With ``affine``, learn β too (PyTorch 2.x's option; False leaves y = γ·x̂).

    Attributes
    ----------
    weight, bias : Parameter, shape (C,), or None
    running_mean, running_var : Tensor, shape (C,), buffers (start at 0 and 1)
    num_batches_tracked : Tensor, int64 scalar buffer (kept so that PyTorch state dicts load)
    """

    input_dims, input_form = (2, 3), "2D (N, C) or 3D (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of images (N, C, H, W), per channel over N, H and W (PyTorch's ``nn.BatchNorm2d``).

    The same layer as :class:`BatchNorm1d` (formulas, parameters, running statistics and state
    dict keys): each channel's μ and σ² are taken over the batch and every position of its map.
    """

    input_dims, input_form = (4,), "4D (N, C, H, W)"

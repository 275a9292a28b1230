"""The 2-D convolution layer (PyTorch's ``nn.Conv2d``); the maths is in ``backprop.ops.conv``."""
import math

from ..autograd.factory import zeros
from ..ops._window import pair
from ..ops.conv import _conv_padding, pad2d
from . import functional as F
from . import init
from .module import Module, Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


class Conv2d(Module):
    r"""A 2-D convolution over (N, C_in, H, W) images: Y = W ⋆ X + b, PyTorch's ``nn.Conv2d``.

    Each output channel slides a (C_in / groups, kh, kw) kernel over the input and takes, at every
    position, the dot product with the window it covers (a cross-correlation, as in every deep
    learning library), plus a bias. Computed as one matrix product per image on the unfolded input
    (im2col): Y = W_col · X_col + b, dW = Σ dY · X_colᵀ, dX = col2im(W_colᵀ · dY)
    (:class:`backprop.ops.conv.Conv2d`).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int), default 1
    padding : int, (int, int), 'valid' or 'same', default 0
        'same' keeps H and W (stride 1 only).
    dilation : int or (int, int), default 1
    groups : int, default 1
        Both channel counts must divide by it; ``groups = in_channels`` is a depthwise convolution.
    bias : bool, default True
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}, default 'zeros'
    dtype : numpy dtype, optional
        The parameters' dtype (default: ``bp.get_default_dtype()``).

    Attributes
    ----------
    weight : Parameter, shape (out_channels, in_channels / groups, kh, kw)
        Initialised from U(−1/√fan_in, 1/√fan_in), fan_in = in_channels / groups · kh · kw
        (PyTorch's ``kaiming_uniform_(a=√5)``).
    bias : Parameter, shape (out_channels,), or None
        Initialised from U(−1/√fan_in, 1/√fan_in).

    Shape
    -----
    Input (N, C_in, H, W) or unbatched (C_in, H, W); output (N, C_out, OH, OW) with
    OH = ⌊(H + 2·padding − dilation·(kh − 1) − 1) / stride⌋ + 1, and the same for OW.

    Examples
    --------
    >>> import backprop as bp
    >>> conv = bp.nn.Conv2d(1, 8, 3, padding=1)
    >>> conv(bp.zeros(64, 1, 28, 28)).shape
    (64, 8, 28, 28)
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=None):
        super().__init__()
        if groups <= 0 or int(groups) != groups:
            raise ValueError(f"groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"in_channels must be divisible by groups, got in_channels={in_channels}, "
                             f"groups={groups}")
        if out_channels % groups:
            raise ValueError(f"out_channels must be divisible by groups, got out_channels={out_channels}, "
                             f"groups={groups}")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {list(_PADDING_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, int(groups)
        self.kernel_size, self.stride = pair(kernel_size, "kernel_size"), pair(stride, "stride")
        self.dilation = pair(dilation, "dilation")
        self.padding = padding if isinstance(padding, str) else pair(padding, "padding")
        self.padding_mode = padding_mode
        # Checks the padding string, and gives the (top, bottom), (left, right) pads a non-zero mode adds.
        self._pads = _conv_padding(self.padding, self.kernel_size, self.dilation)
        if padding == "same" and self.stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.weight = Parameter(zeros(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights and bias from U(±1/√fan_in) (seeded by ``bp.manual_seed``)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_channels // self.groups * self.kernel_size[0] * self.kernel_size[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        if self.padding_mode == "zeros":
            return F.conv2d(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        return F.conv2d(pad2d(input, self._pads, self.padding_mode), self.weight, self.bias, self.stride, 0,
                        self.dilation, self.groups)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

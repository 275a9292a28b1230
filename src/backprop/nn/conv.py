"""The convolution layers (PyTorch's ``nn.Conv1d``, ``nn.Conv2d``, ``nn.ConvTranspose2d``); the maths is in
``backprop.ops.conv`` and ``backprop.ops.conv_transpose``."""
import math

import numpy as np

from ..autograd.factory import zeros
from ..ops.conv import _conv_padding, pad2d
from . import functional as F
from . import init
from ._args import int_arg, int_pair, int_single
from .module import Module, Parameter

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _channels(owner, in_channels, out_channels, groups, padding_mode):
    """The checked (in_channels, out_channels, groups) of a convolution layer."""
    in_channels = int_arg(owner, "in_channels", in_channels)
    out_channels = int_arg(owner, "out_channels", out_channels)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{owner}: groups must be a positive integer, got {groups!r}")
    if groups <= 0:
        raise ValueError(f"{owner}: groups must be a positive integer, got {groups!r}")
    if in_channels % groups:
        raise ValueError(f"{owner}: in_channels must be divisible by groups, got in_channels={in_channels}, "
                         f"groups={groups}")
    if out_channels % groups:
        raise ValueError(f"{owner}: out_channels must be divisible by groups, got out_channels={out_channels}, "
                         f"groups={groups}")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"{owner}: padding_mode must be one of {list(_PADDING_MODES)}, but got "
                         f"padding_mode={padding_mode!r}")
    return in_channels, out_channels, int(groups)


def _reset_conv(layer):
    """PyTorch's convolution init: W ~ kaiming_uniform_(a=√5) = U(±1/√fan_in), b ~ U(±1/√fan_in), with
    fan_in = the weight's size(1) · kernel elements (for a transposed convolution: C_out/G · kh · kw)."""
    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))
    if layer.bias is not None:
        fan_in = int(np.prod(layer.weight.shape[1:]))
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(layer.bias, -bound, bound)


class _ConvNd(Module):
    """What Conv1d and Conv2d share: PyTorch's initialisation, the forward call and the repr."""

    _function = None  # staticmethod(F.conv1d) or staticmethod(F.conv2d)

    def reset_parameters(self):
        """Draw new weights and bias from U(±1/√fan_in) (seeded by ``bp.manual_seed``)."""
        _reset_conv(self)

    def forward(self, input):
        conv = self._function
        if self.padding_mode == "zeros":
            return conv(input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups)
        return conv(pad2d(input, self._pads, self.padding_mode), self.weight, self.bias, self.stride, 0,
                    self.dilation, self.groups)

    def extra_repr(self):
        n = len(self.kernel_size)
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
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

    _function = staticmethod(F.conv2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=None):
        super().__init__()
        self.in_channels, self.out_channels, self.groups = _channels("Conv2d", in_channels, out_channels, groups,
                                                                     padding_mode)
        self.kernel_size = int_pair("Conv2d", "kernel_size", kernel_size)
        self.stride, self.dilation = int_pair("Conv2d", "stride", stride), int_pair("Conv2d", "dilation", dilation)
        self.padding = padding if isinstance(padding, str) else int_pair("Conv2d", "padding", padding, minimum=0)
        self.padding_mode = padding_mode
        # Checks the padding string, and gives the (top, bottom), (left, right) pads a non-zero mode adds.
        self._pads = _conv_padding(self.padding, self.kernel_size, self.dilation)
        if padding == "same" and self.stride != (1, 1):
            raise ValueError("padding='same' is not supported for strided convolutions")
        self.weight = Parameter(zeros(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()


class Conv1d(_ConvNd):
    r"""A 1-D convolution over (N, C_in, L) sequences, PyTorch's ``nn.Conv1d``: the 2-D convolution's
    formulas on a unit-height image (:func:`backprop.nn.functional.conv1d`).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int,)
    stride, dilation : int or (int,), default 1
    padding : int, (int,), 'valid' or 'same', default 0
    groups : int, default 1
    bias : bool, default True
    padding_mode : {'zeros', 'reflect', 'replicate', 'circular'}, default 'zeros'
    dtype : numpy dtype, optional

    Attributes
    ----------
    weight : Parameter, shape (out_channels, in_channels / groups, k)
        U(−1/√fan_in, 1/√fan_in), fan_in = in_channels / groups · k (PyTorch's ``kaiming_uniform_(a=√5)``).
    bias : Parameter, shape (out_channels,), or None
        U(−1/√fan_in, 1/√fan_in).

    Shape
    -----
    Input (N, C_in, L) or (C_in, L); output (N, C_out, L_out), L_out = ⌊(L + 2·padding − dilation·(k − 1) − 1)
    / stride⌋ + 1.
    """

    _function = staticmethod(F.conv1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", dtype=None):
        super().__init__()
        self.in_channels, self.out_channels, self.groups = _channels("Conv1d", in_channels, out_channels, groups,
                                                                     padding_mode)
        self.kernel_size = int_single("Conv1d", "kernel_size", kernel_size)
        self.stride, self.dilation = int_single("Conv1d", "stride", stride), int_single("Conv1d", "dilation", dilation)
        self.padding = padding if isinstance(padding, str) else int_single("Conv1d", "padding", padding, minimum=0)
        self.padding_mode = padding_mode
        two_d = padding if isinstance(padding, str) else (0, self.padding[0])
        # Checks the padding string, and gives the ((0, 0), (left, right)) pads a non-zero mode adds.
        self._pads = _conv_padding(two_d, (1,) + self.kernel_size, (1,) + self.dilation)
        if padding == "same" and self.stride != (1,):
            raise ValueError("Conv1d: padding='same' is not supported for strided convolutions")
        self.weight = Parameter(zeros(out_channels, in_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()


class ConvTranspose2d(Module):
    r"""The transposed 2-D convolution (PyTorch's ``nn.ConvTranspose2d``), the usual learned upsampling:
    the gradient of a convolution with respect to its input, so each input pixel adds a kernel-shaped
    patch, weighted by its value, to the output (:class:`backprop.ops.conv_transpose.ConvTranspose2d`).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int), default 1
    padding : int or (int, int), default 0
        Trims ``padding`` rows/columns from each side of the full output, so that the layer inverts
        the shape change of a ``Conv2d`` with the same arguments.
    output_padding : int or (int, int), default 0
        Extra rows/columns at the bottom/right (smaller than the stride or the dilation).
    groups : int, default 1
    bias : bool, default True
    dilation : int or (int, int), default 1
    padding_mode : 'zeros'
        The only mode, as in PyTorch.
    dtype : numpy dtype, optional

    Attributes
    ----------
    weight : Parameter, shape (in_channels, out_channels / groups, kh, kw)
        U(−1/√fan_in, 1/√fan_in) with fan_in = out_channels / groups · kh · kw (PyTorch's rule, which
        reads fan_in from the weight's axis 1).
    bias : Parameter, shape (out_channels,), or None

    Shape
    -----
    Input (N, C_in, H, W) or (C_in, H, W); output (N, C_out, OH, OW) with
    OH = (H − 1)·stride − 2·padding + dilation·(kh − 1) + output_padding + 1.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", dtype=None):
        super().__init__()
        if padding_mode != "zeros":
            raise ValueError(f'ConvTranspose2d: only "zeros" padding_mode is supported, got {padding_mode!r}')
        self.in_channels, self.out_channels, self.groups = _channels("ConvTranspose2d", in_channels, out_channels,
                                                                     groups, padding_mode)
        names = ("kernel_size", "stride", "padding", "output_padding", "dilation")
        values = (kernel_size, stride, padding, output_padding, dilation)
        (self.kernel_size, self.stride, self.padding, self.output_padding,
         self.dilation) = (int_pair("ConvTranspose2d", n, v, minimum=0 if "padding" in n else 1)
                           for n, v in zip(names, values))
        if any(op >= s and op >= d for op, s, d in zip(self.output_padding, self.stride, self.dilation)):
            raise ValueError(f"ConvTranspose2d: output_padding {self.output_padding} must be smaller than either "
                             f"stride {self.stride} or dilation {self.dilation}")
        self.padding_mode = padding_mode
        self.weight = Parameter(zeros(in_channels, out_channels // groups, *self.kernel_size, dtype=dtype))
        self.bias = Parameter(zeros(out_channels, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw new weights and bias from U(±1/√fan_in) (seeded by ``bp.manual_seed``)."""
        _reset_conv(self)

    def _output_padding(self, input, output_size):
        """The output_padding that gives ``output_size`` (PyTorch's ``forward(input, output_size)``)."""
        if output_size is None:
            return self.output_padding
        size = tuple(output_size)[-2:]
        pads = []
        for n, want, k, s, p, d in zip(input.shape[-2:], size, self.kernel_size, self.stride, self.padding,
                                       self.dilation):
            smallest = (n - 1) * s - 2 * p + d * (k - 1) + 1
            if not smallest <= want < smallest + max(s, d):
                raise ValueError(f"ConvTranspose2d: output_size {tuple(output_size)} is not reachable: each size must "
                                 f"lie in [{smallest}, {smallest + max(s, d) - 1}] for this input")
            pads.append(want - smallest)
        return tuple(pads)

    def forward(self, input, output_size=None):
        return F.conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                  self._output_padding(input, output_size), self.groups, self.dilation)

    def extra_repr(self):
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0, 0):
            s += f", padding={self.padding}"
        if self.output_padding != (0, 0):
            s += f", output_padding={self.output_padding}"
        if self.dilation != (1, 1):
            s += f", dilation={self.dilation}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        return s

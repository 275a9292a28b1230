"""Pooling and resizing layers (PyTorch's ``nn.MaxPool2d``, ``nn.AvgPool2d``, the adaptive pools and ``nn.Upsample``);
the maths is in ``backprop.ops.pooling`` and ``backprop.ops.resample``."""
from . import functional as F
from ._args import int_arg, int_pair, real_arg
from .module import Module


def _check_window(owner, **sizes):
    """Window sizes must be ints or pairs of ints, ≥ 1 (padding ≥ 0); ``stride=None`` means the kernel size."""
    for name, value in sizes.items():
        if value is not None:
            int_pair(owner, name, value, minimum=0 if name == "padding" else 1)


class MaxPool2d(Module):
    """The maximum over each (kh, kw) window: PyTorch's ``nn.MaxPool2d``.

    The gradient goes to each window's (first) maximum. See :func:`backprop.nn.functional.max_pool2d`
    for the arguments and the output size.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
    dilation : int or (int, int), default 1
    return_indices : bool, default False
        Return (output, indices) with the flat h·W + w position of each maximum.
    ceil_mode : bool, default False

    Examples
    --------
    >>> import backprop as bp
    >>> bp.nn.MaxPool2d(2)(bp.zeros(64, 8, 28, 28)).shape
    (64, 8, 14, 14)
    """

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False, ceil_mode=False):
        super().__init__()
        _check_window("MaxPool2d", kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return F.max_pool2d(input, self.kernel_size, self.stride, self.padding, self.dilation,
                            ceil_mode=self.ceil_mode, return_indices=self.return_indices)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class AvgPool2d(Module):
    """The mean over each (kh, kw) window: PyTorch's ``nn.AvgPool2d``.

    See :func:`backprop.nn.functional.avg_pool2d` for the arguments and the divisor rules.

    Parameters
    ----------
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
        Defaults to ``kernel_size``.
    padding : int or (int, int), default 0
    ceil_mode : bool, default False
    count_include_pad : bool, default True
    divisor_override : int, optional
    """

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
                 divisor_override=None):
        super().__init__()
        _check_window("AvgPool2d", kernel_size=kernel_size, stride=stride, padding=padding)
        if divisor_override is not None:
            int_arg("AvgPool2d", "divisor_override", divisor_override, 1)
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AdaptiveAvgPool2d(Module):
    """The mean over windows sized to give a fixed output, PyTorch's ``nn.AdaptiveAvgPool2d``.

    Output row i averages input rows ⌊i·H/OH⌋ … ⌈(i + 1)·H/OH⌉ − 1 (and likewise for columns), so a
    network ends in the same (OH, OW) whatever the image size: ``AdaptiveAvgPool2d(1)`` is global
    average pooling. One linear map, Y = A·X·Bᵀ, with dX = Aᵀ·dY·B.

    Parameters
    ----------
    output_size : int, (int, int), or a pair with None (keep that input size)
    """

    def __init__(self, output_size):
        super().__init__()
        _check_output_size("AdaptiveAvgPool2d", output_size)
        self.output_size = output_size

    def forward(self, input):
        return F.adaptive_avg_pool2d(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(Module):
    """The maximum over the windows of :class:`AdaptiveAvgPool2d`, PyTorch's ``nn.AdaptiveMaxPool2d``;
    the gradient goes to each window's first maximum.

    Parameters
    ----------
    output_size : int, (int, int), or a pair with None (keep that input size)
    return_indices : bool, default False
        Also return each maximum's flat position h·W + w.
    """

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        _check_output_size("AdaptiveMaxPool2d", output_size)
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input):
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


def _check_output_size(owner, output_size):
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,)
    for s in sizes:
        if s is not None:
            int_arg(owner, "output_size", s, 1)


class Upsample(Module):
    """Resizes (N, C, L) or (N, C, H, W) inputs, PyTorch's ``nn.Upsample`` (see
    :func:`backprop.nn.functional.interpolate` for the sampling rules).

    Parameters
    ----------
    size : int or tuple of int, optional
    scale_factor : float or tuple of float, optional
        Give this or ``size``.
    mode : {'nearest', 'linear', 'bilinear'}, default 'nearest'
    align_corners : bool, optional
        Linear modes only.
    recompute_scale_factor : bool, optional
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        if (size is None) == (scale_factor is None):  # PyTorch raises only at the first call
            raise ValueError(f"Upsample: give exactly one of size and scale_factor, got size={size!r}, "
                             f"scale_factor={scale_factor!r}")
        if size is not None:
            for s in (size if isinstance(size, (tuple, list)) else (size,)):
                int_arg("Upsample", "size", s, 1)
        else:
            for s in (scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,)):
                real_arg("Upsample", "scale_factor", s, 0, open_low=True)
        self.size, self.scale_factor = size, float(scale_factor) if isinstance(scale_factor, int) else scale_factor
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        where = f"size={self.size}" if self.size is not None else f"scale_factor={self.scale_factor}"
        return f"{where}, mode={self.mode!r}"

"""Pooling layers (PyTorch's ``nn.MaxPool2d`` and ``nn.AvgPool2d``); the maths is in ``backprop.ops.pooling``."""
from . import functional as F
from .module import Module


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
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.ceil_mode = padding, ceil_mode
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override

    def forward(self, input):
        return F.avg_pool2d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

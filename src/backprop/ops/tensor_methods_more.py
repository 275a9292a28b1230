"""Tensor's methods and operators for the ops of ``elementwise_more`` (``x.std()``, ``x.norm(1)``,
``x.prod(0)``, ``x // 2``, ``x % 3``, ``x.isnan()``, ``x.cumsum(0)``, …), installed as
:mod:`~backprop.ops.tensor_methods` installs the others: each is the op function of the same name.
"""
from . import elementwise_more as _more
from .tensor_methods import install_methods


class MoreTensorMethods:
    """The methods installed on :class:`~backprop.Tensor` (this class is never instantiated)."""

    def __floordiv__(self, other):
        return _more.floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _more.floor_divide(other, self)

    def __mod__(self, other):
        return _more.remainder(self, other)

    def __rmod__(self, other):
        return _more.remainder(other, self)

    def std(self, dim=None, correction=1, keepdim=False):
        return _more.std(self, dim, correction, keepdim)

    def norm(self, p="fro", dim=None, keepdim=False):
        return _more.norm(self, p, dim, keepdim)

    def prod(self, dim=None, keepdim=False):
        return _more.prod(self, dim, keepdim)

    def cumsum(self, dim):
        return _more.cumsum(self, dim)

    def clone(self):
        return _more.clone(self)

    def log1p(self):
        return _more.log1p(self)

    def sign(self):
        return _more.sign(self)

    def floor_divide(self, other):
        return _more.floor_divide(self, other)

    def remainder(self, other):
        return _more.remainder(self, other)

    def all(self, dim=None, keepdim=False):
        return _more.all(self, dim, keepdim)

    def any(self, dim=None, keepdim=False):
        return _more.any(self, dim, keepdim)

    def isnan(self):
        return _more.isnan(self)

    def isinf(self):
        return _more.isinf(self)


install_methods(MoreTensorMethods)

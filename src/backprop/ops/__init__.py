"""The library's ops, by family; each op is one ``Function`` subclass with its forward and backward formula."""

from . import tensor_methods  # noqa: F401,E402  (installs Tensor's operators and methods)
from . import tensor_methods_more  # noqa: F401,E402  (installs the methods of elementwise_more's ops)

"""Activation layers: the nonlinearities of the course's "LEGO bricks", as modules.

Each module calls the op of the same name; the formulas (forward and backward) are in the ops'
docstrings (``backprop.ops.activations``, ``backprop.ops.layers``).
"""
from ..autograd.factory import full
from ..ops import activations as _act
from . import functional as F
from . import init as _init
from ._args import int_arg, real_arg
from .module import Module, Parameter


class ReLU(Module):
    """y = max(0, x); dy/dx = [x > 0] (0 at x = 0, as PyTorch)."""

    def forward(self, input):
        return _act.relu(input)


class LeakyReLU(Module):
    """y = x where x > 0, else ``negative_slope``·x: a small gradient where ReLU has none.

    Parameters
    ----------
    negative_slope : float, default 0.01
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = real_arg("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class PReLU(Module):
    """Parametric ReLU: y = max(0, x) + a·min(0, x), where the slope a is learned.

    The course's exercise asks for backprop through a: ∂y/∂a = min(0, x), so
    dL/da = Σ dL/dy · min(0, x), summed over every position that shares the slope.

    Parameters
    ----------
    num_parameters : int, default 1
        1: one slope for the whole input; C: one per channel (the input's axis 1).
    init : float, default 0.25
        The slopes' starting value (PyTorch's).
    dtype : numpy dtype, optional

    Attributes
    ----------
    weight : Parameter, shape (num_parameters,)
    """

    def __init__(self, num_parameters=1, init=0.25, dtype=None):
        super().__init__()
        self.num_parameters = int_arg("PReLU", "num_parameters", num_parameters)
        self.init = real_arg("PReLU", "init", init)
        self.weight = Parameter(full((num_parameters,), init, dtype=dtype))

    def reset_parameters(self):
        """Set every slope back to ``init``."""
        _init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class Sigmoid(Module):
    """y = σ(x) = 1 / (1 + e⁻ˣ); dy/dx = y(1 − y), at most 1/4 (why deep sigmoid networks' gradients fade)."""

    def forward(self, input):
        return _act.sigmoid(input)


class Tanh(Module):
    """y = tanh x = 2σ(2x) − 1; dy/dx = 1 − y²."""

    def forward(self, input):
        return _act.tanh(input)


class _SoftmaxBase(Module):
    def __init__(self, dim=-1, temperature=1.0):
        super().__init__()
        owner = type(self).__name__
        self.dim = dim if dim is None else int_arg(owner, "dim", dim, minimum=None)
        self.temperature = real_arg(owner, "temperature", temperature, 0, open_low=True)

    def extra_repr(self):
        return f"dim={self.dim}" + (f", temperature={self.temperature}" if self.temperature != 1 else "")


class Softmax(_SoftmaxBase):
    """softmax(x / T) along ``dim``: yᵢ = e^(xᵢ/T) / Σₖ e^(xₖ/T), probabilities summing to 1.

    The temperature T is the course's: for logits (1, 2, 5), T = 10 gives (0.278, 0.307, 0.415),
    T = 1 gives (0.017, 0.047, 0.936), T = 0.1 gives ≈ (0, 0, 1). T → ∞ tends to uniform, T → 0 to argmax.
    PyTorch's ``nn.Softmax`` has no temperature (T = 1).

    Parameters
    ----------
    dim : int, default -1
    temperature : float, default 1.0
    """

    def forward(self, input):
        return F.softmax(input, self.dim, self.temperature)


class LogSoftmax(_SoftmaxBase):
    """log softmax(x / T) along ``dim``, computed stably (finite for logits of ±1000).

    Parameters
    ----------
    dim : int, default -1
    temperature : float, default 1.0
    """

    def forward(self, input):
        return F.log_softmax(input, self.dim, self.temperature)


class Heaviside(Module):
    """The unit step H(x) = 1 where x > 0, 0 where x ≤ 0 (H(0) = 0, the course's definition).

    The activation of the course's hand-built perceptrons (AND, OR, XOR). Its output has x's float
    dtype and its gradient is zero everywhere, so it passes no signal to earlier layers: such a
    network is built by hand, not trained by gradient descent.
    """

    def forward(self, input):
        return F.heaviside(input)


class GELU(Module):
    """GELU: y = x·Φ(x), Φ the standard normal CDF; or its tanh approximation (PyTorch's ``nn.GELU``).

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'
        'tanh': y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    """

    def __init__(self, approximate="none"):
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _OutOfPlace(Module):
    """An activation with PyTorch's ``inplace`` flag, kept for compatibility: the result is always a
    new tensor (an in-place write would change a value the graph may have saved)."""

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace


class ELU(_OutOfPlace):
    """ELU: y = x where x > 0, else α(eˣ − 1); dy/dx = α·eˣ below 0 (PyTorch's ``nn.ELU``).

    Parameters
    ----------
    alpha : float, default 1.0
    inplace : bool, default False
        Accepted for PyTorch compatibility; the output is a new tensor either way.
    """

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__(inplace)
        self.alpha = real_arg("ELU", "alpha", alpha)

    def forward(self, input):
        return F.elu(input, self.alpha)

    def extra_repr(self):
        return f"alpha={self.alpha}"


class SiLU(_OutOfPlace):
    """SiLU (swish): y = x·σ(x); dy/dx = σ(x)(1 + x(1 − σ(x))) (PyTorch's ``nn.SiLU``)."""

    def forward(self, input):
        return F.silu(input)


class Mish(_OutOfPlace):
    """Mish: y = x·tanh(softplus(x)) (PyTorch's ``nn.Mish``)."""

    def forward(self, input):
        return F.mish(input)


class Softplus(Module):
    """Softplus: y = ln(1 + e^(βx)) / β, and y = x where βx > threshold (PyTorch's ``nn.Softplus``).

    Parameters
    ----------
    beta : float, default 1.0
    threshold : float, default 20.0
        Above it the function is taken as linear, as PyTorch does.
    """

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = real_arg("Softplus", "beta", beta, 0, open_low=True)  # PyTorch divides by 0 for beta=0
        self.threshold = real_arg("Softplus", "threshold", threshold)

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(_OutOfPlace):
    """Hardtanh: x clipped to [min_val, max_val]; gradient 1 strictly inside, 0 outside (PyTorch's ``nn.Hardtanh``).

    Parameters
    ----------
    min_val : float, default -1.0
    max_val : float, default 1.0
    inplace : bool, default False
        Accepted for PyTorch compatibility; the output is a new tensor either way.
    """

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False):
        super().__init__(inplace)
        self.min_val = real_arg("Hardtanh", "min_val", min_val)
        self.max_val = real_arg("Hardtanh", "max_val", max_val)
        if min_val >= max_val:  # PyTorch asserts max_val > min_val
            raise ValueError(f"Hardtanh: min_val ({min_val}) must be less than max_val ({max_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}"


class LogSigmoid(Module):
    """y = ln σ(x) = −softplus(−x), computed without overflow; dy/dx = σ(−x) (PyTorch's ``nn.LogSigmoid``)."""

    def forward(self, input):
        return F.logsigmoid(input)

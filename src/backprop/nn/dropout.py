"""Dropout: randomly switching neurons off while training, a regulariser."""
from . import functional as F
from .module import Module


class Dropout(Module):
    """Inverted dropout: in training, each element is zeroed with probability p and the others are
    scaled by 1/(1 − p); in evaluation (``model.eval()``) the layer is the identity.

    Scaling in training keeps each output's expectation equal to its input, so the trained network
    is used as it is. (The course's exercises count the neurons that survive: their number is
    Binomial(n, 1 − p), with mean n(1 − p).) The gradient goes through the same mask:
    dx = dy · m / (1 − p). Masks come from ``backprop.random.generator()`` (``bp.manual_seed``).

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing an element, in [0, 1] (p = 1 zeroes everything, as PyTorch allows).

    Raises
    ------
    ValueError
        When p is outside [0, 1], naming p.
    """

    def __init__(self, p=0.5):
        super().__init__()
        F._check_probability(p)
        self.p = p

    def forward(self, input):
        return F.dropout(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"


class Dropout2d(Module):
    """Channel dropout: in training each channel of each sample, a whole (H, W) map, is zeroed with
    probability p and the others are scaled by 1/(1 − p); identity in evaluation (PyTorch's ``nn.Dropout2d``).

    Pixels of one feature map are strongly correlated, so dropping single pixels hardly regularises a
    convolution; dropping whole maps does. A 3-D input is read as (N, C, L), as PyTorch does.

    Parameters
    ----------
    p : float, default 0.5
        Probability of zeroing a channel, in [0, 1].
    inplace : bool, default False
        Accepted for PyTorch compatibility; the output is a new tensor either way.
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        F._check_probability(p)
        self.p, self.inplace = p, inplace

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training)

    def extra_repr(self):
        return f"p={self.p}"

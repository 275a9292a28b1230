"""One time step of a recurrent layer as a module (PyTorch's ``RNNCell``, ``LSTMCell``, ``GRUCell``).

A loop over the cell unrolls the network by hand: the same weights are used at every step, so in
the derivative graph each weight has one edge per step, and its gradient is the sum over those edges.

>>> import backprop as bp
>>> cell = bp.nn.LSTMCell(3, 4)
>>> h = c = bp.zeros(2, 4)
>>> for x_t in bp.randn(5, 2, 3):
...     h, c = cell(x_t, (h, c))
>>> h.shape
(2, 4)
"""
import math

import numpy as np

from ..autograd.factory import zeros
from ..autograd.tensor import Tensor
from ..ops import recurrent as _recurrent
from ..ops.shape import unsqueeze
from . import functional as F
from . import init
from ._args import int_arg
from .module import Module, Parameter
from .rnn import RecurrentShapeError, check_state_graph


class RNNCellBase(Module):
    """The parameters and checks shared by the cells: ``weight_ih`` (G·H, I), ``weight_hh`` (G·H, H),
    ``bias_ih`` and ``bias_hh`` (G·H,), each drawn from U(−1/√H, 1/√H)."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        owner = type(self).__name__
        self.input_size = int_arg(owner, "input_size", input_size)
        self.hidden_size = int_arg(owner, "hidden_size", hidden_size)
        self.bias = bias
        self.weight_ih = Parameter(zeros(num_chunks * hidden_size, input_size, dtype=dtype))
        self.weight_hh = Parameter(zeros(num_chunks * hidden_size, hidden_size, dtype=dtype))
        self.bias_ih = Parameter(zeros(num_chunks * hidden_size, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(zeros(num_chunks * hidden_size, dtype=dtype)) if bias else None
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias from U(−1/√H, 1/√H), H = hidden_size."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text

    def _check_input(self, input):
        """(input as (N, I), unbatched?)."""
        name = type(self).__name__
        input = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
        if input.ndim not in (1, 2):
            raise RecurrentShapeError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead "
                                      f"(shape {tuple(input.shape)})")
        if input.shape[-1] != self.input_size:
            raise RecurrentShapeError(f"{name}: input has inconsistent input_size: got {input.shape[-1]} expected "
                                      f"{self.input_size} (input shape {tuple(input.shape)})")
        return (unsqueeze(input, 0), True) if input.ndim == 1 else (input, False)

    def _check_state(self, state, batch, unbatched, label="hidden"):
        if state is None:
            return np.zeros((batch, self.hidden_size), self.weight_hh.dtype)
        state = state if isinstance(state, Tensor) else Tensor(np.asarray(state))
        check_state_graph(state, type(self).__name__)
        if state.ndim != (1 if unbatched else 2):
            raise RecurrentShapeError(f"{type(self).__name__}: Expected {label} to be "
                                      f"{'1D' if unbatched else '2D'} like the input, got {state.ndim}D "
                                      f"(shape {tuple(state.shape)})")
        if unbatched:
            state = unsqueeze(state, 0)
        if state.shape[0] != batch:
            raise RecurrentShapeError(f"Input batch size {batch} doesn't match {label}0 batch size {state.shape[0]}")
        if state.shape[1] != self.hidden_size:
            raise RecurrentShapeError(f"{label}0 has inconsistent hidden_size: got {state.shape[1]}, expected "
                                      f"{self.hidden_size}")
        return state


class RNNCell(RNNCellBase):
    """h' = tanh(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh) (or ReLU), made of two ``Linear`` ops and the activation.

    Examples
    --------
    >>> import backprop as bp
    >>> bp.nn.RNNCell(3, 4)(bp.randn(2, 3)).shape
    (2, 4)
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        h = self._check_state(hx, x.shape[0], unbatched)
        a = F.linear(x, self.weight_ih, self.bias_ih) + F.linear(h, self.weight_hh, self.bias_hh)
        h_new = F.tanh(a) if self.nonlinearity == "tanh" else F.relu(a)
        return h_new[0] if unbatched else h_new


class LSTMCell(RNNCellBase):
    """One LSTM step, a single fused op (``backprop.ops.recurrent.LSTMCell``): gates i, f, g, o;
    c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c'). Called as ``h', c' = cell(x, (h, c))``; the state defaults to zeros.

    A trace shows the gates i, f, g, o, c' and h' of each call, and its backward the gradient
    reaching h and c.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        if hx is None:
            h = c = self._check_state(None, x.shape[0], unbatched)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTMCell expects its state as a tuple (h, c)")
            h = self._check_state(hx[0], x.shape[0], unbatched, "h")
            c = self._check_state(hx[1], x.shape[0], unbatched, "c")
        hc = _recurrent.LSTMCell.apply(x, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        n = self.hidden_size
        if unbatched:
            return hc[0, :n], hc[0, n:]
        return hc[:, :n], hc[:, n:]


class GRUCell(RNNCellBase):
    """One GRU step, a single fused op (``backprop.ops.recurrent.GRUCell``): gates r, z, n;
    h' = (1 − z) ⊙ n + z ⊙ h with n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        x, unbatched = self._check_input(input)
        h = self._check_state(hx, x.shape[0], unbatched)
        h_new = _recurrent.GRUCell.apply(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h_new[0] if unbatched else h_new

"""Recurrent layers with PyTorch's names, arguments, parameter layouts and calling conventions:
``RNN``, ``LSTM`` and ``GRU`` over whole sequences (the cells are in ``rnn_cell.py``).

Each layer and direction first projects every time step's input with one matrix product,
gx = x·W_ihᵀ + b_ih (L, N, G·H), then runs its time loop as one op (``ops/recurrent_sequence.py``),
whose backward is backpropagation through time.
"""
import math
import numbers
import warnings

import numpy as np

from ..autograd.factory import zeros
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.recording import replayable
from ..autograd.tensor import Tensor
from ..exceptions import ShapeError
from ..ops import recurrent_sequence as _seq
from ..ops.linalg import matmul
from ..ops.shape import ScatterAdd, concatenate, permute, reshape, stack, transpose, unsqueeze
from . import functional as F
from . import init
from .module import Module, Parameter
from .utils.rnn import PackedSequence

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_SEQUENCE_OPS = {"LSTM": _seq.LSTMSequence, "GRU": _seq.GRUSequence, "RNN_TANH": _seq.RNNSequence,
                 "RNN_RELU": _seq.RNNSequence}


class RecurrentShapeError(ShapeError, RuntimeError):
    """A recurrent layer's input or state has the wrong shape (PyTorch raises RuntimeError for these)."""


def check_state_graph(state, layer):
    """Raise the classic truncated-BPTT error early, with what to do: ``state`` comes from a graph that a
    backward pass has already gone through (its saved values were freed), so backpropagating through
    this batch would reach it a second time. Looks at the few nodes just behind ``state`` only."""
    if not isinstance(state, Tensor) or state.grad_fn is None or not is_grad_enabled():
        return
    nodes, looked = [state.grad_fn], 0
    while nodes and looked < 16:
        node = nodes.pop()
        looked += 1
        saved = getattr(node, "saved", None)
        if saved is None:
            continue
        try:
            len(saved)
        except RuntimeError:
            raise RuntimeError(
                f"Trying to backward through the graph a second time: the state passed to {layer} was "
                "computed in a graph that backward() has already been through (its saved values were freed). "
                "Carrying a recurrent state from one batch to the next, detach it after each backward: "
                "h = h.detach() (for an LSTM, h = h.detach() and c = c.detach()): truncated backpropagation "
                "through time. Pass retain_graph=True to backward() only to backpropagate into earlier "
                "batches too.") from None
        nodes.extend(n for n, _ in node.next_functions if n is not None)


class RNNBase(Module):
    """The parameters and the forward pass shared by :class:`RNN`, :class:`LSTM` and :class:`GRU`."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode!r}; expected one of {sorted(_GATES)}")
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             f"element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          UserWarning, stacklevel=3)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers),
                            ("proj_size", proj_size)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if input_size <= 0:  # PyTorch's check and wording
            raise ValueError(f"input_size must be greater than zero, got {input_size}")
        if hidden_size <= 0:
            raise ValueError(f"hidden_size must be greater than zero, got {hidden_size}")
        if num_layers <= 0:
            raise ValueError(f"num_layers must be greater than zero, got {num_layers}")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError(f"proj_size has to be smaller than hidden_size (got {proj_size} and {hidden_size})")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        num_directions = 2 if bidirectional else 1
        real_hidden = proj_size or hidden_size
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else real_hidden * num_directions
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes = [("weight_ih", (gate_size, layer_input)), ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(zeros(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name + suffix)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw every weight and bias from U(−1/√H, 1/√H), H = hidden_size (PyTorch's initialisation)."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self):
        """Nothing to do: PyTorch packs the weights into one buffer for cuDNN here; kept so its code runs."""

    @property
    def all_weights(self):
        """Per layer and direction, its parameters: [[weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0], …]."""
        per = len(self._flat_weights_names) // (self.num_layers * (2 if self.bidirectional else 1))
        names = self._flat_weights_names
        return [[getattr(self, n) for n in names[i:i + per]] for i in range(0, len(names), per)]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        for name, default in (("proj_size", 0), ("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text

    # -- the forward pass ------------------------------------------------------------------------------
    def _layer_parameters(self, layer, direction):
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        get = self._parameters.get
        return (get("weight_ih" + suffix), get("weight_hh" + suffix), get("bias_ih" + suffix),
                get("bias_hh" + suffix), get("weight_hr" + suffix))

    def _input_as_time_major(self, input):
        """(x (L, N, I), batch_sizes or None, packed sequence or None, unbatched)."""
        name = type(self).__name__
        if isinstance(input, PackedSequence):
            data = input.data
            if data.ndim != 2 or data.shape[-1] != self.input_size:
                raise RecurrentShapeError(f"{name}: the packed data has shape {tuple(data.shape)} but the layer "
                                          f"expects (Σ lengths, input_size={self.input_size})")
            mask = input.mask()
            x = ScatterAdd.apply(data, index=mask, shape=mask.shape + (self.input_size,))
            return x, np.asarray(input.batch_sizes.data), input, False
        if not isinstance(input, Tensor):
            input = Tensor(np.asarray(input))
        if input.ndim not in (2, 3):
            raise RecurrentShapeError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D instead "
                                      f"(shape {tuple(input.shape)})")
        if input.shape[-1] != self.input_size:
            layout = "(N, L, input_size)" if self.batch_first else "(L, N, input_size)"
            raise RecurrentShapeError(
                f"{name}: input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                f"{input.shape[-1]} (input shape {tuple(input.shape)}; the layer reads {layout}, "
                "or (L, input_size) unbatched)")
        if input.ndim == 2:
            return unsqueeze(input, 1), None, None, True
        return (transpose(input, 0, 1) if self.batch_first else input), None, None, False

    def _initial_states(self, hx, batch, dtype, packed, unbatched):
        """Per layer and direction, (h0, c0): the given ones (checked and reordered) or zeros."""
        num_directions = 2 if self.bidirectional else 1
        n_states = self.num_layers * num_directions
        real_hidden = self.proj_size or self.hidden_size
        lstm = self.mode == "LSTM"
        if hx is None:
            h0 = _zero_states(n_states, batch, real_hidden, dtype)
            c0 = _zero_states(n_states, batch, self.hidden_size, dtype) if lstm else (None,) * n_states
            return list(zip(h0, c0))
        if lstm:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError("LSTM expects its state as a tuple (h_0, c_0)")
            states = [self._checked_state(s, (n_states, batch, size), f"hidden[{i}]", packed, unbatched)
                      for i, (s, size) in enumerate(zip(hx, (real_hidden, self.hidden_size)))]
        else:
            if isinstance(hx, (tuple, list)):
                raise TypeError(f"{type(self).__name__} expects h_0 as one Tensor, got a {type(hx).__name__}")
            states = [self._checked_state(hx, (n_states, batch, real_hidden), "hidden", packed, unbatched), None]
        h0, c0 = states
        return [(h0[k], None if c0 is None else c0[k]) for k in range(n_states)]

    def _checked_state(self, state, expected, label, packed, unbatched):
        state = state if isinstance(state, Tensor) else Tensor(np.asarray(state))
        check_state_graph(state, type(self).__name__)
        if unbatched:
            if state.ndim != 2:
                raise RecurrentShapeError(f"For unbatched 2-D input, hx should also be 2-D but got {state.ndim}-D "
                                          f"tensor (shape {tuple(state.shape)})")
            state = unsqueeze(state, 1)
        elif state.ndim != 3:
            raise RecurrentShapeError(f"For batched 3-D input, hx should also be 3-D but got {state.ndim}-D tensor "
                                      f"(shape {tuple(state.shape)})")
        if tuple(state.shape) != expected:
            hint = ""
            if self.batch_first and tuple(state.shape) == (expected[1], expected[0], expected[2]):
                hint = (": the initial state is (num_layers·num_directions, N, H) even with batch_first=True, "
                        "which applies to the input and output only; pass h_0 without transposing it")
            shown = tuple(s for i, s in enumerate(expected) if not (unbatched and i == 1))
            got = [s for i, s in enumerate(state.shape) if not (unbatched and i == 1)]
            raise RecurrentShapeError(f"Expected {label} size {shown}, got {got}{hint}")
        if packed is not None and packed.sorted_indices is not None:
            state = state[:, np.asarray(packed.sorted_indices.data)]
        return state

    def forward(self, input, hx=None):
        x, batch_sizes, packed, unbatched = self._input_as_time_major(input)
        batch = x.shape[1]
        states = self._initial_states(hx, batch, x.dtype, packed, unbatched)
        op = _SEQUENCE_OPS[self.mode]
        nonlinearity = "relu" if self.mode == "RNN_RELU" else "tanh"
        real_hidden = self.proj_size or self.hidden_size
        lstm = self.mode == "LSTM"
        num_directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_parameters(layer, direction)
                h0, c0 = states[layer * num_directions + direction]
                if op.bias_outside_gates and b_ih is not None:  # both biases add to the gates: once, together
                    b_ih, b_hh = None, b_ih + b_hh
                gates_x = _input_projection(layer_input, w_ih, b_ih)
                y = op.apply(gates_x, h0, c0, w_hh, b_hh, w_hr, batch_sizes=batch_sizes, reverse=bool(direction),
                             nonlinearity=nonlinearity)
                steps, last = (slice(None, -1), 0) if direction else (slice(1, None), -1)
                hidden = slice(None, real_hidden) if lstm else slice(None)
                outputs.append(y[steps, :, hidden])
                h_n.append(y[last, :, hidden])
                if lstm:
                    c_n.append(y[last, :, real_hidden:])
            layer_input = outputs[0] if num_directions == 1 else concatenate(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return self._outputs(layer_input, stack(h_n), stack(c_n) if lstm else None, packed, unbatched)

    def _outputs(self, output, h_n, c_n, packed, unbatched):
        if packed is not None:
            output = PackedSequence(output[packed.mask()], packed.batch_sizes, packed.sorted_indices,
                                    packed.unsorted_indices)
            if packed.unsorted_indices is not None:
                order = np.asarray(packed.unsorted_indices.data)
                h_n = h_n[:, order]
                c_n = None if c_n is None else c_n[:, order]
        elif unbatched:
            output, h_n = output[:, 0], h_n[:, 0]
            c_n = None if c_n is None else c_n[:, 0]
        elif self.batch_first:
            output = transpose(output, 0, 1)
        return output, (h_n if c_n is None else (h_n, c_n))


_SHARED_DOC = """
    Parameters
    ----------
    input_size : int
        The number of features of each time step's input, I.
    hidden_size : int
        The number of features of the hidden state, H.
    num_layers : int, default 1
        Stacked layers: layer k > 0 reads the outputs of layer k − 1.
    bias : bool, default True
        Learn the biases b_ih and b_hh.
    batch_first : bool, default False
        Input and output are (N, L, features) instead of (L, N, features). The states h_0/h_n (and
        c_0/c_n) stay (D·num_layers, N, H) either way.
    dropout : float, default 0
        Dropout on the outputs of every layer but the last (a warning when num_layers = 1).
    bidirectional : bool, default False
        Add a second direction that reads the sequence backwards; outputs are [forward | backward]
        along the last axis (D = 2). Note that ``output[:, -1]`` (batch first) or ``output[-1]`` holds the
        backward direction's state after its *first* step (it reads the last time step first), not its
        final state. The final states are in h_n, layer-major and direction-minor:
        ``h_n.view(num_layers, 2, N, H)[-1, 1]`` (or ``h_n[-1]``) is the last layer's backward final state,
        ``h_n[-2]`` its forward one.

    Inputs: input, h_0
        input (L, N, I), (N, L, I) with batch_first, (L, I) unbatched, or a
        :class:`~backprop.nn.utils.rnn.PackedSequence`; h_0 (D·num_layers, N, H_out), zeros if not given.

    Outputs: output, h_n
        output (L, N, D·H_out) (batch-first or packed like the input); h_n (D·num_layers, N, H_out),
        each sequence's state at its own last step when the input is packed.

    The parameters are named and shaped as PyTorch's (state dicts load both ways): ``weight_ih_l{k}``
    (G·H, I for k = 0, else D·H_out), ``weight_hh_l{k}`` (G·H, H_out), ``bias_ih_l{k}``, ``bias_hh_l{k}``
    (G·H,), with ``_reverse`` for the backward direction; every one is drawn from U(−1/√H, 1/√H).
"""


class RNN(RNNBase):
    """An Elman RNN: h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh) (``nonlinearity='relu'``: ReLU).

    Backpropagation through time multiplies the gradient by W_hhᵀ·diag(1 − h_t²) at every step, so
    it vanishes or explodes over long sequences; tanh keeps h bounded, and its derivative ≤ 1.
    """ + _SHARED_DOC + """
    Examples
    --------
    >>> import backprop as bp
    >>> rnn = bp.nn.RNN(3, 5, num_layers=2)
    >>> out, h_n = rnn(bp.randn(7, 4, 3))
    >>> out.shape, h_n.shape
    ((7, 4, 5), (2, 4, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, 0, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory (PyTorch's gate order i, f, g, o)::

        i, f, o = σ(W_i·x_t + b_i + U_i·h_{t−1} + c_i), …     g = tanh(W_g·x_t + b_g + U_g·h_{t−1} + c_g)
        c_t = f ⊙ c_{t−1} + i ⊙ g                             h_t = o ⊙ tanh(c_t)

    The cell state's gradient flows back through c_{t−1} = … only multiplied by f, which is why the
    LSTM remembers over longer spans than the RNN. With ``proj_size`` = P > 0, h_t = (o ⊙ tanh c_t)·W_hrᵀ
    has P features (``weight_hr_l{k}``, (P, H)); c_n is not projected. The state is a pair (h_0, c_0).
    """ + _SHARED_DOC + """
    Examples
    --------
    >>> import backprop as bp
    >>> lstm = bp.nn.LSTM(3, 5, batch_first=True)
    >>> out, (h_n, c_n) = lstm(bp.randn(4, 7, 3))
    >>> out.shape, h_n.shape, c_n.shape
    ((4, 7, 5), (1, 4, 5), (1, 4, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit (PyTorch's gate order r, z, n and formula for n)::

        r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 − z) ⊙ n + z ⊙ h
    """ + _SHARED_DOC + """
    Examples
    --------
    >>> import backprop as bp
    >>> gru = bp.nn.GRU(3, 5, bidirectional=True)
    >>> out, h_n = gru(bp.randn(7, 3))              # unbatched (L, I)
    >>> out.shape, h_n.shape
    ((7, 10), (2, 5))
    """

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, 0,
                         device, dtype)


def _input_projection(x, w_ih, b_ih):
    """gx = x·W_ihᵀ + b_ih for every time step, (L, N, G·H), in one 2-D product W_ih·Xᵀ whose result is
    laid out gate-major, (G·H, L, N) in memory: the time loop reads each step's gates in columns, so
    this layout saves a transposing copy forward and backward (a stacked 3-D product also took up to
    1.45× as long, bench/rnn.py)."""
    length, batch, features = x.shape
    gx = matmul(w_ih, transpose(reshape(x, (length * batch, features)), 0, 1))
    if b_ih is not None:
        gx = gx + unsqueeze(b_ih, 1)
    return permute(reshape(gx, (-1, length, batch)), 1, 2, 0)


@replayable
def _zero_states(n_states, batch, size, dtype):
    """Initial states of zeros, one (N, H) view per layer and direction of one array (bp.jit makes them anew)."""
    zeros = np.zeros((n_states, batch, size), dtype)
    return tuple(zeros[k] for k in range(n_states))

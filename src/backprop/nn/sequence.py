"""A recurrent network for whole-sequence tasks: a window of values in, one prediction out.

``LastStep`` lets ``Sequential`` chain a recurrent layer (which returns ``(output, h_n)``) to a ``Linear``
head; ``sequence_model`` builds the usual "recurrent layer → last step → Linear" network, the model of
``backprop train --model rnn|lstm|gru``.
"""
from .container import Sequential
from .linear import Linear, Unflatten
from .module import Module
from .rnn import GRU, LSTM, RNN

__all__ = ["LastStep", "sequence_model"]

RECURRENT_LAYERS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}


class LastStep(Module):
    """The last time step of a recurrent layer's output: ``(output, h_n)`` → ``output[:, -1]`` (batch-first)
    or ``output[-1]``; a plain output tensor is accepted too.

    For a unidirectional layer this is the top layer's final state ``h_n[-1]``. For a bidirectional layer it
    is not: the backward direction's half of the last step has read only that one step (take the backward
    final state from ``h_n`` instead).

    Parameters
    ----------
    batch_first : bool, default True
        Whether the output is (N, L, H) (True) or (L, N, H).
    """

    def __init__(self, batch_first=True):
        super().__init__()
        self.batch_first = bool(batch_first)

    def forward(self, input):
        output = input[0] if isinstance(input, tuple) else input
        if output.ndim != 3:
            raise ValueError(f"LastStep: expected a batched recurrent output of 3 dimensions, got shape "
                             f"{tuple(output.shape)}")
        return output[:, -1] if self.batch_first else output[-1]

    def extra_repr(self):
        return f"batch_first={self.batch_first}"


def sequence_model(mode, hidden_size, num_layers=1, out_features=1, input_size=1, **layer_options):
    """``Sequential(Unflatten, RNN|LSTM|GRU, LastStep, Linear)``: windows in, one output vector per window.

    The input is a batch of flat windows (N, L·input_size), each row the values of L time steps in order
    (``input_size`` values per step); ``Unflatten`` makes it (N, L, input_size) for the batch-first
    recurrent layer, whose last step goes through ``Linear(hidden_size, out_features)``. Any window length
    L works with the same weights.

    Parameters
    ----------
    mode : {'rnn', 'lstm', 'gru'}
    hidden_size, num_layers : int
        Of the recurrent layer (every stacked layer has ``hidden_size`` units).
    out_features : int, default 1
        One output per regression target or per class (the logits).
    input_size : int, default 1
        Values per time step.
    **layer_options
        Passed on to the recurrent layer (``nonlinearity`` of RNN, ``dropout`` between layers, ``bias``).

    >>> import numpy as np
    >>> model = sequence_model("gru", hidden_size=8)
    >>> tuple(model(np.zeros((4, 20), dtype=np.float32)).shape)
    (4, 1)
    """
    if mode not in RECURRENT_LAYERS:
        raise ValueError(f"sequence_model: unknown mode {mode!r}; choose one of {', '.join(RECURRENT_LAYERS)}")
    layer = RECURRENT_LAYERS[mode](input_size, hidden_size, num_layers, batch_first=True, **layer_options)
    return Sequential(Unflatten(1, (-1, input_size)), layer, LastStep(batch_first=True),
                      Linear(hidden_size, out_features))

"""The multilayer perceptron of the course, built once for every caller: ``MLPClassifier``/``MLPRegressor``
(``bp.neural_network``) and ``backprop train --model mlp`` both build their network with :class:`MLP`."""
from .activation import ReLU
from .batchnorm import BatchNorm1d
from .container import Sequential
from .dropout import Dropout
from .linear import Linear

__all__ = ["MLP"]


class MLP(Sequential):
    """``Linear → [BatchNorm1d] → activation → [Dropout]`` for each hidden width, then a ``Linear`` output
    layer with no activation (the loss holds the output's: softmax in ``CrossEntropyLoss``).

    A ``Sequential``, so its ``state_dict`` keys are the layers' positions (``0.weight``, ``0.bias``, …).
    The weights start as each ``Linear``'s default (PyTorch's U(±1/√fan_in)); re-initialise them with
    ``bp.nn.init`` on the ``Linear`` layers (``[m for m in mlp if isinstance(m, Linear)]``).

    Parameters
    ----------
    in_features : int
        Inputs per sample.
    hidden_sizes : sequence of int
        Widths of the hidden layers, the first layer first; empty for a linear model.
    out_features : int
        Outputs per sample (classes, or regression targets).
    activation : callable returning a Module, default ReLU
        Called once per hidden layer (a class such as ``bp.nn.Tanh``).
    batch_norm : bool, default False
        A ``BatchNorm1d`` after each hidden ``Linear``, before the activation.
    dropout : float, default 0.0
        A ``Dropout(dropout)`` after each hidden activation when positive.
    dtype : optional
        The parameters' floating dtype (default: the default dtype).
    """

    def __init__(self, in_features, hidden_sizes, out_features, activation=ReLU, *, batch_norm=False,
                 dropout=0.0, dtype=None):
        if not callable(activation):
            raise TypeError(f"MLP: activation must be a Module class or another callable returning a Module "
                            f"(bp.nn.ReLU, bp.nn.Tanh), got {activation!r}")
        layers, n_in = [], in_features
        for width in hidden_sizes:
            layers.append(Linear(n_in, width, dtype=dtype))
            if batch_norm:
                layers.append(BatchNorm1d(width, dtype=dtype))
            layers.append(activation())
            if dropout:
                layers.append(Dropout(dropout))
            n_in = width
        layers.append(Linear(n_in, out_features, dtype=dtype))
        super().__init__(*layers)

    def linear_layers(self):
        """The ``Linear`` layers, input side first (what an initialisation scheme re-initialises)."""
        return [m for m in self if isinstance(m, Linear)]

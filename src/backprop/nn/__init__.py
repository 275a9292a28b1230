"""Neural-network building blocks with PyTorch's names: modules, layers, activations, losses, initialisation.

``bp.nn.functional`` (also ``bp.F``) holds the same layers and losses as functions; ``bp.nn.init``
the initialisation schemes; ``bp.nn.utils`` gradient clipping and penalties.
"""
from . import functional, hooks, init, utils
from .activation import Heaviside, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d
from .conv import Conv2d
from .container import ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import *  # noqa: F403  (the loss modules: MSELoss, CrossEntropyLoss, …)
from .loss import __all__ as _losses
from .module import Module, Parameter
from .activation import ELU, GELU, Hardtanh, LogSigmoid, Mish, SiLU, Softplus
from .batchnorm import BatchNorm2d
from .container import ModuleDict, ParameterDict, ParameterList
from .conv import Conv1d, ConvTranspose2d
from .dropout import Dropout2d
from .linear import Unflatten
from .loss_more import CosineEmbeddingLoss, KLDivLoss, MarginRankingLoss, SmoothL1Loss, TripletMarginLoss
from .normalization import GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool2d, AdaptiveMaxPool2d, Upsample
from .pooling import AvgPool2d, MaxPool2d
from .rnn import GRU, LSTM, RNN, RNNBase
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase
from .sparse import Embedding
from .sequence import LastStep, sequence_model
from .mlp import MLP
from . import parallel

__all__ = ["functional", "hooks", "init", "utils", "Heaviside", "LeakyReLU", "LogSoftmax", "PReLU", "ReLU", "Sigmoid",
           "Softmax", "Tanh", "BatchNorm1d", "Conv2d", "ModuleList", "Sequential", "Dropout", "Flatten", "Identity",
           "Linear", "Module", "Parameter", "AvgPool2d", "MaxPool2d",
           "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell", "Embedding", *_losses]
__all__ += ["ELU", "GELU", "Hardtanh", "LogSigmoid", "Mish", "SiLU", "Softplus", "BatchNorm2d", "ModuleDict",
            "ParameterDict", "ParameterList", "Conv1d", "ConvTranspose2d", "Dropout2d", "Unflatten", "GroupNorm",
            "LayerNorm", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "Upsample", "CosineEmbeddingLoss", "KLDivLoss",
            "MarginRankingLoss", "SmoothL1Loss", "TripletMarginLoss"]
__all__ += ["LastStep", "sequence_model", "MLP"]
__all__ += ["parallel"]

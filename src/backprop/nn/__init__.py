"""Neural-network building blocks with PyTorch's names: modules, layers, activations, losses, initialisation.

``bp.nn.functional`` (also ``bp.F``) holds the same layers and losses as functions; ``bp.nn.init``
the initialisation schemes; ``bp.nn.utils`` gradient clipping and penalties.
"""
from . import functional, init, utils
from .activation import Heaviside, LeakyReLU, LogSoftmax, PReLU, ReLU, Sigmoid, Softmax, Tanh
from .batchnorm import BatchNorm1d
from .conv import Conv2d
from .container import ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import *
from .module import Module, Parameter
from .pooling import AvgPool2d, MaxPool2d

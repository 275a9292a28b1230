"""``bp.optim``: the gradient-descent family of the course, with PyTorch's names, defaults and formulas.

Each optimizer is a class (hyperparameter checks, per-parameter state, parameter groups,
``state_dict``) over a pure update function on arrays that changes the parameter in place and returns
its intermediate values: :func:`sgd_update`, :func:`rmsprop_update`, :func:`adam_update`,
:func:`adagrad_update`. Hooks (PyTorch's step pre/post hooks, and per-parameter update hooks) are
registered on an optimizer or, per thread, on all of them (``register_optimizer_step_pre_hook``, ...).
The learning-rate schedulers live in :mod:`backprop.optim.lr_scheduler`.
"""
from . import lr_scheduler
from .adadelta import Adadelta, adadelta_update
from .adagrad import Adagrad, adagrad_update
from ._hooks import (
    global_hooks,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
    register_optimizer_update_hook,
)
from .adam import Adam, AdamW, adam_update
from .adamax import Adamax, adamax_update
from .lbfgs import LBFGS
from .nadam import NAdam, nadam_update
from .optimizer import Optimizer
from .radam import RAdam, radam_update
from .rmsprop import RMSprop, rmsprop_update
from .sgd import SGD, sgd_update
from .workspace import Workspace

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "LBFGS", "sgd_update", "rmsprop_update",
           "adam_update", "adagrad_update", "lr_scheduler", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook", "register_optimizer_update_hook", "global_hooks",
           "NAdam", "RAdam", "Adamax", "Adadelta", "nadam_update", "radam_update", "adamax_update", "adadelta_update",
           "Workspace"]

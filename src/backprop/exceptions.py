"""Exceptions and warnings raised by backprop; each one names what was wrong."""


class ShapeError(ValueError):
    """Operands whose shapes do not fit together; the message gives both shapes and the op."""


class DoubleBackwardError(RuntimeError):
    """An op was differentiated a second time but declares no second derivative."""


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before reaching its tolerance."""


class GradcheckError(RuntimeError):
    """Backpropagated gradients disagree with finite differences."""

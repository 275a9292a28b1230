"""``bp.neural_network``: multilayer perceptrons with scikit-learn's estimator API, built on ``bp.nn``.

:class:`MLPClassifier` and :class:`MLPRegressor` (as scikit-learn's ``sklearn.neural_network``), trained
by ``bp.train.fit`` with gradients from backpropagation.
"""
from ._multilayer_perceptron import MLPClassifier, MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor"]

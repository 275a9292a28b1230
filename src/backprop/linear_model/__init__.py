"""``bp.linear_model``: linear models with scikit-learn's estimator API, fitted through backprop's autodiff.

Regression (the course's §2.1): :class:`LinearRegression` (normal equations, gradient descent,
minibatch SGD), :class:`Ridge` (L2, closed form), :class:`Lasso` (L1, exact zeros),
:class:`PoissonRegressor` (log link, L-BFGS or Newton), and the regularisation paths
:func:`ridge_path` and :func:`lasso_path`. Classification (§2.1.9–2.1.12): :class:`Perceptron` (the
course's update rule), :class:`LinearSVC` (liblinear's dual coordinate descent), :class:`LogisticRegression`
and :class:`SoftmaxRegression` (L-BFGS by default). Every ``fit`` takes ``sample_weight``; the
classifiers take ``class_weight``; every iterative solver warns when it stops short of its optimality
measure.

Each estimator states its objective next to the course's: scikit-learn scales some losses by 1/n
or 1/(2n) where the course writes ‖Xw − y‖² + λ‖w‖, so its λ is a multiple of ``alpha``. The shared
pieces (parameter vector, centring, objectives' penalties) live in :mod:`._base`, the solvers in
:mod:`._solvers`.
"""
from ._base import IllConditionedWarning
from ._lasso import Lasso, lasso_path
from ._linear_regression import LinearRegression
from ._poisson import PoissonRegressor
from ._ridge import Ridge, ridge_path

__all__ = ["IllConditionedWarning", "Lasso", "LinearRegression", "PoissonRegressor", "Ridge", "lasso_path",
           "ridge_path"]

# Classification (the course's §2.1.9–2.1.12).
from ._linear_svc import LinearSVC
from ._logistic import LogisticRegression
from ._perceptron import Perceptron
from ._softmax import SoftmaxRegression

__all__ += ["LinearSVC", "LogisticRegression", "Perceptron", "SoftmaxRegression"]

# MLPClassifier/MLPRegressor (bp.neural_network) and OneVsRestClassifier/OneVsOneClassifier (bp.multiclass)
# lived here before they moved where scikit-learn keeps them: the old names still import, without a warning,
# loaded on first use (the MLPs pull in bp.nn and bp.train), and __all__ (so the docs) lists linear models only.
_MOVED = {"MLPClassifier": "neural_network", "MLPRegressor": "neural_network",
          "OneVsOneClassifier": "multiclass", "OneVsRestClassifier": "multiclass"}


def __getattr__(name):
    if name not in _MOVED:
        raise AttributeError(f"module 'backprop.linear_model' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"backprop.{_MOVED[name]}"), name)

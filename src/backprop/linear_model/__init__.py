"""``bp.linear_model``: linear models with scikit-learn's estimator API, fitted through backprop's autodiff.

Regression (the course's §2.1): :class:`LinearRegression` (normal equations, gradient descent,
minibatch SGD), :class:`Ridge` (L2, closed form), :class:`Lasso` (L1, exact zeros),
:class:`PoissonRegressor` (log link, L-BFGS or Newton), and the regularisation paths
:func:`ridge_path` and :func:`lasso_path`.

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

# Classification (the course's §2.1.9–2.1.12) and the multilayer perceptrons.
from ._logistic import LogisticRegression, SoftmaxRegression
from ._mlp import MLPClassifier, MLPRegressor
from ._multiclass import OneVsOneClassifier, OneVsRestClassifier
from ._perceptron import LinearSVC, Perceptron

__all__ += ["LinearSVC", "LogisticRegression", "MLPClassifier", "MLPRegressor", "OneVsOneClassifier",
            "OneVsRestClassifier", "Perceptron", "SoftmaxRegression"]

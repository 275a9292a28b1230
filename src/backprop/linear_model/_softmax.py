"""Softmax regression (the course's §2.1.12): the multinomial logistic model, solved to its optimum by default."""
import numpy as np

from ..nn import functional as F
from ..utils.random import check_random_state
from ._base import LinearParams, check_number, check_option, l2_penalty
from ._classifier import check_classifier_data, class_sample_weights, repeat_integer_weights, sgd_linear
from ._logistic import _ProbabilisticLinearClassifier
from ._solvers import lbfgs, newton, warn_if_not_converged

SOLVERS = ("lbfgs", "newton", "sgd")


class SoftmaxRegression(_ProbabilisticLinearClassifier):
    r"""Softmax (multinomial logistic) regression, by default solved exactly by L-BFGS.

    P(y = k | x) = softmax(Wx + b)_k with one row of W per class (two classes included); minimises the
    weighted mean cross-entropy plus an L2 penalty that leaves the intercepts alone,

        f(W, b) = Σᵢ sᵢ·(−ln softmax(W·xᵢ + b)_{yᵢ}) / Σᵢ sᵢ + (α/2)·‖W‖²

    (sᵢ: ``sample_weight`` times ``class_weight``; all 1 by default). This is scikit-learn's
    multinomial ``LogisticRegression(C)`` objective divided by C·Σsᵢ, with α = 1/(C·Σsᵢ): the same
    minimiser. The notes maximise the summed log-likelihood; dividing by Σsᵢ keeps α and ``tol``
    independent of n.

    Solvers:

    - ``'lbfgs'`` (default): ``bp.optim.LBFGS`` with a strong Wolfe line search on f, gradients from
      autodiff. Converged when max|∇f| ≤ ``tol`` (scikit-learn's lbfgs criterion on the same scale).
    - ``'newton'``: Newton's method, the Hessian from ``bp.hessian``; the same criterion. Few iterations,
      each one backward pass per entry of (W, b).
    - ``'sgd'``: the course's minibatch SGD with the constant step ``learning_rate`` and, with
      ``average``, the mean of the iterates (averaged SGD); ``learning_rate``, ``batch_size``,
      ``n_iter_no_change``, ``shuffle`` and ``average`` apply to it alone. It stops when the epoch's mean
      objective has not fallen by ``tol`` for ``n_iter_no_change`` epochs: a plateau, not a certificate
      of optimality (on unscaled features SGD plateaus far from the minimum). Integer sample weights
      repeat the rows (the same fit as on the repeated rows); others scale each row's step.

    Every solver that stops at ``max_iter`` without meeting its criterion warns (``ConvergenceWarning``).

    Parameters
    ----------
    solver : {'lbfgs', 'newton', 'sgd'}, default 'lbfgs'
    alpha : float, default 0.0001
        L2 strength α ≥ 0 (the intercepts are not penalised).
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Iterations ('lbfgs', 'newton') or epochs ('sgd') at most.
    tol : float, default 1e-4
        'lbfgs', 'newton': the bound on max|∇f|. 'sgd': the fall of the epoch's mean objective that
        counts as progress.
    class_weight : dict, 'balanced' or None, default None
        Weights of the classes ({label: weight}; 'balanced': n / (K·bincount(y))).
    learning_rate : float, default 1.0
        'sgd' only: the constant step.
    batch_size : int, default 32
        'sgd' only.
    n_iter_no_change : int, default 5
        'sgd' only.
    shuffle : bool, default True
        'sgd' only.
    average : bool, default True
        'sgd' only: return the mean of the iterates rather than the last one.
    random_state : None, int or numpy.random.Generator, default None
        'sgd' only: seeds the order of the rows; None draws from the library's generator.
    threshold : float, default 0.5
        Two classes: predict ``classes_[1]`` where its probability exceeds it.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) for two classes (class 1's row minus class 0's), else (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
        Iterations (epochs for 'sgd') run.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]); y = np.array([0, 0, 1, 1, 2, 2])
    >>> bp.linear_model.SoftmaxRegression().fit(X, y).predict([[0.2], [2.5], [4.8]])
    array([0, 1, 2])
    """

    def __init__(self, solver="lbfgs", alpha=0.0001, fit_intercept=True, max_iter=1000, tol=1e-4, class_weight=None,
                 learning_rate=1.0, batch_size=32, n_iter_no_change=5, shuffle=True, average=True, random_state=None,
                 threshold=0.5):
        self.solver = solver
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.average = average
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y, sample_weight=None):
        """Fit to X of shape (n, p) and labels y of shape (n,), rows weighted by ``sample_weight``; returns ``self``."""
        solver = check_option(self, "solver", SOLVERS)
        alpha = check_number(self, "alpha")
        max_iter = check_number(self, "max_iter", low=1, integer=True)
        tol = check_number(self, "tol")
        X, y_index = check_classifier_data(self, X, y)
        weights = class_sample_weights(self, y_index, sample_weight)
        n_classes = len(self.classes_)
        if solver == "sgd":
            lr = check_number(self, "learning_rate", strict=True)
            for name in ("batch_size", "n_iter_no_change"):
                check_number(self, name, low=1, integer=True)
            X_rows, y_rows, row_weights = repeat_integer_weights(X, y_index, weights)
            spec, result = sgd_linear(self, X_rows, y_rows, n_classes,
                                      lambda scores, targets: F.cross_entropy(scores, targets, reduction="none"),
                                      alpha=alpha, lr=lr, average=self.average,
                                      rng=check_random_state(self.random_state), weights=row_weights)
        else:
            spec = LinearParams(X.shape[1], n_classes, self.fit_intercept)
            mask = spec.penalty_mask(X.dtype)
            row_share = (weights / weights.sum()).astype(X.dtype)

            def objective(theta):
                row_losses = F.cross_entropy(spec.decision(X, theta), y_index, reduction="none")
                return (row_losses * row_share).sum() + alpha * l2_penalty(theta, mask)

            result = (lbfgs if solver == "lbfgs" else newton)(objective, np.zeros(spec.size, X.dtype), max_iter, tol)
        warn_if_not_converged(result, self, max_iter)
        self._set_coef(spec, result.theta)
        if n_classes == 2:  # softmax over two scores is σ of their difference
            self.coef_ = self.coef_[1:] - self.coef_[:1]
            self.intercept_ = self.intercept_[1:] - self.intercept_[:1]
        self.n_iter_ = result.n_iter
        return self

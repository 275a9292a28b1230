"""Logistic regression (the course's §2.1.10) and softmax regression (§2.1.12): linear models of probabilities.

Two classes: P(y = 1 | x) = σ(⟨w, x⟩ + b). K classes: P(y = k | x) = softmax(Xw_k + b_k), one row of
weights per class. Both are fitted by maximum likelihood, i.e. by minimising the logloss, written once
with backprop's fused ops (``bp.F.binary_cross_entropy_with_logits``, ``bp.F.cross_entropy``), whose
gradient (σ(η) − y)·x is the course's. :class:`LogisticRegression` solves that problem to
scikit-learn's precision (L-BFGS, Newton or proximal gradient); :class:`SoftmaxRegression`
(``_softmax.py``) is the multinomial model with the notes' α-penalised mean loss.
"""
import warnings

import numpy as np

from ..exceptions import ConvergenceWarning
from ..nn import functional as F
from ..ops.activations import sigmoid_array, softmax_array
from ._base import LinearModel, LinearParams, check_number, check_option, l2_penalty
from ._classifier import LinearClassifierMixin, check_classifier_data, class_sample_weights
from ._solvers import lbfgs, newton, proximal_gradient, warn_if_not_converged

PENALTIES = ("l2", "l1", None)
SOLVERS = ("auto", "lbfgs", "newton", "proximal")


def logloss(scores, y_index, reduction):
    """The logloss of scores η against class indices: binary on shape (n,), softmax cross-entropy on (n, K)."""
    if scores.ndim == 1:
        return F.binary_cross_entropy_with_logits(scores, y_index.astype(scores.dtype), reduction=reduction)
    return F.cross_entropy(scores, y_index, reduction=reduction)


class _ProbabilisticLinearClassifier(LinearClassifierMixin, LinearModel):
    """``predict_proba`` from the scores: σ for two classes, softmax for more; the probability threshold."""

    def _score_threshold(self):
        # P(classes_[1]) > t  ⇔  σ(η) > t  ⇔  η > logit(t)
        t = check_number(self, "threshold")
        if not 0 < t < 1:
            raise ValueError(f"{type(self).__name__}: threshold must be a probability in (0, 1), got {t!r}")
        return np.log(t / (1 - t))

    def predict_proba(self, X):
        """Class probabilities, shape (n, K), columns in the order of ``classes_``; each row sums to 1."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            p = sigmoid_array(scores)
            return np.stack([1 - p, p], axis=1)
        return softmax_array(scores, axis=1)

    def predict_log_proba(self, X):
        """log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class LogisticRegression(_ProbabilisticLinearClassifier):
    r"""Logistic regression, binary or multinomial, solved to scikit-learn's objective and precision.

    Minimises scikit-learn's objective (the logloss summed over the observations, each weighted by
    sᵢ, its ``sample_weight`` times its class's ``class_weight``, all 1 by default)

        penalty='l2':  C·Σᵢ sᵢ·ℓ(yᵢ, ηᵢ) + ½‖W‖²       penalty='l1':  C·Σᵢ sᵢ·ℓ(yᵢ, ηᵢ) + ‖W‖₁
        penalty=None:  Σᵢ sᵢ·ℓ(yᵢ, ηᵢ)

    where ηᵢ = W·xᵢ + b and ℓ is the course's logloss: −[y ln σ(η) + (1 − y) ln(1 − σ(η))] for two
    classes, −ln softmax(ηᵢ)_{yᵢ} (multinomial, K rows of weights) for more. The intercepts are not
    penalised. The course's λ‖w‖² + Σ ℓ is C = 1/(2λ) (and λ‖w‖₁ is C = 1/λ).

    Every gradient is autodiff's (and Newton's Hessian is ``bp.hessian``'s). With ``penalty=None`` on
    data that a hyperplane separates, the likelihood grows towards 1 as the weights grow without
    bound: no maximum-likelihood estimate exists, and ``fit`` says so with a ``ConvergenceWarning``
    rather than return the last iterate as if it were one. It also warns, as R's ``glm`` does, when
    some fitted probability is numerically 0 or 1, the sign that some classes are (quasi-)separated.

    Parameters
    ----------
    penalty : {'l2', 'l1', None}, default 'l2'
    C : float, default 1.0
        Inverse strength of the penalty (C > 0).
    fit_intercept : bool, default True
    solver : {'auto', 'lbfgs', 'newton', 'proximal'}, default 'auto'
        'lbfgs': ``bp.optim.LBFGS`` with a strong Wolfe line search (L2 or no penalty; the 'auto'
        choice for them). 'newton': Newton's method with ``bp.hessian`` (IRLS), which converges in a few
        iterations but costs one backward pass per coefficient per iteration. 'proximal': FISTA,
        a gradient step then the soft-threshold, which sets weights to exactly 0 (L1; the 'auto'
        choice for it).
    max_iter : int, optional
        Iterations at most; by default 100, or 10000 for 'proximal', whose iterations are cheap and many.
    tol : float, default 1e-6
        Stop when every entry of the gradient (the gradient mapping for 'proximal') of the objective
        divided by C·Σsᵢ (by Σsᵢ without a penalty), i.e. of the mean loss plus the penalty over C·Σsᵢ,
        is at most tol: scikit-learn's lbfgs criterion on its scale (with its default tol of 1e-4 the
        coefficients agree to only 2 or 3 digits on standardised digits). On unscaled features that
        takes more than the default 100 iterations, and ``fit`` warns.
    threshold : float, default 0.5
        Two classes: predict ``classes_[1]`` where its probability exceeds it.
    class_weight : dict, 'balanced' or None, default None
        Weights of the classes ({label: weight}; 'balanced': n / (K·bincount(y))).

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) for two classes, else (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array(["no", "no", "yes", "yes"])
    >>> model = bp.linear_model.LogisticRegression().fit(X, y)
    >>> model.classes_, model.predict([[0.5], [2.5]])
    (array(['no', 'yes'], dtype='<U3'), array(['no', 'yes'], dtype='<U3'))
    """

    def __init__(self, penalty="l2", C=1.0, fit_intercept=True, solver="auto", max_iter=None, tol=1e-6,
                 threshold=0.5, class_weight=None):
        self.class_weight = class_weight
        self.penalty = penalty
        self.C = C
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.threshold = threshold

    def _check_params(self):
        if self.penalty not in PENALTIES:
            raise ValueError(f"{type(self).__name__}: penalty must be 'l2', 'l1' or None, got {self.penalty!r}")
        C = check_number(self, "C", strict=True)
        solver = check_option(self, "solver", SOLVERS)
        if solver == "auto":
            solver = "proximal" if self.penalty == "l1" else "lbfgs"
        if (solver == "proximal") != (self.penalty == "l1"):
            raise ValueError(f"{type(self).__name__}: solver {solver!r} does not support penalty={self.penalty!r}: "
                             "use 'proximal' for 'l1', and 'lbfgs' or 'newton' for 'l2' and None")
        if self.max_iter is not None:
            check_number(self, "max_iter", low=1, integer=True)
        check_number(self, "tol")
        return C, solver

    def fit(self, X, y, sample_weight=None):
        """Fit to X of shape (n, p) and labels y of shape (n,) (any sortable values); returns ``self``."""
        C, solver = self._check_params()
        X, y_index = check_classifier_data(self, X, y)
        weights = class_sample_weights(self, y_index, sample_weight).astype(X.dtype)
        n_classes = len(self.classes_)
        spec = LinearParams(X.shape[1], None if n_classes == 2 else n_classes, self.fit_intercept)
        mask = spec.penalty_mask(X.dtype)
        scale = 1.0 if self.penalty is None else C

        def data_term(theta):
            return scale * (logloss(spec.decision(X, theta), y_index, "none") * weights).sum()

        def objective(theta):
            return data_term(theta) + l2_penalty(theta, mask) if self.penalty == "l2" else data_term(theta)

        theta0 = np.zeros(spec.size, X.dtype)
        tol = self.tol * scale * float(weights.sum())  # scikit-learn's scale: the objective over C·Σsᵢ
        max_iter = self.max_iter or (10000 if solver == "proximal" else 100)
        if solver == "proximal":
            result = proximal_gradient(data_term, theta0, mask, max_iter, tol)
        else:
            result = (lbfgs if solver == "lbfgs" else newton)(objective, theta0, max_iter, tol)
        self._set_coef(spec, result.theta)
        self.n_iter_ = result.n_iter
        if self.penalty is None:
            self._warn_if_separated(X[weights > 0], y_index[weights > 0], result, max_iter)
        else:
            warn_if_not_converged(result, self, max_iter)
        return self

    def _warn_if_separated(self, X, y_index, result, max_iter):
        """Warn when the unpenalised maximum-likelihood estimate does not exist (or may not), else if not converged.

        Every training point strictly on its side (all log-odds margins > 0) is complete separation:
        scaling the weights up drives the logloss to 0, so no finite minimiser exists. Some point
        predicted with a probability numerically 1 (margin > −ln(10ε), R's ``glm`` test) signals quasi-
        separation: some of the weights are growing without bound.
        """
        margins = log_odds_margins(X @ self.coef_.T + self.intercept_, y_index)
        name = f"{type(self).__name__}(penalty=None)"
        advice = "Use penalty='l2' (or 'l1') for a finite solution."
        if np.all(margins > 0):
            warnings.warn(f"{name}: the classes are linearly separable, so the maximum-likelihood estimate does not "
                          "exist: the likelihood keeps growing as the weights grow without bound, and the weights "
                          f"returned are only where the solver stopped. {advice}", ConvergenceWarning, stacklevel=3)
        elif margins.max() > -np.log(10 * np.finfo(X.dtype).eps):
            warnings.warn(f"{name}: fitted probabilities numerically 0 or 1 occurred: some classes are (quasi-)"
                          "separated, so the maximum-likelihood estimate may not exist (some weights grow without "
                          f"bound). {advice}", ConvergenceWarning, stacklevel=3)
        else:
            warn_if_not_converged(result, self, max_iter)


def log_odds_margins(scores, y_index):
    """mᵢ = η_{i,yᵢ} − ln Σ_{k≠yᵢ} e^{η_{i,k}}, the log-odds of each observed class (> 0: predicted correctly).

    Binary scores (n, 1) are the log-odds of class 1 against class 0, i.e. the two columns [0, η].
    """
    if scores.shape[1] == 1:
        scores = np.hstack([np.zeros_like(scores), scores])
    rows = np.arange(len(y_index))
    others = scores.copy()
    others[rows, y_index] = -np.inf
    top = others.max(axis=1)
    return scores[rows, y_index] - top - np.log(np.exp(others - top[:, None]).sum(axis=1))

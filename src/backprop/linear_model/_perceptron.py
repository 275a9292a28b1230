"""The margin classifiers of the course (§2.1.9): the perceptron and the linear SVM (hinge loss + L2).

Both score a point with η = ⟨w, x⟩ + b and look at the margin M = y·η, y ∈ {−1, +1}. The perceptron
loss max(0, −M) counts the points on the wrong side; the hinge loss max(0, 1 − M) also the points
closer to the hyperplane than 1, which pushes the hyperplane to the middle between the classes. Both
are fitted by minibatch SGD on the loss written with backprop's ops (``bp.F.perceptron_loss`` and
``bp.F.hinge_loss``), whose gradient −y·x at M ≤ margin (equality included) is the course's.
More than two classes are handled one-vs-rest: one score per class against the others, all fitted
together, and the prediction is the class of the largest score (the course's one-vs-all).
"""
from ..nn import functional as F
from ..utils.random import check_random_state
from ._base import LinearModel, check_number, check_option
from ._classifier import LinearClassifierMixin, check_classifier_data, sgd_linear, sign_targets
from ._solvers import warn_if_not_converged


def _summed_over_classes(loss, scale=1.0):
    """scale × the loss summed over the one-vs-rest columns and averaged over the rows: K problems at once."""
    return lambda scores, targets: loss(scores, targets, reduction="sum") * (scale / len(targets))


class _MarginClassifier(LinearClassifierMixin, LinearModel):
    """Shared ``fit`` of :class:`Perceptron` and :class:`LinearSVC`: SGD on a margin loss plus L2."""

    def _check_common(self):
        for name in ("max_iter", "n_iter_no_change", "batch_size"):
            check_number(self, name, low=1, integer=True)
        if self.tol is not None:
            check_number(self, "tol")

    def _sgd(self, X, y_index, loss, alpha):
        targets = sign_targets(y_index, len(self.classes_), X.dtype)
        spec, result = sgd_linear(self, X, targets, targets.shape[1], loss, alpha=alpha,
                                  lr=check_number(self, "eta0", strict=True), average=self.average,
                                  rng=check_random_state(self.random_state))
        warn_if_not_converged(result, self)
        self._set_coef(spec, result.theta)
        self.n_iter_ = result.n_iter
        return self


class Perceptron(_MarginClassifier):
    r"""The perceptron: a linear classifier fitted on the perceptron loss max(0, −M) by SGD.

    Minimises the mean over the points of max(0, −yᵢ(⟨w, xᵢ⟩ + b)), plus (α/2)‖w‖² with
    ``penalty='l2'`` (the course's λ‖w‖² + Σ max(0, −Mᵢ) for λ = nα/2). A point with margin M ≤ 0
    (M = 0 included, as the course defines the update) moves the weights by η·y·x, so a perceptron
    started from zero weights, where every margin is 0, learns. On linearly separable data an epoch
    in which no point has M ≤ 0 moves nothing and ends the training with a separating hyperplane
    (Novikoff: after finitely many updates); the rule that stops a stalling loss (``tol``) may end it
    sooner, as in scikit-learn: ``tol=None`` trains until the data are separated (or ``max_iter``).

    Differs from scikit-learn's ``Perceptron`` (plain SGD, one point at a time, last iterate) in two
    ways, both for stability: the steps use minibatches of ``batch_size`` points, and with
    ``average=True`` the weights are the mean of all the iterates (averaged perceptron, Freund and
    Schapire 1999): on data that are not separable the last iterate jumps between hyperplanes.
    More than two classes: one-vs-rest (one perceptron per class, all trained at once).

    Parameters
    ----------
    penalty : {None, 'l2'}, default None
    alpha : float, default 0.0001
        Strength α of the L2 penalty when ``penalty='l2'``.
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Epochs at most.
    tol : float or None, default 1e-3
        Stop when the epoch's mean loss has not fallen by ``tol`` for ``n_iter_no_change`` epochs
        (None: never; only an epoch without updates, or ``max_iter``, ends the training).
    shuffle : bool, default True
        Visit the points in a new random order each epoch.
    eta0 : float, default 1.0
        The constant step η. From zero weights without a penalty it only scales w and b together,
        so it does not change the predictions.
    batch_size : int, default 8
    n_iter_no_change : int, default 5
    average : bool, default True
        Return the mean of the iterates (False: the last iterate, as scikit-learn's default).
    random_state : None, int or numpy.random.Generator, default None
        Seeds the order of the points; None draws from the library's generator (``bp.manual_seed``).
    threshold : float, default 0.0
        Two classes: predict ``classes_[1]`` where the score ⟨w, x⟩ + b exceeds it.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) or (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
        Epochs run.
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]); y = np.array([0, 0, 0, 1])  # AND
    >>> bp.linear_model.Perceptron(random_state=0).fit(X, y).predict(X)
    array([0, 0, 0, 1])
    """

    def __init__(self, penalty=None, alpha=0.0001, fit_intercept=True, max_iter=1000, tol=1e-3, shuffle=True,
                 eta0=1.0, batch_size=8, n_iter_no_change=5, average=True, random_state=None, threshold=0.0):
        self.penalty = penalty
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.eta0 = eta0
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y):
        """Fit to X of shape (n, p) and labels y of shape (n,); returns ``self``."""
        if self.penalty is not None:
            check_option(self, "penalty", ("l2",))
        alpha = check_number(self, "alpha") if self.penalty == "l2" else 0.0
        self._check_common()
        X, y_index = check_classifier_data(self, X, y)
        return self._sgd(X, y_index, _summed_over_classes(F.perceptron_loss), alpha)


class LinearSVC(_MarginClassifier):
    r"""The linear support vector machine of the course: hinge loss with an L2 penalty, fitted by SGD.

    Minimises C·Σᵢ max(0, 1 − yᵢ(⟨w, xᵢ⟩ + b)) + ½‖w‖², the PLAIN hinge loss (scikit-learn's
    ``LinearSVC`` defaults to the squared hinge: compare with ``LinearSVC(loss='hinge')``; the course's
    λ‖w‖² + Σ max(0, 1 − Mᵢ) is C = 1/(2λ)). The intercept b is not penalised (liblinear, behind
    scikit-learn's, penalises it a little). Divided by n, that is C times the mean hinge loss plus
    ‖w‖²/(2n), which minibatch SGD minimises with a constant step and averaged iterates (averaged SGD).
    The subgradient −y·x of the hinge loss at margins M ≤ 1 comes from autodiff. SGD stops near the
    minimum, not on it (the loss has kinks; on standardised breast-cancer data the objective ends about
    20% above its minimum), while the accuracy matches scikit-learn's.
    More than two classes: one-vs-rest.

    Parameters
    ----------
    C : float, default 1.0
        Inverse strength of the penalty (C > 0).
    fit_intercept : bool, default True
    max_iter : int, default 1000
        Epochs at most.
    tol : float or None, default 1e-3
        Stop when the epoch's mean objective has not fallen by ``tol`` for ``n_iter_no_change`` epochs.
    shuffle : bool, default True
    eta0 : float, default 1.0
        The constant step.
    batch_size : int, default 16
    n_iter_no_change : int, default 5
    average : bool, default True
        Return the mean of the iterates rather than the last one.
    random_state : None, int or numpy.random.Generator, default None
    threshold : float, default 0.0
        Two classes: predict ``classes_[1]`` where the score exceeds it.

    Attributes
    ----------
    classes_ : ndarray, shape (K,)
    coef_ : ndarray, shape (1, p) or (K, p)
    intercept_ : ndarray, shape (1,) or (K,)
    n_iter_ : int
    n_features_in_ : int
    """

    def __init__(self, C=1.0, fit_intercept=True, max_iter=1000, tol=1e-3, shuffle=True, eta0=1.0,
                 batch_size=16, n_iter_no_change=5, average=True, random_state=None, threshold=0.0):
        self.C = C
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.eta0 = eta0
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.average = average
        self.random_state = random_state
        self.threshold = threshold

    def fit(self, X, y):
        """Fit to X of shape (n, p) and labels y of shape (n,); returns ``self``."""
        C = check_number(self, "C", strict=True)
        self._check_common()
        X, y_index = check_classifier_data(self, X, y)
        return self._sgd(X, y_index, _summed_over_classes(F.hinge_loss, C), 1.0 / len(X))

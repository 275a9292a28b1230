"""Multiclass classification from binary classifiers (the course's §2.1.11): one-vs-rest and one-vs-one.

Any binary classifier with ``fit``/``predict`` and a score (``decision_function``, else
``predict_proba``) can be wrapped, ours or scikit-learn's; each copy is made with :func:`~backprop.base.clone`.
"""
import numpy as np

from ..base import BaseEstimator, ClassifierMixin, clone, is_regressor
from ..utils.multiclass import check_classes
from ..utils.validation import check_is_fitted, validate_data


def _binary_score(estimator, X):
    """The estimator's confidence in class 1: its decision function, else its probability of class 1."""
    if is_regressor(estimator):
        return np.ravel(estimator.predict(X))
    if hasattr(estimator, "decision_function"):
        return np.ravel(estimator.decision_function(X))
    return estimator.predict_proba(X)[:, 1]


class _MetaClassifier(ClassifierMixin, BaseEstimator):
    """Shared by the wrappers: input checks, the fitted copies' feature count, the number of classes."""

    def __init__(self, estimator):
        self.estimator = estimator

    def _fit_data(self, X, y):
        if self.estimator is None or not hasattr(self.estimator, "fit"):
            raise TypeError(f"{type(self).__name__} needs an estimator with a fit method, got {self.estimator!r}")
        X, y = validate_data(self, X, y, dtype=None, ensure_all_finite=False)
        self.classes_, y_index = check_classes(y, estimator=self)
        return X, y_index

    def _predict_data(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=None, ensure_all_finite=False)

    @property
    def n_classes_(self):
        check_is_fitted(self)
        return len(self.classes_)


class OneVsRestClassifier(_MetaClassifier):
    """One-vs-rest (one-vs-all): one binary classifier per class k, fitted to "k" (1) against the rest (0).

    The prediction is the class whose classifier is most confident, argmaxₖ bₖ(x), with bₖ its
    ``decision_function`` (or its probability of class 1), as in the course. The classifiers learn on
    different targets, so their scores need not be on one scale (the course's caveat). With two classes
    one classifier suffices (class ``classes_[1]`` against ``classes_[0]``), as in scikit-learn.

    Parameters
    ----------
    estimator : estimator
        A binary classifier (cloned for every class).

    Attributes
    ----------
    estimators_ : list of estimators
        K fitted copies (one for two classes).
    classes_ : ndarray, shape (K,)
    n_features_in_ : int
    """

    def fit(self, X, y):
        """Fit one copy of ``estimator`` per class to X (n, p) and labels y (n,); returns ``self``."""
        X, y_index = self._fit_data(X, y)
        columns = [1] if self.n_classes_ == 2 else range(self.n_classes_)
        self.estimators_ = [clone(self.estimator).fit(X, (y_index == k).astype(int)) for k in columns]
        return self

    def decision_function(self, X):
        """The classifiers' scores, shape (n, K); (n,) for two classes."""
        X = self._predict_data(X)
        scores = np.stack([_binary_score(e, X) for e in self.estimators_], axis=1)
        return scores[:, 0] if self.n_classes_ == 2 else scores

    def predict(self, X):
        """The class of the most confident classifier (two classes: the one classifier's prediction)."""
        if self.n_classes_ == 2:
            return self.classes_[(np.asarray(self.estimators_[0].predict(self._predict_data(X))) == 1).astype(int)]
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def predict_proba(self, X):
        """Each classifier's probability of its class, normalised so that every row sums to 1 (shape (n, K))."""
        X = self._predict_data(X)
        p = np.stack([e.predict_proba(X)[:, 1] for e in self.estimators_], axis=1)
        if self.n_classes_ == 2:
            return np.hstack([1 - p, p])
        total = p.sum(axis=1, keepdims=True)
        return np.divide(p, total, out=np.full_like(p, 1 / self.n_classes_), where=total > 0)


class OneVsOneClassifier(_MetaClassifier):
    """One-vs-one (all-vs-all): a binary classifier for every pair of classes i < j, then a majority vote.

    The classifier a_ij is fitted on the observations of classes i and j only (class j as 1); the
    prediction is the class with the most votes, argmaxₖ Σ_{i<j} [a_ij(x) = k] (the course's formula,
    counting each pair once). Ties are broken as in scikit-learn, by the pairwise confidences: every
    class's votes get Σ of the scores for it (score of a_ij for j, minus it for i) squeezed into
    (−⅓, ⅓) by s ↦ s/(3(|s| + 1)), which never overturns a difference of one vote.

    Parameters
    ----------
    estimator : estimator
        A binary classifier (cloned for every pair).

    Attributes
    ----------
    estimators_ : list of estimators
        K(K − 1)/2 fitted copies, for the pairs (0, 1), (0, 2), …, (1, 2), …
    pairs_ : list of (int, int)
        The class indices (i, j) of each estimator.
    classes_ : ndarray, shape (K,)
    n_features_in_ : int
    """

    def fit(self, X, y):
        """Fit one copy of ``estimator`` per pair of classes; returns ``self``."""
        X, y_index = self._fit_data(X, y)
        self.pairs_ = [(i, j) for i in range(self.n_classes_) for j in range(i + 1, self.n_classes_)]
        self.estimators_ = []
        for i, j in self.pairs_:
            rows = (y_index == i) | (y_index == j)
            self.estimators_.append(clone(self.estimator).fit(X[rows], (y_index[rows] == j).astype(int)))
        return self

    def decision_function(self, X):
        """Votes plus squeezed confidences per class, shape (n, K); for two classes the (n,) column of class 1."""
        decision = self._votes(X)
        return decision[:, 1] if self.n_classes_ == 2 else decision

    def predict(self, X):
        """The class with the most votes (ties broken by confidence), shape (n,)."""
        votes = self._votes(X)
        return self.classes_[np.argmax(votes, axis=1)]

    def _votes(self, X):
        X = self._predict_data(X)
        votes = np.zeros((X.shape[0], self.n_classes_))
        confidence = np.zeros_like(votes)
        for (i, j), estimator in zip(self.pairs_, self.estimators_):
            for_j = np.asarray(estimator.predict(X)) == 1
            votes[:, i] += ~for_j
            votes[:, j] += for_j
            score = _binary_score(estimator, X)
            confidence[:, i] -= score
            confidence[:, j] += score
        return votes + confidence / (3 * (np.abs(confidence) + 1))

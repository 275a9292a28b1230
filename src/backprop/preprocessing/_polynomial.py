"""Polynomial and interaction features: the course's XOR becomes linearly separable with x₁x₂."""
import itertools

import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import check_is_fitted, validate_data


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to ``degree``: for (x₁, x₂) and degree 2, (1, x₁, x₂, x₁², x₁x₂, x₂²).

    scikit-learn's ``PolynomialFeatures`` (same order of the output columns). The course's XOR is not
    linearly separable in (x₁, x₂) but is with the product x₁x₂: ``interaction_only=True`` gives
    (1, x₁, x₂, x₁x₂), and a perceptron on those columns solves it.

    Parameters
    ----------
    degree : int, default 2
        The highest total degree of a monomial.
    interaction_only : bool, default False
        Only products of distinct features (x₁x₂, but not x₁²).
    include_bias : bool, default True
        Include the constant column 1.

    Attributes
    ----------
    powers_ : ndarray of shape (n_output_features_, n_features_in_)
        The exponent of each input feature in each output column.
    n_output_features_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from backprop.preprocessing import PolynomialFeatures
    >>> PolynomialFeatures(interaction_only=True).fit_transform(np.array([[2.0, 3.0]]))
    array([[1., 2., 3., 6.]])
    """

    def __init__(self, degree=2, *, interaction_only=False, include_bias=True):
        self.degree = degree
        self.interaction_only = interaction_only
        self.include_bias = include_bias

    def fit(self, X, y=None):
        """Work out the output columns for X's number of features; returns ``self``."""
        if not isinstance(self.degree, (int, np.integer)) or self.degree < 0:
            raise ValueError(f"PolynomialFeatures: degree must be a non-negative integer, got {self.degree!r}")
        X = validate_data(self, X, dtype=(np.float64, np.float32))
        n = X.shape[1]
        pick = itertools.combinations if self.interaction_only else itertools.combinations_with_replacement
        powers = []
        for d in range(0 if self.include_bias else 1, self.degree + 1):
            for combo in pick(range(n), d):
                powers.append(np.bincount(np.array(combo, dtype=int), minlength=n))
        if not powers:
            raise ValueError("PolynomialFeatures: degree=0 with include_bias=False gives no output features")
        self.powers_ = np.array(powers, dtype=int).reshape(-1, n)
        self.n_output_features_ = len(self.powers_)
        return self

    def transform(self, X):
        """The monomials of each row: shape (n_samples, n_output_features_)."""
        check_is_fitted(self, "powers_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        return np.prod(X[:, None, :] ** self.powers_[None, :, :], axis=2)

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, e.g. ``['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']``."""
        check_is_fitted(self, "powers_")
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        out = []
        for row in self.powers_:
            terms = [name if p == 1 else f"{name}^{p}" for name, p in zip(names, row) if p]
            out.append(" ".join(terms) if terms else "1")
        return np.array(out, dtype=object)

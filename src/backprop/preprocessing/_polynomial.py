"""Polynomial and interaction features: the course's XOR becomes linearly separable with x₁x₂."""
import itertools
import math

import numpy as np

from ..base import BaseEstimator, TransformerMixin
from ..utils.validation import check_is_fitted, validate_data

_GIB = 2**30


def _available_memory():
    """Bytes the kernel could hand out now (``MemAvailable`` of /proc/meminfo), or None where it does not say.

    Linux over-commits: a too-large ``np.empty`` succeeds and the process is killed while filling it, so
    the size has to be checked against this figure before allocating.
    """
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _check_fits_in_memory(shape, dtype, what):
    """Raise MemoryError, giving the size in GiB, when an array of ``shape`` would not fit in memory."""
    nbytes = math.prod(shape) * np.dtype(dtype).itemsize
    available = _available_memory()
    if nbytes > np.iinfo(np.intp).max or (available is not None and nbytes > available):
        room = "" if available is None else f", and {available / _GIB:.1f} GiB of memory are available"
        raise MemoryError(f"PolynomialFeatures: {what} would be an array of shape {shape} of {np.dtype(dtype)}, "
                          f"{nbytes / _GIB:.1f} GiB{room}; lower degree, use fewer features or transform the "
                          f"rows in batches")


class PolynomialFeatures(TransformerMixin, BaseEstimator):
    """All monomials of the features up to ``degree``: for (x₁, x₂) and degree 2, (1, x₁, x₂, x₁², x₁x₂, x₂²).

    scikit-learn's ``PolynomialFeatures`` (same order of the output columns). The course's XOR is not
    linearly separable in (x₁, x₂) but is with the product x₁x₂: ``interaction_only=True`` gives
    (1, x₁, x₂, x₁x₂), and a perceptron on those columns solves it.

    Size limits: ``fit`` counts the output columns with binomial coefficients (it does not list the
    monomials) and raises ValueError when the count exceeds the int64 range (scikit-learn's limit; degree 50
    on 30 features, for example, gives about 8.9e21 columns). ``transform`` (and ``powers_``) raise
    MemoryError, giving the size in GiB, when the output would exceed the memory available
    (``MemAvailable`` of /proc/meminfo on Linux; elsewhere, only arrays NumPy cannot index are refused).

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
        The exponent of each input feature in each output column (computed when asked for).
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
        """Count the output columns for X's number of features; returns ``self``."""
        degree = self.degree
        if isinstance(degree, bool) or not isinstance(degree, (int, np.integer)) or degree < 0:
            raise ValueError(f"PolynomialFeatures: degree must be a non-negative integer, got {degree!r}")
        X = validate_data(self, X, dtype=(np.float64, np.float32))
        n = X.shape[1]
        if self.interaction_only:
            count = sum(math.comb(n, d) for d in range(1, min(int(degree), n) + 1))
        else:
            count = math.comb(n + int(degree), n) - 1  # monomials of degree 1..degree in n variables
        count += bool(self.include_bias)
        if count == 0:
            raise ValueError("PolynomialFeatures: degree=0 with include_bias=False gives no output features")
        if count > np.iinfo(np.int64).max:
            raise ValueError(f"PolynomialFeatures: degree={degree} on {n} features gives {count} output features "
                             f"(about {float(count):.1e}), beyond the int64 range ({np.iinfo(np.int64).max}); "
                             f"lower degree, use fewer features or interaction_only=True")
        self.n_output_features_ = count
        return self

    @property
    def powers_(self):
        """The exponent of each input feature in each output column, shape (n_output_features_, n_features_in_)."""
        check_is_fitted(self, "n_output_features_")
        n = self.n_features_in_
        _check_fits_in_memory((self.n_output_features_, n), np.intp, "powers_")
        pick = itertools.combinations if self.interaction_only else itertools.combinations_with_replacement
        powers = np.zeros((self.n_output_features_, n), dtype=np.intp)
        combos = itertools.chain.from_iterable(pick(range(n), d)
                                               for d in range(0 if self.include_bias else 1, self.degree + 1))
        for row, combo in zip(powers, combos):
            for feature in combo:
                row[feature] += 1
        return powers

    def transform(self, X):
        """The monomials of each row: shape (n_samples, n_output_features_)."""
        check_is_fitted(self, "n_output_features_")
        X = validate_data(self, X, reset=False, dtype=(np.float64, np.float32))
        n_samples, n = X.shape
        _check_fits_in_memory((n_samples, self.n_output_features_), X.dtype, "the output")
        out = np.empty((n_samples, self.n_output_features_), dtype=X.dtype)
        col = 0
        if self.include_bias:
            out[:, 0] = 1
            col = 1
        if self.degree == 0:
            return out
        out[:, col:col + n] = X
        # starts[i]: the first column of the current degree's block whose monomials start with feature i or
        # later; the next degree multiplies feature i into that tail (scikit-learn's order, one product each)
        starts = list(range(col, col + n + 1))
        col += n
        # with interaction_only, degrees above n have no monomial (and degree may be huge)
        for _ in range(2, (min(self.degree, n) if self.interaction_only else self.degree) + 1):
            new_starts, end = [], starts[-1]
            for i in range(n):
                start = starts[i + 1] if self.interaction_only else starts[i]
                new_starts.append(col)
                width = end - start
                np.multiply(out[:, start:end], X[:, i:i + 1], out=out[:, col:col + width])
                col += width
            new_starts.append(col)
            starts = new_starts
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns, e.g. ``['1', 'x0', 'x1', 'x0^2', 'x0 x1', 'x1^2']``."""
        powers = self.powers_
        names = input_features if input_features is not None else [f"x{i}" for i in range(self.n_features_in_)]
        out = []
        for row in powers:
            terms = [name if p == 1 else f"{name}^{p}" for name, p in zip(names, row) if p]
            out.append(" ".join(terms) if terms else "1")
        return np.array(out, dtype=object)

"""Poisson regression: a generalised linear model for counts, with a log link (the problem book, §2)."""
import numpy as np

from ..base import RegressorMixin
from ..ops import dispatch as D
from ._base import LinearModel, LinearParams, check_fit_data, check_fit_weights, check_number, check_option, l2_penalty
from ._solvers import lbfgs, newton, relative_tol, warn_if_not_converged

SOLVERS = ("lbfgs", "newton")


def _xlogy(y):
    """y·log y with 0·log 0 = 0."""
    return np.where(y > 0, y * np.log(np.where(y > 0, y, 1)), 0.0)


def poisson_deviance_terms(y, mu):
    """The unit deviances dᵢ = 2(yᵢ·log(yᵢ/μᵢ) − yᵢ + μᵢ) (0·log 0 = 0), as an array."""
    return 2 * (_xlogy(y) - y * np.log(mu) - y + mu)


class PoissonRegressor(RegressorMixin, LinearModel):
    r"""Poisson regression: counts y ~ Poisson(μ) with log μ = Xw + b, fitted by penalised likelihood.

    Minimises scikit-learn's ``PoissonRegressor`` objective

        (1/2n)·Σᵢ d(yᵢ, μᵢ) + (α/2)·‖w‖²,    μᵢ = exp(xᵢᵀw + b),
        d(y, μ) = 2·(y·log(y/μ) − y + μ)    (the unit deviance; 0·log 0 = 0),

    which is the mean negative log-likelihood (1/n)·Σ(μᵢ − yᵢ·log μᵢ) up to a constant, plus an L2
    penalty that leaves the intercept alone. In the course's unscaled form, Σ(μᵢ − yᵢ log μᵢ) + λ‖w‖²,
    the penalty is λ = nα/2. The objective is written with backprop ops; the solver takes its
    gradient (and, for Newton, its Hessian) from autodiff.

    Parameters
    ----------
    alpha : float, default 1.0
        L2 strength α ≥ 0.
    fit_intercept : bool, default True
    solver : {'lbfgs', 'newton'}, default 'lbfgs'
        'lbfgs': ``bp.optim.LBFGS`` with a strong Wolfe line search. 'newton': Newton's method with the
        Hessian from ``bp.hessian`` (IRLS: for this model H = Xᵀ·diag(μ)·X/n + αI), which converges in a
        few iterations but costs one backward pass per coefficient per iteration.
    max_iter : int, default 100
    tol : float, default 1e-4
        Stop when every entry of the objective's gradient is at most tol times its largest entry at
        the start (w = 0, b = log ȳ).

    Attributes
    ----------
    coef_ : ndarray, shape (p,)
    intercept_ : float
    n_iter_ : int
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([1.0, 2.0, 4.0, 8.0])
    >>> model = bp.linear_model.PoissonRegressor(alpha=0).fit(X, y)
    >>> round(float(np.exp(model.coef_[0])), 6)     # y doubles with each step of x
    2.0
    """

    def __init__(self, alpha=1.0, fit_intercept=True, solver="lbfgs", max_iter=100, tol=1e-4):
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X, y, sample_weight=None):
        """Fit the weights to X of shape (n, p) and counts y ≥ 0 of shape (n,); returns ``self``.

        ``sample_weight`` sᵢ ≥ 0 turns the means over the rows into weighted means, as scikit-learn's
        (1/2Σsᵢ)·Σᵢ sᵢ·d(yᵢ, μᵢ).
        """
        alpha = check_number(self, "alpha")
        solver = check_option(self, "solver", SOLVERS)
        check_number(self, "max_iter", integer=True)
        check_number(self, "tol")
        X, y = check_fit_data(self, X, y)
        share = check_fit_weights(self, sample_weight, len(X))
        share = (share / share.sum()).astype(X.dtype)
        negative = np.flatnonzero(y < 0)
        if negative.size:
            first = negative[0]
            raise ValueError(f"{type(self).__name__} needs counts y ≥ 0, but y[{first}] = {y[first]}")
        if self.fit_intercept and not share @ y > 0:
            raise ValueError(f"{type(self).__name__} needs some y > 0: with all y = 0 the intercept goes "
                             "to −∞")
        spec = LinearParams(X.shape[1], None, self.fit_intercept)
        mask = spec.penalty_mask(X.dtype)
        constant = share @ (_xlogy(y) - y)  # makes the objective the deviance itself, ≥ 0

        def objective(theta):
            eta = spec.decision(X, theta)
            return D.sum((D.exp(eta) - y * eta) * share) + constant + alpha * l2_penalty(theta, mask)

        # start at the best constant model: μ = ȳ (the weighted mean)
        theta0 = spec.pack(np.zeros(X.shape[1], X.dtype), np.log(share @ y) if self.fit_intercept else 0.0)
        minimize = lbfgs if solver == "lbfgs" else newton
        result = minimize(objective, theta0, self.max_iter, relative_tol(objective, theta0, self.tol))
        warn_if_not_converged(result, self, self.max_iter)
        self.coef_, self.intercept_ = spec.coef_intercept(result.theta)
        self.n_iter_ = result.n_iter
        return self

    def predict(self, X):
        """The predicted mean μ = exp(X·coef_ + intercept_), shape (n,)."""
        return np.exp(self._decision_function(X))

    def score(self, X, y, sample_weight=None):
        """D² = 1 − Σd(y, μ̂)/Σd(y, ȳ), the fraction of deviance explained (scikit-learn's score), a float."""
        mu = self.predict(X)
        y = np.asarray(y, dtype=mu.dtype)
        weights = np.ones_like(y) if sample_weight is None else np.asarray(sample_weight, dtype=mu.dtype)
        y_mean = np.average(y, weights=weights)
        deviance = np.average(poisson_deviance_terms(y, mu), weights=weights)
        null = np.average(poisson_deviance_terms(y, np.full_like(y, y_mean)), weights=weights)
        return float(1 - deviance / null)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.positive_only = True
        return tags

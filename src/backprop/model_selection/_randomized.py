"""Random search over hyperparameters: ``ParameterSampler`` and ``RandomizedSearchCV``.

A distribution is any object with ``rvs(random_state=...)`` (scipy.stats' frozen distributions, without
scipy being a dependency); a list is sampled uniformly. With an int ``random_state`` the candidates are
scikit-learn's for that seed: the draws come from ``np.random.RandomState(seed)`` in the same order.
"""
import numbers
import warnings
from collections.abc import Iterable, Mapping

import numpy as np

from ._search import ParameterGrid, _BaseSearchCV
from ._split import _split_random_state


def _randint(rng, high):
    """An int in [0, high) from a RandomState (scikit-learn's draw) or a Generator."""
    if isinstance(rng, np.random.RandomState):
        return rng.randint(high)
    return int(rng.integers(high))


def _sample_without_replacement(n_population, n_samples, rng):
    """scikit-learn's ``sample_without_replacement(method='auto')``: the same draws, so the same indices."""
    ratio = n_samples / n_population if n_population else 1.0
    if 0.01 < ratio < 0.99:
        return rng.permutation(n_population)[:n_samples]
    if ratio < 0.2:  # tracking selection: redraw until unseen
        selected, out = set(), []
        for _ in range(n_samples):
            j = _randint(rng, n_population)
            while j in selected:
                j = _randint(rng, n_population)
            selected.add(j)
            out.append(j)
        return np.array(out, dtype=int)
    out = np.arange(n_samples)  # reservoir sampling
    for i in range(n_samples, n_population):
        j = _randint(rng, i + 1)
        if j < n_samples:
            out[j] = i
    return out


class ParameterSampler:
    """``n_iter`` parameter settings drawn from distributions (objects with ``rvs``) or lists.

    When every value is a list, the grid they span is sampled without replacement (all of it when
    ``n_iter`` is at least its size, with a warning); otherwise each setting picks one of the dicts and
    draws each parameter independently, lists uniformly. Names are drawn in sorted order.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        ``{name: distribution or list}``.
    n_iter : int
    random_state : None, int or numpy.random.Generator, default=None
        An int gives scikit-learn's settings for that seed.

    Examples
    --------
    >>> [p["alpha"] for p in ParameterSampler({"alpha": [0.1, 1.0, 10.0]}, n_iter=5, random_state=0)]
    [0.1, 1.0, 10.0]
    """

    def __init__(self, param_distributions, n_iter, *, random_state=None):
        if not isinstance(param_distributions, (Mapping, Iterable)):
            raise TypeError(f"Parameter distribution is not a dict or a list, got: {param_distributions!r} of type "
                            f"{type(param_distributions).__name__}")
        distributions = [param_distributions] if isinstance(param_distributions, Mapping) else param_distributions
        for dist in distributions:
            if not isinstance(dist, dict):
                raise TypeError(f"Parameter distribution is not a dict ({dist!r})")
            for name, value in dist.items():
                if not isinstance(value, Iterable) and not hasattr(value, "rvs"):
                    raise TypeError(f"Parameter grid for parameter {name!r} is not iterable or a distribution "
                                    f"(value={value})")
        if not isinstance(n_iter, numbers.Integral) or isinstance(n_iter, bool) or n_iter < 1:
            raise ValueError(f"n_iter must be a positive integer, got {n_iter!r}")
        self.param_distributions = distributions
        self.n_iter = n_iter
        self.random_state = random_state

    def _all_lists(self):
        return all(not hasattr(v, "rvs") for dist in self.param_distributions for v in dist.values())

    def __iter__(self):
        rng = _split_random_state(self.random_state)
        if self._all_lists():
            grid = ParameterGrid(self.param_distributions)
            n_iter = self.n_iter
            if len(grid) < n_iter:
                warnings.warn(f"The total space of parameters {len(grid)} is smaller than n_iter={self.n_iter}. "
                              f"Running {len(grid)} iterations. For exhaustive searches, use GridSearchCV.",
                              UserWarning, stacklevel=2)
                n_iter = len(grid)
            for i in _sample_without_replacement(len(grid), n_iter, rng):
                yield grid[int(i)]
            return
        for _ in range(self.n_iter):
            dist = rng.choice(self.param_distributions)
            yield {name: value.rvs(random_state=rng) if hasattr(value, "rvs") else value[_randint(rng, len(value))]
                   for name, value in sorted(dist.items())}

    def __len__(self):
        """The number of settings ``__iter__`` yields."""
        if self._all_lists():
            return min(self.n_iter, len(ParameterGrid(self.param_distributions)))
        return self.n_iter


class RandomizedSearchCV(_BaseSearchCV):
    """Pick hyperparameters by cross-validating ``n_iter`` random settings, and refit the best.

    Parameters
    ----------
    estimator : estimator
    param_distributions : dict or list of dicts
        As in :class:`ParameterSampler`: ``{name: scipy.stats distribution or list}``; nested estimators'
        parameters as ``name__param``.
    n_iter : int, default=10
    scoring, n_jobs, refit, cv, error_score, return_train_score
        As in :class:`GridSearchCV`.
    random_state : None, int or numpy.random.Generator, default=None
        Draws the settings; an int gives scikit-learn's for that seed (the folds come from ``cv``).

    Attributes
    ----------
    cv_results_, best_index_, best_score_, best_params_, best_estimator_, refit_time_, scorer_, n_splits_
        As in :class:`GridSearchCV`.

    Examples
    --------
    >>> from backprop.linear_model import Ridge
    >>> X = np.arange(40.0).reshape(20, 2); y = X @ [1.0, -1.0] + np.sin(X[:, 0])
    >>> search = RandomizedSearchCV(Ridge(), {"alpha": [0.01, 0.1, 1.0, 10.0]}, n_iter=3, random_state=0, cv=4)
    >>> len(search.fit(X, y).cv_results_["params"])
    3
    """

    def __init__(self, estimator, param_distributions, *, n_iter=10, scoring=None, n_jobs=None, refit=True,
                 cv=None, random_state=None, error_score=np.nan, return_train_score=False):
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.random_state = random_state
        self.error_score = error_score
        self.return_train_score = return_train_score

    def _candidates(self):
        return list(ParameterSampler(self.param_distributions, self.n_iter, random_state=self.random_state))

"""Chained transformers and a final estimator: ``Pipeline`` and ``make_pipeline``, as in scikit-learn.

A pipeline is itself an estimator: ``fit`` fits each transformer on the output of the previous one and
the last step on the result, so cross-validation and grid search refit the whole chain on each training
fold and nothing learnt from the test rows (a scaler's mean, say) leaks into the model.
"""
import copy
import time
from collections import defaultdict

from ..base import BaseEstimator, is_classifier, is_regressor
from ..exceptions import NotFittedError
from ..utils.validation import check_is_fitted
from ._methods import _available_if, _FromFinalStep, _is_passthrough, _Steps, _timed_message


class Pipeline(BaseEstimator):
    """A sequence of transformers ending with an estimator, fitted and applied as one estimator.

    Parameters
    ----------
    steps : list of (name, estimator) tuples
        Every step but the last must have ``fit`` and ``transform``; the last needs ``fit``. A step may
        be ``'passthrough'`` (or None) to skip it. Names are unique and contain no ``__``.
    transform_input : None, default=None
        scikit-learn's metadata routing to the transformers is not offered; only None is accepted.
    memory : None, default=None
        scikit-learn's caching of fitted transformers is not offered; only None is accepted.
    verbose : bool, default=False
        Print the time each step takes to fit.

    Attributes
    ----------
    named_steps : dict with attribute access
        ``pipe.named_steps.scaler`` or ``pipe.named_steps["scaler"]``.
    classes_ : ndarray
        The final classifier's classes.
    n_features_in_ : int
        The first step's.

    Notes
    -----
    Parameters reach a step as ``<step name>__<parameter>``, both in ``set_params`` (and so in a grid
    search's ``param_grid``) and in ``fit``: ``pipe.fit(X, y, logisticregression__sample_weight=w)``.
    ``fit`` fits the steps themselves (as scikit-learn does without ``memory``), not clones.

    Examples
    --------
    >>> from backprop.preprocessing import StandardScaler, PolynomialFeatures
    >>> pipe = make_pipeline(PolynomialFeatures(interaction_only=True), StandardScaler())
    >>> [name for name, _ in pipe.steps]
    ['polynomialfeatures', 'standardscaler']
    >>> pipe.set_params(polynomialfeatures__degree=3).get_params()["polynomialfeatures__degree"]
    3
    """

    def __init__(self, steps, *, transform_input=None, memory=None, verbose=False):
        self.steps = steps
        self.transform_input = transform_input
        self.memory = memory
        self.verbose = verbose

    def get_params(self, deep=True):
        """The constructor's parameters; with ``deep`` also each step by name and its ``name__param``."""
        params = super().get_params(deep=False)
        try:
            steps = dict(self.steps)
        except (TypeError, ValueError):  # not (name, estimator) pairs: fit will say so
            return params
        if not deep:
            return params
        for name, step in steps.items():
            params[name] = step
            if hasattr(step, "get_params") and not isinstance(step, type):
                params.update((f"{name}__{key}", value) for key, value in step.get_params(deep=True).items())
        return params

    def set_params(self, **params):
        """Set parameters; a step's name replaces that step, ``name__param`` reaches into it. Returns ``self``."""
        if "steps" in params:
            self.steps = params.pop("steps")
        try:
            names = [name for name, _ in self.steps]
        except (TypeError, ValueError):  # not (name, estimator) pairs: fit will say so
            names = []
        for key in [k for k in params if "__" not in k and k in names]:
            i = names.index(key)
            self.steps = self.steps[:i] + [(key, params.pop(key))] + self.steps[i + 1:]
        return super().set_params(**params)

    def _validate_steps(self):
        if not isinstance(self.steps, (list, tuple)) or not self.steps:
            raise ValueError(f"Pipeline steps must be a non-empty list of (name, estimator) tuples, got "
                             f"{self.steps!r}")
        names = [step[0] for step in self.steps]
        if len(set(names)) != len(names):
            raise ValueError(f"Names provided are not unique: {names!r}")
        clashes = set(names) & set(self._get_param_names())
        if clashes:
            raise ValueError(f"Estimator names conflict with constructor arguments: {sorted(clashes)!r}")
        bad = [name for name in names if "__" in name]
        if bad:
            raise ValueError(f"Estimator names must not contain __: got {bad!r}")
        for _, step in self.steps[:-1]:
            if not _is_passthrough(step) and not (hasattr(step, "fit") and hasattr(step, "transform")):
                raise TypeError(f"All intermediate steps should be transformers and implement fit and transform or "
                                f"be the string 'passthrough' '{step}' (type {type(step)}) doesn't")
        last = self.steps[-1][1]
        if not _is_passthrough(last) and not hasattr(last, "fit"):
            raise TypeError(f"Last step of Pipeline should implement fit or be the string 'passthrough'. '{last}' "
                            f"(type {type(last)}) doesn't")
        if self.memory is not None:
            raise ValueError(f"Pipeline(memory={self.memory!r}): caching fitted transformers is not supported; "
                             "pass memory=None.")
        if self.transform_input is not None:
            raise ValueError(f"Pipeline(transform_input={self.transform_input!r}): routing metadata to the "
                             "transformers is not supported; pass transform_input=None.")

    @property
    def named_steps(self):
        return _Steps(self.steps)

    @property
    def _final_estimator(self):
        last = self.steps[-1][1]
        return "passthrough" if last is None else last

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, index):
        """``pipe[i]`` a step's estimator, ``pipe['name']`` by name, ``pipe[a:b]`` a sub-pipeline (not a copy)."""
        if isinstance(index, slice):
            if index.step not in (1, None):
                raise ValueError("Pipeline slicing only supports a step of 1")
            return type(self)(self.steps[index], transform_input=self.transform_input, memory=self.memory,
                              verbose=self.verbose)
        if isinstance(index, str):
            return self.named_steps[index]
        return self.steps[index][1]

    @property
    def _estimator_type(self):
        last = self.steps[-1][1] if self.steps else None
        if is_classifier(last):
            return "classifier"
        return "regressor" if is_regressor(last) else getattr(last, "_estimator_type", None)

    def __sklearn_tags__(self):
        """scikit-learn's tags: the final step's estimator type and target tags, the first step's input tags."""
        tags = super().__sklearn_tags__()
        first, last = (self.steps[0][1], self.steps[-1][1]) if self.steps else (None, None)
        try:
            if not _is_passthrough(first):
                tags.input_tags.pairwise = first.__sklearn_tags__().input_tags.pairwise
            if not _is_passthrough(last):
                last_tags = last.__sklearn_tags__()
                tags.estimator_type = last_tags.estimator_type
                tags.target_tags.multi_output = last_tags.target_tags.multi_output
                for field in ("classifier_tags", "regressor_tags", "transformer_tags"):
                    setattr(tags, field, copy.deepcopy(getattr(last_tags, field)))
        except (ValueError, AttributeError, TypeError):
            pass
        return tags

    def __sklearn_is_fitted__(self):
        last = next((step for _, step in reversed(self.steps) if not _is_passthrough(step)), None)
        if last is None:
            return True
        try:
            check_is_fitted(last)
        except NotFittedError:
            return False
        return True

    def _step_params(self, params):
        routed = defaultdict(dict)
        for key, value in params.items():
            step, sep, param = key.partition("__")
            if not sep or step not in self.named_steps:
                raise ValueError(f"Pipeline.fit does not accept the {key} parameter. You can pass parameters to "
                                 "specific steps of your pipeline using the stepname__parameter format, e.g. "
                                 "`Pipeline.fit(X, y, logisticregression__sample_weight=sample_weight)`.")
            routed[step][param] = value
        return routed

    def _fit_transformers(self, X, y, routed):
        self._validate_steps()
        for i, (name, step) in enumerate(self.steps[:-1]):
            start = time.perf_counter()
            if _is_passthrough(step):
                pass
            elif hasattr(step, "fit_transform") and not routed[name]:  # bp's fit_transform takes no fit params
                X = step.fit_transform(X, y)
            else:
                X = step.fit(X, y, **routed[name]).transform(X)
            self._log(name, i, start)  # passthrough steps too, as scikit-learn logs them
        return X

    def _log(self, name, index, start):
        if self.verbose:
            print(_timed_message(name, index, len(self.steps), time.perf_counter() - start))

    def fit(self, X, y=None, **params):
        """Fit the transformers one after another on the transformed X, then the final step; returns ``self``."""
        routed = self._step_params(params)
        Xt = self._fit_transformers(X, y, routed)
        name, last = self.steps[-1]
        start = time.perf_counter()
        if not _is_passthrough(last):
            last.fit(Xt, y, **routed[name])
        self._log(name, len(self.steps) - 1, start)
        return self

    def _transform_until_last(self, X):
        for _, step in self.steps[:-1]:
            if not _is_passthrough(step):
                X = step.transform(X)
        return X

    def _can_transform(self):
        last = self.steps[-1][1]
        return _is_passthrough(last) or hasattr(last, "transform")

    def _can_inverse_transform(self):
        return all(_is_passthrough(step) or hasattr(step, "inverse_transform") for _, step in self.steps)

    @property
    def classes_(self):
        return self.steps[-1][1].classes_

    @property
    def n_features_in_(self):
        return self.steps[0][1].n_features_in_

    @property
    def feature_names_in_(self):
        return self.steps[0][1].feature_names_in_

    @_available_if(lambda pipe: pipe._can_transform() or hasattr(pipe.steps[-1][1], "fit_transform"),
                   "its final step has no transform")
    def fit_transform(self, X, y=None, **params):
        """Fit every step and return the last one's transform of X."""
        routed = self._step_params(params)
        Xt = self._fit_transformers(X, y, routed)
        name, last = self.steps[-1]
        start = time.perf_counter()
        if _is_passthrough(last):
            out = Xt
        elif hasattr(last, "fit_transform") and not routed[name]:
            out = last.fit_transform(Xt, y)
        else:
            out = last.fit(Xt, y, **routed[name]).transform(Xt)
        self._log(name, len(self.steps) - 1, start)
        return out

    @_available_if(lambda pipe: hasattr(pipe.steps[-1][1], "fit_predict"), "its final step has no fit_predict")
    def fit_predict(self, X, y=None, **params):
        """Fit the transformers, then the last step's ``fit_predict`` on the transformed X."""
        routed = self._step_params(params)
        Xt = self._fit_transformers(X, y, routed)
        name, last = self.steps[-1]
        return last.fit_predict(Xt, y, **routed[name])

    @_available_if(_can_transform, "its final step has no transform")
    def transform(self, X):
        """X passed through every step's ``transform``."""
        for _, step in self.steps:
            if not _is_passthrough(step):
                X = step.transform(X)
        return X

    @_available_if(_can_inverse_transform, "one of its steps has no inverse_transform")
    def inverse_transform(self, X):
        """X passed back through every step's ``inverse_transform``, last step first."""
        for _, step in reversed(self.steps):
            if not _is_passthrough(step):
                X = step.inverse_transform(X)
        return X

    predict = _FromFinalStep()
    predict_proba = _FromFinalStep()
    predict_log_proba = _FromFinalStep()
    decision_function = _FromFinalStep()
    score_samples = _FromFinalStep()

    @_available_if(lambda pipe: hasattr(pipe.steps[-1][1], "score"), "its final step has no score")
    def score(self, X, y=None, sample_weight=None):
        """The final step's ``score`` on X transformed by the other steps (``sample_weight`` passed on if given)."""
        extra = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.steps[-1][1].score(self._transform_until_last(X), y, **extra)

    def get_feature_names_out(self, input_features=None):
        """The output columns' names, passed through every step's ``get_feature_names_out``."""
        names = input_features
        for _, step in self.steps:
            if _is_passthrough(step):
                continue
            if not hasattr(step, "get_feature_names_out"):
                raise AttributeError(f"Estimator {type(step).__name__} does not provide get_feature_names_out. Did "
                                     "you mean to call pipeline[:-1].get_feature_names_out()?")
            names = step.get_feature_names_out(names)
        return names


def _name_steps(estimators):
    """Lower-cased class names; duplicates numbered -1, -2, … (scikit-learn's ``_name_estimators``)."""
    names = [e if isinstance(e, str) else type(e).__name__.lower() for e in estimators]
    counts = defaultdict(int)
    for name in names:
        counts[name] += 1
    counts = {name: n for name, n in counts.items() if n > 1}
    for i in reversed(range(len(names))):
        if names[i] in counts:
            counts[names[i]] -= 1
            names[i] = f"{names[i]}-{counts[names[i]] + 1}"
    return list(zip(names, estimators))


def make_pipeline(*steps, memory=None, transform_input=None, verbose=False):
    """A :class:`Pipeline` whose steps are named by their lower-cased class names.

    Examples
    --------
    >>> from backprop.preprocessing import StandardScaler
    >>> [name for name, _ in make_pipeline(StandardScaler(), StandardScaler()).steps]
    ['standardscaler-1', 'standardscaler-2']
    """
    return Pipeline(_name_steps(steps), transform_input=transform_input, memory=memory, verbose=verbose)


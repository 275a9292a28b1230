"""The estimator API of scikit-learn: ``BaseEstimator``, ``clone`` and the classifier/regressor mixins.

An estimator's ``__init__`` only stores its hyperparameters under the same names (no validation, no
derived values); ``fit(X, y)`` validates, learns attributes whose names end in ``_`` and returns ``self``.
That contract is what makes ``get_params``, ``set_params``, ``clone`` and the repr work, and what
``cross_val_score`` and ``GridSearchCV`` rely on. Write subclasses with the mixin first::

    class Ridge(RegressorMixin, BaseEstimator): ...
"""
import copy
import inspect
import math
from collections import defaultdict

from .metrics import accuracy_score, r2_score

_REPR_WIDTH = 79


def _is_nan(value):
    return isinstance(value, float) and math.isnan(value)


def _changed(value, default):
    if default is inspect.Parameter.empty:
        return True
    if hasattr(value, "get_params") and type(value) is not type(default):
        return True
    return repr(value) != repr(default) and not (_is_nan(value) and _is_nan(default))


def _repr_at(value, column):
    """repr(value) as printed from ``column`` on: continuation lines are shifted to stay aligned."""
    if isinstance(value, BaseEstimator):
        return value._repr_at(column)
    return repr(value).replace("\n", "\n" + " " * column)


class BaseEstimator:
    """Base class for estimators: parameters from the constructor's signature, ``get_params``/``set_params``, repr.

    Notes
    -----
    The repr shows only the parameters that differ from their defaults, as scikit-learn's does:
    ``Ridge(alpha=0.5)``.
    """

    @classmethod
    def _get_param_names(cls):
        init = cls.__init__
        if init is object.__init__:
            return []
        parameters = [p for p in inspect.signature(init).parameters.values()
                      if p.name != "self" and p.kind != p.VAR_KEYWORD]
        for p in parameters:
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(f"{cls.__name__} should not take *args in its constructor: estimators name "
                                   f"every parameter explicitly ({inspect.signature(init)}).")
        return sorted(p.name for p in parameters)

    def get_params(self, deep=True):
        """The constructor's parameters as a dict; with ``deep``, nested estimators' as ``name__param`` too."""
        params = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                params.update((f"{name}__{key}", v) for key, v in value.get_params().items())
            params[name] = value
        return params

    def set_params(self, **params):
        """Set parameters (``name__param`` reaches into a nested estimator); returns ``self``."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested = defaultdict(dict)
        for key, value in params.items():
            key, nested_mark, sub_key = key.partition("__")
            if key not in valid:
                raise ValueError(f"Invalid parameter {key!r} for estimator {self}. Valid parameters are: "
                                 f"{self._get_param_names()!r}.")
            if nested_mark:
                nested[key][sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def __repr__(self):
        return self._repr_at(0)

    def _repr_at(self, column):
        """``Name(a=1, b=2)``, wrapped after commas to 79 characters and aligned after the parenthesis."""
        defaults = {name: p.default for name, p in inspect.signature(type(self).__init__).parameters.items()}
        items = [(name, value) for name, value in self.get_params(deep=False).items()
                 if _changed(value, defaults.get(name, inspect.Parameter.empty))]
        name = type(self).__name__
        indent = column + len(name) + 1
        text, end = name + "(", indent
        for i, (key, value) in enumerate(items):
            tail = ")" if i == len(items) - 1 else ","
            start = end + (i > 0)
            piece = f"{key}={_repr_at(value, start + len(key) + 1)}{tail}"
            if i > 0 and start + len(piece.split("\n")[0]) > _REPR_WIDTH:
                start = indent
                piece = f"{key}={_repr_at(value, start + len(key) + 1)}{tail}"
                text += "\n" + " " * indent
            elif i > 0:
                text += " "
            text += piece
            end = start + len(piece) if "\n" not in piece else len(piece.rsplit("\n", 1)[1])
        return text if items else text + ")"

    def __sklearn_tags__(self):
        """scikit-learn's tags, for ``sklearn.utils.estimator_checks`` (imports scikit-learn)."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))


class ClassifierMixin:
    """Mixin for classifiers: ``score`` is the accuracy of ``predict``."""

    _estimator_type = "classifier"

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of ``self.predict(X)`` against ``y`` (weighted by ``sample_weight``), a float."""
        return accuracy_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags


class RegressorMixin:
    """Mixin for regressors: ``score`` is the coefficient of determination R² of ``predict``."""

    _estimator_type = "regressor"

    def score(self, X, y, sample_weight=None):
        """R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of ``self.predict(X)`` (averaged uniformly over outputs), a float."""
        return r2_score(y, self.predict(X), sample_weight=sample_weight)

    def __sklearn_tags__(self):
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags


class TransformerMixin:
    """Mixin for transformers: ``fit_transform(X, y)`` is ``fit(X, y).transform(X)``."""

    def fit_transform(self, X, y=None):
        return self.fit(X, y).transform(X)

    def __sklearn_tags__(self):
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags()
        return tags


def _estimator_type(estimator):
    """'classifier', 'regressor' or None; scikit-learn's estimators say it through their tags."""
    if isinstance(estimator, BaseEstimator) or hasattr(estimator, "_estimator_type"):
        return getattr(estimator, "_estimator_type", None)
    tags = getattr(estimator, "__sklearn_tags__", None)  # only scikit-learn's own estimators get here
    return tags().estimator_type if tags is not None else None


def is_classifier(estimator):
    """True for a classifier (ours, or scikit-learn's through its tags)."""
    return _estimator_type(estimator) == "classifier"


def is_regressor(estimator):
    """True for a regressor (ours, or scikit-learn's through its tags)."""
    return _estimator_type(estimator) == "regressor"


def clone(estimator, *, safe=True):
    """A new, unfitted estimator with the same parameters (nested estimators are cloned too).

    Lists, tuples, sets and dicts of estimators are cloned element by element. With ``safe=False``
    anything that is not an estimator is deep-copied; with ``safe=True`` it raises ``TypeError``.
    An estimator that defines ``__sklearn_clone__`` (scikit-learn's hook) clones itself.
    """
    if hasattr(estimator, "__sklearn_clone__") and not inspect.isclass(estimator):
        return estimator.__sklearn_clone__()
    if isinstance(estimator, dict):
        return {key: clone(value, safe=safe) for key, value in estimator.items()}
    if isinstance(estimator, (list, tuple, set, frozenset)):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if safe:
            raise TypeError(f"Cannot clone object {estimator!r} (type {type(estimator).__name__}): it does not "
                            "seem to be an estimator, as it does not implement a 'get_params' method.")
        return copy.deepcopy(estimator)
    params = {name: clone(value, safe=False) for name, value in estimator.get_params(deep=False).items()}
    new = type(estimator)(**params)
    stored = new.get_params(deep=False)
    for name, value in params.items():
        if stored[name] is not value:
            raise RuntimeError(f"Cannot clone object {estimator!r}, as the constructor either does not set or "
                               f"modifies parameter {name}")
    return new

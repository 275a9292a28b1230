"""``bp.multiclass``: multiclass classification from binary classifiers (the course's §2.1.11).

:class:`OneVsRestClassifier` and :class:`OneVsOneClassifier`, as scikit-learn's ``sklearn.multiclass``.
"""
from ._one_vs import OneVsOneClassifier, OneVsRestClassifier

__all__ = ["OneVsOneClassifier", "OneVsRestClassifier"]

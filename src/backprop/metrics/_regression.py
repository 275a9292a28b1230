"""Regression metrics, with scikit-learn's signatures and results.

Each takes ``y_true`` and ``y_pred`` of shape (n_samples,) or (n_samples, n_outputs) (lists, arrays or
Tensors), computes in float64 and returns a Python float, or an array of one score per output with
``multioutput='raw_values'``.
"""
import warnings

import numpy as np

from ..utils.validation import check_array, check_consistent_length, check_sample_weight


class UndefinedMetricWarning(UserWarning):
    """A metric is undefined for the given input and a conventional value is returned instead."""


_MULTIOUTPUT = ("raw_values", "uniform_average")


def _check_reg_targets(y_true, y_pred, sample_weight, multioutput, allowed=_MULTIOUTPUT):
    """Both targets as float64 (n_samples, n_outputs) arrays, the weights, and the validated ``multioutput``."""
    check_consistent_length(y_true, y_pred, sample_weight)
    y_true = check_array(y_true, dtype=np.float64, ensure_2d=False, input_name="y_true")
    y_pred = check_array(y_pred, dtype=np.float64, ensure_2d=False, input_name="y_pred")
    y_true, y_pred = (y.reshape(-1, 1) if y.ndim == 1 else y for y in (y_true, y_pred))
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(f"y_true and y_pred have different number of output ({y_true.shape[1]}!="
                         f"{y_pred.shape[1]})")
    if sample_weight is not None:
        sample_weight = check_sample_weight(sample_weight, y_true.shape[0])
    n_outputs = y_true.shape[1]
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ValueError(f"Allowed 'multioutput' string values are {allowed}. "
                             f"You provided multioutput={multioutput!r}")
    elif multioutput is not None:
        multioutput = check_array(multioutput, dtype=np.float64, ensure_2d=False, input_name="multioutput")
        if n_outputs == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if multioutput.shape[0] != n_outputs:
            raise ValueError(f"There must be equally many custom weights ({multioutput.shape[0]}) as outputs "
                             f"({n_outputs}).")
    return y_true, y_pred, sample_weight, multioutput


def _average_outputs(output_errors, multioutput):
    """One error per output, or their (uniform or weighted) average as a float."""
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return output_errors
        multioutput = None
    return float(np.average(output_errors, weights=multioutput))


def _per_output_mean(errors, sample_weight):
    return np.average(errors, axis=0, weights=sample_weight)


def mean_absolute_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MAE = (1/n) Σ |yᵢ − ŷᵢ| (weighted by ``sample_weight`` when given).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
    sample_weight : array-like of shape (n_samples,), optional
    multioutput : {'raw_values', 'uniform_average'} or array-like of shape (n_outputs,), \
default='uniform_average'
        How to combine the outputs' errors: return them all, average them, or weight them.

    Returns
    -------
    float, or ndarray of shape (n_outputs,) for 'raw_values'

    Examples
    --------
    >>> mean_absolute_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.5
    """
    y_true, y_pred, sample_weight, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _average_outputs(_per_output_mean(np.abs(y_pred - y_true), sample_weight), multioutput)


def mean_absolute_percentage_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MAPE = (1/n) Σ |yᵢ − ŷᵢ| / max(|yᵢ|, ε), a fraction (not a percentage), ε = float64 machine epsilon.

    The ε keeps the value finite (but huge) where yᵢ = 0, as in scikit-learn. Parameters and returns as
    :func:`mean_absolute_error`.

    Examples
    --------
    >>> mean_absolute_percentage_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])  # doctest: +ELLIPSIS
    0.3273...
    """
    y_true, y_pred, sample_weight, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    ratio = np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), np.finfo(np.float64).eps)
    return _average_outputs(_per_output_mean(ratio, sample_weight), multioutput)


def mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """MSE = (1/n) Σ (yᵢ − ŷᵢ)². Parameters and returns as :func:`mean_absolute_error`.

    Examples
    --------
    >>> mean_squared_error([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])
    0.375
    """
    y_true, y_pred, sample_weight, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _average_outputs(_per_output_mean((y_true - y_pred) ** 2, sample_weight), multioutput)


def root_mean_squared_error(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average"):
    """RMSE = √MSE, taken per output before the outputs are averaged (as scikit-learn).

    Parameters and returns as :func:`mean_absolute_error`.
    """
    y_true, y_pred, sample_weight, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    return _average_outputs(np.sqrt(_per_output_mean((y_true - y_pred) ** 2, sample_weight)), multioutput)


def r2_score(y_true, y_pred, *, sample_weight=None, multioutput="uniform_average", force_finite=True):
    """Coefficient of determination R² = 1 − Σ wᵢ(yᵢ − ŷᵢ)² / Σ wᵢ(yᵢ − ȳ)², ȳ the (weighted) mean of y.

    Parameters
    ----------
    y_true, y_pred, sample_weight
        As :func:`mean_absolute_error`.
    multioutput : {'raw_values', 'uniform_average', 'variance_weighted'} or array-like, \
default='uniform_average'
        'variance_weighted' weights each output's R² by the variance of its y.
    force_finite : bool, default=True
        For a constant y the formula gives NaN (perfect prediction) or −∞: replace them by 1.0 and 0.0.

    Returns
    -------
    float, or ndarray of shape (n_outputs,) for 'raw_values'
        NaN with an ``UndefinedMetricWarning`` for fewer than two samples.

    Examples
    --------
    >>> r2_score([3, -0.5, 2, 7], [2.5, 0.0, 2, 8])  # doctest: +ELLIPSIS
    0.9486...
    """
    y_true, y_pred, sample_weight, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, allowed=_MULTIOUTPUT + ("variance_weighted",))
    if y_true.shape[0] < 2:
        warnings.warn("R^2 score is not well-defined with less than two samples.", UndefinedMetricWarning, stacklevel=2)
        return float("nan")
    weight = 1.0 if sample_weight is None else sample_weight[:, None]
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    denominator = np.sum(weight * (y_true - _per_output_mean(y_true, sample_weight)) ** 2, axis=0)
    if force_finite:
        scores = np.ones(y_true.shape[1])
        valid = (numerator != 0) & (denominator != 0)
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[(numerator != 0) & (denominator == 0)] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    if isinstance(multioutput, str) and multioutput == "variance_weighted":
        # all outputs constant: their weights are all zero, so fall back to a uniform average
        multioutput = denominator if np.any(denominator != 0) else "uniform_average"
    return _average_outputs(scores, multioutput)

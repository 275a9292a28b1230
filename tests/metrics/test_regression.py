import numpy as np
import pytest

import backprop as bp
from backprop import metrics
from backprop.metrics import UndefinedMetricWarning

skm = pytest.importorskip("sklearn.metrics")

NAMES = ["mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "root_mean_squared_error",
         "r2_score"]


def random_targets(seed, n_outputs=None, n=30):
    rng = np.random.default_rng(seed)
    shape = (n,) if n_outputs is None else (n, n_outputs)
    y_true = rng.normal(size=shape) * 3 + 1
    return y_true, y_true + rng.normal(size=shape), rng.uniform(0.1, 2.0, size=n)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("weighted", [False, True])
def test_single_output_agrees_with_sklearn(name, seed, weighted):
    y_true, y_pred, weights = random_targets(seed)
    weights = weights if weighted else None
    ours = getattr(metrics, name)(y_true, y_pred, sample_weight=weights)
    assert type(ours) is float
    assert ours == pytest.approx(getattr(skm, name)(y_true, y_pred, sample_weight=weights), rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("multioutput", ["raw_values", "uniform_average", [0.2, 0.3, 0.5]])
def test_multioutput_agrees_with_sklearn(name, multioutput):
    y_true, y_pred, weights = random_targets(5, n_outputs=3)
    for w in (None, weights):
        ours = getattr(metrics, name)(y_true, y_pred, sample_weight=w, multioutput=multioutput)
        theirs = getattr(skm, name)(y_true, y_pred, sample_weight=w, multioutput=multioutput)
        if multioutput == "raw_values":
            assert isinstance(ours, np.ndarray) and ours.shape == (3,)
        else:
            assert type(ours) is float
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_raw_values_of_one_output_is_an_array():
    ours = metrics.mean_squared_error([1.0, 2.0], [1.0, 3.0], multioutput="raw_values")
    np.testing.assert_array_equal(ours, [0.5])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # both libraries compute -inf·0 with force_finite=False
def test_r2_variance_weighted_and_constant_targets():
    y_true, y_pred, _ = random_targets(7, n_outputs=2)
    assert metrics.r2_score(y_true, y_pred, multioutput="variance_weighted") == pytest.approx(
        skm.r2_score(y_true, y_pred, multioutput="variance_weighted"), rel=1e-12)
    constant = np.c_[np.ones(5), np.arange(5.0)]
    guess = np.c_[np.full(5, 2.0), np.arange(5.0) + 1]
    for multioutput in ("raw_values", "uniform_average", "variance_weighted"):
        for force_finite in (True, False):
            np.testing.assert_allclose(
                metrics.r2_score(constant, guess, multioutput=multioutput, force_finite=force_finite),
                skm.r2_score(constant, guess, multioutput=multioutput, force_finite=force_finite))
    both_constant = np.ones((4, 2))
    assert metrics.r2_score(both_constant, both_constant, multioutput="variance_weighted") == 1.0


def test_r2_of_constant_target_is_forced_finite():
    assert metrics.r2_score([1.0, 1.0, 1.0], [1.0, 1.0, 1.0]) == 1.0
    assert metrics.r2_score([1.0, 1.0, 1.0], [1.0, 2.0, 1.0]) == 0.0
    assert metrics.r2_score([1.0, 1.0, 1.0], [1.0, 2.0, 1.0], force_finite=False) == -np.inf
    assert np.isnan(metrics.r2_score([1.0, 1.0], [1.0, 1.0], force_finite=False))


def test_r2_needs_two_samples():
    with pytest.warns(UndefinedMetricWarning, match="R\\^2 score is not well-defined with less than two samples"):
        assert np.isnan(metrics.r2_score([1.0], [2.0]))


def test_mape_is_a_fraction_with_machine_epsilon_for_zeros():
    assert metrics.mean_absolute_percentage_error([2.0, 4.0], [1.0, 5.0]) == pytest.approx((0.5 + 0.25) / 2)
    y_true, y_pred = [1.0, 0.0, 2.4, 7.0], [1.2, 0.1, 2.4, 8.0]
    assert metrics.mean_absolute_percentage_error(y_true, y_pred) == skm.mean_absolute_percentage_error(
        y_true, y_pred)
    assert metrics.mean_absolute_percentage_error([0.0], [0.1]) == pytest.approx(0.1 / np.finfo(np.float64).eps)


def test_literal_values():
    y_true, y_pred = [3, -0.5, 2, 7], [2.5, 0.0, 2, 8]
    assert metrics.mean_absolute_error(y_true, y_pred) == 0.5
    assert metrics.mean_squared_error(y_true, y_pred) == 0.375
    assert metrics.root_mean_squared_error(y_true, y_pred) == pytest.approx(np.sqrt(0.375))
    assert metrics.r2_score(y_true, y_pred) == pytest.approx(1 - 1.5 / 29.1875)


def test_tensors_and_integer_lists_are_accepted():
    y_true = bp.tensor([1.0, 2.0, 3.0], dtype=np.float32)
    y_pred = bp.tensor([1.5, 2.0, 2.0], requires_grad=True)
    assert metrics.mean_squared_error(y_true, y_pred) == pytest.approx((0.25 + 1) / 3, rel=1e-7)
    assert metrics.mean_absolute_error([1, 2], [2, 4]) == 1.5


def test_computes_in_float64_for_float32_input():
    y_true = np.array([1e8, 1e8 + 1], dtype=np.float32)
    y_pred = np.array([1e8 + 3, 1e8 - 5], dtype=np.float32)
    assert metrics.mean_squared_error(y_true, y_pred) == skm.mean_squared_error(y_true.astype(np.float64),
                                                                                y_pred.astype(np.float64))


def test_errors():
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[3, 2\]"):
        metrics.mean_squared_error([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y_true and y_pred have different number of output \(1!=2\)"):
        metrics.mean_squared_error([1.0, 2.0], [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError, match="Allowed 'multioutput' string values are"):
        metrics.mean_absolute_error([1.0, 2.0], [1.0, 2.0], multioutput="variance_weighted")
    with pytest.raises(ValueError, match="Custom weights are useful only in multi-output cases"):
        metrics.r2_score([1.0, 2.0], [1.0, 2.0], multioutput=[1.0])
    with pytest.raises(ValueError, match=r"equally many custom weights \(3\) as outputs \(2\)"):
        metrics.r2_score(np.ones((3, 2)), np.ones((3, 2)), multioutput=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="Input y_pred contains NaN at row 1"):
        metrics.mean_absolute_error([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match=r"inconsistent numbers of samples: \[2, 2, 3\]"):
        metrics.mean_absolute_error([1.0, 2.0], [1.0, 2.0], sample_weight=[1, 2, 3])

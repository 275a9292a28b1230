"""bp.manual_seed and bp.multinomial: reproducible draws, checked by their distribution."""
import numpy as np
import pytest

import backprop as bp


def test_manual_seed_makes_draws_reproducible():
    bp.manual_seed(7)
    a = (bp.rand(3, 4).data, bp.randn(5).data, bp.multinomial(bp.tensor([0.2, 0.3, 0.5]), 4, True).data)
    bp.manual_seed(7)
    b = (bp.rand(3, 4).data, bp.randn(5).data, bp.multinomial(bp.tensor([0.2, 0.3, 0.5]), 4, True).data)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    bp.manual_seed(8)
    assert not np.array_equal(bp.rand(3, 4).data, a[0])


def test_multinomial_with_replacement_matches_the_probabilities():
    bp.manual_seed(0)
    probs = np.array([0.1, 0.2, 0.7])
    draws = bp.multinomial(bp.tensor(probs), 60000, replacement=True)
    assert draws.shape == (60000,) and draws.dtype == np.int64
    freq = np.bincount(draws.data, minlength=3) / draws.data.size
    # three standard errors of a proportion with n = 60000 are below 0.006
    np.testing.assert_allclose(freq, probs, atol=0.006)


def test_multinomial_weights_need_not_be_normalised_and_rows_are_independent():
    bp.manual_seed(1)
    weights = np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
    draws = bp.multinomial(weights, 20000, replacement=True).data
    assert draws.shape == (2, 20000)
    np.testing.assert_allclose(np.mean(draws[0] == 2), 0.75, atol=0.015)
    assert np.all(draws[1] == 1)
    assert not np.any(draws[0] == 1)


def test_multinomial_without_replacement_gives_distinct_categories():
    bp.manual_seed(2)
    probs = np.array([0.5, 0.25, 0.125, 0.125])
    for _ in range(50):
        d = bp.multinomial(probs, 4).data
        assert sorted(d.tolist()) == [0, 1, 2, 3]
    # the first draw without replacement follows the probabilities themselves
    first = np.array([bp.multinomial(probs, 2).data[0] for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(first, minlength=4) / 4000, probs, atol=0.03)


def test_sampling_with_temperature_flattens_the_distribution():
    # The course's sampling with temperature: softmax(z / T); a high T spreads the draws out.
    bp.manual_seed(3)
    z = bp.tensor([1.0, 2.0, 5.0])
    cold = bp.multinomial(bp.softmax(z, temperature=0.1), 2000, replacement=True).data
    hot = bp.multinomial(bp.softmax(z, temperature=10.0), 2000, replacement=True).data
    assert np.mean(cold == 2) > 0.99
    assert 0.25 < np.mean(hot == 0) < 0.42


@pytest.mark.parametrize("probs, n, replacement, message", [
    ([0.5, -0.1, 0.6], 1, True, "non-negative"),
    ([0.0, 0.0], 1, True, "no positive weight"),
    ([1.0, 0.0, 1.0], 3, False, "without replacement"),
    ([[[1.0]]], 1, True, "1-D or 2-D"),
])
def test_multinomial_rejects_bad_input(probs, n, replacement, message):
    with pytest.raises(ValueError, match=message):
        bp.multinomial(np.array(probs), n, replacement)

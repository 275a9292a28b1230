import numpy as np
import pytest

import backprop as bp
from backprop.utils import check_random_state


def test_none_is_the_generator_manual_seed_seeds():
    bp.manual_seed(3)
    first = check_random_state(None).permutation(10)
    bp.manual_seed(3)
    np.testing.assert_array_equal(check_random_state(None).permutation(10), first)


def test_int_generator_and_random_state():
    np.testing.assert_array_equal(check_random_state(7).permutation(10), check_random_state(7).permutation(10))
    generator = np.random.default_rng(0)
    assert check_random_state(generator) is generator
    a = check_random_state(np.random.RandomState(1)).permutation(10)
    b = check_random_state(np.random.RandomState(1)).permutation(10)
    np.testing.assert_array_equal(a, b)
    assert isinstance(check_random_state(np.int64(2)), np.random.Generator)


@pytest.mark.parametrize("bad", ["seed", 1.5, True])
def test_bad_random_state(bad):
    with pytest.raises(ValueError, match="random_state must be None, an int or a numpy.random.Generator"):
        check_random_state(bad)

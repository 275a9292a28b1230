"""Fixtures shared by the autograd tests: every test starts and ends with the library's defaults."""
import numpy as np
import pytest

import backprop as bp


@pytest.fixture(autouse=True)
def _restore_defaults():
    """A failing test must not leave float64 as the default dtype, or grad mode off, for the next one."""
    dtype, enabled = bp.get_default_dtype(), bp.is_grad_enabled()
    yield
    bp.set_default_dtype(dtype)
    bp.set_grad_enabled(enabled)


@pytest.fixture
def float64_default():
    """Switch the default float dtype to float64 for one test, and back afterwards."""
    previous = bp.get_default_dtype()
    bp.set_default_dtype(np.float64)
    yield
    bp.set_default_dtype(previous)

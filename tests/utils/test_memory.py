"""Memory estimates: a network too large for the machine is refused with the estimate, before allocating."""
import pytest

from backprop.utils.memory import available_memory, check_fits_in_memory, training_memory

from ..cli._helpers import cli


def test_training_memory_counts_parameters_gradients_states_and_one_batch():
    # 10 parameters, Adam (2 states): 10 × (2 + 2) values; 3 activations × 5 rows, kept and their gradients
    assert training_memory(10, 2, 3, 5, itemsize=4) == 4 * (10 * 4 + 2 * 3 * 5)
    assert training_memory(10, 0, 0, 1, itemsize=8) == 8 * 20


def test_available_memory_is_read_from_proc_meminfo():
    available = available_memory()
    assert available is None or available > 0


def test_too_much_is_refused_with_the_estimate():
    if available_memory() is None:
        pytest.skip("no /proc/meminfo on this system")
    with pytest.raises(MemoryError, match=r"the net needs about 1024\.0 GiB, more than the .* GiB available"):
        check_fits_in_memory(2 ** 40, "the net")
    check_fits_in_memory(1024, "a small net")


@pytest.mark.parametrize("argv", [("train", "--data", "circles", "--hidden", "100000,100000"),
                                  ("explain", "--layers", "100000,100000,2")])
def test_the_command_line_refuses_a_network_larger_than_memory(capsys, tmp_path, argv):
    if available_memory() is None or available_memory() > 2 ** 37:
        pytest.skip("needs /proc/meminfo and less than 128 GiB available")
    code, _, err = cli(capsys, *argv, *(("--out", tmp_path / "r") if argv[0] == "train" else ()))
    assert code == 2 and "parameters) needs about" in err and "MemAvailable" in err
    assert len(err.strip().splitlines()) == 1

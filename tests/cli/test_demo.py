"""``backprop demo``: when XOR is not learned it says why and what to try (issue 13.12)."""
import pytest

from tests.cli._helpers import cli


def test_a_local_minimum_is_named_with_what_to_try(capsys):
    code, out, _ = cli(capsys, "demo", "--seed", "6")  # seed 6 ends with two points stuck at p = 0.5
    assert code == 1
    assert "2/4 correct" in out and "local minimum" in out
    assert "--seed" in out and "--hidden 3" in out


def test_more_hidden_units_learn_xor_from_the_same_seed(capsys):
    code, out, _ = cli(capsys, "demo", "--seed", "6", "--hidden", "3")
    assert code == 0 and "4/4 correct" in out and "3 sigmoid units" in out


def test_too_few_epochs_is_not_called_a_local_minimum(capsys):
    code, out, _ = cli(capsys, "demo", "--epochs", "50")
    assert code == 1 and "local minimum" not in out and "--epochs" in out


@pytest.mark.parametrize("argv, message", [
    (("--x", "inf"), "argument --x: 'inf' is not a finite number"),
    (("--y", "nan"), "argument --y: 'nan' is not a finite number"),
    (("--epochs", "10000000000"), "argument --epochs: '10000000000' is above the limit of 1,000,000"),
    (("--hidden", "100000"), "argument --hidden: '100000' is above the limit of 10,000"),
    (("--lr", "-1"), "argument --lr: '-1' must be positive"),
])
def test_demo_validates_its_options(capsys, argv, message):
    code, _, err = cli(capsys, "demo", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_demo_with_a_huge_x_prints_inf_without_a_numpy_warning(capsys):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        code, out, err = cli(capsys, "demo", "--x", "1e300", "--epochs", 10)
    assert "f(1e+300, 2) = inf" in out and err == ""


def test_graph_of_a_lone_variable_says_it_has_no_edges(capsys):
    code, out, _ = cli(capsys, "graph", "x", "--at", "x=1")
    assert code == 0 and out.rstrip().endswith("edges (local derivatives):\n  none: f is the variable itself")

"""``backprop demo``: when XOR is not learned it says why and what to try (issue 13.12)."""
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

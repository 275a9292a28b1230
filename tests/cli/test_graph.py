"""``backprop graph``: the functions it takes, f = x, and values that are inf or nan (issue 13.11)."""
import math

import pytest

from tests.cli._helpers import cli, run_process


@pytest.mark.filterwarnings("error")  # a NumPy RuntimeWarning would fail the command
@pytest.mark.parametrize("expression, derivative", [
    ("sin(x)", math.cos(0.5)), ("cos(x)", -math.sin(0.5)), ("tanh(x)", 1 - math.tanh(0.5) ** 2),
    ("sigmoid(x)", 0.25 - (1 / (1 + math.exp(-0.5)) - 0.5) ** 2), ("relu(x)", 1.0),
    ("exp(x)", math.exp(0.5)), ("log(x)", 2.0), ("x", 1.0), ("x**2", 1.0),
])
def test_functions_and_their_derivatives(capsys, expression, derivative):
    code, out, err = cli(capsys, "graph", expression, "--at", "x=0.5")
    assert code == 0, err
    line = next(line for line in out.splitlines() if line.startswith("∂f/∂x = "))
    assert float(line.split("= ")[1]) == pytest.approx(derivative, rel=1e-9)


def test_f_equal_to_a_variable_draws_one_node(capsys):
    code, out, _ = cli(capsys, "graph", "x", "--at", "x=3", "--dot")
    assert code == 0 and out.count("label=") == 1 and "grad = 1" in out


@pytest.mark.parametrize("expression, value, derivative", [
    ("x/0", "nan", "inf"), ("1/x", "inf", "-inf"), ("log(x)", "-inf", "inf"), ("sqrt(x - 1)", "nan", "nan"),
])
def test_inf_and_nan_are_reported_without_warnings(expression, value, derivative):
    done = run_process("graph", expression, "--at", "x=0")
    assert done.returncode == 0 and done.stderr == "", done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(f"= {value}") and lines[1] == f"∂f/∂x = {derivative}"

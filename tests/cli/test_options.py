"""The options of a run: config.json's command lists only the options that apply; misplaced ones are named."""
import shlex

import pytest

from backprop.cli.common import CLIError
from backprop.cli.options import command_line, resolve

from ._helpers import cli


def _flags(opts):
    return {w for w in shlex.split(command_line(opts)) if w.startswith("--")}


def test_command_lists_only_the_options_that_apply():
    digits = _flags(resolve({}))
    assert {"--data", "--hidden", "--lr", "--epochs", "--seed"} <= digits
    assert not digits & {"--n-samples", "--noise", "--seq-len", "--param", "--num-layers", "--target"}
    logistic = _flags(resolve({"data": "circles", "model": "logistic"}))
    assert {"--n-samples", "--noise"} <= logistic
    assert not logistic & {"--lr", "--epochs", "--optimizer", "--hidden", "--activation", "--batch-size"}
    gru = _flags(resolve({"data": "sine", "model": "gru"}))
    assert {"--seq-len", "--hidden", "--num-layers", "--lr"} <= gru
    assert not gru & {"--activation", "--dropout", "--init"}


def test_the_command_repeats_the_run():
    from backprop.cli.main import build_parser

    for given in ({"data": "sine", "model": "lstm", "hidden": [8], "num_layers": 2, "lr": 0.01},
                  {"data": "circles", "model": "ridge", "param": ["alpha=0.5"], "task": "regression"}):
        opts = resolve(given)
        args = build_parser().parse_args(shlex.split(command_line(opts))[1:])
        assert resolve({k: v for k, v in vars(args).items() if k in opts}) == opts


def test_param_with_a_network_is_refused():
    with pytest.raises(CLIError, match="--param sets a hyperparameter of a bp.linear_model estimator; it does "
                                       "not apply to --model mlp"):
        resolve({"param": ["alpha=1"]})


def test_huge_noise_is_named_as_a_noise_problem(capsys, tmp_path):
    code, _, err = cli(capsys, "train", "--data", "circles", "--noise", 1000, "--out", tmp_path / "r")
    assert code == 2 and "--noise 1000 is so large that the generated circles data degenerate" in err

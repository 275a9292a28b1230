"""Every script in examples/ runs, prints its trace and gives the course's answers (literal numbers).

Each example is imported from its file and its ``main()`` called, with every warning turned into an
error: the examples run without warnings, except the diagnostics' warnings that the scripts which
reproduce one of the course's deliberate mistakes catch and assert themselves.
"""
import importlib.util
import math
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SCRIPTS = sorted(p.stem for p in EXAMPLES.glob("*.py"))


def run(name, capsys, **kwargs):
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answers = module.main(**kwargs)
    out = capsys.readouterr().out
    assert "Forward pass" in out, f"{name} must print the trace of its computation"
    return answers, out


def approx(value, rel=1e-9, abs=1e-12):
    return pytest.approx(np.asarray(value) if isinstance(value, list) else value, rel=rel, abs=abs)


def test_every_example_is_tested():
    tested = {name[len("test_"):] for name in globals() if name.startswith("test_")}
    assert set(SCRIPTS) <= tested, f"examples without a test: {sorted(set(SCRIPTS) - tested)}"


pytestmark = pytest.mark.filterwarnings("error")


def test_ch1_stacked_linear(capsys):
    a, _ = run("ch1_stacked_linear", capsys)
    assert a["y"] == approx([-2.5, -5.5, -8.5])
    assert a["formula"] == "−3x − 2.5"
    assert a["nested"] == "0.5·(2x + 1) − (4x + 3)"
    assert a["with_sigmoid"] == "0.5·σ(2x + 1) − σ(4x + 3)"
    assert "stacked-linear" in a["findings"]


def test_ch1_coffee_shop(capsys):
    a, out = run("ch1_coffee_shop", capsys)
    assert a["visitors"] == 104.5
    assert a["hidden"] == [100.5, 0.0]
    assert a["formula"] == "max(0, max(0, 5x₁ − 60x₂ + 0.5x₃) + 0.2·max(0, −2x₁ − 80x₂ + 2x₃) + 4)"
    assert "104.5" in out


def test_ch1_formula_to_network(capsys):
    a, _ = run("ch1_formula_to_network", capsys)
    assert a["matches"] and a["formula"] == "max(0, 4·max(0, 3x₁ + 4x₂ + 1) + 2·max(0, 3x₁ + 2x₂ + 7) + 6)"
    assert a["y"] == 18.0
    assert a["arrows"] == 9                      # 4 weights + 2 biases into layer 1, 2 weights + 1 bias out


def test_ch1_perceptrons(capsys):
    a, _ = run("ch1_perceptrons", capsys)
    assert a["not"] == [1.0, 0.0]
    assert a["relu_4b"] == [0.5, 0.0]
    assert a["two_lines"] == [1.0, 0.0, 0.0, 1.0, 0.0]
    assert a["and"] == [1.0, 0.0, 0.0, 0.0]
    assert a["or"] == [1.0, 1.0, 1.0, 0.0]
    assert a["xor"] == [0.0, 1.0, 1.0, 0.0]
    assert a["xor_one_neuron"] == [0.0, 1.0, 1.0, 0.0]
    assert a["strip_neuron_book_w1"] is False and a["strip_neuron_w1_minus_1"] is True


def test_ch1_redundant_units(capsys):
    a, _ = run("ch1_redundant_units", capsys)
    assert a["findings"].count("redundant-units") == 2
    assert sorted(a["layers"]) == ["0", "2"]        # the unit with zero weights, the twin units


def test_ch1_universal_approximation(capsys):
    a, _ = run("ch1_universal_approximation", capsys)
    assert a["four_steps"] == approx([math.sin(math.pi / 8), math.sin(3 * math.pi / 8)])
    assert a["errors"] == approx([0.3827, 0.0980, 0.0245], rel=0, abs=1e-4)
    assert all(e <= math.pi / n / 2 for e, n in zip(a["errors"], (4, 16, 64)))


def test_ch1_parameter_count(capsys):
    a, out = run("ch1_parameter_count", capsys)
    assert a["total"] == a["by_hand"] == 84_301
    assert a["per_layer"] == [3_900, 60_200, 20_100, 101]
    assert "84,301" in out


def test_ch2_sigmoid(capsys):
    a, _ = run("ch2_sigmoid", capsys)
    assert a["f(0)"] == 0.5 and a["f'(0)"] == 0.25 and a["max f'"] == 0.25
    assert a["ln f(0)"] == approx(-math.log(2))
    assert a["f(-40), f(40)"] == approx([4.248354255291589e-18, 1.0], rel=1e-9, abs=0)
    assert a["f(k*0.1)"] == approx([0.52497918747894, 0.7310585786300049, 0.9999546021312976, 1.0])
    assert a["max_identity_error"] < 1e-14


def test_ch2_logloss_whale_ants(capsys):
    a, _ = run("ch2_logloss_whale_ants", capsys)
    assert a["loss_at_zero"] == approx(3 * math.log(2))
    assert a["grad_at_zero"] == approx([0.5, 2.0])
    softplus = lambda u: math.log1p(math.exp(u))
    ray = [2 * softplus(-c / 2) + softplus(-1.5 * c) for c in (1, 5, 20)]
    assert a["loss_on_ray"] == approx(ray, rel=1e-7)
    assert a["loss_on_ray"][0] > a["loss_on_ray"][1] > a["loss_on_ray"][2] > 0


def test_ch2_softmax_whale_ant_beaver(capsys):
    a, _ = run("ch2_softmax_whale_ant_beaver", capsys)
    assert a["probabilities"][0] == approx([0.705385, 0.035119, 0.259496], rel=0, abs=1e-6)
    assert a["probabilities"][1] == approx([0.546549, 0.121952, 0.331499], rel=0, abs=1e-6)
    assert a["logloss_sum"] == approx(1.453143, rel=0, abs=1e-6)
    assert a["logloss_mean"] == approx(1.453143 / 2, rel=0, abs=1e-6)
    assert a["two_way_softmax"] == approx(a["sigmoid"]) and a["sigmoid"] == approx(0.817574, rel=0, abs=1e-6)
    assert a["smooth_max"][-1] == approx(1.0, abs=1e-9)


def test_ch3_gradient_descent_family(capsys):
    a, out = run("ch3_gradient_descent_family", capsys)
    assert a["least_squares"] == approx(1.6)
    expected = {"GD": [0.8, 1.2], "SGD": [0.4, 1.28], "Momentum": [0.4, 1.64], "Nesterov": [0.76, 2.2088],
                "Nesterov (course's w)": [0.4, 1.352], "RMSprop": [1 / math.sqrt(10), 0.609766616],
                "Adam": [0.1, 0.190796521]}
    for name, values in expected.items():
        assert a[name] == approx(values, rel=0, abs=1e-9), name
    assert "look-ahead" in out


def test_ch3_logistic_regression_step(capsys):
    a, _ = run("ch3_logistic_regression_step", capsys)
    assert a["p"] == approx(0.0066928509242848554)
    assert a["gradient"] == approx(4.966535745378576)
    assert a["w1"] == approx(0.9503346425462142)


def test_ch4_chain_rule_graph(capsys):
    a, _ = run("ch4_chain_rule_graph", capsys)
    # f = 1 + 2 + 9; ∂f/∂x = 2x + y + 2(x + y); ∂f/∂y = x + 2(x + y)
    assert (a["f"], a["df_dx"], a["df_dy"]) == (12.0, 10.0, 7.0)
    assert (a["paths_x"], a["paths_y"]) == (3, 2)
    assert (a["path_sum_x"], a["path_sum_y"]) == (10.0, 7.0)
    assert a["paths_x_with_products"] == 5 and a["path_sum_x_with_products"] == 10.0


def test_ch4_backprop_zero_init(capsys):
    a, _ = run("ch4_backprop_zero_init", capsys)
    assert a["outputs"] == [0.0, 0.0]
    zeros = [[0.0, 0.0], [0.0, 0.0]]
    assert a["weights"] == {"W1": zeros, "W2": zeros, "W3": [[0.5], [0.5]]}
    assert a["book_outputs"] == [0.0, 0.5]
    assert a["book_weights"] == {"W1": zeros, "W2": [[0.03125, 0.03125], [0.03125, 0.03125]],
                                 "W3": [[0.75], [0.75]]}
    assert a["findings"].count("constant-init") == 2


def test_ch5_activations(capsys):
    a, _ = run("ch5_activations", capsys)
    s = [1 / (1 + math.exp(-x)) for x in (-2.0, -0.5, 0.0, 1.0, 3.0)]
    assert a["sigmoid"]["y"] == approx(s)
    assert a["sigmoid"]["dx"] == approx([v * (1 - v) for v in s])
    assert a["sigmoid"]["max_derivative"] == 0.25 and a["tanh"]["max_derivative"] == 1.0
    assert a["sigmoid"]["derivative_at_5_10"] == approx([0.006648056670790033, 4.5395807735907655e-05])
    assert a["tanh"]["derivative_at_5_10"][0] == approx(1.815832309438603e-04)
    assert a["relu"] == {"y": [0.0, 0.0, 0.0, 1.0, 3.0], "dx": [0.0, 0.0, 0.0, 1.0, 1.0]}
    assert a["prelu"] == {"dx": [0.25, 0.25, 0.25, 1.0, 1.0], "da": -2.5}
    assert a["five_sigmoids_gradient"] == approx(0.0006763391969703791)
    assert a["five_sigmoids_gradient"] < 4 ** -5
    assert a["tanh_identity_error"] < 1e-15


def test_ch5_softmax_temperature(capsys):
    a, _ = run("ch5_softmax_temperature", capsys)
    assert a[10.0] == approx([0.278010, 0.307248, 0.414742], rel=0, abs=1e-6)
    assert a[1.0] == approx([0.017148, 0.046613, 0.936239], rel=0, abs=1e-6)
    assert a[0.1] == approx([math.exp(-40), math.exp(-30), 1.0], rel=1e-6, abs=0)
    assert a[1e-3] == approx([0.0, 0.0, 1.0], abs=1e-300) and a[1e6] == approx([1 / 3] * 3, rel=1e-5)


def test_ch5_ridge_loo(capsys):
    a, _ = run("ch5_ridge_loo", capsys)
    assert a["beta_0"] == approx(22 / 3) and a["beta_1"] == approx(5.5)
    assert a["lambda_cv"] == approx(4 / 39)
    assert a["beta_cv"] == approx(858 / 121)
    assert a["refit_agreement"] < 1e-10


def test_ch5_dropout(capsys):
    a, _ = run("ch5_dropout", capsys)
    assert a["parameters_half_off"] == 22_151
    assert a["p_first_layer_off"] == approx(0.5 ** 300)
    assert a["p_some_layer_off"] == approx(0.5 ** 100 + 0.5 ** 200 + 0.5 ** 300, rel=1e-12)
    assert (a["kept_units_mean"], a["kept_units_var"], a["p_to_thin_by_a_quarter"]) == (300.0, 150.0, 0.25)
    assert a["parameters_mean"] == approx(22_151.0) and a["parameters_var"] == approx(3_242_825.0)
    assert a["dropout_output_mean"] == approx(1.0, rel=0, abs=0.01)


def test_ch5_initialisation(capsys):
    a, _ = run("ch5_initialisation", capsys)
    assert a["bound_course"] == 0.0625 and a["bound_xavier"] == approx(math.sqrt(3) / 16)
    assert a["var_w_course"] == approx(1 / 768) and a["std_he"] == approx(math.sqrt(2) / 16)
    course, xavier = a["tanh, U(±1/√n)"], a["tanh, Xavier uniform"]
    assert all(0.25 < later / earlier < 0.4 for earlier, later in pairwise(course))   # about ⅓ per layer
    assert course[-1] < 0.002 and xavier[-1] > 0.05
    small, he = a["ReLU, N(0, 1/n)"], a["ReLU, He normal"]
    assert small[-1] < 0.05 and all(0.9 < v < 1.1 for v in he)
    assert a["relu_zero_probability"] == approx(0.5, rel=0, abs=0.005)


def test_ch5_architecture_mistakes(capsys):
    a, _ = run("ch5_architecture_mistakes", capsys)
    assert a["а sigmoid output for prices"] == ["output-range"]
    assert a["б no flatten"] == ["unflattened-input"]
    assert a["б softmax + CrossEntropyLoss"] == ["double-softmax"]
    assert a["б MSE on class labels"] == ["labels-as-regression"]
    assert a["в parameters of Linear(10 000, 1 000)"] == 10_001_000


def test_ch8_matrix_calculus(capsys):
    a, _ = run("ch8_matrix_calculus", capsys)
    slip = a.pop("1д as printed (AᵀXaaᵀ): its error")
    assert len(a) == 16 and max(a.values()) < 1e-12, a
    assert slip > 1.0


def test_ch8_regression_mle(capsys):
    a, _ = run("ch8_regression_mle", capsys)
    assert a.pop("5 as printed, 2XᵀX + 2λ: its error") == approx(4.0)     # 2λ = 4 added off the diagonal
    assert a.pop("6 with 1/ln(…) as printed: its error") > 1.0
    assert a.pop("004 intercept: Ridge vs the printed formula") > 0.1
    assert a.pop("6 step w − γ∇L lowers L by") > 0 and a.pop("6 step w + γ∇L as printed raises L by") > 0
    assert max(a.values()) < 1e-10, a


def test_chain_of_neurons(capsys):
    a, _ = run("chain_of_neurons", capsys)
    assert a["grads"] == approx(a["grads_by_hand"]) and a["y_hat"] == approx(a["y_hat_by_hand"])
    assert a["y_hat"] == approx(0.6984446435705992)
    lecture = a["lecture"]
    assert (lecture["a"], lecture["C"], lecture["dC/da"]) == approx((0.68, 0.1024, -0.64))
    derivatives = (lecture["dC/dw"], lecture["dC/db"], lecture["dC/da_prev"])
    assert derivatives == approx((-0.069632, -0.139264, -0.139264))


def test_matrix_backprop(capsys):
    a, _ = run("matrix_backprop", capsys)
    hand = a["by_hand"]
    assert hand["g"] == approx([0.358178, 0.641822], rel=0, abs=1e-6)
    assert a["loss"] == approx(0.443444, rel=0, abs=1e-6)
    assert hand["dV"] == approx([[0.161239, 0.261849], [-0.161239, -0.261849]], rel=0, abs=1e-6)
    assert hand["dW"] == approx([[0.106386, 0.212772], [-0.098591, -0.197182]], rel=0, abs=1e-6)
    assert hand["dx"] == approx([-0.018939, -0.060713], rel=0, abs=1e-6)
    assert max(a["errors"].values()) < 1e-15
    assert a["W_after"] == approx([[0.046807, -0.306386], [0.349295, 0.498591]], rel=0, abs=1e-6)


PLOTTING = [name for name in SCRIPTS if "--plot" in (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")]


@pytest.mark.parametrize("name", PLOTTING)
def test_plot_option_writes_the_png_that_the_readme_promises(tmp_path, name):
    # Issue 13.4: examples/README.md says `--plot PATH`; every script with pictures takes a PNG path.
    import subprocess
    import sys

    pytest.importorskip("matplotlib")
    assert "`--plot PATH`" in (EXAMPLES / "README.md").read_text(encoding="utf-8")
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--plot", str(tmp_path / "out.png")],
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == (["out.png", "out_steps.png"] if name == "ch2_sigmoid" else ["out.png"])
    assert all((tmp_path / p).read_bytes().startswith(b"\x89PNG") for p in written)


# -- chapter 7, recurrent networks (issue 17): small budgets, each well under 10 s ------------------------
def test_ch7_sine_gru(capsys):
    a, _ = run("ch7_sine_gru", capsys, steps=150)
    assert a["val_mse"] <= 0.05 < a["no_change_mse"]


def test_ch7_char_lstm(capsys):
    a, out = run("ch7_char_lstm", capsys, steps=100)
    assert a[0.1]["likeliest_share"] >= 0.5
    assert a[10.0]["entropy"] >= 0.9 * math.log(a["vocabulary"])
    assert a[0.1]["entropy"] <= a[1.0]["entropy"] <= a[10.0]["entropy"]
    assert "the forget gate" in out


def test_ch7_why_tanh(capsys):
    a, _ = run("ch7_why_tanh", capsys)
    relu, tanh = a["relu"], a["tanh"]
    assert relu["norms"][0] > 1e4 * relu["norms"][-1] and "exploding-gradients-in-time" in relu["codes"]
    assert tanh["norms"][0] < 1e-4 * tanh["norms"][-1] and tanh["h_max"] < 1 < relu["h_max"]


def test_ch7_truncated_bptt(capsys):
    a, _ = run("ch7_truncated_bptt", capsys, epochs=3, length=1000)
    assert "backward through the graph a second time" in a["error"] and "h = h.detach()" in a["error"]
    assert a["losses"][-1] < 0.02 < a["losses"][0]

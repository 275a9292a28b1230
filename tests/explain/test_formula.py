"""Network ↔ formula: the coffee-shop network's closed form, evaluation, folding, LaTeX and DOT."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain.formula import dense_layers, network_dot, network_formula

COFFEE = "max(0, max(0, 5x₁ − 60x₂ + 0.5x₃) + 0.2·max(0, −2x₁ − 80x₂ + 2x₃) + 4)"


def coffee_shop():
    """001 §1 ex. 2: temperature, a rally, the barista; ReLU everywhere."""
    net = bp.nn.Sequential(bp.nn.Linear(3, 2, dtype=np.float64), bp.nn.ReLU(),
                           bp.nn.Linear(2, 1, dtype=np.float64), bp.nn.ReLU())
    net[0].weight.data[:] = [[5, -60, 0.5], [-2, -80, 2]]
    net[0].bias.data[:] = 0
    net[2].weight.data[:] = [[1, 0.2]]
    net[2].bias.data[:] = 4
    return net


def test_coffee_shop_formula_text_and_latex():
    formula = network_formula(coffee_shop())
    assert formula.text == [COFFEE]
    assert str(formula) == "ŷ = " + COFFEE
    assert formula.to_latex() == (r"\hat{y} = \max(0, \max(0, 5x_{1} - 60x_{2} + 0.5x_{3}) + 0.2 \cdot "
                                  r"\max(0, -2x_{1} - 80x_{2} + 2x_{3}) + 4)")


def test_coffee_shop_formula_evaluates_to_the_network():
    net, formula = coffee_shop(), network_formula(coffee_shop())
    assert formula([20, 0, 1]) == pytest.approx([104.5])          # Agnessa, no rally, 20 degrees
    x = np.random.default_rng(0).normal(0, 30, size=(50, 3))
    np.testing.assert_allclose(formula(x), net(bp.tensor(x, dtype=np.float64)).data, rtol=1e-12, atol=1e-12)


def test_every_supported_activation_evaluates_to_the_network():
    bp.manual_seed(3)
    layers = [bp.nn.Linear(3, 4, dtype=np.float64), bp.nn.Sigmoid(), bp.nn.Linear(4, 4, dtype=np.float64),
              bp.nn.Tanh(), bp.nn.Dropout(0.5), bp.nn.Linear(4, 3, dtype=np.float64), bp.nn.LeakyReLU(0.1),
              bp.nn.Linear(3, 3, dtype=np.float64), bp.nn.PReLU(dtype=np.float64),
              bp.nn.Linear(3, 2, dtype=np.float64), bp.nn.Heaviside(), bp.nn.Linear(2, 3, dtype=np.float64),
              bp.nn.Softmax(dim=-1, temperature=2.0)]
    net = bp.nn.Sequential(*layers).eval()
    formula = network_formula(net)
    x = np.random.default_rng(1).normal(size=(20, 3))
    np.testing.assert_allclose(formula(x), net(bp.tensor(x, dtype=np.float64)).data, rtol=1e-10, atol=1e-12)
    text = "\n".join(formula.text)
    for piece in ("σ(", "tanh(", "LeakyReLU[a=0.1](", "PReLU[a=0.25](", "H(", "softmax[T=2]("):
        assert piece in text
    assert formula.to_text().splitlines()[0].startswith("ŷ₁ = softmax[T=2](")
    assert formula.to_latex().startswith("\\begin{aligned}\n\\hat{y}_{1} &= \\mathrm{softmax}_{T=2}(")


def test_stacked_linear_layers_fold_into_one():
    # 001 §1 ex. 1: y = w₁(w₁₁ + w₂₁x) + w₂(w₁₂ + w₂₂x) = γ₁ + γ₂x
    net = bp.nn.Sequential(bp.nn.Linear(1, 2, dtype=np.float64),
                           bp.nn.Linear(2, 1, bias=False, dtype=np.float64))
    net[0].weight.data[:] = [[2], [4]]
    net[0].bias.data[:] = [1, 3]
    net[1].weight.data[:] = [[0.5, -1]]
    assert network_formula(net).text == ["−3x₁ − 2.5"]
    assert network_formula(net, ["x"], fold_linear=False).text == ["0.5·(2x + 1) − (4x + 3)"]


def test_names_digits_and_zero_terms():
    net = bp.nn.Sequential(bp.nn.Linear(2, 1, dtype=np.float64), bp.nn.Sigmoid())
    net[0].weight.data[:] = [[1 / 3, 0]]
    net[0].bias.data[:] = 0
    assert network_formula(net, ["temp", "rally"], digits=3).text == ["σ(0.333·temp)"]
    net[0].weight.data[:] = 0
    assert network_formula(net).text == ["σ(0)"]


def test_unsupported_layers_and_mismatches_raise():
    with pytest.raises(TypeError, match="BatchNorm1d"):
        network_formula(bp.nn.Sequential(bp.nn.Linear(2, 2), bp.nn.BatchNorm1d(2)))
    with pytest.raises(TypeError, match="no Linear layer"):
        network_formula(bp.nn.Sequential(bp.nn.ReLU()))
    with pytest.raises(ValueError, match="3 input names for a network with 2 inputs"):
        network_formula(bp.nn.Linear(2, 1), ["a", "b", "c"])
    with pytest.raises(ValueError, match="takes 3 inputs"):
        network_formula(coffee_shop())(np.zeros(2))
    with pytest.raises(TypeError, match="must follow a Linear layer"):
        dense_layers([bp.nn.Linear(2, 2), bp.nn.ReLU(), bp.nn.ReLU()])


def test_dot_has_a_weight_on_every_arrow():
    dot = network_dot(coffee_shop())
    assert dot.startswith("digraph network {") and dot.rstrip().endswith("}")
    edges = [line for line in dot.splitlines() if "->" in line and "invis" not in line]
    labels = sorted(line.split('taillabel="')[1].split('"')[0] for line in edges)
    assert labels == sorted(["5", "−60", "0.5", "−2", "−80", "2", "1", "0.2", "4"])
    assert 'bias2 [label="1"' in dot and "bias1" not in dot      # the first layer's biases are all zero
    assert 'l2n0 [label="ŷ\\nReLU"]' in dot


def test_dot_parses_with_graphviz_when_installed(tmp_path):
    import shutil
    import subprocess

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed")
    out = subprocess.run(["dot", "-Tsvg"], input=network_dot(coffee_shop()), capture_output=True, text=True,
                         check=True).stdout
    assert "<svg" in out

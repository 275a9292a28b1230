"""Plots: activations with their derivatives, f(k·t) steepening, networks, descent paths; headless PNGs."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain.plots import activation_curve


def test_activation_derivatives_by_backprop():
    t = np.linspace(-6, 6, 1201)
    y, dy = activation_curve("sigmoid", t)
    assert dy.max() == pytest.approx(0.25, abs=1e-15) and t[np.argmax(dy)] == pytest.approx(0.0)
    np.testing.assert_allclose(dy, y * (1 - y), rtol=1e-12)
    y, dy = activation_curve("tanh", t)
    assert dy.max() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(dy, 1 - y ** 2, rtol=1e-12, atol=1e-15)
    _, dy = activation_curve("relu", np.array([-1.0, 0.0, 2.0]))
    assert dy.tolist() == [0.0, 0.0, 1.0]
    _, dy = activation_curve("leaky_relu", np.array([-1.0, 2.0]))
    assert dy.tolist() == pytest.approx([0.1, 1.0])
    _, dy = activation_curve(bp.nn.Heaviside(), np.array([-1.0, 2.0]))
    assert dy.tolist() == [0.0, 0.0]


def _png(path):
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 5000
    return data


def test_activation_and_steepening_plots_write_pngs(tmp_path):
    pytest.importorskip("matplotlib")
    from backprop.explain.plots import plot_activations, plot_steepening

    fig = plot_activations(path=tmp_path / "act.png")
    assert len(fig.axes) == 5 and [ax.get_title() for ax in fig.axes][:2] == ["sigmoid", "tanh"]
    _png(tmp_path / "act.png")
    fig = plot_steepening(ks=(1, 10, 100), path=tmp_path / "steep.png")
    assert [line.get_label() for line in fig.axes[0].lines][:3] == ["f(1·t)", "f(10·t)", "f(100·t)"]
    steep = fig.axes[0].lines[2].get_ydata()
    assert steep[0] < 1e-10 and steep[-1] > 1 - 1e-10            # σ(100·t) at t = ±2 is a step already
    _png(tmp_path / "steep.png")


def test_network_and_approximation_and_descent_plots(tmp_path):
    pytest.importorskip("matplotlib")
    from backprop.explain.descent import compare_optimizers, course_exercise, rosenbrock
    from backprop.explain.plots import draw_network, plot_approximation
    from tests.explain.test_formula import coffee_shop

    fig = draw_network(coffee_shop(), path=tmp_path / "net.png")
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"5", "−60", "0.5", "−2", "−80", "2", "1", "0.2", "4", "x₁", "ReLU"} <= texts
    _png(tmp_path / "net.png")
    plot_approximation(np.sin, 0, np.pi, hs=(0.5, 0.1), path=tmp_path / "approx.png")
    _png(tmp_path / "approx.png")
    fig = course_exercise(steps=5).plot(path=tmp_path / "course.png")
    assert "Nesterov (PyTorch's form)" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    _png(tmp_path / "course.png")
    compare_optimizers(rosenbrock(), [-1.5, 2.0], steps=30, lr=1e-3).plot(path=tmp_path / "rosenbrock.png")
    _png(tmp_path / "rosenbrock.png")


def test_one_activation_plots_on_its_single_axes(tmp_path):
    # Issue 13.4: with one activation, matplotlib returns a bare Axes (no .ravel()).
    pytest.importorskip("matplotlib")
    from backprop.explain.plots import plot_activations

    fig = plot_activations(["sigmoid"], path=tmp_path / "one.png")
    assert [ax.get_title() for ax in fig.axes] == ["sigmoid"]
    _png(tmp_path / "one.png")

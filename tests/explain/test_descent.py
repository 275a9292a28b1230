"""The gradient-descent family side by side: the course's exercise by hand, and paths equal to bp.optim's."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop.explain.descent import (PRESETS, compare_optimizers, course_exercise, data_loss, quadratic,
                                      rosenbrock)

# 001 §3 ex. 1 (x = (1, 2), y = (2, 3), y = w·x, w₀ = 0, η = 0.1, α = 0.9, β₁ = β₂ = 0.9), worked out by hand
# in tests/optim/test_course_exercise.py; GD on the averaged MSE, the others one observation per step.
W1_RMSPROP = 1 / math.sqrt(10)
G2_RMSPROP = 8 / math.sqrt(10) - 12
W2_RMSPROP = W1_RMSPROP - 0.1 * G2_RMSPROP / math.sqrt(0.9 * 1.6 + 0.1 * G2_RMSPROP ** 2)
W2_ADAM = 0.1 + 0.1 * (1.48 / 0.19) / math.sqrt(73.6)
COURSE = {"GD": [0.8, 1.2], "SGD": [0.4, 1.28], "Momentum": [0.4, 1.64], "Nesterov": [0.76, 2.2088],
          "RMSprop": [W1_RMSPROP, W2_RMSPROP], "Adam": [0.1, W2_ADAM]}


def test_course_exercise_numbers():
    assert W2_RMSPROP == pytest.approx(0.609766616, abs=1e-9)
    assert W2_ADAM == pytest.approx(0.190796521, abs=1e-9)
    result = course_exercise()
    assert list(result.runs) == list(COURSE)
    for name, expected in COURSE.items():
        assert result[name].path[1:, 0] == pytest.approx(expected, abs=1e-14), name
        assert result[name].path[0, 0] == 0.0


def _v(array):
    return np.asarray(array).item()


def test_course_exercise_intermediates():
    result = course_exercise()
    gd, sgd = result["GD"].steps, result["SGD"].steps
    assert [s["observation"] for s in gd] == [None, None]
    assert [s["observation"] for s in sgd] == [0, 1]
    assert [_v(s["g"]) for s in gd] == pytest.approx([-8.0, -4.0])        # dMSE/dw = 5w − 8
    assert [_v(s["g"]) for s in sgd] == pytest.approx([-4.0, -8.8])       # −2x(y − wx)
    assert _v(result["Momentum"].steps[1]["b"]) == pytest.approx(-12.4)
    nesterov = result["Nesterov"].steps
    assert _v(nesterov[1]["b"]) == pytest.approx(-9.52)
    # the course's look-ahead form: w₁ = 0.4, w₂ = 1.352 (PyTorch's iterate is its look-ahead point)
    assert [_v(s["w_course"]) for s in nesterov] == pytest.approx([0.4, 1.352], abs=1e-14)
    assert "look-ahead" in result["Nesterov"].label and "PyTorch" in result["Nesterov"].label
    assert _v(result["RMSprop"].steps[1]["v"]) == pytest.approx(10.408426892, abs=1e-9)
    adam = result["Adam"].steps[1]
    assert [_v(adam[k]) for k in ("m", "v", "m_hat", "v_hat")] == pytest.approx(
        [-1.48, 13.984, -1.48 / 0.19, 73.6])
    assert result["GD"].losses[:2] == pytest.approx([6.5, 1.7])               # ½[(2 − w)² + (3 − 2w)²]


def test_course_exercise_with_default_eps_moves_by_about_1e_9():
    result = course_exercise(eps=1e-8)
    assert result["RMSprop"].path[1:, 0] == pytest.approx(COURSE["RMSprop"], abs=1e-8)
    assert result["Adam"].path[1:, 0] == pytest.approx(COURSE["Adam"], abs=1e-8)


def _optim_path(surface, start, make, steps, stochastic):
    w = bp.tensor(start, dtype=np.float64, requires_grad=True)
    opt = make([w])
    path = [w.data.copy()]
    for t in range(steps):
        opt.zero_grad()
        surface(w, t % surface.n_observations if stochastic and surface.n_observations else None).backward()
        opt.step()
        path.append(w.data.copy())
    return np.array(path)


LINE = data_loss(lambda w, x: w[0] + w[1] * x, [0, 1, 2, 3], [1, 3, 4, 7])


@pytest.mark.parametrize("surface, start", [(rosenbrock(), [-1.2, 1.0]), (quadratic(1, 10), [2.0, 1.0]),
                                            (LINE, [0.0, 0.0])])
def test_paths_equal_bp_optim_trajectories(surface, start):
    lr = {"GD": 1e-3, "SGD": 1e-3, "Momentum": 1e-3, "Nesterov": 1e-3, "RMSprop": 1e-2, "Adam": 1e-2}
    result = compare_optimizers(surface, start, steps=25, lr=lr)
    hyper = PRESETS["pytorch"]
    makers = {
        "GD": lambda p: bp.optim.SGD(p, lr=lr["GD"]),
        "SGD": lambda p: bp.optim.SGD(p, lr=lr["SGD"]),
        "Momentum": lambda p: bp.optim.SGD(p, lr=lr["Momentum"], momentum=hyper["momentum"]),
        "Nesterov": lambda p: bp.optim.SGD(p, lr=lr["Nesterov"], momentum=hyper["momentum"], nesterov=True),
        "RMSprop": lambda p: bp.optim.RMSprop(p, lr=lr["RMSprop"], alpha=hyper["alpha"]),
        "Adam": lambda p: bp.optim.Adam(p, lr=lr["Adam"], betas=hyper["betas"]),
    }
    assert ("SGD" in result.runs) == bool(surface.n_observations)
    for run in result:
        expected = _optim_path(surface, start, makers[run.name], 25, run.name != "GD")
        np.testing.assert_array_equal(run.path, expected, err_msg=run.name)
        assert run.losses == pytest.approx([surface.values(p[:, None])[0] for p in expected])


def test_surfaces_values_match_their_formulas_and_minima():
    r, q = rosenbrock(1, 100), quadratic(1, 10)
    assert r.values(np.array([[1.0], [1.0]])) == pytest.approx([0.0])
    assert r.values(np.array([[0.0], [0.0]])) == pytest.approx([1.0])
    assert q.values(np.array([[2.0], [1.0]])) == pytest.approx([0.5 * (4 + 10)])
    grid = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 4)))
    assert r.values(grid).shape == (4, 5)


def test_descent_converges_on_the_quadratic():
    result = compare_optimizers(quadratic(1, 10), [2.0, 1.0], steps=300, lr=0.05)
    for run in result:
        assert np.abs(run.path[-1]).max() < 0.05, run.name


def test_table_formats_and_labels():
    result = course_exercise()
    text = result.table()
    assert "2.2088 (course's w = 1.352)" in text
    assert "0.1907965208" in text and "0.6097666158" in text
    assert "m̂ = -7.789473684" in text
    assert "Nesterov (PyTorch's form" in text
    markdown = result.table(steps=1, fmt="markdown")
    assert markdown.splitlines()[0].startswith("| method | t | obs |")
    assert len([line for line in markdown.splitlines() if line.startswith("| ")]) == 1 + 6
    with pytest.raises(ValueError, match="fmt"):
        result.table(fmt="html")


def test_table_columns_align_in_display_columns():
    # Issue 13.8: the hats of m̂ and v̂ are combining marks, which take no column.
    import unicodedata
    lines = course_exercise().table().splitlines()
    rows = [line for line in lines if line.startswith(("Adam", "SGD", "method"))]
    assert any("m̂" in row for row in rows)
    def columns(line):  # display column where each cell starts
        starts, col, prev = [], 0, " "
        for i, c in enumerate(line):
            if unicodedata.combining(c):
                continue
            if c != " " and prev == " " and line[i - 2:i] == "  ":
                starts.append(col)
            col, prev = col + 1, c
        return starts
    delta = [columns(row)[-2] for row in rows]  # the start of the Δ column
    assert len(set(delta)) == 1, rows

def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown method 'Adagrad'"):
        compare_optimizers(quadratic(), [1.0, 1.0], methods=["Adagrad"])
    three = data_loss(lambda w, x: w[0] + w[1] * x + w[2] * x * x, [0, 1, 2], [1, 2, 5])
    with pytest.raises(ValueError, match="paths of 3 parameters cannot be drawn"):
        compare_optimizers(three, [0.0, 0.0, 0.0], steps=2).plot()
    with pytest.raises(ValueError, match="X has 2 observations but y has 3"):
        data_loss(lambda w, x: w[0] * x, [1, 2], [1, 2, 3])

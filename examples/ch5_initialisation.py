"""Weight initialisation: U(±1/√n_in) shrinks the variance layer after layer; Xavier and He keep it.

Source: 001 (problem book), chapter 5.4, exercises 8 and 9. For z = Σᵢ wᵢxᵢ with independent
zero-mean wᵢ and xᵢ, Var z = n_in·Var w·Var x.

8а. w ~ U[−1/√n_in, 1/√n_in] has Var w = 1/(3n_in), so Var z = Var x/3: in the linear part of a
    symmetric activation (tanh) the variance falls about threefold per layer. (This is also
    PyTorch's and the library's default for ``nn.Linear``.)
8б. U[−√3/√n_in, √3/√n_in] (Var w = 1/n_in) keeps it; Xavier/Glorot's U[±√(6/(n_in + n_out))]
    balances the forward and the backward pass (the same bound when n_in = n_out).
8в. Normal: N(0, 1/n_in), or Xavier's N(0, 2/(n_in + n_out)).
9.  A ReLU unit with 10 inputs and weights from N(0, 1) outputs 0 with probability ½ for any input
    x ≠ 0 (wᵀx ~ N(0, ‖x‖²) is symmetric). ReLU halves E z², so He's N(0, 2/n_in) keeps it.

For n_in = n_out = 256 the bounds are 1/16 = 0.0625 (U(±1/√n)) and √(3/256) ≈ 0.108253 (Xavier);
in a 6-layer tanh network of width 256 the last layer's output variance is ≈ 0.0007 with the first
and ≈ 0.09 with Xavier's; in a ReLU network E h² halves per layer with N(0, 1/n) and stays ≈ 1 with He's.

Run: python examples/ch5_initialisation.py
"""
import math

import numpy as np

import backprop as bp

WIDTH, DEPTH = 256, 6


def deep_network(activation, init):
    layers = []
    for _ in range(DEPTH):
        linear = bp.nn.Linear(WIDTH, WIDTH, dtype=np.float64)
        init(linear.weight)
        bp.nn.init.zeros_(linear.bias)
        layers += [linear, activation()]
    return bp.nn.Sequential(*layers)


def layer_statistics(net, X, activation, second_moment=False):
    """The activations' variance (or E h²) after each non-linearity, from the diagnostics' layer table."""
    diagnosis = bp.explain.diagnose(net, X)
    stats = [s for s in diagnosis.layers if s.type == activation.__name__]
    return [s.var + s.mean ** 2 if second_moment else s.var for s in stats]


def main():
    bp.manual_seed(0)
    X = bp.randn(1000, WIDTH, dtype=np.float64)
    course = lambda w: bp.nn.init.uniform_(w, -1 / math.sqrt(WIDTH), 1 / math.sqrt(WIDTH))
    small = lambda w: bp.nn.init.normal_(w, 0.0, 1 / math.sqrt(WIDTH))
    nets = {"tanh, U(±1/√n)": (deep_network(bp.nn.Tanh, course), bp.nn.Tanh, False),
            "tanh, Xavier uniform": (deep_network(bp.nn.Tanh, bp.nn.init.xavier_uniform_), bp.nn.Tanh, False),
            "ReLU, N(0, 1/n)": (deep_network(bp.nn.ReLU, small), bp.nn.ReLU, True),
            "ReLU, He normal": (deep_network(bp.nn.ReLU, lambda w: bp.nn.init.kaiming_normal_(
                w, nonlinearity="relu")), bp.nn.ReLU, True)}
    first, batch = nets["tanh, U(±1/√n)"][0][:2], X[:2]
    with bp.explain.trace(model=first, names={"x": batch}) as tr:
        first(batch)
    print(tr)
    answers = {"bound_course": 1 / math.sqrt(WIDTH), "bound_xavier": math.sqrt(6 / (2 * WIDTH)),
               "var_w_course": 1 / (3 * WIDTH), "std_he": math.sqrt(2 / WIDTH)}
    for name, (net, activation, second_moment) in nets.items():
        values = layer_statistics(net, X, activation, second_moment)
        answers[name] = values
        label = "E h²" if second_moment else "Var h"
        print(f"{name:>22}: {label} per layer", np.round(values, 4).tolist())
    rng = np.random.default_rng(0)
    x = rng.standard_normal(10)
    answers["relu_zero_probability"] = float(np.mean(rng.standard_normal((200_000, 10)) @ x <= 0))
    for name in ("bound_course", "bound_xavier", "var_w_course", "std_he", "relu_zero_probability"):
        print(f"{name}: {answers[name]:.6g}")
    return answers


if __name__ == "__main__":
    main()

"""A redundant network: a hidden unit that does nothing and two output units that are the same.

Source: 001 (problem book), chapter 1, exercise 7 (Masha's three-layer "monster" on TensorFlow
Playground). Its first layer has a unit whose incoming weights are all zero (it outputs a constant
that the next layer's bias could absorb) and its last hidden layer has two identical units: both
can go. The picture's weights are not given; ours reproduce the two defects, and the diagnostics
flag both (the deliberate mistake of the exercise).

Run: python examples/ch1_redundant_units.py
"""
import warnings

import numpy as np

import backprop as bp


def monster():
    bp.manual_seed(0)
    net = bp.nn.Sequential(bp.nn.Linear(2, 3, dtype=np.float64), bp.nn.Tanh(),
                           bp.nn.Linear(3, 2, dtype=np.float64), bp.nn.Tanh(),
                           bp.nn.Linear(2, 1, dtype=np.float64), bp.nn.Sigmoid())
    net[0].weight.data[2] = 0.0                                   # unit 3 of layer 1 ignores its inputs
    net[2].weight.data[1], net[2].bias.data[1] = net[2].weight.data[0], net[2].bias.data[0]   # twins
    return net


def main():
    net = monster()
    x = bp.tensor([[0.5, -1.0], [1.0, 2.0], [-1.5, 0.3]], dtype=np.float64)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        net(x)
    print(tr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bp.explain.DiagnosticWarning)
        diagnosis = bp.explain.diagnose(net, x)
    print(diagnosis)
    fired = [w for w in caught if issubclass(w.category, bp.explain.DiagnosticWarning)]
    assert diagnosis.codes.count("redundant-units") >= 2 and fired, "both redundancies must be flagged"
    return {"findings": diagnosis.codes, "layers": [f.layer for f in diagnosis.findings]}


if __name__ == "__main__":
    main()

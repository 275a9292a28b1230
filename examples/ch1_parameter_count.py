"""How many parameters does a 12 → 300 → 200 → 100 → 1 regression network have?

Source: 001 (problem book), chapter 1, exercise 10 (and chapter 5, exercise 7а). Every neuron
has one weight per input plus a constant:

    (12 + 1)·300 + (300 + 1)·200 + (200 + 1)·100 + (100 + 1)·1 = 3 900 + 60 200 + 20 100 + 101 = 84 301.

``bp.explain.summary`` counts them layer by layer from the model itself.

Run: python examples/ch1_parameter_count.py
"""
import numpy as np

import backprop as bp


def masha_network():
    bp.manual_seed(0)
    return bp.nn.Sequential(bp.nn.Linear(12, 300), bp.nn.ReLU(), bp.nn.Linear(300, 200), bp.nn.ReLU(),
                            bp.nn.Linear(200, 100), bp.nn.ReLU(), bp.nn.Linear(100, 1))


def main():
    net = masha_network()
    x = bp.tensor(np.linspace(-1, 1, 12)[None], dtype=np.float32)
    with bp.explain.trace(model=net, names={"x": x}) as tr:
        net(x)
    print(tr)
    report = bp.explain.summary(net, (1, 12))
    print(report)
    by_hand = (12 + 1) * 300 + (300 + 1) * 200 + (200 + 1) * 100 + (100 + 1) * 1
    print("By hand: (12 + 1)·300 + (300 + 1)·200 + (200 + 1)·100 + (100 + 1)·1 =", by_hand)
    return {"total": report.total_params, "by_hand": by_hand,
            "per_layer": [row.params for row in report.rows if row.params]}


if __name__ == "__main__":
    main()

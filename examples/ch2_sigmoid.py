"""The sigmoid f(t) = eᵗ/(1 + eᵗ): limits, symmetry, derivative, inverse, and f(k·t) turning into a step.

Source: 001 (problem book), chapter 2, exercise 1 (а–и). Every identity is checked numerically,
the derivatives by backpropagation:

* а. f(t) → 1 as t → +∞ and → 0 as t → −∞;
* б. f(−t) = 1 − f(t);  в. f′(−t) = f′(t);  г. f′(t) = f(t)(1 − f(t));
* д. f(0) = ½, f′(0) = ¼, ln f(0) = −ln 2 ≈ −0.693147;
* е. f⁻¹(p) = ln(p/(1 − p)), the logit;  ж. d ln f(t)/dt = 1 − f(t) = f(−t);
* з, и. plots of f and f′, and of f(t), f(10t), f(100t), f(1000t), which approach the unit step
  (at t = 0.1: 0.525, 0.731, 0.99995, 1 − 4·10⁻⁴⁴).

Run: python examples/ch2_sigmoid.py [--plot out.png]   (f and f′ in out.png, the steps in out_steps.png)
"""
import sys
from pathlib import Path

import numpy as np

import backprop as bp


def main(plot_path=None):
    t0 = bp.tensor(0.0, dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"t": t0}) as tr:
        f0 = bp.sigmoid(t0)
        f0.backward()
    print(tr)

    t = np.linspace(-8, 8, 161)
    tt = bp.tensor(t, dtype=np.float64, requires_grad=True)
    f = bp.sigmoid(tt)
    f.sum().backward()
    df = tt.grad.numpy()
    tt_neg = bp.tensor(-t, dtype=np.float64, requires_grad=True)
    bp.sigmoid(tt_neg).sum().backward()
    tt_log = bp.tensor(t, dtype=np.float64, requires_grad=True)
    bp.logsigmoid(tt_log).sum().backward()
    p = np.linspace(0.01, 0.99, 99)
    checks = {
        "б f(−t) = 1 − f(t)": np.abs(bp.sigmoid(bp.tensor(-t, dtype=np.float64)).data - (1 - f.data)).max(),
        "в f′(−t) = f′(t)": np.abs(tt_neg.grad.numpy() - df).max(),
        "г f′ = f(1 − f)": np.abs(df - f.data * (1 - f.data)).max(),
        "е f(f⁻¹(p)) = p": np.abs(bp.sigmoid(bp.logit(bp.tensor(p, dtype=np.float64))).data - p).max(),
        "ж d ln f/dt = f(−t)": np.abs(tt_log.grad.numpy() - (1 - f.data)).max(),
    }
    big = bp.sigmoid(bp.tensor([-40.0, 40.0], dtype=np.float64)).data
    steepening = [bp.sigmoid(bp.tensor(k * 0.1, dtype=np.float64)).item() for k in (1, 10, 100, 1000)]
    answers = {"f(0)": f0.item(), "f'(0)": float(t0.grad), "ln f(0)": float(np.log(f0.item())),
               "f(-40), f(40)": big.tolist(), "max f'": float(df.max()), "f(k*0.1)": steepening,
               "max_identity_error": max(checks.values())}
    for name, error in checks.items():
        print(f"{name}: largest deviation {error:.1e}")
    for name, value in answers.items():
        print(f"{name} = {value}")
    if plot_path:
        path = Path(plot_path)
        bp.explain.plot_activations(["sigmoid"], path=path)
        bp.explain.plot_steepening("sigmoid", ks=(1, 10, 100, 1000),
                                   path=path.with_name(f"{path.stem}_steps{path.suffix or '.png'}"))
    return answers


if __name__ == "__main__":
    main(sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--plot" else None)

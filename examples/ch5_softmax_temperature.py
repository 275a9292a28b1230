"""Softmax with a temperature: the logits 1, 2, 5 at T = 10, 1 and 0.1.

Source: 001 (problem book), chapter 5.1, exercise 4. f(z)ᵢ = e^(zᵢ/T)/Σₖ e^(zₖ/T):

а. T = 10:  (0.278010, 0.307248, 0.414742), close to uniform;
б. T = 1:   (0.017148, 0.046613, 0.936239);
в. T = 0.1: (4.2e-18, 9.4e-14, 1): practically the arg max;
г. T → 0: the one-hot arg max (0, 0, 1);  д. T → ∞: the uniform (⅓, ⅓, ⅓);
е. a high temperature makes sampled replies unpredictable, a low one makes them all alike.

Run: python examples/ch5_softmax_temperature.py
"""
import numpy as np

import backprop as bp

LOGITS = [1.0, 2.0, 5.0]


def main():
    z = bp.tensor(LOGITS, dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"z": z}) as tr:
        p = bp.softmax(z, temperature=10.0)
        p[2].backward()
    print(tr)
    answers = {T: bp.softmax(bp.tensor(LOGITS, dtype=np.float64), temperature=T).data.tolist()
               for T in (10.0, 1.0, 0.1, 1e-3, 1e6)}
    for T, probabilities in answers.items():
        print(f"T = {T:g}: {np.round(probabilities, 6).tolist()}")
    print("∂p₃/∂z at T = 10 (= p₃(eᵢ − p)/T):", np.round(z.grad, 6).tolist())
    return answers


if __name__ == "__main__":
    main()

"""Backprop by hand through a 2-2-2-1 sigmoid network whose weights all start at zero: the units never differ.

Source: 001 (problem book), chapter 4, exercise 3 ("Backpropagation без константы"). No biases,
sigmoid hidden layers, a linear output ŷ = O₂W₃, loss L = ½(y − ŷ)², SGD with η = 1, observation 2
(x = (5, 2), y = 0) first, then observation 1 (x = (1, 1), y = 1). With H = XW (the book's layout)
the backward pass is, correctly:

    d = ∂L/∂ŷ = ŷ − y;  ∂L/∂W₃ = O₂ᵀd;  d ← (dW₃ᵀ) ∘ O₂(1 − O₂);  ∂L/∂W₂ = O₁ᵀd;
    d ← (dW₂ᵀ) ∘ O₁(1 − O₁);  ∂L/∂W₁ = Xᵀd.

The course's slips: its d = −(ŷ − y) has the wrong sign; ∂H₂/∂W₂ should be O₁ᵀ, not O₂ᵀ; its matrix
formulas drop transposes and the elementwise products; the second layer's weights are labelled as
the first's and the last derivative is called ∂L/∂W₂ where it is ∂L/∂W₁; and its worked numbers use
the target 1 for observation 2, whose target in the table is 0.

Correct numbers: step 1 (y = 0) has ŷ = 0 = y, so L = 0 and every gradient is zero: nothing moves.
Step 2: O₁ = O₂ = (½, ½), ŷ = 0, d = −1, ∂L/∂W₃ = (−½, −½) and W₃ becomes (½, ½); ∂L/∂W₂ and ∂L/∂W₁
are zero, because they pass through W₃ = 0. With the book's target 1 for observation 2, step 1 gives
W₃ = (½, ½) and step 2 (ŷ = ½, d = −½) gives W₃ = (¾, ¾) and every entry of W₂ equal to 1/32, W₁ still 0.
Either way the two units of each layer stay identical (zero initialisation is the deliberate mistake
of the exercise): the diagnostics flag the constant initialisation.

Run: python examples/ch4_backprop_zero_init.py
"""
import warnings

import numpy as np

import backprop as bp

OBSERVATIONS = {1: ([1.0, 1.0], 1.0), 2: ([5.0, 2.0], 0.0)}


def zero_network():
    net = bp.nn.Sequential(bp.nn.Linear(2, 2, bias=False, dtype=np.float64), bp.nn.Sigmoid(),
                           bp.nn.Linear(2, 2, bias=False, dtype=np.float64), bp.nn.Sigmoid(),
                           bp.nn.Linear(2, 1, bias=False, dtype=np.float64))
    for p in net.parameters():
        bp.nn.init.zeros_(p)
    return net


def two_steps(net, targets):
    """Two SGD steps (η = 1) on observation 2 then 1, with the given targets; returns the outputs ŷ."""
    optimizer = bp.optim.SGD(net.parameters(), lr=1.0)
    outputs = []
    for number in (2, 1):
        x = bp.tensor([OBSERVATIONS[number][0]], dtype=np.float64)
        y = bp.tensor([[targets[number]]], dtype=np.float64)
        optimizer.zero_grad()
        y_hat = net(x)
        loss = 0.5 * ((y - y_hat) ** 2).sum()
        loss.backward()
        optimizer.step()
        outputs.append(y_hat.item())
    return outputs


def weights(net):
    # the book's layout H = XW: our Linear weights (out, in) transposed
    return {f"W{k}": net[i].weight.data.T.tolist() for k, i in ((1, 0), (2, 2), (3, 4))}


def main():
    correct_targets = {number: y for number, (_, y) in OBSERVATIONS.items()}
    net, book_net = zero_network(), zero_network()
    with bp.explain.trace(model=net) as tr:
        outputs = two_steps(net, correct_targets)
    print(tr)
    book_outputs = two_steps(book_net, {1: 1.0, 2: 1.0})
    print("Correct (observation 2 has y = 0): ŷ =", outputs, "→", weights(net))
    print("With the book's target 1 for observation 2: ŷ =", book_outputs, "→", weights(book_net))

    X = np.array([OBSERVATIONS[2][0], OBSERVATIONS[1][0]])
    y = np.array([[OBSERVATIONS[2][1]], [OBSERVATIONS[1][1]]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", bp.explain.DiagnosticWarning)
        diagnosis = bp.explain.diagnose(zero_network(), X, y, bp.nn.MSELoss())
    print(diagnosis)
    fired = [str(w.message) for w in caught if issubclass(w.category, bp.explain.DiagnosticWarning)]
    assert "constant-init" in diagnosis.codes and fired, "the zero initialisation must be flagged"
    return {"outputs": outputs, "weights": weights(net), "book_outputs": book_outputs,
            "book_weights": weights(book_net), "findings": diagnosis.codes}


if __name__ == "__main__":
    main()

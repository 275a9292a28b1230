"""Why recurrent networks use tanh (the course's activation section): ReLU against tanh through time.

Source: chapter 5 (activations: why tanh is used in recurrent networks) and chapter 7. The same
Elman RNN, h_t = f(W_ih x_t + W_hh h_{t−1} + b), with the same weights, once with f = ReLU and once
with f = tanh, reads a long sequence (L = 100); the loss is the sum of the last hidden state.
Backpropagation through time multiplies the gradient at every step by W_hhᵀ·diag(f′(a_t)):

- with ReLU, f′ is 1 wherever a unit is on, so the gradient is multiplied by W_hhᵀ step after step.
  Here W_hh is positive with spectral radius 1.2 and the inputs are positive, so every unit stays on:
  the hidden state grows as 1.2ᵗ and the gradient reaching step t as 1.2^(L−1−t). Both explode
  (1.2⁹⁹ ≈ 7·10⁷);
- with tanh, h stays in (−1, 1): the state settles where tanh saturates, and f′ = 1 − h² < 1 damps
  every factor below 1, so the gradient decays back through time instead of exploding (the vanishing
  gradient, which the LSTM's and GRU's gates address).

``bp.explain.diagnose`` prints the gradient norm ‖dL/dx_t‖ per time step for both, and flags
``exploding-gradients-in-time`` for ReLU.

Run: python examples/ch7_why_tanh.py
"""
import numpy as np

import backprop as bp
from backprop import nn

HIDDEN, LENGTH = 16, 100


class LastState(nn.Module):
    def __init__(self, nonlinearity):
        super().__init__()
        self.rnn = nn.RNN(1, HIDDEN, nonlinearity=nonlinearity)

    def forward(self, x):
        out, _ = self.rnn(x)
        return out[-1].sum()


def same_weights(model, seed, radius=1.2):
    """Positive W_hh scaled to spectral radius 1.2, positive W_ih: the same for both networks."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.0, 1.0, (HIDDEN, HIDDEN))
    w *= radius / np.abs(np.linalg.eigvals(w)).max()
    state = {"rnn.weight_hh_l0": w, "rnn.weight_ih_l0": rng.uniform(0.0, 0.5, (HIDDEN, 1)),
             "rnn.bias_ih_l0": np.zeros(HIDDEN), "rnn.bias_hh_l0": np.zeros(HIDDEN)}
    model.load_state_dict({k: v.astype(np.float32) for k, v in state.items()})
    return model


def main(seed=0, length=LENGTH):
    x = bp.tensor(np.abs(np.random.default_rng(seed).standard_normal((length, 1, 1))).astype(np.float32))
    answers = {}
    for nonlinearity in ("relu", "tanh"):
        model = same_weights(LastState(nonlinearity), seed)
        d = bp.explain.diagnose(model, x, None, lambda out: out, warn=False)
        norms = d.time_gradients["rnn"]
        with bp.no_grad():
            h_max = float(np.abs(model.rnn(x)[0].data).max())
        answers[nonlinearity] = {"norms": norms, "h_max": h_max, "codes": d.codes}
        shown = ", ".join(f"t={t}: {norms[t]:.3g}" for t in (0, length // 4, length // 2, length - 1))
        print(f"{nonlinearity:>4}: max |h| = {h_max:.3g}; ‖dL/dx_t‖ {shown}; findings {d.codes}")
    with bp.explain.trace() as tr:  # two steps of the tanh RNN cell, h = tanh(W_ih x + W_hh h + b)
        cell = nn.RNNCell(1, 1)
        h = cell(bp.tensor([[1.0]]))
        cell(bp.tensor([[0.5]]), h).sum().backward()
    print(tr)
    return answers


if __name__ == "__main__":
    main()

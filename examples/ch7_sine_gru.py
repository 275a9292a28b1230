"""Next-value prediction on a noisy sine wave with a GRU: the recurrent network's first task.

Source: chapter 7 (recurrent networks). A window of L past values x_{t−L+1}, …, x_t goes through a
GRU, one value per time step; a Linear layer reads the last hidden state and predicts x_{t+1}. The
noise (σ = 0.1) sets the floor of the mean squared error at σ² = 0.01; predicting "no change"
(x̂_{t+1} = x_t) costs about 2σ² plus the sine's own step. The trained GRU reaches a validation MSE
below 0.05 (the test's bound) in a few hundred steps of Adam.

The trace at the end shows one time loop of the layer: its gates r, z, n and its states h_t for a
window of three values, the formulas PyTorch uses (gate order r, z, n).

Run: python examples/ch7_sine_gru.py
"""
import numpy as np

import backprop as bp
from backprop import nn

NOISE = 0.1


def windows(length, count, rng):
    """``count`` windows of ``length`` noisy values of sin(t) and the value that follows each."""
    starts = rng.uniform(0, 200, count)
    t = starts[:, None] + 0.3 * np.arange(length + 1)[None, :]
    x = np.sin(t) + NOISE * rng.standard_normal(t.shape)
    return x[:, :-1, None].astype(np.float32), x[:, -1:].astype(np.float32)


class NextValue(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, h_n = self.gru(x)
        return self.head(h_n[-1])  # the last layer's final state, (N, hidden)


def main(steps=300, length=20, batch=64, seed=0):
    bp.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = NextValue()
    optimizer = bp.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for step in range(steps):
        x, y = windows(length, batch, rng)
        loss = loss_fn(model(bp.tensor(x)), bp.tensor(y))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step % 100 == 0:
            print(f"step {step:4d}  training MSE {loss.item():.4f}")
    x_val, y_val = windows(length, 500, np.random.default_rng(seed + 1))
    with bp.no_grad():
        val_mse = float(loss_fn(model(bp.tensor(x_val)), bp.tensor(y_val)).item())
    no_change = float(np.mean((x_val[:, -1] - y_val) ** 2))
    print(f"validation MSE {val_mse:.4f} (noise floor {NOISE ** 2:.2f}; 'no change' predictor {no_change:.4f})")
    small = nn.GRU(1, 2)
    with bp.explain.trace(model=small) as tr:
        small(bp.tensor(x_val[0, :3]))[0].sum().backward()
    print(tr)
    return {"val_mse": val_mse, "no_change_mse": no_change}


if __name__ == "__main__":
    main()

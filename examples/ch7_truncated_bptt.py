"""Truncated backpropagation through time: a long sequence in chunks, the state carried over, detached.

Source: chapter 7 (recurrent networks). Backpropagating through all 2 000 steps of a long series at
every update would cost memory and time in proportion to its length, and multiply the gradient by
2 000 Jacobians. Truncated BPTT cuts the series into chunks of K = 25 steps: the hidden state flows
from one chunk to the next (the network still sees the whole past in its forward pass), but the
gradient stops at the chunk's start, because the state is detached after each update::

    h = None
    for chunk in chunks:
        out, h = gru(chunk, h)
        loss(out, target).backward(); optimizer.step()
        h = h.detach()            # keep the value, cut the graph

Forgetting ``h.detach()`` makes the next backward reach the previous chunk's graph, whose saved values
the previous backward freed: the layer stops with "Trying to backward through the graph a second
time" and says to detach the state. The example shows that message, then trains the right way and
prints the loss of each pass over the series.

Run: python examples/ch7_truncated_bptt.py
"""
import numpy as np

import backprop as bp
from backprop import nn

CHUNK = 25


class Stateful(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.gru = nn.GRU(1, hidden)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, h=None):
        out, h = self.gru(x, h)
        return self.head(out), h


def series(length, seed):
    rng = np.random.default_rng(seed)
    t = 0.2 * np.arange(length + 1)
    x = np.sin(t) + 0.5 * np.sin(0.31 * t) + 0.05 * rng.standard_normal(t.shape)
    return x.astype(np.float32)[:, None, None]  # (L + 1, N = 1, 1)


def forgetting_detach(model, x):
    """Two chunks without detaching the state in between: the error the layer raises, as text."""
    loss_fn = nn.MSELoss()
    out, h = model(bp.tensor(x[:CHUNK]))
    loss_fn(out, bp.tensor(x[1:CHUNK + 1])).backward()
    try:
        out, h = model(bp.tensor(x[CHUNK:2 * CHUNK]), h)   # h still holds the first chunk's graph
        loss_fn(out, bp.tensor(x[CHUNK + 1:2 * CHUNK + 1])).backward()
    except RuntimeError as error:
        return str(error)
    return ""


def main(epochs=8, length=2000, seed=0):
    bp.manual_seed(seed)
    x = series(length, seed)
    model = Stateful()
    message = forgetting_detach(model, x)
    print(f"Without h.detach():\n  RuntimeError: {message}\n")
    optimizer = bp.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    losses = []
    for epoch in range(epochs):
        h, total = None, 0.0
        for start in range(0, length - CHUNK + 1, CHUNK):
            out, h = model(bp.tensor(x[start:start + CHUNK]), h)
            loss = loss_fn(out, bp.tensor(x[start + 1:start + CHUNK + 1]))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            h = h.detach()  # truncated BPTT: the value goes on, the graph stops here
            total += loss.item()
        losses.append(total / (length // CHUNK))
        print(f"pass {epoch + 1}: mean MSE over the chunks {losses[-1]:.4f}")
    with bp.explain.trace(model=model) as tr:  # the first two steps of the trained GRU, cell by cell
        cell = nn.GRUCell(1, 16)
        cell.load_state_dict({k.replace("_l0", ""): v for k, v in model.gru.state_dict().items()})
        h1 = cell(bp.tensor(x[0]))
        model.head(cell(bp.tensor(x[1]), h1)).sum().backward()
    print(tr)
    return {"error": message, "losses": losses}


if __name__ == "__main__":
    main()

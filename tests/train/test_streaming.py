"""Training on a data set on disk: memory O(batch × features), not O(samples × features)."""
import tracemalloc

import numpy as np

import backprop as bp
from backprop.data import DataLoader, TensorDataset
from backprop.train import fit


def test_fit_on_a_memmap_never_holds_the_data_in_memory(tmp_path):
    n, d = 40_000, 25  # 8 MB of features on disk
    rng = np.random.default_rng(0)
    X = np.memmap(tmp_path / "X.dat", dtype=np.float64, mode="w+", shape=(n, d))
    y = np.memmap(tmp_path / "y.dat", dtype=np.float64, mode="w+", shape=(n, 1))
    w = rng.normal(size=(d, 1))
    for start in range(0, n, 5000):  # written in chunks too
        X[start:start + 5000] = rng.normal(size=(5000, d))
        y[start:start + 5000] = X[start:start + 5000] @ w
    X.flush(), y.flush()

    bp.manual_seed(0)
    model = bp.nn.Linear(d, 1)
    loader = DataLoader(TensorDataset(X, y), batch_size=500, shuffle=True)
    tracemalloc.start()
    try:
        history = fit(model, bp.nn.MSELoss(), bp.optim.Adam(model.parameters(), lr=0.05), loader, epochs=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < X.nbytes / 4, f"peak {peak} bytes while training on a {X.nbytes}-byte memmap"
    assert history.history["loss"][0] < 0.5 * float(np.mean(np.asarray(y[:1000]) ** 2))

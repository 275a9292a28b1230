"""One full training step (forward, loss, backward, SGD update) of the same network in four implementations.

Run:  python bench/train_step.py [--workloads tiny,mnist,wide,cnn] [--rounds 7] [--threads 1]

Implementations: ``backprop`` (eager); ``jit``, the same step under ``bp.jit`` (replayed); ``numpy``, the
same network written out by hand as lean as we can (explicit matrix products, preallocated buffers, ``out=``
arguments: the floor for a NumPy framework using the same products); ``torch`` on the CPU when installed;
``mygrad`` when installed, written the way its users write a step. Also ``matmul``: only the matrix products
a step needs (per Linear layer X·Wᵀ forward, dZ·W and dZᵀ·X backward; per convolution the same three on the
unfolded input, per image), the limit set by BLAS. Workloads ``tiny``, ``mnist`` and ``wide`` are MLPs;
``cnn`` is a small convolutional network (two convolutions with max-pooling, then a Linear layer) on 1×28×28
images.

Method: BLAS and PyTorch pinned to the same number of threads; every implementation warmed up; then
rounds that alternate the implementations (A B C … A B C …) with a pause between libraries so BLAS
threads go idle. Reported: median ms per step, interquartile range, ratio to the NumPy floor. Before
timing, the first three losses of every implementation are compared (same initial weights and data).
"""
import argparse
import itertools
import os
import statistics
import sys
import time


def _pin_threads(n):
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)


WORKLOADS = {  # name: (layer sizes, activation, loss, batch)
    "tiny": ((2, 16, 16, 1), "tanh", "mse", 32),
    "mnist": ((784, 256, 128, 10), "relu", "ce", 128),
    "wide": ((784, 2048, 2048, 10), "relu", "ce", 512),
    # Conv2d(1, 8, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(8, 16, 3, padding=1) → ReLU →
    # MaxPool2d(2) → Flatten → Linear(16·7·7, 10), on (64, 1, 28, 28) images
    "cnn": (((1, 28, 28), 8, 16, 10), "relu", "ce", 64),
}
LR = 0.01
CNN_CHANNELS = (1, 8, 16)  # input, first and second convolution


def _uniform_layer(rng, shape, fan_in):
    """PyTorch's default init, U(±1/√fan_in), for a weight of ``shape`` and its bias."""
    import numpy as np

    bound = 1 / np.sqrt(fan_in)
    return (rng.uniform(-bound, bound, shape).astype(np.float32),
            rng.uniform(-bound, bound, shape[0]).astype(np.float32))


def make_problem(name, seed=0):
    import numpy as np

    sizes, act, loss, batch = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    if name == "cnn":  # two 3×3 convolutions, then Linear(16·7·7, 10)
        (c0, h, w), c1, c2, classes = sizes
        weights = [_uniform_layer(rng, (c1, c0, 3, 3), c0 * 9), _uniform_layer(rng, (c2, c1, 3, 3), c1 * 9),
                   _uniform_layer(rng, (classes, c2 * (h // 4) * (w // 4)), c2 * (h // 4) * (w // 4))]
        x = rng.standard_normal((batch, c0, h, w)).astype(np.float32)
        return weights, x, rng.integers(0, classes, batch), act, loss
    weights = [_uniform_layer(rng, (fan_out, fan_in), fan_in) for fan_in, fan_out in itertools.pairwise(sizes)]
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = (rng.standard_normal((batch, 1)).astype(np.float32) if loss == "mse"
         else rng.integers(0, sizes[-1], batch))
    return weights, x, y, act, loss


# -- implementations: each returns a step() that performs one training step and returns the loss ----
def _sequential(nn, weights, act, as_tensor):
    """The workload's network from ``nn`` (backprop's or PyTorch's: the same names), ``weights`` loaded."""
    def load(layer, w, b):
        layer.load_state_dict({"weight": as_tensor(w), "bias": as_tensor(b)})
        return layer

    activation = nn.Tanh if act == "tanh" else nn.ReLU
    if weights[0][0].ndim == 4:  # cnn
        (w1, b1), (w2, b2), (w3, b3) = weights
        return nn.Sequential(
            load(nn.Conv2d(w1.shape[1], w1.shape[0], 3, padding=1), w1, b1), activation(), nn.MaxPool2d(2),
            load(nn.Conv2d(w2.shape[1], w2.shape[0], 3, padding=1), w2, b2), activation(), nn.MaxPool2d(2),
            nn.Flatten(), load(nn.Linear(w3.shape[1], w3.shape[0]), w3, b3))
    layers = []
    for i, (w, b) in enumerate(weights):
        layers.append(load(nn.Linear(w.shape[1], w.shape[0]), w, b))
        if i < len(weights) - 1:
            layers.append(activation())
    return nn.Sequential(*layers)


def _torch_style_step(model, loss_fn, opt, xt, yt):
    """The step as PyTorch's users write it (backprop's API is the same)."""

    def step():
        opt.zero_grad()
        out = loss_fn(model(xt), yt)
        out.backward()
        opt.step()
        return out.item()

    return step


def backprop_step(weights, x, y, act, loss, jit=False):
    import backprop as bp

    model = _sequential(bp.nn, weights, act, lambda a: a)
    loss_fn = bp.nn.MSELoss() if loss == "mse" else bp.nn.CrossEntropyLoss()
    opt = bp.optim.SGD(model.parameters(), lr=LR)
    if not jit:
        return _torch_style_step(model, loss_fn, opt, bp.tensor(x), bp.tensor(y))

    @bp.jit
    def captured(xb, yb):  # the same step, captured: replayed from its third call
        opt.zero_grad()
        out = loss_fn(model(xb), yb)
        out.backward()
        opt.step()
        return out

    xt, yt = bp.tensor(x), bp.tensor(y)
    return lambda: captured(xt, yt).item()


def jit_step(weights, x, y, act, loss):
    """backprop's step under ``bp.jit``."""
    return backprop_step(weights, x, y, act, loss, jit=True)


def numpy_step(weights, x, y, act, loss):
    """The hand-written floor: every buffer allocated once, every product written into place."""
    import numpy as np

    if x.ndim == 4:
        return numpy_cnn_step(weights, x, y)
    W = [w.copy() for w, _ in weights]
    B = [b.copy() for _, b in weights]
    n = x.shape[0]
    Z = [np.empty((n, w.shape[0]), np.float32) for w in W]  # pre-activations
    A = [x] + [np.empty_like(z) for z in Z[:-1]]  # layer inputs
    dZ = [np.empty_like(z) for z in Z]
    dA = [None] + [np.empty_like(a) for a in A[1:]]
    dW = [np.empty_like(w) for w in W]
    dB = [np.empty_like(b) for b in B]
    mask = [np.empty(z.shape, bool) for z in Z[:-1]]
    onehot = None
    if loss == "ce":
        onehot = np.zeros_like(Z[-1])
        onehot[np.arange(n), y] = 1
    rows = np.arange(n)

    def step():
        for i in range(len(W)):
            np.matmul(A[i], W[i].T, out=Z[i])
            Z[i] += B[i]
            if i < len(W) - 1:
                if act == "tanh":
                    np.tanh(Z[i], out=A[i + 1])
                else:
                    np.greater(Z[i], 0, out=mask[i])
                    np.multiply(Z[i], mask[i], out=A[i + 1])
        out, g = Z[-1], dZ[-1]
        if loss == "mse":
            np.subtract(out, y, out=g)
            value = float(np.mean(g * g))
            g *= 2.0 / g.size
        else:
            np.subtract(out, out.max(axis=1, keepdims=True), out=g)
            np.exp(g, out=g)
            g /= g.sum(axis=1, keepdims=True)
            value = float(-np.mean(np.log(g[rows, y])))
            g -= onehot
            g *= 1.0 / n
        for i in range(len(W) - 1, -1, -1):
            np.matmul(dZ[i].T, A[i], out=dW[i])
            np.sum(dZ[i], axis=0, out=dB[i])
            if i > 0:
                np.matmul(dZ[i], W[i], out=dA[i])
                if act == "tanh":
                    np.multiply(A[i], A[i], out=dZ[i - 1])
                    np.subtract(1, dZ[i - 1], out=dZ[i - 1])
                    dZ[i - 1] *= dA[i]
                else:
                    np.multiply(dA[i], mask[i - 1], out=dZ[i - 1])
        for w, dw, b, db in zip(W, dW, B, dB):
            dw *= LR
            w -= dw
            db *= LR
            b -= db
        return value

    return step


def numpy_cnn_step(weights, x, y):
    """The cnn floor by hand: each 3×3 convolution is an im2col copy (nine strided slices of the padded
    input) and a batched matrix product, one (C_out, C_in·9)·(C_in·9, H·W) product per image, which
    OpenBLAS runs faster here than one product over the whole batch (measured: about 2× on dW).
    2×2 max-pooling is three ``np.maximum`` of the four strided quarter-views (NumPy's max over two
    axes of a reshaped view is many times slower). The backward routes the pooled gradient to every
    position equal to its window's maximum: a tie can only be a ReLU zero, whose gradient the ReLU
    mask zeroes anyway, so this matches routing to the first maximum. Every buffer is allocated once."""
    import numpy as np

    n = x.shape[0]
    W = [w.copy() for w, _ in weights]
    B = [b.copy() for _, b in weights]
    conv = []  # per convolution: its buffers
    c_in, size = x.shape[1], x.shape[2]
    for w in W[:2]:
        c_out, k, area = w.shape[0], c_in * 9, size * size
        conv.append({
            "pad": np.zeros((n, c_in, size + 2, size + 2), np.float32),  # the border stays 0
            "dpad": np.empty((n, c_in, size + 2, size + 2), np.float32),
            "cols": np.empty((n, c_in, 3, 3, size, size), np.float32),
            "z": np.empty((n, c_out, size, size), np.float32), "a": np.empty((n, c_out, size, size), np.float32),
            "relu": np.empty((n, c_out, size, size), bool),
            "pooled": np.empty((n, c_out, size // 2, size // 2), np.float32),
            "hit": np.empty((2, 2, n, c_out, size // 2, size // 2), bool),
            "dz": np.empty((n, c_out, size, size), np.float32),
            "dcols": np.empty((n, k, area), np.float32), "dw_n": np.empty((n, c_out, k), np.float32),
            "dw": np.empty((c_out, k), np.float32), "db": np.empty(c_out, np.float32)})
        c_in, size = c_out, size // 2
    logits, g = np.empty((n, W[2].shape[0]), np.float32), np.empty((n, W[2].shape[0]), np.float32)
    dflat, dw3, db3 = np.empty((n, W[2].shape[1]), np.float32), np.empty_like(W[2]), np.empty_like(B[2])
    onehot = np.zeros_like(logits)
    rows = np.arange(n)
    onehot[rows, y] = 1

    def step():
        inp = x
        for L, w, b in zip(conv, W, B):
            h, cols, z = inp.shape[2], L["cols"], L["z"]
            L["pad"][:, :, 1:-1, 1:-1] = inp
            for p in range(3):
                for q in range(3):
                    cols[:, :, p, q] = L["pad"][:, :, p:p + h, q:q + h]
            np.matmul(w.reshape(w.shape[0], -1), cols.reshape(n, -1, h * h), out=z.reshape(n, -1, h * h))
            z += b[:, None, None]
            np.greater(z, 0, out=L["relu"])
            np.multiply(z, L["relu"], out=L["a"])
            a, pooled = L["a"], L["pooled"]
            np.maximum(a[..., 0::2, 0::2], a[..., 0::2, 1::2], out=pooled)
            np.maximum(pooled, a[..., 1::2, 0::2], out=pooled)
            np.maximum(pooled, a[..., 1::2, 1::2], out=pooled)
            for p in range(2):
                for q in range(2):
                    np.equal(a[..., p::2, q::2], pooled, out=L["hit"][p, q])
            inp = pooled
        flat = inp.reshape(n, -1)
        np.matmul(flat, W[2].T, out=logits)
        np.add(logits, B[2], out=logits)
        np.subtract(logits, logits.max(axis=1, keepdims=True), out=g)
        np.exp(g, out=g)
        np.divide(g, g.sum(axis=1, keepdims=True), out=g)
        value = float(-np.mean(np.log(g[rows, y])))
        np.subtract(g, onehot, out=g)
        np.multiply(g, 1.0 / n, out=g)
        np.matmul(g.T, flat, out=dw3)
        np.sum(g, axis=0, out=db3)
        np.matmul(g, W[2], out=dflat)
        dpooled = dflat.reshape(inp.shape)
        for i in (1, 0):
            L, w = conv[i], W[i]
            dz = L["dz"]
            for p in range(2):
                for q in range(2):
                    np.multiply(L["hit"][p, q], dpooled, out=dz[..., p::2, q::2])
            dz *= L["relu"]
            dz3 = dz.reshape(n, dz.shape[1], -1)
            np.matmul(dz3, L["cols"].reshape(n, -1, dz3.shape[2]).transpose(0, 2, 1), out=L["dw_n"])
            np.sum(L["dw_n"], axis=0, out=L["dw"])
            np.sum(dz3, axis=(0, 2), out=L["db"])
            if i > 0:  # col2im of W_colᵀ·dZ into the previous layer's padded gradient
                np.matmul(w.reshape(w.shape[0], -1).T, dz3, out=L["dcols"])
                dcols, dpad = L["dcols"].reshape(L["cols"].shape), L["dpad"]
                dpad.fill(0)
                h = dz.shape[2]
                for p in range(3):
                    for q in range(3):
                        dpad[:, :, p:p + h, q:q + h] += dcols[:, :, p, q]
                dpooled = dpad[:, :, 1:-1, 1:-1]
        for w, dw, b, db in ((W[0], conv[0]["dw"], B[0], conv[0]["db"]), (W[1], conv[1]["dw"], B[1], conv[1]["db"]),
                             (W[2], dw3, B[2], db3)):
            dw *= LR
            w -= dw.reshape(w.shape)
            db *= LR
            b -= db
        return value

    return step


def torch_step(weights, x, y, act, loss):
    import torch

    model = _sequential(torch.nn, weights, act, torch.from_numpy)
    loss_fn = torch.nn.MSELoss() if loss == "mse" else torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    return _torch_style_step(model, loss_fn, opt, torch.from_numpy(x), torch.from_numpy(y))


def mygrad_step(weights, x, y, act, loss):
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy

    activation = mg.tanh if act == "tanh" else (lambda z: mg.maximum(z, 0))
    if x.ndim == 4:  # cnn: conv_nd and max_pool from mygrad.nnet.layers
        from mygrad.nnet.layers import conv_nd, max_pool

        (w1, b1), (w2, b2), (w3, b3) = weights
        params = [(mg.tensor(w1.copy()), mg.tensor(b1.copy())), (mg.tensor(w2.copy()), mg.tensor(b2.copy())),
                  (mg.tensor(w3.T.copy()), mg.tensor(b3.copy()))]

        def forward(h):
            for w, b in params[:2]:
                h = activation(conv_nd(h, w, stride=1, padding=1) + b[:, None, None])
                h = max_pool(h, (2, 2), 2)
            w, b = params[2]
            return h.reshape(h.shape[0], -1) @ w + b
    else:
        params = [(mg.tensor(w.T.copy()), mg.tensor(b.copy())) for w, b in weights]

        def forward(h):
            for i, (w, b) in enumerate(params):
                h = h @ w + b
                if i < len(params) - 1:
                    h = activation(h)
            return h

    def step():
        h = forward(x)
        out = mg.mean((h - y) ** 2) if loss == "mse" else softmax_crossentropy(h, y)
        out.backward()
        for w, b in params:
            w.data -= LR * w.grad
            b.data -= LR * b.grad
        return float(out.item())

    return step


def matmul_step(weights, x, y, act, loss):
    """Only the matrix products of a step: the limit set by BLAS (fixed operands, results discarded)."""
    import numpy as np

    if x.ndim == 4:
        return matmul_cnn_step(weights, x)
    n = x.shape[0]
    rng = np.random.default_rng(1)
    W = [w for w, _ in weights]
    A = [x] + [rng.standard_normal((n, w.shape[0])).astype(np.float32) for w in W[:-1]]  # layer inputs
    dZ = [rng.standard_normal((n, w.shape[0])).astype(np.float32) for w in W]
    Z = [np.empty_like(d) for d in dZ]
    dW = [np.empty_like(w) for w in W]
    dA = [np.empty_like(a) for a in A]

    def step():
        for i, w in enumerate(W):
            np.matmul(A[i], w.T, out=Z[i])  # forward: Z = X·Wᵀ
        for i in range(len(W) - 1, -1, -1):
            np.matmul(dZ[i].T, A[i], out=dW[i])  # dW = dZᵀ·X
            if i > 0:
                np.matmul(dZ[i], W[i], out=dA[i])  # dX = dZ·W
        return float("nan")

    return step


def matmul_cnn_step(weights, x):
    """The cnn's matrix products alone: per convolution Z = W_col·X_col, dW = dZ·X_colᵀ and (second one)
    dX_col = W_colᵀ·dZ, batched over the images as in the floor; then the Linear layer's three."""
    import numpy as np

    n, rng = x.shape[0], np.random.default_rng(1)
    size, products = x.shape[2], []
    for w, _ in weights[:2]:
        w_col = w.reshape(w.shape[0], -1)
        cols = rng.standard_normal((n, w_col.shape[1], size * size)).astype(np.float32)
        dz = rng.standard_normal((n, w_col.shape[0], size * size)).astype(np.float32)
        products.append((w_col, cols, dz, np.empty_like(dz), np.empty((n,) + w_col.shape, np.float32),
                         np.empty_like(cols)))
        size //= 2
    w3 = weights[2][0]
    flat = rng.standard_normal((n, w3.shape[1])).astype(np.float32)
    g = rng.standard_normal((n, w3.shape[0])).astype(np.float32)
    logits, dw3, dflat = np.empty_like(g), np.empty_like(w3), np.empty_like(flat)

    def step():
        for i, (w_col, cols, dz, z, dw, dcols) in enumerate(products):
            np.matmul(w_col, cols, out=z)
            np.matmul(dz, cols.transpose(0, 2, 1), out=dw)
            if i > 0:
                np.matmul(w_col.T, dz, out=dcols)
        np.matmul(flat, w3.T, out=logits)
        np.matmul(g.T, flat, out=dw3)
        np.matmul(g, w3, out=dflat)
        return float("nan")

    return step


IMPLEMENTATIONS = {"numpy": numpy_step, "backprop": backprop_step, "jit": jit_step, "torch": torch_step,
                   "mygrad": mygrad_step, "matmul": matmul_step}


def available(names):
    import importlib.util

    return [n for n in names if n not in ("torch", "mygrad") or importlib.util.find_spec(n) is not None]


def peak_memory(impl, workload, steps=5):
    """Peak resident memory (MB) of ``steps`` training steps in a process of its own, above the same
    process's peak after its imports (so the libraries' own footprint is left out).

    Read from /proc/self/status's VmHWM, which starts afresh at exec (``ru_maxrss`` would inherit this
    benchmark's own peak through fork).
    """
    import subprocess

    hwm = "int([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])"
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.abspath(__file__))!r}); "
            "import numpy, train_step as t; "
            f"impl = t.IMPLEMENTATIONS[{impl!r}]; "
            "import backprop, backprop.nn, backprop.optim, backprop.jit, numpy.random; "
            + ("import torch; " if impl == "torch" else "") + ("import mygrad; " if impl == "mygrad" else "")
            + f"before = {hwm}; "
            f"s = impl(*t.make_problem({workload!r})); "
            f"[s() for _ in range({steps})]; "
            f"print({hwm} - before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    return int(out.stdout.strip()) / 1024 if out.returncode == 0 else float("nan")


def run(workload, impls, rounds, threads, steps_per_round):
    problem = make_problem(workload)
    steps = {name: IMPLEMENTATIONS[name](*problem) for name in impls}
    if "torch" in steps:
        import torch

        torch.set_num_threads(threads)
    # Same weights and data: the first losses must agree across implementations.
    first = {name: [step() for _ in range(3)] for name, step in steps.items() if name != "matmul"}
    steps = {name: IMPLEMENTATIONS[name](*problem) for name in impls}  # fresh weights for timing
    for step in steps.values():
        for _ in range(3):
            step()  # warm-up
    times = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            t0 = time.perf_counter()
            for _ in range(steps_per_round):
                step()
            times[name].append((time.perf_counter() - t0) / steps_per_round * 1e3)
            time.sleep(0.05)
    return first, times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="tiny,mnist,wide,cnn")
    parser.add_argument("--impls", default="numpy,backprop,jit,torch,mygrad,matmul")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    args = parser.parse_args()
    _pin_threads(args.threads)
    import numpy as np

    impls = available(args.impls.split(","))
    print(f"numpy {np.__version__}; {args.threads} BLAS/torch thread(s); {args.rounds} alternating rounds; "
          f"implementations: {', '.join(impls)}\n")
    for workload in args.workloads.split(","):
        sizes, act, loss, batch = WORKLOADS[workload]
        per_round = {"tiny": 200, "mnist": 20, "wide": 2, "cnn": 5}[workload]
        first, times = run(workload, impls, args.rounds, args.threads, per_round)
        net = ("conv3×3(8)→pool→conv3×3(16)→pool→10 on 1×28×28" if workload == "cnn"
               else '→'.join(map(str, sizes)))
        print(f"== {workload}: {net} {act}, {loss}, batch {batch} "
              f"({per_round} steps per round)")
        ref = first["numpy"]
        for name, losses in first.items():
            agree = np.allclose(losses, ref, rtol=1e-4, atol=1e-5)
            print(f"   first losses {name:<9}" + " ".join(f"{v:.6f}" for v in losses)
                  + ("" if agree else "   <-- DISAGREES"))
        base = statistics.median(times["numpy"])
        torch_median = statistics.median(times["torch"]) if "torch" in times else None
        products = statistics.median(times["matmul"]) if "matmul" in times else None
        print(f"   {'impl':<10}{'median ms':>10}{'IQR ms':>9}{'/ numpy':>9}" + ("" if torch_median is None else
                                                                              f"{'/ torch':>9}")
              + ("" if products is None else f"{'in matmul':>10}") + ("" if args.no_memory else f"{'peak MB':>9}"))
        for name, ts in times.items():
            q = statistics.quantiles(ts, n=4) if len(ts) > 1 else [ts[0]] * 3  # one round: no spread
            med = statistics.median(ts)
            # The share of the step that the matrix products alone would take: the rest is overhead.
            share = "" if products is None else f"{min(products / med, 1.0):>10.0%}"
            mem = "" if args.no_memory else f"{peak_memory(name, workload):>9.1f}"
            vs_torch = "" if torch_median is None else f"{med / torch_median:>9.2f}"
            print(f"   {name:<10}{med:>10.3f}{q[2] - q[0]:>9.3f}{med / base:>9.2f}{vs_torch}{share}{mem}")
        print()


if __name__ == "__main__":
    main()

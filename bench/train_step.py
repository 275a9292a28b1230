"""One full training step (forward, loss, backward, SGD update) of the same MLP in four implementations.

Run:  python bench/train_step.py [--workloads tiny,mnist,wide] [--rounds 7] [--threads 1]

Implementations: ``backprop``; ``numpy``, the same network written out by hand as lean as we can
(explicit matrix products, preallocated buffers, ``out=`` arguments: the floor for a NumPy framework
using the same products); ``torch`` on the CPU when installed; ``mygrad`` when installed, written the
way its users write a step. Also ``matmul``: only the matrix products a step needs (per Linear layer
X·Wᵀ forward, dZ·W and dZᵀ·X backward), the limit set by BLAS.

Method: BLAS and PyTorch pinned to the same number of threads; every implementation warmed up; then
rounds that alternate the implementations (A B C … A B C …) with a pause between libraries so BLAS
threads go idle. Reported: median ms per step, interquartile range, ratio to the NumPy floor. Before
timing, the first three losses of every implementation are compared (same initial weights and data).
"""
import argparse
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
}
LR = 0.01


def make_problem(name, seed=0):
    import numpy as np

    sizes, act, loss, batch = WORKLOADS[name]
    rng = np.random.default_rng(seed)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        weights.append((rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32),
                        rng.uniform(-bound, bound, fan_out).astype(np.float32)))
    x = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    y = (rng.standard_normal((batch, 1)).astype(np.float32) if loss == "mse"
         else rng.integers(0, sizes[-1], batch))
    return weights, x, y, act, loss


# -- implementations: each returns a step() that performs one training step and returns the loss ----
def backprop_step(weights, x, y, act, loss):
    import backprop as bp

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = bp.nn.Linear(w.shape[1], w.shape[0])
        lin.load_state_dict({"weight": w, "bias": b})
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(bp.nn.Tanh() if act == "tanh" else bp.nn.ReLU())
    model = bp.nn.Sequential(*layers)
    loss_fn = bp.nn.MSELoss() if loss == "mse" else bp.nn.CrossEntropyLoss()
    opt = bp.optim.SGD(model.parameters(), lr=LR)
    xt, yt = bp.tensor(x), bp.tensor(y)

    def step():
        opt.zero_grad()
        out = loss_fn(model(xt), yt)
        out.backward()
        opt.step()
        return out.item()

    return step


def numpy_step(weights, x, y, act, loss):
    """The hand-written floor: every buffer allocated once, every product written into place."""
    import numpy as np

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


def torch_step(weights, x, y, act, loss):
    import torch

    layers = []
    for i, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < len(weights) - 1:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    loss_fn = torch.nn.MSELoss() if loss == "mse" else torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        out = loss_fn(model(xt), yt)
        out.backward()
        opt.step()
        return out.item()

    return step


def mygrad_step(weights, x, y, act, loss):
    import mygrad as mg
    from mygrad.nnet.losses import softmax_crossentropy

    params = [(mg.tensor(w.T.copy()), mg.tensor(b.copy())) for w, b in weights]
    activation = mg.tanh if act == "tanh" else (lambda z: mg.maximum(z, 0))

    def step():
        h = x
        for i, (w, b) in enumerate(params):
            h = h @ w + b
            if i < len(params) - 1:
                h = activation(h)
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


IMPLEMENTATIONS = {"numpy": numpy_step, "backprop": backprop_step, "torch": torch_step,
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
            "import backprop, backprop.nn, backprop.optim; "
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
    parser.add_argument("--workloads", default="tiny,mnist,wide")
    parser.add_argument("--impls", default="numpy,backprop,torch,mygrad,matmul")
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
        per_round = {"tiny": 200, "mnist": 20, "wide": 2}[workload]
        first, times = run(workload, impls, args.rounds, args.threads, per_round)
        print(f"== {workload}: {'→'.join(map(str, sizes))} {act}, {loss}, batch {batch} "
              f"({per_round} steps per round)")
        ref = first["numpy"]
        for name, losses in first.items():
            agree = np.allclose(losses, ref, rtol=1e-4, atol=1e-5)
            print(f"   first losses {name:<9}" + " ".join(f"{v:.6f}" for v in losses)
                  + ("" if agree else "   <-- DISAGREES"))
        base = statistics.median(times["numpy"])
        products = statistics.median(times["matmul"]) if "matmul" in times else None
        print(f"   {'impl':<10}{'median ms':>10}{'IQR ms':>9}{'/ numpy':>9}"
              + ("" if products is None else f"{'in matmul':>10}") + ("" if args.no_memory else f"{'peak MB':>9}"))
        for name, ts in times.items():
            q = statistics.quantiles(ts, n=4) if len(ts) > 1 else [ts[0]] * 3  # one round: no spread
            med = statistics.median(ts)
            # The share of the step that the matrix products alone would take: the rest is overhead.
            share = "" if products is None else f"{min(products / med, 1.0):>10.0%}"
            mem = "" if args.no_memory else f"{peak_memory(name, workload):>9.1f}"
            print(f"   {name:<10}{med:>10.3f}{q[2] - q[0]:>9.3f}{med / base:>9.2f}{share}{mem}")
        print()


if __name__ == "__main__":
    main()

"""Per-op overhead of backprop on tiny arrays, against NumPy's own cost and PyTorch's.

Run:  python bench/overhead.py [--rounds 15] [--number 20000]

Each case is timed in rounds that alternate the implementations (NumPy, backprop, PyTorch, NumPy, …)
with a short pause between libraries, so that machine drift hits all of them alike. Reported: the
median time per call in µs over the rounds, the spread (interquartile range), and backprop's
overhead beyond NumPy. Only ratios from one run mean anything on a shared machine.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import timeit

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import backprop as bp  # noqa: E402

try:
    import torch  # noqa: E402

    torch.set_num_threads(1)
except ImportError:
    torch = None


def cases():
    rng = np.random.default_rng(0)
    a8, b8 = rng.standard_normal(8).astype(np.float32), rng.standard_normal(8).astype(np.float32)
    x, w = rng.standard_normal((32, 16)).astype(np.float32), rng.standard_normal((16, 16)).astype(np.float32)
    def numpy_mul_sum_backward():
        s = (a8 * b8).sum()
        ds = np.ones_like(a8)  # ∂s/∂p = 1, then da = dp·b, db = dp·a
        return s, ds * b8, ds * a8

    t = {"a": bp.tensor(a8), "b": bp.tensor(b8), "x": bp.tensor(x), "w": bp.tensor(w)}
    g = {k: bp.tensor(v.data, requires_grad=True) for k, v in t.items()}
    out = {
        "add 8 (no grad)": {"numpy": lambda: a8 + b8, "backprop": lambda: t["a"] + t["b"]},
        "add 8 (recording)": {"numpy": lambda: a8 + b8, "backprop": lambda: g["a"] + g["b"]},
        "matmul 32x16@16x16 (no grad)": {"numpy": lambda: x @ w, "backprop": lambda: t["x"] @ t["w"]},
        "matmul 32x16@16x16 (recording)": {"numpy": lambda: x @ w, "backprop": lambda: g["x"] @ g["w"]},
        "mul+sum 8, forward+backward": {
            "numpy": numpy_mul_sum_backward,
            "backprop": lambda: (g["a"] * g["b"]).sum().backward()},
    }
    if torch is not None:
        ta, tb = torch.tensor(a8), torch.tensor(b8)
        tx, tw = torch.tensor(x), torch.tensor(w)
        ga, gb = ta.clone().requires_grad_(), tb.clone().requires_grad_()
        gx, gw = tx.clone().requires_grad_(), tw.clone().requires_grad_()
        out["add 8 (no grad)"]["torch"] = lambda: ta + tb
        out["add 8 (recording)"]["torch"] = lambda: ga + gb
        out["matmul 32x16@16x16 (no grad)"]["torch"] = lambda: tx @ tw
        out["matmul 32x16@16x16 (recording)"]["torch"] = lambda: gx @ gw
        out["mul+sum 8, forward+backward"]["torch"] = lambda: (ga * gb).sum().backward()
    return out


def import_time(module):
    """Median wall time of ``import module`` in 7 fresh processes, in ms.

    backprop's bytecode is compiled first, as ``pip install`` does for NumPy: otherwise an editable
    install under PYTHONDONTWRITEBYTECODE would time Python's compiler, not the import.
    """
    if module == "backprop":
        import compileall

        compileall.compile_dir(os.path.dirname(bp.__file__), quiet=1)
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.check_output([sys.executable, "-c", code])) for _ in range(7)]
    return statistics.median(runs) * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--number", type=int, default=20000)
    args = parser.parse_args()
    print(f"numpy {np.__version__}, torch {torch.__version__ if torch else 'not installed'}, "
          f"{args.rounds} rounds × {args.number} calls, 1 thread\n")
    header = f"{'case':<34}{'impl':<10}{'median µs':>10}{'IQR µs':>9}{'vs numpy':>10}"
    print(header)
    print("-" * len(header))
    for name, impls in cases().items():
        times = {k: [] for k in impls}
        for _ in range(args.rounds):
            for impl, fn in impls.items():
                times[impl].append(timeit.timeit(fn, number=args.number) / args.number * 1e6)
                time.sleep(0.02)
        base = statistics.median(times["numpy"])
        for impl, ts in times.items():
            q = statistics.quantiles(ts, n=4) if len(ts) > 1 else [ts[0]] * 3  # one round: no spread
            med = statistics.median(ts)
            extra = f"+{med - base:.2f}" if impl != "numpy" else ""
            print(f"{name:<34}{impl:<10}{med:>10.2f}{q[2] - q[0]:>9.2f}{extra:>10}")
        print()
    numpy_ms, backprop_ms = import_time("numpy"), import_time("backprop")
    print(f"import numpy: {numpy_ms:.1f} ms, import backprop: {backprop_ms:.1f} ms "
          f"({backprop_ms / numpy_ms:.2f}×; medians of 7 fresh processes)")


if __name__ == "__main__":
    main()

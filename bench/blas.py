"""Is there a faster matrix product than NumPy's that a user can install from PyPI? (issue 8)

Run:  python bench/blas.py [--workloads mnist,wide] [--threads 1,2] [--rounds 7] [--sections gemm,steps,elementwise]

Sections:

``gemm``  The float32 matrix products of one training step of ``train_step.py``'s workloads (per Linear
    layer: forward X·Wᵀ, backward dZᵀ·X and dZ·W; W is (out, in) and C-ordered, so Wᵀ is an F-ordered
    view), through every backend found, at every thread count asked for, alternating in rounds:
    ``numpy`` (np.matmul: the OpenBLAS in NumPy's wheel), ``scipy`` (scipy.linalg.blas.sgemm: SciPy's
    own OpenBLAS, F-ordered views and trans flags, no copies), ``blis`` (explosion's cython-blis,
    single-threaded), ``mkl`` (``pip install mkl``: cblas_sgemm of libmkl_rt through ctypes),
    ``openblas`` (``pip install scipy-openblas32``: a newer OpenBLAS than NumPy's, through ctypes);
    ``backprop``: ``backprop.ops._gemm.matmul``, the backend the library picked on this machine.
    Every backend gets both operands as they are (transposed views included) and passes trans flags.
    Reported per product and for the step's products in sequence: median µs, IQR, ratio to numpy at
    the same thread count. Before timing, NumPy's own handling of transposed operands is checked:
    allocations during ``np.matmul(a, b.T, out=)`` (tracemalloc) and its time against a C-ordered copy.
``steps``  The whole hand-written NumPy step and PyTorch's step (when installed) at each thread count,
    alternating in one process: does a second core help mnist?
``elementwise``  A 128×256 ReLU forward (mask, multiply) and its backward mask multiply, single-threaded
    NumPy against the same work split in two halves over a two-thread pool: the hand-off against the work.

Threads are set per candidate with threadpoolctl (every BLAS loaded) before its timed block, and with
``torch.set_num_threads``; without threadpoolctl only the thread count of the environment is run.
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_step  # the workloads and the two steps

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


# -- backends: each factory returns gemm(a, b, out) writing a @ b into the C-ordered out, or raises ----
def numpy_backend():
    return lambda a, b, out: np.matmul(a, b, out=out)


def scipy_backend():
    from scipy.linalg.blas import sgemm

    def fortran_op(m):  # (F-ordered array, trans flag) whose op is m
        return (m, 0) if m.flags.f_contiguous else (m.T, 1)

    def gemm(a, b, out):
        # Fortran is column-major: out (C-ordered) is outᵀ (F-ordered) = bᵀ·aᵀ, written in place.
        (fa, ta), (fb, tb) = fortran_op(b.T), fortran_op(a.T)
        sgemm(1.0, fa, fb, 0.0, out.T, ta, tb, 1)

    return gemm


def blis_backend():
    from blis.py import gemm as blis_gemm

    def c_op(m):  # (C-ordered array, trans flag) whose op is m
        return (m, False) if m.flags.c_contiguous else (m.T, True)

    def gemm(a, b, out):
        (ca, ta), (cb, tb) = c_op(a), c_op(b)
        blis_gemm(ca, cb, out=out, trans1=ta, trans2=tb, alpha=1.0, beta=0.0)  # beta defaults to 1

    return gemm


def _cblas_gemm(lib, symbol):
    """gemm through a CBLAS sgemm found in a shared library (row-major, trans flags instead of copies)."""
    sgemm = getattr(lib, symbol)
    i, f, p = ctypes.c_int, ctypes.c_float, ctypes.c_void_p
    sgemm.argtypes = [i, i, i, i, i, i, f, p, i, p, i, f, p, i]
    sgemm.restype = None

    def op(m):  # (trans flag, leading dimension) of m read as row-major
        return (NO_TRANS, max(1, m.shape[1])) if m.flags.c_contiguous else (TRANS, max(1, m.shape[0]))

    def gemm(a, b, out):
        (ta, lda), (tb, ldb) = op(a), op(b)
        sgemm(ROW_MAJOR, ta, tb, out.shape[0], out.shape[1], a.shape[1], 1.0, a.ctypes.data, lda,
              b.ctypes.data, ldb, 0.0, out.ctypes.data, max(1, out.shape[1]))

    return gemm


def mkl_backend():
    """libmkl_rt of the pip package mkl, else the one the dynamic loader finds (LD_LIBRARY_PATH)."""
    from importlib import metadata

    try:
        libs = [str(f.locate()) for f in metadata.files("mkl") or () if f.name.startswith("libmkl_rt.so")]
    except metadata.PackageNotFoundError:
        libs = []
    return _cblas_gemm(ctypes.CDLL(libs[0] if libs else "libmkl_rt.so.3"), "cblas_sgemm")


def openblas_backend():
    import scipy_openblas32

    lib = ctypes.CDLL(os.path.join(scipy_openblas32.get_lib_dir(), "libscipy_openblas.so"))
    return _cblas_gemm(lib, "scipy_cblas_sgemm")


def backprop_backend():
    """What backprop.ops._gemm chose here (BACKPROP_GEMM, default auto: MKL on Intel CPUs)."""
    from backprop.ops import _gemm

    print(f"backprop.ops._gemm uses {_gemm.select()}")
    return _gemm.matmul


BACKENDS = {"numpy": numpy_backend, "scipy": scipy_backend, "blis": blis_backend, "mkl": mkl_backend,
            "openblas": openblas_backend, "backprop": backprop_backend}
SINGLE_THREADED = {"blis"}  # cython-blis is built without threading


def set_threads(n):
    """Limit every loaded BLAS to n threads (threadpoolctl); False when that is not possible."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return False
    threadpool_limits(limits=n)
    return True


# -- timing -------------------------------------------------------------------------------------------
def alternate(cases, rounds, seconds, pause=0.05):
    """Median, IQR (µs per call) of each callable in cases {name: (threads, fn)}, timed in rounds that
    alternate the cases; each round sets a case's thread count and calls it for about ``seconds``."""
    times, reps = {name: [] for name in cases}, {}
    for name, (threads, fn) in cases.items():
        set_threads(threads)
        fn()  # warm-up (also lets each library start its threads)
        t0 = time.perf_counter()
        fn()
        reps[name] = max(1, int(seconds / (time.perf_counter() - t0)))
    for _ in range(rounds):
        for name, (threads, fn) in cases.items():
            set_threads(threads)
            t0 = time.perf_counter()
            for _ in range(reps[name]):
                fn()
            times[name].append((time.perf_counter() - t0) / reps[name] * 1e6)
            time.sleep(pause)  # lets spinning BLAS/OpenMP threads go idle before the next library
    out = {}
    for name, ts in times.items():
        q = statistics.quantiles(ts, n=4) if len(ts) > 1 else [ts[0]] * 3
        out[name] = (statistics.median(ts), q[2] - q[0])
    return out


def print_table(title, results, base_of):
    print(f"   {title}")
    print(f"   {'candidate':<14}{'median µs':>11}{'IQR µs':>9}{'/ base':>8}")
    for name, (med, iqr) in results.items():
        print(f"   {name:<14}{med:>11.1f}{iqr:>9.1f}{med / results[base_of(name)][0]:>8.3f}")


def products(workload):
    """The step's products as (label, a, b, out): per layer forward X·Wᵀ, backward dZᵀ·X and dZ·W."""
    weights, x, *_ = train_step.make_problem(workload)
    rng = np.random.default_rng(1)
    n = x.shape[0]
    out = []
    a = x
    for i, (w, _) in enumerate(weights):
        dz = rng.standard_normal((n, w.shape[0])).astype(np.float32)
        out.append((f"L{i} X·Wᵀ", a, w.T, np.empty((n, w.shape[0]), np.float32)))
        out.append((f"L{i} dZᵀ·X", dz.T, a, np.empty_like(w)))
        if i > 0:
            out.append((f"L{i} dZ·W", dz, w, np.empty_like(a)))
        a = rng.standard_normal((n, w.shape[0])).astype(np.float32)
    return out


def check_numpy_transposes(prods, rounds):
    """NumPy hands transposed views to BLAS as trans flags: no allocation, and no slower than a copy."""
    import tracemalloc

    print("   numpy, transposed operands: bytes allocated in np.matmul(..., out=) (tracemalloc)")
    tracemalloc.start()
    for label, a, b, out in prods:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        np.matmul(a, b, out=out)
        print(f"      {label:<10} a {'C' if a.flags.c_contiguous else 'F'}, "
              f"b {'C' if b.flags.c_contiguous else 'F'}: {tracemalloc.get_traced_memory()[1] - base} bytes")
    tracemalloc.stop()
    cases = {}
    for label, a, b, out in prods[:2]:
        ac, bc = np.ascontiguousarray(a), np.ascontiguousarray(b)
        cases[f"{label} view"] = (None, lambda a=a, b=b, out=out: np.matmul(a, b, out=out))
        cases[f"{label} C-copy"] = (None, lambda a=ac, b=bc, out=out: np.matmul(a, b, out=out))
    res = alternate(cases, rounds, 0.02)
    print_table("numpy: views vs operands copied to C order beforehand (copy not timed)", res,
                lambda name: name.rsplit(" ", 1)[0] + " view")


def section_gemm(workloads, threads, rounds, found):
    for workload in workloads:
        sizes, *_, batch = train_step.WORKLOADS[workload]
        prods = products(workload)
        print(f"== gemm, {workload}: {'→'.join(map(str, sizes))}, batch {batch}")
        check_numpy_transposes(prods, rounds)
        variants = {f"{name}@{t}": (t, gemm) for name, gemm in found.items() for t in threads
                    if not (name in SINGLE_THREADED and t > 1)}
        for label, a, b, out in prods:  # every backend must agree with float64 first
            ref = a.astype(np.float64) @ b.astype(np.float64)
            for v, (_t, gemm) in variants.items():
                out.fill(np.nan)
                gemm(a, b, out)
                err = np.abs(out - ref).max() / np.abs(ref).max()
                assert err < 1e-5, f"{v} disagrees on {workload} {label}: relative error {err:.2e}"

        def step_of(gemm, prods=prods):
            return lambda: [gemm(a, b, out) for _, a, b, out in prods]

        step_cases = {v: (t, step_of(gemm)) for v, (t, gemm) in variants.items()}
        pause = 0.25 if max(threads) > 1 else 0.05  # OpenMP threads (MKL) spin 200 ms after a region
        res = alternate(step_cases, rounds, 0.05, pause)
        print_table(f"all {len(prods)} products of a step", res,
                    lambda v: "numpy@" + v.split("@")[1])
        for label, a, b, out in prods:
            cases = {v: (t, lambda g=gemm, a=a, b=b, out=out: g(a, b, out)) for v, (t, gemm) in variants.items()}
            res = alternate(cases, rounds, 0.02, pause)
            print_table(f"{label}: ({a.shape[0]}×{a.shape[1]})·({b.shape[0]}×{b.shape[1]})", res,
                        lambda v: "numpy@" + v.split("@")[1])
        print()


def section_steps(workloads, threads, rounds):
    try:
        import torch
    except ImportError:
        torch = None
    for workload in workloads:
        problem = train_step.make_problem(workload)
        cases = {}
        for t in threads:
            cases[f"numpy step@{t}"] = (t, train_step.numpy_step(*problem))
            if torch is not None:
                step = train_step.torch_step(*problem)

                def torch_at(t=t, step=step):
                    torch.set_num_threads(t)
                    return step()

                cases[f"torch step@{t}"] = (t, torch_at)
        res = alternate(cases, rounds, 0.05, pause=0.25)
        print(f"== steps, {workload}" + ("" if torch else " (torch not installed)"))
        print_table(f"one training step; base: numpy step@{threads[0]}", res,
                    lambda v: f"numpy step@{threads[0]}")
        print()


def section_elementwise(rounds):
    """ReLU forward (mask = z > 0; a = z·mask) and backward (dz = da·mask) of mnist's first hidden layer."""
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.default_rng(0)
    z, da = (rng.standard_normal((128, 256)).astype(np.float32) for _ in range(2))
    mask, a, dz = np.empty(z.shape, bool), np.empty_like(z), np.empty_like(z)
    halves = [slice(0, 64), slice(64, 128)]
    pool = ThreadPoolExecutor(2)

    def relu(rows=slice(None)):
        np.greater(z[rows], 0, out=mask[rows])
        np.multiply(z[rows], mask[rows], out=a[rows])
        np.multiply(da[rows], mask[rows], out=dz[rows])

    def relu_split():
        for f in [pool.submit(relu, h) for h in halves]:
            f.result()

    def relu_split_caller_works():  # one half on the calling thread, one hand-off
        f = pool.submit(relu, halves[1])
        relu(halves[0])
        f.result()

    cases = {"1 thread": (1, relu), "2 threads": (1, relu_split), "caller + 1": (1, relu_split_caller_works)}
    res = alternate(cases, rounds, 0.05)
    print("== elementwise: ReLU forward + backward mask multiply, 128×256 float32")
    print_table("per call", res, lambda v: "1 thread")
    pool.shutdown()
    print()


def cpu_model():
    import platform

    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="mnist,wide")
    parser.add_argument("--threads", default="1,2", help="thread counts to compare, e.g. 1,2")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--sections", default="gemm,steps,elementwise")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    workloads = args.workloads.split(",")
    if not set_threads(threads[0]):
        threads = [int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count()))]
        print(f"threadpoolctl not installed: every candidate runs with {threads[0]} thread(s)")
    found = {}
    for name in args.backends.split(","):
        try:
            found[name] = BACKENDS[name]()
        except (ImportError, OSError, AttributeError) as e:
            print(f"skipped {name}: {type(e).__name__}: {e}")
    print(f"CPU {cpu_model()}, {os.cpu_count()} cores; numpy {np.__version__}; backends: {', '.join(found)}; "
          f"threads {threads}; {args.rounds} alternating rounds")
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            print(f"   {info['internal_api']} {info.get('version')} ({info.get('architecture')}, "
                  f"{info.get('threading_layer')}): {os.path.basename(info['filepath'])}")
    except ImportError:
        pass
    print()
    sections = args.sections.split(",")
    if "gemm" in sections:
        section_gemm(workloads, threads, args.rounds, found)
    if "steps" in sections:
        section_steps(workloads, threads, args.rounds)
    if "elementwise" in sections:
        section_elementwise(args.rounds)


if __name__ == "__main__":
    main()

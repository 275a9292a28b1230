"""Instructions per training step, counted by valgrind's callgrind: hand-written NumPy, backprop eager, bp.jit.

Run:  python bench/callgrind_step.py [--workloads tiny,mnist] [--impls numpy,eager,jit] [--steps 200]
      python bench/callgrind_step.py --run IMPL WORKLOAD STEPS    (one workload, what callgrind runs)

Each figure is two whole processes under ``valgrind --tool=callgrind`` (PYTHONHASHSEED=0, one BLAS
thread) that build the step of ``bench/train_step.py``, warm it up (5 steps: a jitted step is captured
by then) and run S and 2·S steps; per step = (Ir(2·S) − Ir(S)) / S, so start-up, imports, warm-up and
capture cancel. Instruction counts are deterministic, unlike times on a shared machine; they are not time
(cache misses and branch mispredictions are not in ``Ir``), so compare like with like.
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def build(impl, workload):
    sys.path.insert(0, HERE)
    import train_step as t

    problem = t.make_problem(workload)
    if impl == "numpy":
        return t.numpy_step(*problem)
    import backprop as bp

    weights, x, y, act, loss = problem
    model = t._sequential(bp.nn, weights, act, lambda a: a)
    loss_fn = bp.nn.MSELoss() if loss == "mse" else bp.nn.CrossEntropyLoss()
    opt = bp.optim.SGD(model.parameters(), lr=t.LR)
    xt, yt = bp.tensor(x), bp.tensor(y)

    def step(xb, yb):
        opt.zero_grad()
        out = loss_fn(model(xb), yb)
        out.backward()
        opt.step()
        return out

    step = bp.jit(step) if impl == "jit" else step
    return lambda: step(xt, yt).item()


def run(impl, workload, steps):
    import gc

    step = build(impl, workload)
    for _ in range(5):
        step()
    gc.collect()
    gc.freeze()
    for _ in range(steps):
        step()


def instructions(impl, workload, steps, tmpdir):
    out = os.path.join(tmpdir, f"cg.{impl}.{workload}.{steps}")
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
                    os.path.abspath(__file__), "--run", impl, workload, str(steps)],
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        for line in f:
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1])
    raise RuntimeError(f"no summary line in {out}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="tiny,mnist")
    parser.add_argument("--impls", default="numpy,eager,jit")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--run", nargs=3, metavar=("IMPL", "WORKLOAD", "STEPS"))
    args = parser.parse_args()
    if args.run:
        impl, workload, steps = args.run
        return run(impl, workload, int(steps))
    print(f"{'workload':<8}{'impl':<7}{'Ir per step':>14}{'/ numpy':>9}")
    with tempfile.TemporaryDirectory() as tmpdir:
        for workload in args.workloads.split(","):
            steps = args.steps if workload == "tiny" else max(args.steps // 10, 5)
            base = None
            for impl in args.impls.split(","):
                per_step = (instructions(impl, workload, 2 * steps, tmpdir)
                            - instructions(impl, workload, steps, tmpdir)) / steps
                base = base or per_step
                print(f"{workload:<8}{impl:<7}{per_step:>14,.0f}{per_step / base:>9.2f}", flush=True)


if __name__ == "__main__":
    main()

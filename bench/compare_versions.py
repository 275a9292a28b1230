"""One training step (forward, loss, backward, gradient clipping, Adam, zero_grad) timed in two checkouts.

Run:  python bench/compare_versions.py BEFORE_SRC AFTER_SRC [--rounds 9] [--steps 200]
      e.g. git worktree add /tmp/before <commit>; python bench/compare_versions.py /tmp/before/src src

For a change to the engine's hot path (how gradients are stored, how optimizers read them): each round
starts one process per checkout (``PYTHONPATH=<src>``), alternating before/after, and each process reports
the median time of ``--steps`` steps after a warm-up. Reported per workload: the median over rounds of
each checkout's figure and their ratio, from this one run, with the CPU. One BLAS thread.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

from run_all import cpu_model

WORKLOADS = {"tiny": ((2, 16, 16, 1), 32), "mnist": ((784, 256, 128, 10), 128)}

STEP = r"""
import json, sys, time
import numpy as np
import backprop as bp
sizes, batch, steps = json.loads(sys.argv[1])
layers = []
for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
    layers += [bp.nn.Linear(a, b)] + ([bp.nn.ReLU()] if i < len(sizes) - 2 else [])
model = bp.nn.Sequential(*layers)
opt = bp.optim.Adam(model.parameters(), lr=1e-3)
rng = np.random.default_rng(0)
x = bp.tensor(rng.standard_normal((batch, sizes[0])), dtype=bp.float32)
y = bp.tensor(rng.standard_normal((batch, sizes[-1])), dtype=bp.float32)
loss_fn = bp.nn.MSELoss()
def step():
    loss = loss_fn(model(x), y)
    loss.backward()
    bp.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad()
for _ in range(20):
    step()
times = []
for _ in range(steps):
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
print(json.dumps(sorted(times)[len(times) // 2]))
"""


def run(src, workload, steps):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(src), OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1", BACKPROP_MALLOC_TUNING="1")
    sizes, batch = WORKLOADS[workload]
    out = subprocess.run([sys.executable, "-c", STEP, json.dumps([sizes, batch, steps])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; {os.cpu_count()} logical cores; before = {args.before}, after = {args.after}")
    print(f"{'workload':10} {'before ms':>10} {'after ms':>10} {'after/before':>13}")
    for workload in WORKLOADS:
        before, after = [], []
        for _ in range(args.rounds):
            before.append(run(args.before, workload, args.steps))
            after.append(run(args.after, workload, args.steps))
        b, a = statistics.median(before), statistics.median(after)
        print(f"{workload:10} {b * 1e3:10.3f} {a * 1e3:10.3f} {a / b:13.3f}")


if __name__ == "__main__":
    main()

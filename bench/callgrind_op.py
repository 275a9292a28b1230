"""Instructions per recorded op and per backward node, counted by valgrind's callgrind (not timed).

Run:  python bench/callgrind_op.py --callgrind [--ops 2000] [--repeat 1]
      (the measurement: four runs of this script under callgrind, a table of instructions per op)
      python bench/callgrind_op.py --ops N --mode forward|backward
      (one workload, what callgrind runs; no output)

Which backprop is measured is the one ``import backprop`` finds: set ``PYTHONPATH=<tree>/src`` to
measure another checkout (the table's first line names it), e.g. a worktree of an older commit:

    git worktree add /tmp/baseline <commit>
    PYTHONPATH=/tmp/baseline/src .venv/bin/python bench/callgrind_op.py --callgrind

The workload: after a warm-up (the same chain built and differentiated a few times, so that lazy
imports, caches and the interpreter's specialisation are done, then ``gc.collect(); gc.freeze()``), a
chain of N recorded elementwise ops on a 4-element float64 tensor that requires grad, alternately
``y = y * 1.0001`` and ``y = y + 0.5``; in mode ``backward`` then ``y.sum().backward()``; then the chain
is dropped. Each run is a whole process under ``valgrind --tool=callgrind`` (total ``Ir``: instructions
executed, interpreter start and imports included), with PYTHONHASHSEED=0 and one BLAS thread.

Method: four runs, forward and backward at N = 0 and at N = ``--ops``. Everything that does not grow with
N (start-up, imports, warm-up, the final ``sum`` and the start of ``backward``) cancels in the differences:

    per recorded op    = (F(N) − F(0)) / N
    per backward node  = ((B(N) − F(N)) − (B(0) − F(0))) / N

where F is mode forward and B mode backward. The forward figure includes freeing the chain when it is
dropped without a backward; the backward figure is what a backward adds to that (the engine's walk, the
gradient formulas and accumulation, and freeing during the walk instead of at the drop). Counting
instructions is deterministic to a few parts per million, unlike timing on a shared machine; it is not
time (cache misses and branch mispredictions are not in ``Ir``), so compare like with like.
"""
import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile

MODES = ("forward", "backward")


def chain(bp, x, n):
    y = x
    for i in range(n):
        y = y * 1.0001 if i % 2 == 0 else y + 0.5
    return y


def workload(n, mode, warmup_ops=64, warmup_rounds=5):
    import numpy as np

    import backprop as bp

    x = bp.tensor(np.array([0.1, 0.2, 0.3, 0.4]), requires_grad=True)
    for _ in range(warmup_rounds):
        y = chain(bp, x, warmup_ops)
        y.sum().backward()
        del y
    x.grad = None
    gc.collect()
    gc.freeze()  # the objects of start-up, out of the collector's later passes
    y = chain(bp, x, n)
    if mode == "backward":
        y.sum().backward()
    del y


def total_ir(out_file):
    with open(out_file) as f:
        text = f.read()
    found = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M)
    if found is None:
        raise RuntimeError(f"no 'summary:' line in {out_file}")
    return int(found.group(1))


def measure(n, mode, tmpdir, valgrind="valgrind"):
    out = os.path.join(tmpdir, f"callgrind.{mode}.{n}.out")
    env = dict(os.environ, PYTHONHASHSEED="0", OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1",
               MKL_NUM_THREADS="1")
    cmd = [valgrind, "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, os.path.abspath(__file__),
           "--ops", str(n), "--mode", mode]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return total_ir(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=2000, help="length N of the chain (default 2000)")
    parser.add_argument("--mode", choices=MODES, default="backward", help="one workload: forward or backward")
    parser.add_argument("--callgrind", action="store_true", help="run the four measurements, print the table")
    parser.add_argument("--repeat", type=int, default=1, help="with --callgrind: repeat the four runs")
    parser.add_argument("--valgrind", default="valgrind", help="the valgrind executable")
    args = parser.parse_args(argv)
    if not args.callgrind:
        workload(args.ops, args.mode)
        return
    import backprop

    commit = subprocess.run(["git", "-C", os.path.dirname(backprop.__file__), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "?"
    print(f"backprop from {os.path.dirname(backprop.__file__)} (commit {commit}), N = {args.ops}")
    print(f"{'run':>4} {'F(0)':>14} {'F(N)':>14} {'B(0)':>14} {'B(N)':>14} {'Ir/op':>9} {'Ir/node':>9}")
    with tempfile.TemporaryDirectory() as tmpdir:
        for run in range(args.repeat):
            f0, fn, b0, bn = (measure(n, mode, tmpdir, args.valgrind)
                              for mode in MODES for n in (0, args.ops))
            per_op = (fn - f0) / args.ops
            per_node = ((bn - fn) - (b0 - f0)) / args.ops
            print(f"{run + 1:>4} {f0:>14,} {fn:>14,} {b0:>14,} {bn:>14,} {per_op:>9,.0f} {per_node:>9,.0f}")


if __name__ == "__main__":
    main()

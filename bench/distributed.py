"""Data-parallel training over MPI against BLAS threads, at the same global batch.

Run:  python bench/distributed.py [--workloads mnist,wide] [--rounds 5] [--steps 15]

For each workload of bench/train_step.py (float32 MLPs, SGD, cross-entropy), one training step of the
global batch is timed three ways, each in fresh processes:

- ``1×2``: one process, BLAS on 2 threads, the whole batch;
- ``1×1``: one process, BLAS on 1 thread, the whole batch (the baseline of classical scaling), also
  wrapped in ``DistributedDataParallel`` in a world of one (the cost of its hooks and bucket copies);
- ``2×1``: ``mpiexec -n 2``, BLAS on 1 thread each, half the batch each, gradients averaged by
  ``DistributedDataParallel`` (default buckets: 1 MiB first, then 25 MiB).

Inside the ``2×1`` processes two more figures are taken, both processes running at once: ``compute``,
the same step on half the batch without DDP (no communication), and ``allreduce``, a blocking
all-reduce of a flat float32 array of the gradient's size. Reported: medians over rounds (each round's
figure is the median of ``--steps`` steps; the modes alternate within a round), the speed-up of 2×1
over 1×2 (data parallelism against BLAS threading on this machine), the classical scaling efficiency
T(1×1) / (2 · T(2×1)), and what the all-reduce costs next to the compute. The gradient bytes per step
and the bandwidth a cluster would need to hide the all-reduce behind the compute follow from them.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

from run_all import cpu_model  # bench/ is the script's folder, so on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))


def _pinned_env(threads):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_"))}
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    return env


def _median_step(step, steps):
    for _ in range(3):  # warm-up
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def worker(workload, steps, wrapped):
    """Run inside one measured process; prints a JSON line (rank 0 only under mpiexec)."""
    import numpy as np

    import backprop as bp
    import backprop.distributed as dist
    from backprop.nn.parallel import DistributedDataParallel
    from train_step import LR, _sequential, make_problem

    dist.init()
    rank, world = dist.get_rank(), dist.get_world_size()
    weights, x, y, act, _ = make_problem(workload)
    share = slice(rank * len(x) // world, (rank + 1) * len(x) // world)
    xt, yt = bp.tensor(x[share]), bp.tensor(y[share])
    loss_fn = bp.nn.CrossEntropyLoss()

    def step_of(model):
        opt = bp.optim.SGD(model.parameters(), lr=LR)

        def step():
            opt.zero_grad()
            loss_fn(model(xt), yt).backward()
            opt.step()

        return step

    model = _sequential(bp.nn, weights, act, lambda a: a)
    result = {"params": sum(p.numel() for p in model.parameters())}
    if world == 1:
        result["step"] = _median_step(step_of(model), steps)
        if wrapped:  # what DDP's hooks and bucket copies cost, with no one to wait for
            result["wrapped"] = _median_step(step_of(DistributedDataParallel(model)), steps)
    else:
        dist.barrier()
        result["compute"] = _median_step(step_of(model), steps)
        ddp = DistributedDataParallel(model)
        result["buckets"] = [bucket.flat.nbytes for bucket in ddp.buckets]
        dist.barrier()
        result["step"] = _median_step(step_of(ddp), steps)
        flat = bp.tensor(np.zeros(result["params"], np.float32))
        dist.barrier()
        result["allreduce"] = _median_step(lambda: dist.all_reduce(flat), steps)
    if rank == 0:
        print(json.dumps(result), flush=True)


def measure(mode, workload, steps):
    processes, threads = {"1x2": (1, 2), "1x1": (1, 1), "2x1": (2, 1)}[mode]
    command = [sys.executable, os.path.abspath(__file__), "--worker", workload, "--steps", str(steps)]
    if mode == "1x1":
        command.append("--wrapped")
    if processes > 1:
        mpiexec = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
        command = [mpiexec, "-n", str(processes)] + command
    out = subprocess.run(command, env=_pinned_env(threads), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(workload, rounds, steps):
    runs = {"1x2": [], "1x1": [], "2x1": []}
    for _ in range(rounds):
        for mode in runs:  # alternating, so the machine's drift hits every mode
            runs[mode].append(measure(mode, workload, steps))
    med = {mode: statistics.median(r["step"] for r in results) * 1e3 for mode, results in runs.items()}
    compute = statistics.median(r["compute"] for r in runs["2x1"]) * 1e3
    allreduce = statistics.median(r["allreduce"] for r in runs["2x1"]) * 1e3
    wrapped = statistics.median(r["wrapped"] for r in runs["1x1"]) * 1e3
    grad_bytes = runs["2x1"][0]["params"] * 4
    print(f"{workload}: {runs['2x1'][0]['params']:,} parameters, {grad_bytes / 2**20:.2f} MiB of float32 "
          f"gradient per step, buckets {[round(b / 2**20, 2) for b in runs['2x1'][0]['buckets']]} MiB")
    print(f"  step, 1 process × 2 threads:   {med['1x2']:8.2f} ms")
    print(f"  step, 1 process × 1 thread:    {med['1x1']:8.2f} ms   (wrapped in DDP, a world of one: {wrapped:.2f} ms)")
    print(f"  step, 2 processes × 1 thread:  {med['2x1']:8.2f} ms   (compute alone {compute:.2f} ms, "
          f"all-reduce of the gradient {allreduce:.2f} ms, DDP overhead {med['2x1'] - compute:.2f} ms)")
    print(f"  speed-up of 2×1 over 1×2: {med['1x2'] / med['2x1']:.2f}; scaling efficiency T(1×1)/(2·T(2×1)): "
          f"{med['1x1'] / (2 * med['2x1']):.2f}; all-reduce / compute: {allreduce / compute:.2f}")
    # A ring all-reduce moves 2·(N−1)/N of the gradient through each machine's link per step; hiding it
    # behind one step's compute needs at least this bandwidth.
    print(f"  to hide the all-reduce behind the compute on N machines: ≥ {2 * grad_bytes / compute / 1e6:.2f} GB/s "
          f"per machine ({16 * grad_bytes / compute / 1e6:.1f} Gbit/s) as N grows, at this per-process batch")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="mnist,wide")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--wrapped", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, HERE)
        return worker(args.worker, args.steps, args.wrapped)
    print(f"CPU: {cpu_model()}; {os.cpu_count()} logical cores; Python {platform.python_version()}; "
          f"{args.rounds} rounds × {args.steps} steps\n")
    for workload in args.workloads.split(","):
        report(workload, args.rounds, args.steps)
    return None


if __name__ == "__main__":
    main()

"""Run every benchmark in one go: ``python bench/run_all.py [--quick]``.

Prints the machine (CPU model, cores, library versions), then the per-op overhead table
(bench/overhead.py), the training-step table (bench/train_step.py: backprop eager and under bp.jit,
hand-written NumPy, PyTorch, MyGrad when installed) and the recurrent layers' forward + backward
(bench/rnn.py, eager and jit). Instructions per step: bench/callgrind_step.py. See bench/README.md.
"""
import argparse
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (a smoke run, not a measurement)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; {os.cpu_count()} logical cores; Python {platform.python_version()}\n")
    rounds = ["--rounds", "3"] if args.quick else []
    overhead = ["--number", "2000"] if args.quick else []
    subprocess.run([sys.executable, os.path.join(HERE, "overhead.py"), *rounds, *overhead], check=True)
    print()
    subprocess.run([sys.executable, os.path.join(HERE, "train_step.py"), "--threads", str(args.threads), *rounds],
                   check=True)
    print()
    subprocess.run([sys.executable, os.path.join(HERE, "rnn.py"), *rounds], check=True)


if __name__ == "__main__":
    main()

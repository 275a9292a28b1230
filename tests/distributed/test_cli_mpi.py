"""``mpiexec -n 2 backprop train``: the same options and run folder as one process, the global batch split
in two, the same weights (float32, 1e-6), and a kill then ``--resume`` under mpiexec."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import backprop as bp
from backprop.io import load_state

pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'backprop[mpi]'")
pytest.importorskip("sklearn", reason="backprop train needs the cli extra")
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("no mpiexec found (pip install 'backprop[mpi]' brings MPICH's)", allow_module_level=True)
ARGS = ("--data", "moons", "--n-samples", 120, "--epochs", 4, "--hidden", "8,8", "--optimizer", "momentum",
        "--seed", 3, "--no-plots")


def train(*argv, processes=2, env=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_"))}
    launcher = [MPIEXEC, "-n", str(processes)] if processes > 1 else []
    return subprocess.run([*launcher, sys.executable, "-m", "backprop", "train", *map(str, argv)],
                          capture_output=True, text=True, env={**clean, **(env or {})}, timeout=120)


def assert_same_weights(a, b):
    wa, wb = bp.load(a / "model.safetensors"), bp.load(b / "model.safetensors")
    assert list(wa) == list(wb)
    for k in wa:
        np.testing.assert_allclose(wa[k], wb[k], rtol=1e-6, atol=1e-6, err_msg=k)


def test_train_under_mpiexec_is_killed_resumes_and_equals_one_process(tmp_path):
    one = train(*ARGS, "--batch-size", 16, "--quiet", "--out", tmp_path / "one", processes=1)
    assert one.returncode == 0, one.stderr
    killed = tmp_path / "killed"
    done = train(*ARGS, "--batch-size", 16, "--out", killed, env={"BACKPROP_CLI_TEST_SIGNAL": "2:KILL"})
    assert done.returncode != 0  # rank 0 killed itself after epoch 2's checkpoint: mpiexec ends the job
    assert "batch 16 (8 per process × 2 processes)" in done.stdout
    assert done.stdout.count("Epoch 2/4") == 1  # only rank 0 prints
    assert load_state(killed / "checkpoint.safetensors")["epoch"] == 2
    resumed = train("--resume", killed)
    assert resumed.returncode == 0, resumed.stderr
    assert "after epoch 2" in resumed.stdout and resumed.stdout.count("run folder:") == 1
    assert_same_weights(tmp_path / "one", killed)


def test_a_batch_size_that_does_not_divide_by_the_processes_is_refused(tmp_path):
    done = train(*ARGS, "--batch-size", 15, "--out", tmp_path / "odd")
    assert done.returncode != 0
    assert "--batch-size 15 is the global batch: under mpiexec it must divide by the 2 processes" in done.stderr
    assert not (tmp_path / "odd").exists()


def test_an_error_on_rank_0_alone_ends_the_job(tmp_path):
    """Rank 0 cannot take the run folder's lock while rank 1 goes on to train: the job ends, no hang."""
    from backprop.io.files import folder_lock

    with folder_lock(tmp_path / "locked"):
        done = train(*ARGS, "--batch-size", 16, "--out", tmp_path / "locked")
    assert done.returncode == 2, done.stderr  # the CLI's status, through MPI_Abort
    assert "a second backprop train cannot write the same folder" in done.stderr

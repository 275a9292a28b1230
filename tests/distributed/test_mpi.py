"""Data-parallel training under ``mpiexec -n 2`` ends with the weights of one process on the same global
batches: through fit, through a hand-written DistributedDataParallel loop, with no_sync accumulation, and
after a kill of one rank and a resume. The runs are in mpi_worker.py, all checks of one launch at once."""
import importlib.metadata
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

import backprop as bp
import backprop.distributed as dist

from . import mpi_worker as worker

pytest.importorskip("mpi4py", reason="mpi4py is not installed: pip install 'backprop[mpi]'")
# The launcher of the MPI library mpi4py uses: MPICH's wheel puts it beside python (mixing one library's
# launcher with another's library gives N worlds of one).
MPIEXEC = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
if MPIEXEC is None:
    pytest.skip("no mpiexec found (pip install 'backprop[mpi]' brings MPICH's)", allow_module_level=True)
TOLERANCES = {"float64": {"rtol": 1e-9, "atol": 1e-10}, "float32": {"rtol": 1e-6, "atol": 1e-6}}


def mpiexec(out, what, check=True):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_"))}
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    result = subprocess.run([MPIEXEC, "-n", "2", sys.executable, worker.__file__, str(out), what],
                            capture_output=True, text=True, env=env, timeout=60)
    if check and result.returncode != 0:
        pytest.fail(f"mpiexec -n 2 ... {what} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Two launches: a run whose rank 1 is killed, then its resumption followed by every other check."""
    out = tmp_path_factory.mktemp("mpi")
    killed = mpiexec(out, "kill", check=False)
    if not (out / "run.safetensors").exists():
        pytest.fail(f"the run to kill wrote no checkpoint ({killed.returncode}):\n{killed.stdout}\n{killed.stderr}")
    killed_epochs = bp.load(out / "run.safetensors")["epoch"]
    mpiexec(out, "checks")
    results = {"killed": {"returncode": np.array(killed.returncode), "epochs": np.array(killed_epochs)}}
    return lambda name: results[name] if name in results else dict(np.load(out / f"{name}.npz"))


@pytest.fixture(autouse=True)
def world_of_one(monkeypatch):
    """The references run in this process, a world of one."""
    for name in ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
        monkeypatch.delenv(name, raising=False)
    dist.init()


def assert_same_weights(got, expected, dtype):
    """The same weights, and the same history (loss, metrics, validation) where there is one."""
    assert sorted(got) == sorted(expected)
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], **TOLERANCES[dtype], err_msg=name)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fit_on_two_processes_equals_one_process(runs, optimizer, dtype):
    expected = worker.through_fit(optimizer, np.dtype(dtype), distributed=False)
    assert_same_weights(runs(f"fit-{optimizer}-{dtype}"), expected, dtype)


def test_a_last_batch_shared_unevenly_is_weighted_by_rows(runs):
    expected = worker.through_fit("adam", np.float64, distributed=False, rows=29, val_rows=1)
    assert_same_weights(runs("uneven"), expected, "float64")


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_hand_written_ddp_loop_equals_one_process(runs, optimizer):
    assert_same_weights(runs(f"hand-{optimizer}"), worker.by_hand(optimizer, np.float64), "float64")


def test_no_sync_accumulation_equals_one_process(runs):
    assert_same_weights(runs("no_sync"), worker.by_hand("sgd", np.float64, accumulate=True), "float64")


def test_dropout_is_reproducible_with_different_masks_per_rank(runs):
    first, second = runs("dropout-1"), runs("dropout-2")
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
    masks = runs("masks")["masks"]
    assert masks.shape == (2, 64) and (masks[0] != masks[1]).any()


def test_batch_norm_trains_on_per_rank_statistics_and_every_rank_ends_with_rank_0s_buffers(runs):
    means = runs("batch_norm")["running_means"]
    assert means.shape == (2, 16) and np.abs(means[0]).sum() > 0
    np.testing.assert_array_equal(means[0], means[1])


def test_a_killed_rank_ends_the_job_and_the_run_resumes_from_rank_0s_checkpoint(runs):
    killed = runs("killed")
    assert killed["returncode"] != 0
    assert killed["epochs"] == 2  # rank 0's checkpoint when rank 1 was killed in epoch 3
    expected = worker.through_fit("adam", np.float64, distributed=False)
    assert_same_weights(runs("resumed"), expected, "float64")


def test_a_global_batch_that_does_not_divide_by_the_world_size_is_refused(runs):
    message = str(runs("refused")["message"])
    assert "the global batch size 7 does not divide by the world size 2" in message


@pytest.mark.parametrize("how, status", [("raise", 1), ("abort", 3)])
def test_an_error_on_one_rank_ends_the_job_instead_of_hanging(tmp_path, how, status):
    """Rank 1 fails while rank 0 waits in an all-reduce: the job ends (a hang would time out)."""
    ended = mpiexec(tmp_path, how, check=False)
    assert ended.returncode == status, ended.stderr
    assert f"MPI_Abort(MPI_COMM_WORLD, {status})" in ended.stdout + ended.stderr
    if how == "raise":
        assert "RuntimeError: rank 1 fails alone" in ended.stderr


def test_another_librarys_launcher_is_named():
    """Open MPI's mpirun starting an MPICH-linked mpi4py: each process would see a world of one."""
    try:
        importlib.metadata.version("mpich")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("simulates Open MPI's launcher around MPICH's library: needs the mpich wheel")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PMI_", "OMPI_", "PMIX_"))}
    env.update(OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0")
    result = subprocess.run([sys.executable, "-c", "import backprop.distributed as d; d.init()"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode != 0
    assert "the MPI launcher started 2 processes but MPI" in result.stderr
    assert "sees a world of 1" in result.stderr

"""Run the fits of a cross-validation or a search through joblib (``n_jobs``), or one after another without it.

joblib is optional (the ``cli`` and ``dev`` extras bring it) and imported only here, when the fits run. Through
``joblib.Parallel`` the fits follow joblib's backend: its processes (``loky``, the default) or threads, or a
cluster's backend chosen with ``joblib.parallel_config(backend="dask")`` (a ``distributed.Client`` open) or
Ray's ``register_ray()`` backend; backprop holds no Dask or Ray code. The results come back in the order of
the tasks, whichever worker ran each, so they do not depend on ``n_jobs``.
"""
import numbers
import warnings


def check_n_jobs(n_jobs):
    """``n_jobs`` as scikit-learn takes it: None (one job, or the ``parallel_config`` in force), a positive
    number of jobs, or a negative one (-1: all cores, -2: all but one)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral) or n_jobs == 0:
        raise ValueError(f"n_jobs must be None, a positive integer or a negative integer (-1: all cores), "
                         f"got {n_jobs!r}")
    return int(n_jobs)


def run_tasks(function, tasks, n_jobs):
    """``[function(*args, **kwargs) for args, kwargs in tasks]``, in the order of ``tasks``.

    With joblib installed the calls go through ``joblib.Parallel(n_jobs=n_jobs)`` and ``joblib.delayed``, so a
    process or cluster backend must be able to pickle ``function`` and its arguments. Without joblib they run
    here one after another (with a warning when more than one job was asked for).
    """
    n_jobs = check_n_jobs(n_jobs)
    try:
        import joblib
    except ImportError:
        if n_jobs not in (None, 1):
            warnings.warn(f"n_jobs={n_jobs} needs joblib, which is not installed (pip install joblib, or the "
                          "backprop[cli] extra); the fits run one after another", RuntimeWarning, stacklevel=3)
        return [function(*args, **kwargs) for args, kwargs in tasks]
    return joblib.Parallel(n_jobs=n_jobs)(joblib.delayed(function)(*args, **kwargs) for args, kwargs in tasks)

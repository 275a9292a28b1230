"""An optional faster matrix product: Intel's MKL (``pip install mkl``) when it is present.

``matmul(a, b, out=None)`` computes ``a @ b`` like ``np.matmul``. For two 2-D float32 or float64
operands of one dtype, C- or F-ordered (transposed views included: they become BLAS trans flags, never
copies), and a product big enough that the call's cost does not matter, it calls MKL's ``cblas_?gemm``
through ctypes; everything else goes to ``np.matmul``.

Why MKL, and only on Intel CPUs (``bench/blas.py``, the float32 products of one training step, one run
each): on an Intel Xeon (Sapphire Rapids) MKL took 0.70× and 0.85× NumPy's time on ``wide`` in two
runs with one thread (``mnist``: 0.97×, 0.88×); on an AMD EPYC it took 1.10–1.19× (MKL does not use
its fast kernels on AMD CPUs).
SciPy's and a newer OpenBLAS tied with NumPy's, and cython-blis (``pip install blis``) was 2.6–2.8×
slower on that AMD EPYC: its bundled BLIS does not recognise the CPU and runs generic C kernels.

Selection, by the environment variable ``BACKPROP_GEMM``, read at the first product (or by
:func:`select`):

- ``auto`` (default): MKL when it can be loaded and the CPU is Intel's, else NumPy;
- ``numpy``: always ``np.matmul``;
- ``mkl``: MKL on any CPU (an error if it cannot be loaded).

MKL uses its own threads (``MKL_NUM_THREADS``; ``MKL_THREADING_LAYER=SEQUENTIAL`` for none), apart
from NumPy's OpenBLAS (``OPENBLAS_NUM_THREADS``): pin both when timing.
"""
import os

import numpy as np

# Below this many multiply-adds (m·n·k) the ctypes call's few microseconds outweigh MKL's gain: a
# 128×128×10 product took 2–3× NumPy's time through it, a 128×128×256 one tied (Intel Xeon).
MIN_WORK = 1 << 21
_ROW_MAJOR, _NO_TRANS, _TRANS = 101, 111, 112
_NAMES = ("auto", "numpy", "mkl")


def matmul(a, b, out=None):
    """``a @ b`` (as ``np.matmul(a, b, out=out)``) through the selected backend.

    Parameters
    ----------
    a : ndarray, shape (m, k) or any shape ``np.matmul`` accepts
    b : ndarray, shape (k, n) or any shape ``np.matmul`` accepts
    out : ndarray, optional
        Where to write the product, shape (m, n); a new C-ordered array by default.

    Returns
    -------
    ndarray
        The product, ``out`` when given.
    """
    return _impl(a, b, out)


def backend():
    """The name of the backend in use: ``"numpy"`` or ``"mkl"``."""
    if _impl is _first_call:
        select()
    return _name


def select(name=None):
    """Choose the backend: ``name``, or ``BACKPROP_GEMM`` (default ``auto``) when None.

    Returns the name of the backend now in use. Raises ValueError for an unknown name, OSError when
    ``"mkl"`` is asked for and libmkl_rt cannot be loaded.
    """
    global _impl, _name
    name = (name or os.environ.get("BACKPROP_GEMM") or "auto").lower()
    if name not in _NAMES:
        raise ValueError(f"BACKPROP_GEMM must be one of {', '.join(_NAMES)}, got {name!r}")
    _impl, _name = np.matmul, "numpy"
    if name == "mkl" or (name == "auto" and _intel_cpu()):
        try:
            _impl, _name = _mkl_matmul(_load_mkl()), "mkl"
        except OSError:
            if name == "mkl":
                raise
    return _name


def _first_call(a, b, out):
    select()
    return _impl(a, b, out)


_impl, _name = _first_call, None


def _intel_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line for line in f if line.startswith("vendor_id")), "").endswith("GenuineIntel\n")
    except OSError:  # not Linux: Windows names the vendor in the processor string
        import platform

        return "Intel" in platform.processor()


def _load_mkl():
    """libmkl_rt from the pip package ``mkl``, else wherever the dynamic loader finds one (conda)."""
    import ctypes
    from importlib import metadata

    try:
        paths = [str(f.locate()) for f in metadata.files("mkl") or () if f.name.startswith("libmkl_rt.")]
    except metadata.PackageNotFoundError:
        paths = []
    if not paths:
        from ctypes.util import find_library

        paths = [find_library("mkl_rt") or "libmkl_rt.so"]
    return ctypes.CDLL(paths[0])


def _mkl_matmul(lib):
    """np.matmul with MKL's gemm for the 2-D float products it serves without copies."""
    import ctypes

    i, p = ctypes.c_int, ctypes.c_void_p
    gemms = {}
    for dtype, real, fn in ((np.float32, ctypes.c_float, lib.cblas_sgemm),
                            (np.float64, ctypes.c_double, lib.cblas_dgemm)):
        fn.argtypes = [i, i, i, i, i, i, real, p, i, p, i, real, p, i]
        fn.restype = None
        gemms[np.dtype(dtype)] = fn

    def as_row_major(m):  # (trans flag, leading dimension) of m read as a row-major matrix
        if m.flags.c_contiguous:
            return _NO_TRANS, max(1, m.shape[1])
        return _TRANS, max(1, m.shape[0])

    def mkl_matmul(a, b, out=None):
        gemm = gemms.get(a.dtype) if type(a) is np.ndarray and type(b) is np.ndarray else None
        if (gemm is None or a.ndim != 2 or b.ndim != 2 or b.dtype != a.dtype
                or a.shape[0] * a.shape[1] * b.shape[1] < MIN_WORK or a.shape[1] != b.shape[0]
                or not (a.flags.c_contiguous or a.flags.f_contiguous)
                or not (b.flags.c_contiguous or b.flags.f_contiguous)):
            return np.matmul(a, b, out=out)
        shape = (a.shape[0], b.shape[1])
        if out is None:
            c = out = np.empty(shape, a.dtype)
        elif (type(out) is not np.ndarray or out.shape != shape or out.dtype != a.dtype
              or not out.flags.writeable or np.may_share_memory(out, a) or np.may_share_memory(out, b)):
            return np.matmul(a, b, out=out)
        elif out.flags.c_contiguous:
            c = out
        elif out.flags.f_contiguous:  # an F-ordered out is a C-ordered outᵀ = bᵀ·aᵀ
            a, b, c = b.T, a.T, out.T
        else:
            return np.matmul(a, b, out=out)
        (ta, lda), (tb, ldb) = as_row_major(a), as_row_major(b)
        gemm(_ROW_MAJOR, ta, tb, c.shape[0], c.shape[1], a.shape[1], 1.0, a.ctypes.data, lda,
             b.ctypes.data, ldb, 0.0, c.ctypes.data, c.shape[1])
        return out

    return mkl_matmul

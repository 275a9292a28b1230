"""The optional MKL matrix product (backprop.ops._gemm): agreement with np.matmul, fallbacks, selection.

The trans-flag and leading-dimension logic is checked against a stand-in CBLAS written in NumPy
(it reads the operands from the addresses it is given, as the real one does), so it runs without MKL;
the same checks run against the real libmkl_rt when ``pip install mkl`` is present.
"""
import ctypes
import subprocess
import sys
import types

import numpy as np
import pytest

from backprop.ops import _gemm

NO_TRANS, TRANS = 111, 112
SHAPES = (130, 140, 150)  # m, k, n: m·k·n above _gemm.MIN_WORK


class FakeGemm:
    """CBLAS ?gemm, row-major, in NumPy: C = alpha·op(A)·op(B) + beta·C."""

    def __init__(self, dtype):
        self.dtype, self.calls = np.dtype(dtype), 0

    def _matrix(self, address, rows, cols, ld, trans):  # op(X), rows × cols, X stored with leading dim ld
        r, c = (cols, rows) if trans == TRANS else (rows, cols)
        size = self.dtype.itemsize
        buf = (ctypes.c_char * (((r - 1) * ld + c) * size)).from_address(address)
        x = np.ndarray((r, c), self.dtype, buffer=buf, strides=(ld * size, size))
        return x.T if trans == TRANS else x

    def __call__(self, order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
        assert order == 101 and ldc >= n and lda >= 1 and ldb >= 1
        self.calls += 1
        cm = self._matrix(c, m, n, ldc, NO_TRANS)
        cm[...] = alpha * (self._matrix(a, m, k, lda, ta) @ self._matrix(b, k, n, ldb, tb)) + (
            beta * cm if beta else 0)


@pytest.fixture
def gemm(monkeypatch):
    """Module state restored after each test; returns it for convenience."""
    monkeypatch.setattr(_gemm, "_impl", _gemm._impl)
    monkeypatch.setattr(_gemm, "_name", _gemm._name)
    monkeypatch.delenv("BACKPROP_GEMM", raising=False)
    return _gemm


@pytest.fixture
def fake(gemm):
    lib = types.SimpleNamespace(cblas_sgemm=FakeGemm(np.float32), cblas_dgemm=FakeGemm(np.float64))
    gemm._impl, gemm._name = gemm._mkl_matmul(lib), "mkl"
    return lib


def _real_mkl(gemm):
    try:
        gemm.select("mkl")
    except OSError:
        pytest.skip("libmkl_rt not installed (pip install mkl)")


def _operands(dtype, order_a, order_b, shapes=SHAPES):
    m, k, n = shapes
    rng = np.random.default_rng(0)
    a = np.asarray(rng.standard_normal((m, k)), dtype, order=order_a)
    b = np.asarray(rng.standard_normal((k, n)), dtype, order=order_b)
    return a, b


def _tol(dtype):
    return {"rtol": 1e-4, "atol": 1e-4} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


def _check_orders(gemm, dtype, order_a, order_b, out_order):
    a, b = _operands(dtype, order_a, order_b)
    expected = np.matmul(a, b)
    if out_order is None:
        got = gemm.matmul(a, b)
        assert got.flags.c_contiguous
    else:
        out = np.full(expected.shape, np.nan, dtype, order=out_order)
        got = gemm.matmul(a, b, out=out)
        assert got is out
    assert got.dtype == dtype and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, **_tol(dtype))


ORDER_CASES = [(oa, ob, oo) for oa in "CF" for ob in "CF" for oo in (None, "C", "F")]
ORDERS = pytest.mark.parametrize("order_a,order_b,out_order", ORDER_CASES)
DTYPES = pytest.mark.parametrize("dtype", [np.float32, np.float64])


@DTYPES
@ORDERS
def test_agrees_with_numpy_for_every_memory_order(fake, dtype, order_a, order_b, out_order):
    _check_orders(_gemm, dtype, order_a, order_b, out_order)
    lib_gemm = fake.cblas_sgemm if dtype == np.float32 else fake.cblas_dgemm
    assert lib_gemm.calls == 1  # served by the BLAS, not by the fallback


def test_real_mkl_agrees_with_numpy(gemm):
    _real_mkl(gemm)
    for dtype in (np.float32, np.float64):
        for args in ORDER_CASES:
            _check_orders(gemm, dtype, *args)


def test_transposed_weight_views_are_passed_without_copies(fake):
    """The Linear layer's three products, W (out, in) C-ordered: X·Wᵀ, dZ·W, dZᵀ·X."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((128, 784), np.float32), rng.standard_normal((256, 784), np.float32)
    dz = rng.standard_normal((128, 256), np.float32)
    for a, b in ((x, w.T), (dz, w), (dz.T, x)):
        np.testing.assert_allclose(_gemm.matmul(a, b), a @ b, rtol=1e-4, atol=1e-3)
    assert fake.cblas_sgemm.calls == 3


class Subclass(np.ndarray):
    pass


@pytest.mark.parametrize("case", ["small", "mixed dtypes", "float16", "int", "batched", "vector",
                                  "strided", "out overlaps", "out cast", "subclass"])
def test_falls_back_to_numpy(fake, case):
    a, b = _operands(np.float32, "C", "C")
    out = None
    if case == "small":
        a, b = _operands(np.float32, "C", "C", shapes=(16, 16, 16))
    elif case == "mixed dtypes":
        b = b.astype(np.float64)
    elif case == "float16":
        a, b = a.astype(np.float16), b.astype(np.float16)
    elif case == "int":
        a, b = (a * 10).astype(np.int64), (b * 10).astype(np.int64)
    elif case == "batched":
        a, b = np.stack([a, a]), np.stack([b, b])
    elif case == "vector":
        b = b[:, 0]
    elif case == "strided":
        a = np.asarray(np.random.default_rng(2).standard_normal((130, 280)), np.float32)[:, ::2]
    elif case == "out overlaps":
        a = np.asarray(np.random.default_rng(3).standard_normal((150, 150)), np.float32)
        b, out = a[:, :150], a  # in place: BLAS would read what it overwrites
    elif case == "out cast":
        out = np.empty((a.shape[0], b.shape[1]), np.float64)
    elif case == "subclass":
        a = a.view(Subclass)
    expected = np.matmul(a.copy(), b.copy(), out=None if out is None else out.copy())
    got = _gemm.matmul(a, b, out=out)
    assert type(got) is type(expected) and got.dtype == expected.dtype
    np.testing.assert_allclose(got, expected, rtol=1e-3, atol=1e-3)
    assert fake.cblas_sgemm.calls == fake.cblas_dgemm.calls == 0


def test_shape_mismatch_raises_as_numpy_does(fake):
    a, b = _operands(np.float32, "C", "C")
    with pytest.raises(ValueError, match="mismatch"):
        _gemm.matmul(a, b.T)


def test_auto_falls_back_to_numpy_when_mkl_is_absent(gemm, monkeypatch):
    def absent():
        raise OSError("libmkl_rt.so: cannot open shared object file")

    monkeypatch.setattr(gemm, "_load_mkl", absent)
    monkeypatch.setattr(gemm, "_intel_cpu", lambda: True)
    assert gemm.select() == "numpy" and gemm._impl is np.matmul
    a, b = _operands(np.float32, "C", "F")
    np.testing.assert_array_equal(gemm.matmul(a, b), np.matmul(a, b))
    monkeypatch.setenv("BACKPROP_GEMM", "mkl")  # asked for by name: the error is not swallowed
    with pytest.raises(OSError, match="libmkl_rt"):
        gemm.select()


@pytest.mark.parametrize("env,intel,expected", [
    (None, True, "mkl"), ("auto", True, "mkl"), ("AUTO", False, "numpy"), ("numpy", True, "numpy"),
    ("mkl", False, "mkl")])
def test_environment_selects_the_backend(gemm, monkeypatch, env, intel, expected):
    lib = types.SimpleNamespace(cblas_sgemm=FakeGemm(np.float32), cblas_dgemm=FakeGemm(np.float64))
    monkeypatch.setattr(gemm, "_load_mkl", lambda: lib)
    monkeypatch.setattr(gemm, "_intel_cpu", lambda: intel)
    if env is not None:
        monkeypatch.setenv("BACKPROP_GEMM", env)
    gemm._impl = gemm._first_call  # as after import: chosen at the first product
    a, b = _operands(np.float32, "F", "C")
    np.testing.assert_allclose(gemm.matmul(a, b), a @ b, rtol=1e-4, atol=1e-4)
    assert gemm.backend() == expected
    assert lib.cblas_sgemm.calls == (expected == "mkl")


def test_unknown_backend_name_is_an_error(gemm, monkeypatch):
    monkeypatch.setenv("BACKPROP_GEMM", "blas")
    with pytest.raises(ValueError, match="BACKPROP_GEMM must be one of auto, numpy, mkl, got 'blas'"):
        gemm.select()


def test_nothing_is_loaded_at_import():
    code = ("import backprop, backprop.ops._gemm as g; "
            "print(g._name, 'mkl' in open('/proc/self/maps').read())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["None", "False"]

"""The recurrent cells: one time step of an LSTM, a GRU or an Elman RNN, and its backward step.

Each step is written once with operators and ``dispatch`` functions, so the same lines run as plain
NumPy on the first-order path and record a graph on Tensors, which gives second derivatives. The
cells take the input's projection ``gx = x·W_ihᵀ + b_ih`` already made: a layer projects every time
step with one matrix product before its loop (``backprop.ops.recurrent_sequence``).

Gate order and formulas are PyTorch's: i, f, g, o for the LSTM and r, z, n for the GRU, with
n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)).

:class:`LSTMCell` and :class:`GRUCell` are the fused single-step ops behind ``bp.nn.LSTMCell`` and
``bp.nn.GRUCell``; they show their gates to a trace (``ctx.show``).
"""
import numpy as np

from ..autograd.function import Function
from ..autograd.tensor import Tensor
from . import _gemm
from . import dispatch as D
from . import shape as _shape

# NumPy's OpenBLAS (0.3.31, Haswell kernels, on an AMD EPYC) took 2.5–3× longer for float32 products
# with an inner dimension of 256 or more, (32, 256)·(256, 64) to (1024, 1024)·(1024, 256), than for the
# same product summed over blocks of 128 of that dimension; float64 was not affected (bench/rnn.py).
K_BLOCK = 128


def sigmoid(x):
    """σ(x) = 1 / (1 + e⁻ˣ) in three passes over a fresh array (e⁻ˣ = inf for very negative x gives 0, as it should)."""
    if isinstance(x, Tensor):
        return D.sigmoid(x)
    y = np.negative(x)
    with np.errstate(over="ignore"):
        np.exp(y, out=y)
    y += 1
    return np.reciprocal(y, out=y)


def stack(xs, axis=0):
    """Join equal-shaped arrays or Tensors along a new axis."""
    return _shape.stack(xs, axis) if D.is_tensor(*xs) else np.stack(xs, axis)


def columns(x):
    """xᵀ: an array as a C-ordered copy (the steps' elementwise work then runs on contiguous blocks),
    a Tensor as its recorded transpose; None stays None."""
    if x is None or D.is_tensor(x):
        return None if x is None else D.transpose(x)
    return np.ascontiguousarray(x.T)


def matmul(a, b):
    """a·b for arrays or Tensors; a float32 array product with a long inner dimension is summed over
    blocks of ``K_BLOCK`` of it (see above)."""
    k = a.shape[-1]
    if D.is_tensor(a, b) or a.dtype != np.float32 or k < 2 * K_BLOCK or a.ndim != 2 or b.ndim != 2:
        return D.matmul(a, b)
    out = _gemm.matmul(a[:, :K_BLOCK], b[:K_BLOCK])
    part = np.empty_like(out)
    for j in range(K_BLOCK, k, K_BLOCK):
        out += _gemm.matmul(a[:, j:j + K_BLOCK], b[j:j + K_BLOCK], out=part)
    return out


def _hidden_projection(h, w_hh, b_hh):
    gh = D.matmul(w_hh, h)
    return gh if b_hh is None else gh + b_hh


# The steps work on columns: gx (G·H, N), h (H, N), c (H, N), one example per column, so each gate is a
# contiguous block of rows (on a (N, 4H) array a gate is a strided slice, and NumPy's elementwise work
# on it took 3× longer). Forward takes W_hh (G·H, H) and b_hh as a column (G·H, 1); backward takes
# W_hhᵀ (and W_hrᵀ) as made once by ``columns``.

# -- LSTM -------------------------------------------------------------------------------------------
def lstm_step(gx, h, c, w_hh, b_hh, w_hr=None, nonlinearity=None):
    """One LSTM step. Returns (h', c', parts) with parts = (i, f, g, o, tanh c', m = o ⊙ tanh c').

    a = gx + W_hh·h + b_hh, cut into i, f, g, o;  c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g);
    h' = σ(o) ⊙ tanh(c'), W_hr·h' when the layer has a projection.
    """
    hidden = c.shape[0]
    a = gx + _hidden_projection(h, w_hh, b_hh)
    s = sigmoid(a[:2 * hidden])
    i, f, o = s[:hidden], s[hidden:], sigmoid(a[3 * hidden:])
    g = D.tanh(a[2 * hidden:3 * hidden])
    c_new = f * c + i * g
    tc = D.tanh(c_new)
    m = o * tc
    h_new = m if w_hr is None else D.matmul(w_hr, m)
    return h_new, c_new, (i, f, g, o, tc, m)


def lstm_step_backward(dh, dc, parts, h, c, w_hh_t, w_hr_t=None, nonlinearity=None):
    """The step's backward: (da, dgh, dh_prev, dc_prev), where da = dL/da (the gates before their
    activations, also the gradient of gx) and dgh the gradient of W_hh·h + b_hh (the same array).

    dm = dh (W_hrᵀ·dh);  do = dm ⊙ tanh c';  dc̃ = dc + dm ⊙ o ⊙ (1 − tanh² c');
    di = dc̃ ⊙ g,  df = dc̃ ⊙ c,  dg = dc̃ ⊙ i,  dc_prev = dc̃ ⊙ f;  dh_prev = W_hhᵀ·da.
    """
    i, f, g, o, tc, m = parts
    dm = dh if w_hr_t is None else D.matmul(w_hr_t, dh)
    dct = dc + dm * o * (1 - tc * tc)
    da = D.concatenate([dct * g * i * (1 - i), dct * c * f * (1 - f), dct * i * (1 - g * g),
                        dm * tc * o * (1 - o)], axis=0)
    return da, da, matmul(w_hh_t, da), dct * f


# -- GRU --------------------------------------------------------------------------------------------
def gru_step(gx, h, c, w_hh, b_hh, w_hr=None, nonlinearity=None):
    """One GRU step. Returns (h', None, parts) with parts = (r, z, n, gh_n).

    gh = W_hh·h + b_hh;  r = σ(gx_r + gh_r);  z = σ(gx_z + gh_z);  n = tanh(gx_n + r ⊙ gh_n);
    h' = (1 − z) ⊙ n + z ⊙ h.
    """
    hidden = h.shape[0]
    gh = _hidden_projection(h, w_hh, b_hh)
    rz = sigmoid(gx[:2 * hidden] + gh[:2 * hidden])
    r, z = rz[:hidden], rz[hidden:]
    ghn = gh[2 * hidden:]
    n = D.tanh(gx[2 * hidden:] + r * ghn)
    return n + z * (h - n), None, (r, z, n, ghn)


def gru_step_backward(dh, dc, parts, h, c, w_hh_t, w_hr_t=None, nonlinearity=None):
    """(dgx, dgh, dh_prev, None): dn̄ = dh ⊙ (1 − z) ⊙ (1 − n²);  dr̄ = dn̄ ⊙ gh_n ⊙ r(1 − r);
    dz̄ = dh ⊙ (h − n) ⊙ z(1 − z);  dgx = [dr̄, dz̄, dn̄];  dgh = [dr̄, dz̄, dn̄ ⊙ r];
    dh_prev = dh ⊙ z + W_hhᵀ·dgh."""
    r, z, n, ghn = parts
    dn = dh * (1 - z) * (1 - n * n)
    drz = D.concatenate([dn * ghn * r * (1 - r), dh * (h - n) * z * (1 - z)], axis=0)
    dgx = D.concatenate([drz, dn], axis=0)
    dgh = D.concatenate([drz, dn * r], axis=0)
    return dgx, dgh, dh * z + matmul(w_hh_t, dgh), None


# -- Elman RNN --------------------------------------------------------------------------------------
def rnn_step(gx, h, c, w_hh, b_hh, w_hr=None, nonlinearity="tanh"):
    """h' = tanh(gx + W_hh·h + b_hh) (or ReLU). Returns (h', None, (h',))."""
    a = gx + _hidden_projection(h, w_hh, b_hh)
    if nonlinearity == "tanh":
        return (h_new := D.tanh(a)), None, (h_new,)
    h_new = D.where(D.raw(a) > 0, a, 0.0)
    return h_new, None, (h_new,)


def rnn_step_backward(dh, dc, parts, h, c, w_hh_t, w_hr_t=None, nonlinearity="tanh"):
    """da = dh ⊙ (1 − h'²) for tanh, dh ⊙ [h' > 0] for ReLU;  dh_prev = W_hhᵀ·da."""
    (h_new,) = parts
    da = dh * (1 - h_new * h_new) if nonlinearity == "tanh" else D.where(D.raw(h_new) > 0, dh, 0.0)
    return da, da, matmul(w_hh_t, da), None


# -- the fused single-step ops ----------------------------------------------------------------------
def _bias_column(b):
    return None if b is None else D.reshape(b, (-1, 1))


def _input_projection(x, w_ih, b_ih):
    """W_ih·xᵀ + b_ih, (G·H, N): the step's input in columns."""
    gx = D.matmul(w_ih, D.transpose(x))
    return gx if b_ih is None else gx + _bias_column(b_ih)


def _cell_input_grads(ctx, x, w_ih, h, da, dgh, dh_prev):
    """The gradients of (input, hx, weight_ih, weight_hh, bias_ih, bias_hh) of a cell op, from da and dgh
    (columns, (G·H, N))."""
    need = dict(zip(ctx.op.input_names, ctx.needs_input_grad))
    return {"input": D.matmul(D.transpose(da), w_ih) if need["input"] else None,
            "hx": D.transpose(dh_prev) if need["hx"] else None,
            "weight_ih": D.matmul(da, x) if need["weight_ih"] else None,
            "weight_hh": D.matmul(dgh, h) if need["weight_hh"] else None,
            "bias_ih": da.sum(1) if need["bias_ih"] else None,
            "bias_hh": dgh.sum(1) if need["bias_hh"] else None}


class LSTMCell(Function):
    """One LSTM step as a single op (PyTorch's gate order i, f, g, o). The output is [h' | c'], (N, 2H).

    The backward step takes the gradients of h' and c' back to x, h, c and the four parameters; the
    trace shows the gates i, f, g, o (after their activations), the new cell state c and h.
    """

    forward_formula = ("a = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh = [a_i, a_f, a_g, a_o];  i, f, o = σ(a_i, a_f, a_o);  "
                       "g = tanh(a_g);  c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c')")
    backward_formulas = {
        "input": "dx = da·W_ih,  da = [dc̃ ⊙ g ⊙ i(1−i), dc̃ ⊙ c ⊙ f(1−f), dc̃ ⊙ i ⊙ (1−g²), dh' ⊙ tanh c' ⊙ o(1−o)]",
        "hx": "dh = da·W_hh", "cx": "dc = dc̃ ⊙ f,  dc̃ = dc' + dh' ⊙ o ⊙ (1 − tanh² c')",
        "weight_ih": "dW_ih = daᵀ·x", "weight_hh": "dW_hh = daᵀ·h", "bias_ih": "db_ih = Σ da",
        "bias_hh": "db_hh = Σ da"}
    intermediates = {"i": "i = σ(a_i), the input gate", "f": "f = σ(a_f), the forget gate",
                     "g": "g = tanh(a_g), the candidate", "o": "o = σ(a_o), the output gate",
                     "c": "c' = f ⊙ c + i ⊙ g", "h": "h' = o ⊙ tanh(c')"}

    @staticmethod
    def forward(ctx, input, hx, cx, weight_ih, weight_hh, bias_ih, bias_hh):
        h, c, parts = lstm_step(_input_projection(input, weight_ih, bias_ih), hx.T, cx.T, weight_hh,
                                _bias_column(bias_hh))
        i, f, g, o = parts[:4]
        ctx.show(i=i.T, f=f.T, g=g.T, o=o.T, c=c.T, h=h.T)
        ctx.save(input=input, hx=hx, cx=cx, weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih,
                 bias_hh=bias_hh, parts=parts)
        return np.ascontiguousarray(np.concatenate([h, c], axis=0).T)

    @staticmethod
    def backward(ctx, dy):
        x, h, c, w_hh = ctx.input, ctx.hx, ctx.cx, ctx.weight_hh
        hidden = w_hh.shape[1]
        parts = ctx.parts
        if ctx.create_graph:  # the gates again, as functions of the inputs, for second derivatives
            parts = lstm_step(_input_projection(x, ctx.weight_ih, ctx.bias_ih), D.transpose(h), D.transpose(c),
                              w_hh, _bias_column(ctx.bias_hh))[2]
        dy = columns(dy)
        da, dgh, dh_prev, dc_prev = lstm_step_backward(dy[:hidden], dy[hidden:], parts, None, D.transpose(c),
                                                       columns(w_hh))
        g = _cell_input_grads(ctx, x, ctx.weight_ih, h, da, dgh, dh_prev)
        return (g["input"], g["hx"], D.transpose(dc_prev) if ctx.needs_input_grad[2] else None, g["weight_ih"],
                g["weight_hh"], g["bias_ih"], g["bias_hh"])


class GRUCell(Function):
    """One GRU step as a single op (PyTorch's gate order r, z, n and formula for n). The output is h'."""

    forward_formula = ("r = σ(W_ir x + b_ir + W_hr h + b_hr);  z = σ(W_iz x + b_iz + W_hz h + b_hz);  "
                       "n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn));  h' = (1 − z) ⊙ n + z ⊙ h")
    backward_formulas = {
        "input": "dx = dgx·W_ih,  dgx = [dr̄, dz̄, dn̄],  dn̄ = dh' ⊙ (1−z) ⊙ (1−n²),  "
                 "dr̄ = dn̄ ⊙ (W_hn h + b_hn) ⊙ r(1−r),  dz̄ = dh' ⊙ (h − n) ⊙ z(1−z)",
        "hx": "dh = dh' ⊙ z + dgh·W_hh,  dgh = [dr̄, dz̄, dn̄ ⊙ r]", "weight_ih": "dW_ih = dgxᵀ·x",
        "weight_hh": "dW_hh = dghᵀ·h", "bias_ih": "db_ih = Σ dgx", "bias_hh": "db_hh = Σ dgh"}
    intermediates = {"r": "r, the reset gate", "z": "z, the update gate", "n": "n, the candidate",
                     "h": "h' = (1 − z) ⊙ n + z ⊙ h"}

    @staticmethod
    def forward(ctx, input, hx, weight_ih, weight_hh, bias_ih, bias_hh):
        h, _, parts = gru_step(_input_projection(input, weight_ih, bias_ih), hx.T, None, weight_hh,
                               _bias_column(bias_hh))
        ctx.show(r=parts[0].T, z=parts[1].T, n=parts[2].T, h=h.T)
        ctx.save(input=input, hx=hx, weight_ih=weight_ih, weight_hh=weight_hh, bias_ih=bias_ih, bias_hh=bias_hh,
                 parts=parts)
        return np.ascontiguousarray(h.T)

    @staticmethod
    def backward(ctx, dy):
        x, h, w_hh = ctx.input, ctx.hx, ctx.weight_hh
        parts = ctx.parts
        if ctx.create_graph:
            parts = gru_step(_input_projection(x, ctx.weight_ih, ctx.bias_ih), D.transpose(h), None, w_hh,
                             _bias_column(ctx.bias_hh))[2]
        dgx, dgh, dh_prev, _ = gru_step_backward(columns(dy), None, parts, D.transpose(h), None, columns(w_hh))
        g = _cell_input_grads(ctx, x, ctx.weight_ih, h, dgx, dgh, dh_prev)
        return g["input"], g["hx"], g["weight_ih"], g["weight_hh"], g["bias_ih"], g["bias_hh"]

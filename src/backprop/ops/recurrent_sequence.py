"""A recurrent layer's pass over a whole sequence as one op: the cell steps of ``ops/recurrent.py`` in a loop.

The layer first projects every time step's input with one matrix product, gx = x·W_ihᵀ + b_ih of
shape (L, N, G·H); the op then runs the time loop forward, and backpropagation through time
backward, in NumPy. Gathering the whole loop into one node keeps the engine's per-op cost out of
the loop and lets the weight gradients be one matrix product each over all steps
(dW_hh = Σₜ dāₜᵀ·hₜ₋₁). Its output holds every state: Y (L + 1, N, S), with S = H (RNN, GRU) or
P + H ([h | c], LSTM); Y[0] is the initial state and Y[t + 1] the state after step t (in the reverse
direction Y[L] is the initial state and Y[t] the state after step t). A packed batch (``batch_sizes``,
sorted by decreasing length) updates only the first ``batch_sizes[t]`` rows at step t; the others keep
their state, so the final state of each sequence is its state at its own last step.

Second derivatives: under ``create_graph`` the backward re-runs the loop on the inputs' Tensors with
the same step functions, so every value it uses is recorded, and the same BPTT loop runs on Tensors.
For an unpacked batch the LSTM's first-order loop runs on buffers allocated once per sequence
(``ops/recurrent_lstm_buffers.py``, tested against these step functions).
"""
import numpy as np

from ..autograd.function import Function
from . import dispatch as D
from . import recurrent as R
from . import recurrent_lstm_buffers as B


def _time_columns(x):
    """(L, N, F) → (L, F, N): each time step's values in columns, as the steps take them."""
    if D.is_tensor(x):
        return D.transpose(x, (0, 2, 1))
    return np.ascontiguousarray(x.transpose(0, 2, 1))


def _unroll(op, gx, h0, c0, w_hh, b_hh, w_hr, batch_sizes, reverse, nonlinearity):
    """Run the steps on columns. Returns (steps, hs, cs, h0ᵀ, c0ᵀ): per step (t, b, h_prev, c_prev, parts),
    per t the state after it, (features, N) each."""
    length, batch = gx.shape[0], gx.shape[1]
    if op.bias_outside_gates and b_hh is not None:  # added to every step's gates: once, to all of them
        gx, b_hh = gx + b_hh, None
    gx, b_hh = _time_columns(gx), None if b_hh is None else D.reshape(b_hh, (-1, 1))
    h0, c0 = R.columns(h0), R.columns(c0)
    h, c = h0, c0
    steps, hs, cs = [], [None] * length, [None] * length
    for t in (range(length - 1, -1, -1) if reverse else range(length)):
        b = batch if batch_sizes is None else int(batch_sizes[t])
        if b == batch:
            h_new, c_new, parts = op.step(gx[t], h, c, w_hh, b_hh, w_hr, nonlinearity)
        else:  # columns past b have ended (or, backwards, not begun): they keep their state
            h_new, c_new, parts = op.step(gx[t][:, :b], h[:, :b], None if c is None else c[:, :b], w_hh, b_hh,
                                          w_hr, nonlinearity)
            h_new = D.concatenate([h_new, h[:, b:]], 1)
            c_new = None if c is None else D.concatenate([c_new, c[:, b:]], 1)
        steps.append((t, b, h, c, parts))
        h, c, hs[t], cs[t] = h_new, c_new, h_new, c_new
    return steps, hs, cs, h0, c0


def _all_states(h0, c0, hs, cs, reverse):
    """Y (L + 1, N, S) from the states in columns."""
    y = R.stack(hs + [h0] if reverse else [h0] + hs)
    if c0 is not None:
        y = D.concatenate([y, R.stack(cs + [c0] if reverse else [c0] + cs)], axis=1)
    return _time_columns(y)


def _pad_columns(x, columns):
    """x (…, b) with zero columns after it up to ``columns``."""
    if x.shape[1] == columns:
        return x
    return D.concatenate([x, np.zeros((x.shape[0], columns - x.shape[1]), D.raw(x).dtype)], 1)


class _Recurrence(Function):
    """The shared loop; subclasses set ``step`` and ``step_backward`` (from ``ops/recurrent.py``)."""

    step = step_backward = None
    bias_outside_gates = True  # b_hh adds to the gates directly (not inside GRU's r ⊙ (W_hn h + b_hn))
    shown_parts = ()  # the names of the step's parts that a trace sees, stacked over time
    buffered = None  # the loop on buffers for an unpacked batch (``forward``, ``backward``, ``shown``)

    @staticmethod
    def forward(ctx, gates_x, h0, c0, weight_hh, bias_hh, weight_hr, *, batch_sizes=None, reverse=False,
                nonlinearity="tanh"):
        ctx.batch_sizes, ctx.reverse, ctx.nonlinearity = batch_sizes, reverse, nonlinearity
        ctx.buffered = ctx.op.buffered is not None and batch_sizes is None
        if ctx.buffered:
            y, loop = ctx.op.buffered.forward(gates_x, h0, c0, weight_hh, bias_hh, weight_hr, reverse)
            if ctx.observed:
                ctx.show(**ctx.op.buffered.shown(loop, reverse))
            ctx.save(gates_x=gates_x, h0=h0, c0=c0, weight_hh=weight_hh, bias_hh=bias_hh, weight_hr=weight_hr,
                     loop=loop)
            return y
        steps, hs, cs, h0_t, c0_t = _unroll(ctx.op, gates_x, h0, c0, weight_hh, bias_hh, weight_hr, batch_sizes,
                                            reverse, nonlinearity)
        if ctx.observed:
            ctx.op.show_steps(ctx, steps, hs, cs)
        ctx.save(gates_x=gates_x, h0=h0, c0=c0, weight_hh=weight_hh, bias_hh=bias_hh, weight_hr=weight_hr,
                 steps=steps)
        return _all_states(h0_t, c0_t, hs, cs, reverse)

    @staticmethod
    def show_steps(ctx, steps, hs, cs):
        batch = hs[0].shape[1]
        per_t = {t: parts for t, _, _, _, parts in steps}
        shown = {name: np.stack([_pad_columns(per_t[t][k], batch).T for t in range(len(hs))])
                 for k, name in enumerate(ctx.op.shown_parts)}
        if cs[0] is not None:
            shown["c"] = np.stack([c.T for c in cs])
        ctx.show(**shown, h=np.stack([h.T for h in hs]))

    @staticmethod
    def backward(ctx, dy):
        op = ctx.op
        gx, h0, c0, w_hh, w_hr = ctx.gates_x, ctx.h0, ctx.c0, ctx.weight_hh, ctx.weight_hr
        if ctx.create_graph:  # the states and gates again, as functions of the inputs
            steps = _unroll(op, gx, h0, c0, w_hh, ctx.bias_hh, w_hr, ctx.batch_sizes, ctx.reverse,
                            ctx.nonlinearity)[0]
        elif ctx.buffered:
            return op.buffered.backward(dy, ctx.loop, w_hh, w_hr, ctx.reverse, ctx.needs_input_grad)
        else:
            steps = ctx.steps
        length, batch, n_h = gx.shape[0], gx.shape[1], h0.shape[-1]
        reverse = ctx.reverse
        dy = _time_columns(dy)
        w_hh_t, w_hr_t = R.columns(w_hh), R.columns(w_hr)
        dtype = D.raw(dy).dtype
        dh, dc = np.zeros((n_h, batch), dtype), None if c0 is None else np.zeros((c0.shape[-1], batch), dtype)
        dgx, dgh, h_prev, dh_out, m = [None] * length, [None] * length, [None] * length, [], []
        for t, b, h, c, parts in reversed(steps):
            y_t = dy[t if reverse else t + 1]
            dh = dh + (y_t if c0 is None else y_t[:n_h])
            if c0 is not None:
                dc = dc + y_t[n_h:]
            dh_b, dc_b = (dh, dc) if b == batch else (dh[:, :b], None if dc is None else dc[:, :b])
            h_b, c_b = (h, c) if b == batch else (h[:, :b], None if c is None else c[:, :b])
            da, dah, dh_prev, dc_prev = op.step_backward(dh_b, dc_b, parts, h_b, c_b, w_hh_t, w_hr_t,
                                                         ctx.nonlinearity)
            dgx[t], dgh[t], h_prev[t] = _pad_columns(da, batch), _pad_columns(dah, batch), h
            if w_hr is not None:
                dh_out.append(_pad_columns(dh_b, batch))
                m.append(_pad_columns(parts[5], batch))
            if b == batch:
                dh, dc = dh_prev, dc_prev
            else:
                dh = D.concatenate([dh_prev, dh[:, b:]], 1)
                dc = None if dc is None else D.concatenate([dc_prev, dc[:, b:]], 1)
        y_0 = dy[length if reverse else 0]
        need = ctx.needs_input_grad
        dgh_all = _over_time(dgh) if need[3] or need[4] else None
        return (D.transpose(R.stack(dgx, axis=1), (1, 2, 0)) if need[0] else None,  # gate-major, as nn.rnn's gx
                D.transpose(dh + (y_0 if c0 is None else y_0[:n_h])) if need[1] else None,
                D.transpose(dc + y_0[n_h:]) if need[2] else None,
                R.matmul(dgh_all, D.transpose(_over_time(h_prev))) if need[3] else None,
                dgh_all.sum(1) if need[4] else None,
                R.matmul(_over_time(dh_out), D.transpose(_over_time(m))) if need[5] else None)


def _over_time(xs):
    """Columns of every step side by side: (F, N) per step → (F, L·N), so a sum over steps of products
    (dW_hh = Σₜ dgh_t·h_{t−1}ᵀ) is one product."""
    joined = R.stack(xs, axis=1)
    return D.reshape(joined, (joined.shape[0], -1))


class LSTMSequence(_Recurrence):
    """An LSTM layer's time loop (one direction) over gx = x·W_ihᵀ + b_ih; output Y = [h | c] per step."""

    forward_formula = ("for each t: a = gx_t + h·W_hhᵀ + b_hh;  i, f, o = σ(a_i, a_f, a_o);  g = tanh(a_g);  "
                       "c' = f ⊙ c + i ⊙ g;  h' = o ⊙ tanh(c') (·W_hrᵀ)")
    backward_formulas = {
        "gates_x": "dgx_t = da_t = [dc̃ ⊙ g ⊙ i(1−i), dc̃ ⊙ c ⊙ f(1−f), dc̃ ⊙ i ⊙ (1−g²), dm ⊙ tanh c' ⊙ o(1−o)]",
        "h0": "dh_{t−1} = da_t·W_hh (+ dy_{t−1}), down to t = 0",
        "c0": "dc_{t−1} = dc̃_t ⊙ f_t,  dc̃_t = dc_t + dm_t ⊙ o_t ⊙ (1 − tanh² c_t)",
        "weight_hh": "dW_hh = Σₜ da_tᵀ·h_{t−1}", "bias_hh": "db_hh = Σₜ da_t",
        "weight_hr": "dW_hr = Σₜ dh_tᵀ·m_t,  m_t = o_t ⊙ tanh c_t"}
    intermediates = {"i": "i_t, the input gates", "f": "f_t, the forget gates", "g": "g_t, the candidates",
                     "o": "o_t, the output gates", "c": "c_t, the cell states", "h": "h_t, the hidden states"}
    step, step_backward = staticmethod(R.lstm_step), staticmethod(R.lstm_step_backward)
    buffered = B.LSTMLoop
    shown_parts = ("i", "f", "g", "o")


class GRUSequence(_Recurrence):
    """A GRU layer's time loop (one direction) over gx = x·W_ihᵀ + b_ih; output Y = h per step."""

    forward_formula = ("for each t: gh = h·W_hhᵀ + b_hh;  r = σ(gx_r + gh_r);  z = σ(gx_z + gh_z);  "
                       "n = tanh(gx_n + r ⊙ gh_n);  h' = (1 − z) ⊙ n + z ⊙ h")
    backward_formulas = {
        "gates_x": "dgx_t = [dr̄, dz̄, dn̄],  dn̄ = dh ⊙ (1−z) ⊙ (1−n²),  dr̄ = dn̄ ⊙ gh_n ⊙ r(1−r),  "
                   "dz̄ = dh ⊙ (h − n) ⊙ z(1−z)",
        "h0": "dh_{t−1} = dh_t ⊙ z_t + dgh_t·W_hh,  dgh = [dr̄, dz̄, dn̄ ⊙ r], down to t = 0",
        "weight_hh": "dW_hh = Σₜ dgh_tᵀ·h_{t−1}", "bias_hh": "db_hh = Σₜ dgh_t"}
    intermediates = {"r": "r_t, the reset gates", "z": "z_t, the update gates", "n": "n_t, the candidates",
                     "h": "h_t, the hidden states"}
    step, step_backward = staticmethod(R.gru_step), staticmethod(R.gru_step_backward)
    bias_outside_gates = False
    shown_parts = ("r", "z", "n")


class RNNSequence(_Recurrence):
    """An Elman RNN layer's time loop (one direction): h' = tanh(gx_t + h·W_hhᵀ + b_hh) (or ReLU)."""

    forward_formula = "for each t: h_t = tanh(gx_t + h_{t−1}·W_hhᵀ + b_hh)"
    backward_formulas = {"gates_x": "dgx_t = da_t = dh_t ⊙ (1 − h_t²)",
                         "h0": "dh_{t−1} = da_t·W_hh (+ dy_{t−1}), down to t = 0",
                         "weight_hh": "dW_hh = Σₜ da_tᵀ·h_{t−1}", "bias_hh": "db_hh = Σₜ da_t"}
    intermediates = {"h": "h_t, the hidden states"}
    step, step_backward = staticmethod(R.rnn_step), staticmethod(R.rnn_step_backward)

    @classmethod
    def formulas(cls, ctx=None):
        """With ``nonlinearity='relu'``: h_t = ReLU(…), da_t = dh_t ⊙ [h_t > 0]."""
        forward, backward = super().formulas(ctx)
        if ctx is not None and ctx.nonlinearity == "relu":
            forward = forward.replace("tanh", "ReLU")
            backward["gates_x"] = "dgx_t = da_t = dh_t ⊙ [h_t > 0]"
        return forward, backward

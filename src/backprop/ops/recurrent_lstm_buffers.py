"""An LSTM layer's whole time loop on arrays, written into buffers allocated once per sequence.

This is the first-order path of ``LSTMSequence`` for an unpacked batch: the same formulas as
``lstm_step`` and ``lstm_step_backward`` in ``ops/recurrent.py`` (the reference, which the Tensor path
and packed batches run, and which tests check this against), arranged so that each time step costs
as few NumPy calls as we could write:

- every array holds one time step per index of its first axis, in columns (features, N), so each
  gate is a contiguous block of rows and step t writes into slice t with ``out=``; gx arrives and
  dgx leaves gate-major, (4H, L, N) in memory (``nn.rnn`` projects the input that way), so that
  going between the two layouts moves whole columns instead of transposing element by element;
- the four gates' activations are one pass: the buffer receives −(gx + W_hh·h + b_hh), with the
  g rows doubled (W_hh and gx scaled once per sequence), so σ of all rows is exp, +1 and 1/x in
  place, and g = tanh(a_g) = 2σ(2a_g) − 1;
- backward first computes, for all steps at once, the local derivatives that do not depend on the
  gradient flowing back (σ' = s(1 − s), 1 − g², …), leaving the time loop six elementwise passes
  and one product per step.
"""
import numpy as np

from . import _gemm


def lstm_forward(gx, h0, c0, w_hh, b_hh, w_hr, reverse):
    """Run the loop. Returns (Y, saved): Y (L + 1, N, P + H) as ``LSTMSequence`` returns it, and what
    :func:`lstm_backward` needs.

    Per step t: a = gx_t + W_hh·h + b_hh = [a_i, a_f, a_g, a_o];  i, f, o = σ(a_i, a_f, a_o);
    g = tanh(a_g);  c' = f ⊙ c + i ⊙ g;  m = o ⊙ tanh(c');  h' = m (W_hr·m with a projection).
    """
    length, batch, gates = gx.shape
    hidden, size = c0.shape[-1], h0.shape[-1]
    dtype = gx.dtype
    # −1 for the rows of i, f and o, −2 for g's (see the module's docstring)
    scale = np.full((gates, 1), -1, dtype)
    scale[2 * hidden:3 * hidden] = -2
    acts = np.empty((length, gates, batch), dtype)  # step t's gates, then their activations, C-ordered
    np.multiply(gx.transpose(0, 2, 1), scale, out=acts)  # (without out=, the result has gx's memory order)
    if b_hh is not None:
        acts += b_hh[:, None] * scale
    w_neg = w_hh * scale
    # states[k] = [h; c] at time index k (Y's layout): step t reads index t + reverse, writes t + 1 − reverse
    states = np.empty((length + 1, size + hidden, batch), dtype)
    first = length if reverse else 0
    states[first, :size], states[first, size:] = h0.T, c0.T
    tanh_c = np.empty((length, hidden, batch), dtype)
    m = tanh_c if w_hr is None else np.empty_like(tanh_c)
    product, ig = np.empty((gates, batch), dtype), np.empty((hidden, batch), dtype)
    one, two = np.ones((), dtype), np.array(2, dtype)  # a Python number costs each ufunc call about 1 µs more
    with np.errstate(over="ignore", under="ignore"):  # e^x = inf at a very negative gate input: σ = 0, as it should
        for t in range(length - 1, -1, -1) if reverse else range(length):
            h, c = states[t + reverse, :size], states[t + reverse, size:]
            h_new, c_new = states[t + 1 - reverse, :size], states[t + 1 - reverse, size:]
            a = acts[t]
            np.matmul(w_neg, h, out=product)
            a += product
            np.exp(a, out=a)
            a += one
            np.reciprocal(a, out=a)
            i, f, g, o = a[:hidden], a[hidden:2 * hidden], a[2 * hidden:3 * hidden], a[3 * hidden:]
            g *= two
            g -= one
            np.multiply(f, c, out=c_new)
            c_new += np.multiply(i, g, out=ig)
            np.tanh(c_new, out=tanh_c[t])
            if w_hr is None:
                np.multiply(o, tanh_c[t], out=h_new)
            else:
                np.matmul(w_hr, np.multiply(o, tanh_c[t], out=m[t]), out=h_new)
    saved = {"acts": acts, "states": states, "tanh_c": tanh_c, "m": m}
    return np.ascontiguousarray(states.transpose(0, 2, 1)), saved  # a copy: the buffers stay backward's own


def lstm_shown(saved, reverse):
    """What a trace sees (``LSTMSequence.intermediates``): i, f, g, o, c and h of every step t, (L, N, ·)."""
    acts, states, hidden = saved["acts"], saved["states"], saved["tanh_c"].shape[1]
    after = states[1 - reverse:len(states) - reverse].transpose(0, 2, 1)  # the state after each step t
    gates = {name: acts[:, k * hidden:(k + 1) * hidden].transpose(0, 2, 1) for k, name in enumerate("ifgo")}
    return {**gates, "c": after[..., -hidden:], "h": after[..., :-hidden]}


def _local_derivatives(acts, c_prev, tanh_c):
    """For all steps at once: ∂a-factors p = [g ⊙ i(1−i), c ⊙ f(1−f), i ⊙ (1−g²), tanh c' ⊙ o(1−o)]
    (L, 4H, N) and q = o ⊙ (1 − tanh² c') (L, H, N), so that da = p ⊙ [dc̃, dc̃, dc̃, dm] and
    dc̃ = dc + dm ⊙ q."""
    hidden = tanh_c.shape[1]
    i, f, g, o = (acts[:, k * hidden:(k + 1) * hidden] for k in range(4))
    p = np.subtract(1, acts)
    p *= acts  # s(1 − s) in every block; g's is replaced next
    p_i, p_f, p_g, p_o = (p[:, k * hidden:(k + 1) * hidden] for k in range(4))
    np.multiply(g, g, out=p_g)
    np.subtract(1, p_g, out=p_g)
    p_i *= g
    p_f *= c_prev
    p_g *= i
    p_o *= tanh_c
    q = np.multiply(tanh_c, tanh_c)
    np.subtract(1, q, out=q)
    q *= o
    return p, q


def _over_time(x):
    """(L, F, N) → (F, L·N): every step's columns side by side, so that a sum over steps of products
    (dW_hh = Σₜ da_t·h_{t−1}ᵀ) is one product. Each column block moves whole, which is cheap."""
    joined = np.empty((x.shape[1], x.shape[0], x.shape[2]), x.dtype)
    np.copyto(joined, x.transpose(1, 0, 2))
    return joined.reshape(x.shape[1], -1)


def lstm_backward(dy, saved, w_hh, w_hr, reverse, need):
    """Backpropagation through time. ``need`` = needs_input_grad of (gates_x, h0, c0, weight_hh,
    bias_hh, weight_hr); returns their gradients (None where not needed).

    Per step, from the last: dh += dy_h;  dc += dy_c;  dm = dh (W_hrᵀ·dh);  dc̃ = dc + dm ⊙ q;
    da = p ⊙ [dc̃, dc̃, dc̃, dm];  dc = dc̃ ⊙ f;  dh = W_hhᵀ·da.
    """
    acts, states, tanh_c, m = saved["acts"], saved["states"], saved["tanh_c"], saved["m"]
    length, gates, batch = acts.shape
    hidden, size = tanh_c.shape[1], states.shape[1] - tanh_c.shape[1]
    dtype = acts.dtype
    before = slice(reverse, length + reverse)  # the state each step starts from, per t
    da, q = _local_derivatives(acts, states[before, size:], tanh_c)  # da: p now, p ⊙ […] after the loop
    w_hh_t = np.ascontiguousarray(w_hh.T)
    w_hr_t = None if w_hr is None else np.ascontiguousarray(w_hr.T)
    dh_out = None if w_hr is None else np.empty((length, size, batch), dtype)  # dh before W_hrᵀ, for dW_hr
    d_state = np.zeros((size + hidden, batch), dtype)  # [dh; dc], what reaches the state from later steps
    dh, dc = d_state[:size], d_state[size:]
    dm, dq = (np.empty((hidden, batch), dtype) for _ in range(2))
    for t in range(length) if reverse else range(length - 1, -1, -1):
        d_state += dy[t + 1 - reverse].T  # reading dy's rows transposed: as fast as a transposing copy of it
        if w_hr is None:
            dm = dh
        else:
            dh_out[t] = dh
            np.matmul(w_hr_t, dh, out=dm)
        dc += np.multiply(dm, q[t], out=dq)  # dc̃
        da_t = da[t]
        ifg = da_t[:3 * hidden].reshape(3, hidden, batch)
        ifg *= dc
        da_t[3 * hidden:] *= dm
        dc *= acts[t, hidden:2 * hidden]
        np.matmul(w_hh_t, da_t, out=dh)
    d_state += dy[length if reverse else 0].T
    da = _over_time(da)  # (4H, L·N)
    # one product each (not summed over blocks of K_BLOCK as in ops/recurrent.py): the step 1–2 % faster here
    d_w_hh = _gemm.matmul(da, _over_time(states[before, :size]).T) if need[3] else None
    d_w_hr = _gemm.matmul(_over_time(dh_out), _over_time(m).T) if need[5] else None
    return (da.reshape(gates, length, batch).transpose(1, 2, 0) if need[0] else None,  # (L, N, 4H), gate-major
            dh.T if need[1] else None,
            dc.T if need[2] else None,
            d_w_hh,
            np.add.reduce(da, 1) if need[4] else None,
            d_w_hr)


class LSTMLoop:
    """``LSTMSequence``'s loop for an unpacked batch: its forward, backward and what a trace sees."""

    forward, backward, shown = staticmethod(lstm_forward), staticmethod(lstm_backward), staticmethod(lstm_shown)

"""Recurrent layers: forward over the whole sequence plus backward of ``out.sum()``, LSTM and GRU (issue 17).

Run:  python bench/rnn.py [--workloads small,large] [--cells lstm,gru] [--rounds 7]

Workloads: ``small`` 32→64, L = 50, N = 32; ``large`` 128→256, L = 100, N = 64; one layer, float32,
the input and every parameter requiring grad. Implementations: ``backprop`` (``bp.nn.LSTM``/``GRU``), ``jit``
(the same step under ``bp.jit``, replayed);
``torch`` (CPU, when installed); ``numpy``, the same layer written out by hand as lean as we can (one
input projection for all steps, per step one product forward and one backward, the weight gradients
as one product over all steps): the floor for a NumPy framework; ``matmul``, only those products.

Method: one BLAS thread (set before NumPy is imported, and with threadpoolctl when installed) and
``torch.set_num_threads(1)``; every implementation warmed up, then rounds alternating them. Reported:
median ms of CPU time (``time.process_time``: on a shared machine the time other processes take
the core is left out; with one thread it is the step's own time), interquartile range, ratio to
torch. Outputs and gradients are compared first.
"""
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

WORKLOADS = {"small": (32, 64, 50, 32), "large": (128, 256, 100, 64)}  # input size, hidden, L, N
GATES = {"lstm": 4, "gru": 3}


def make_problem(cell, workload, seed=0):
    i, h, length, batch = WORKLOADS[workload]
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(h)
    g = GATES[cell] * h
    weights = {"weight_ih_l0": rng.uniform(-bound, bound, (g, i)), "weight_hh_l0": rng.uniform(-bound, bound, (g, h)),
               "bias_ih_l0": rng.uniform(-bound, bound, g), "bias_hh_l0": rng.uniform(-bound, bound, g)}
    weights = {k: v.astype(np.float32) for k, v in weights.items()}
    return weights, rng.standard_normal((length, batch, i)).astype(np.float32)


def backprop_step(cell, weights, x, jit=False):
    import backprop as bp

    h = weights["weight_hh_l0"].shape[1]
    layer = (bp.nn.LSTM if cell == "lstm" else bp.nn.GRU)(x.shape[2], h)
    layer.load_state_dict(weights)
    xt = bp.tensor(x, requires_grad=True)

    def step():
        layer.zero_grad()
        xt.grad = None
        out, _ = layer(xt)
        out.sum().backward()
        return out, layer.weight_hh_l0.grad

    step = bp.jit(step) if jit else step  # under bp.jit: replayed from the third call
    return lambda: tuple(t.data for t in step())


def torch_step(cell, weights, x):
    import torch

    torch.set_num_threads(1)
    h = weights["weight_hh_l0"].shape[1]
    layer = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(x.shape[2], h)
    layer.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()})
    xt = torch.from_numpy(x).requires_grad_()

    def step():
        layer.zero_grad()
        xt.grad = None
        out, _ = layer(xt)
        out.sum().backward()
        return out.detach().numpy(), layer.weight_hh_l0.grad.numpy()
    return step


def _sigmoid(a, out):
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def numpy_step(cell, weights, x):
    """The layer by hand: preallocated buffers, ``out=`` arguments, the fewest passes we could write."""
    w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
    b = weights["bias_ih_l0"] + weights["bias_hh_l0"]
    b_hh = weights["bias_hh_l0"]
    length, batch, _ = x.shape
    h = w_hh.shape[1]
    x2 = x.reshape(length * batch, -1)
    lstm = cell == "lstm"

    if lstm:
        return _numpy_lstm_step(w_ih, w_hh, b, x2, length, batch)

    def step():
        hs = np.zeros((length + 1, batch, h), np.float32)
        gx = (x2 @ w_ih.T + weights["bias_ih_l0"]).reshape(length, batch, 3 * h)
        rz = np.empty((length, batch, 2 * h), np.float32)
        ns = np.empty((length, batch, h), np.float32)
        ghn = np.empty((length, batch, h), np.float32)
        for t in range(length):
            gh = hs[t] @ w_hh.T + b_hh
            _sigmoid(gx[t, :, :2 * h] + gh[:, :2 * h], rz[t])
            ghn[t] = gh[:, 2 * h:]
            np.tanh(gx[t, :, 2 * h:] + rz[t, :, :h] * ghn[t], out=ns[t])
            np.multiply(rz[t, :, h:], hs[t] - ns[t], out=hs[t + 1])
            hs[t + 1] += ns[t]
        dgx = np.empty((length, batch, 3 * h), np.float32)
        dgh = np.empty((length, batch, 3 * h), np.float32)
        dh = np.zeros((batch, h), np.float32)
        for t in range(length - 1, -1, -1):
            r, z, n = rz[t, :, :h], rz[t, :, h:], ns[t]
            dh += 1
            dn = dh * (1 - z) * (1 - n * n)
            dgx[t, :, :h] = dgh[t, :, :h] = dn * ghn[t] * r * (1 - r)
            dgx[t, :, h:2 * h] = dgh[t, :, h:2 * h] = dh * (hs[t] - n) * z * (1 - z)
            dgx[t, :, 2 * h:] = dn
            np.multiply(dn, r, out=dgh[t, :, 2 * h:])
            dh = dh * z + dgh[t] @ w_hh
        d2 = dgh.reshape(length * batch, -1)
        dx2 = dgx.reshape(length * batch, -1)
        return hs[1:], d2.T @ hs[:-1].reshape(length * batch, h), dx2.T @ x2, dx2 @ w_ih, d2.sum(0)
    return step


def _over_time(x):
    """(L, F, N) → (F, L·N), moving whole columns."""
    joined = np.empty((x.shape[1], x.shape[0], x.shape[2]), x.dtype)
    np.copyto(joined, x.transpose(1, 0, 2))
    return joined.reshape(x.shape[1], -1)


def _numpy_lstm_step(w_ih, w_hh, b, x2, length, batch):
    """The LSTM by hand with ops/recurrent_lstm_buffers.py's layout: per step columns (features, N), the
    projection gate-major, −(gates) with g doubled so σ of all four blocks is exp, +1, 1/x in place
    (tanh g = 2σ(2a) − 1), backward's local derivatives for all steps before the loop."""
    h, f32 = w_hh.shape[1], np.float32
    scale = np.full((4 * h, 1), -1, f32)
    scale[2 * h:3 * h] = -2
    w_neg, b_neg, w_hh_t = w_hh * scale, b[:, None] * scale, np.ascontiguousarray(w_hh.T)
    one, two = np.ones((), f32), np.array(2, f32)

    def step():
        acts = np.empty((length, 4 * h, batch), f32)
        np.multiply((w_ih @ x2.T).reshape(4 * h, length, batch).transpose(1, 0, 2), scale, out=acts)
        acts += b_neg
        states = np.zeros((length + 1, 2 * h, batch), f32)  # [h; c] per time index
        tanh_c = np.empty((length, h, batch), f32)
        product, ig = np.empty((4 * h, batch), f32), np.empty((h, batch), f32)
        with np.errstate(over="ignore"):
            for t in range(length):
                a, hc, new = acts[t], states[t], states[t + 1]
                np.matmul(w_neg, hc[:h], out=product)
                a += product
                np.exp(a, out=a)
                a += one
                np.reciprocal(a, out=a)
                g = a[2 * h:3 * h]
                g *= two
                g -= one
                np.multiply(a[h:2 * h], hc[h:], out=new[h:])
                new[h:] += np.multiply(a[:h], g, out=ig)
                np.tanh(new[h:], out=tanh_c[t])
                np.multiply(a[3 * h:], tanh_c[t], out=new[:h])
        i, f, g, o = (acts[:, k * h:(k + 1) * h] for k in range(4))
        p = np.subtract(1, acts)
        p *= acts
        np.multiply(g, g, out=p[:, 2 * h:3 * h])
        np.subtract(1, p[:, 2 * h:3 * h], out=p[:, 2 * h:3 * h])
        p[:, :h] *= g
        p[:, h:2 * h] *= states[:-1, h:]
        p[:, 2 * h:3 * h] *= i
        p[:, 3 * h:] *= tanh_c
        q = np.multiply(tanh_c, tanh_c)
        np.subtract(1, q, out=q)
        q *= o
        # backward of out.sum(): every h_t gets 1 from the output, plus what flows back from t + 1
        dh, dc, dq = np.zeros((h, batch), f32), np.zeros((h, batch), f32), np.empty((h, batch), f32)
        for t in range(length - 1, -1, -1):
            dh += one
            dc += np.multiply(dh, q[t], out=dq)
            d = p[t]
            ifg = d[:3 * h].reshape(3, h, batch)
            ifg *= dc
            d[3 * h:] *= dh
            dc *= f[t]
            np.matmul(w_hh_t, d, out=dh)
        da = _over_time(p)
        out = np.ascontiguousarray(states[1:, :h].transpose(0, 2, 1))
        return out, da @ _over_time(states[:-1, :h]).T, da @ x2, w_ih.T @ da, da.sum(1)
    return step


def matmul_step(cell, weights, x):
    """Only the products: the input projection, per step h·W_hhᵀ and dgates·W_hh, then dW_hh, dW_ih and dx."""
    w_ih, w_hh = weights["weight_ih_l0"], weights["weight_hh_l0"]
    length, batch, _ = x.shape
    h = w_hh.shape[1]
    x2 = x.reshape(length * batch, -1)
    hs = np.ones((length, batch, h), np.float32) * 0.1
    d = np.ones((length, batch, w_hh.shape[0]), np.float32) * 0.1
    out = np.empty((batch, w_hh.shape[0]), np.float32)
    dh = np.empty((batch, h), np.float32)

    def step():
        x2 @ w_ih.T
        for t in range(length):
            np.matmul(hs[t], w_hh.T, out=out)
        for t in range(length):
            np.matmul(d[t], w_hh, out=dh)
        d2 = d.reshape(length * batch, -1)
        return d2.T @ hs.reshape(length * batch, h), d2.T @ x2, d2 @ w_ih
    return step


def _check(cell, steps):
    """Outputs and dW_hh of backprop and torch agree (float32)."""
    if "torch" not in steps:
        return
    out_a, dw_a = steps["backprop"]()[:2]
    out_b, dw_b = steps["torch"]()[:2]
    np.testing.assert_allclose(out_a, out_b, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(dw_a, dw_b, rtol=1e-3, atol=1e-2)
    out_n, dw_n = steps["numpy"]()[:2]
    np.testing.assert_allclose(out_n, out_b, rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(dw_n, dw_b, rtol=1e-3, atol=1e-2)


def run(cell, workload, rounds):
    weights, x = make_problem(cell, workload)
    steps = {"backprop": backprop_step(cell, weights, x), "jit": backprop_step(cell, weights, x, jit=True)}
    try:
        steps["torch"] = torch_step(cell, weights, x)
    except ImportError:
        pass
    steps["numpy"] = numpy_step(cell, weights, x)
    steps["matmul"] = matmul_step(cell, weights, x)
    _check(cell, steps)
    times = {name: [] for name in steps}
    for step in steps.values():  # warm up (a jitted step is captured by its third call)
        for _ in range(3):
            step()
    for _ in range(rounds):
        for name, step in steps.items():
            start = time.process_time()
            step()
            times[name].append((time.process_time() - start) * 1e3)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", default="small,large")
    parser.add_argument("--cells", default="lstm,gru")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    print(f"{'workload':<22}{'implementation':<12}{'median ms':>11}{'IQR ms':>9}{'× torch':>9}")
    for workload in args.workloads.split(","):
        i, h, length, batch = WORKLOADS[workload]
        for cell in args.cells.split(","):
            times = run(cell, workload, args.rounds)
            ref = statistics.median(times["torch"]) if "torch" in times else None
            label = f"{cell.upper()} {i}→{h} L={length} N={batch}"
            for name, ts in times.items():
                q = statistics.quantiles(ts, n=4) if len(ts) > 1 else [ts[0]] * 3
                med = statistics.median(ts)
                ratio = f"{med / ref:>9.2f}" if ref else f"{'—':>9}"
                print(f"{label:<22}{name:<12}{med:>11.1f}{q[2] - q[0]:>9.1f}{ratio}")
                label = ""


if __name__ == "__main__":
    main()

"""bp.jit replays give bitwise eager mode's losses, weights, buffers and optimizer state, step after step."""
import collections

import numpy as np
import pytest

import backprop as bp

STEPS = 50
OPTIMIZERS = {
    "sgd": lambda params, wd: bp.optim.SGD(params, lr=0.1, weight_decay=wd),
    "momentum": lambda params, wd: bp.optim.SGD(params, lr=0.05, momentum=0.9, nesterov=True, weight_decay=wd),
    "adam": lambda params, wd: bp.optim.Adam(params, lr=0.01, weight_decay=wd),
    "rmsprop": lambda params, wd: bp.optim.RMSprop(params, lr=0.01, momentum=0.5, weight_decay=wd),
}
# plain; dropout; batch norm; weight decay + gradient clipping (inside the step) + a scheduler (outside it)
SETUPS = {
    "plain": {},
    "dropout": {"dropout": 0.3},
    "batchnorm": {"batch_norm": True},
    "decay_clip_scheduler": {"weight_decay": 0.01, "clip": 0.5, "scheduler": True},
}


def data(n_batches=STEPS, batch=16, seed=0):
    rng = np.random.default_rng(seed)
    xs = [bp.tensor(rng.standard_normal((batch, 4)).astype(np.float32)) for _ in range(n_batches)]
    ys = [bp.tensor(rng.integers(0, 3, batch)) for _ in range(n_batches)]
    return xs, ys


def build(optimizer="sgd", dropout=0.0, batch_norm=False, weight_decay=0.0, clip=None, scheduler=False):
    bp.manual_seed(0)
    layers = [bp.nn.Linear(4, 16)] + ([bp.nn.BatchNorm1d(16)] if batch_norm else []) + [bp.nn.ReLU()]
    layers += ([bp.nn.Dropout(dropout)] if dropout else []) + [bp.nn.Linear(16, 3)]
    model = bp.nn.Sequential(*layers)
    opt = OPTIMIZERS[optimizer](model.parameters(), weight_decay)
    sched = bp.optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5) if scheduler else None
    loss_fn = bp.nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is not None:
            bp.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        return loss

    return model, opt, sched, step


def classifier(seed=0):
    """A 3 → 5 → 3 ReLU network and its SGD, the same at every call."""
    bp.manual_seed(seed)
    model = bp.nn.Sequential(bp.nn.Linear(3, 5), bp.nn.ReLU(), bp.nn.Linear(5, 3))
    return model, bp.optim.SGD(model.parameters(), lr=0.1)


def train(use_jit, xs, ys, **setup):
    model, opt, sched, step = build(**setup)
    if use_jit:
        step = bp.jit(step)
    losses = []
    for i, (x, y) in enumerate(zip(xs, ys)):
        losses.append(step(x, y))
        if sched is not None and i % 3 == 2:
            sched.step()
    state = [a.data.copy() for a in (*model.parameters(), *model.buffers())]
    opt_state = [{k: np.copy(v) for k, v in s.items()} for s in opt.state.values()]
    return [loss.item() for loss in losses], state, opt_state, step


def assert_bitwise(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, dict):
            assert_bitwise(list(x.values()), list(y.values()))
        else:
            x, y = np.asarray(x), np.asarray(y)
            assert x.dtype == y.dtype and x.shape == y.shape and np.array_equal(x, y)


@pytest.mark.parametrize("setup", SETUPS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_replay_is_bitwise_eager(optimizer, setup):
    xs, ys = data()
    eager = train(False, xs, ys, optimizer=optimizer, **SETUPS[setup])
    jitted = train(True, xs, ys, optimizer=optimizer, **SETUPS[setup])
    step = jitted[3]
    assert step.last_replay and step.captures == 1, step.eager_reason
    assert eager[0] == jitted[0]  # the losses, as Python floats
    assert_bitwise(eager[1], jitted[1])  # parameters and buffers (running statistics)
    assert_bitwise(eager[2], jitted[2])  # the optimizer's state


def test_returned_losses_are_fresh_tensors():
    xs, ys = data(6)
    *_, step = build()
    step = bp.jit(step)
    losses = [step(x, y) for x, y in zip(xs, ys)]
    values = [loss.item() for loss in losses]
    assert len(set(values)) == len(values)
    assert all(isinstance(loss, bp.Tensor) and loss.shape == () for loss in losses)


def descend(model, opt, loss_fn, x, y):
    """One step as PyTorch's users write it: the model's output and the loss."""
    opt.zero_grad()
    out = model(x)
    loss = loss_fn(out, y)
    loss.backward()
    opt.step()
    return out, loss


Pair = collections.namedtuple("Pair", "loss out")


def test_returned_numbers_and_structures_are_replayed():
    xs, ys = data(6)
    model, opt, _, _ = build()
    loss_fn = bp.nn.CrossEntropyLoss()

    def step(x, y):
        out, loss = descend(model, opt, loss_fn, x, y)
        hits = (out.argmax(1) == y).sum().item()  # a Python int: found again by its value, not its identity
        return {"loss": loss.item(), "out": out, "hits": hits, "pair": Pair(loss.item(), out), "tag": "step"}

    eager_model, eager_opt, _, _ = build()
    jitted = bp.jit(step)
    for x, y in zip(xs, ys):
        got = jitted(x, y)
        out, loss = descend(eager_model, eager_opt, loss_fn, x, y)
        assert got["loss"] == loss.item() and got["tag"] == "step"
        assert got["hits"] == (out.argmax(1) == y).sum().item()
        assert np.array_equal(got["out"].data, out.data)
        pair = got["pair"]  # a named tuple keeps its type and fields
        assert type(pair) is Pair and pair.loss == loss.item() and np.array_equal(pair.out.data, out.data)
    assert jitted.last_replay


@pytest.mark.parametrize("setup", ["dropout", "decay_clip_scheduler"])
def test_replay_that_lets_every_array_go_early_is_bitwise_eager(setup, monkeypatch):
    from backprop.jit import memory

    monkeypatch.setattr(memory, "FREE_ABOVE", 0)  # every register is dropped after its last reader
    xs, ys = data(12)
    eager = train(False, xs, ys, optimizer="adam", **SETUPS[setup])
    jitted = train(True, xs, ys, optimizer="adam", **SETUPS[setup])
    assert jitted[3].last_replay and eager[0] == jitted[0]
    assert_bitwise(eager[1], jitted[1])


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_updates_in_the_programs_workspace_are_bitwise_eager(optimizer, monkeypatch):
    from backprop.jit import program

    monkeypatch.setattr(program, "REUSE_ABOVE", 0)  # every update's temporaries come from the workspace
    xs, ys = data(12)
    eager = train(False, xs, ys, optimizer=optimizer, **SETUPS["decay_clip_scheduler"])
    jitted = train(True, xs, ys, optimizer=optimizer, **SETUPS["decay_clip_scheduler"])
    assert jitted[3].last_replay and eager[0] == jitted[0]
    assert_bitwise(eager[1], jitted[1])
    assert_bitwise(eager[2], jitted[2])


def test_returned_activations_keep_their_values_and_gradient_buffers_are_reused():
    """A replay writes layer outputs and gradients into buffers it made once: what it returns is copied
    out of them, and a parameter's .grad after a replay is the same array as after the replay before
    (as with CUDA graphs' static memory), holding this step's gradient."""
    xs, ys = data(6)
    model, opt, _, _ = build()
    eager_model, eager_opt, _, _ = build()
    loss_fn = bp.nn.CrossEntropyLoss()

    jitted = bp.jit(lambda x, y: descend(model, opt, loss_fn, x, y))
    kept, expected, grads, grad_tensors = [], [], [], []
    for x, y in zip(xs, ys):
        kept.append(jitted(x, y)[0])
        expected.append(descend(eager_model, eager_opt, loss_fn, x, y)[0].data.copy())
        grads.append(model[0].weight.grad.data)
        grad_tensors.append(model[0].weight.grad)
        assert np.array_equal(grads[-1], eager_model[0].weight.grad.data)
    assert jitted.last_replay
    assert all(np.array_equal(k.data, e) for k, e in zip(kept, expected))
    assert grads[-1] is grads[-2] and grads[-2] is grads[-3]  # replays 3 to 6 (calls 4 to 6) share it
    # and so do the gradient Tensors the replays leave (the first replay makes it), as with a CUDA graph
    assert all(t is grad_tensors[-4] for t in grad_tensors[-3:]) and grad_tensors[-5] is not grad_tensors[-4]


def test_two_backward_passes_through_a_retained_graph_are_bitwise_eager():
    """Each pass's gradients are its own arrays (a node that runs backward twice gets no buffers)."""
    xs, ys = data(6)
    loss_fn = bp.nn.CrossEntropyLoss()

    def make():
        model, opt, _, _ = build()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward(retain_graph=True)
            (loss * 2).backward()  # .grad = 3 × one pass's gradient
            opt.step()
            return loss

        return model, step

    (eager_model, eager), (model, jitted) = make(), make()
    jitted = bp.jit(jitted)
    assert [eager(x, y).item() for x, y in zip(xs, ys)] == [jitted(x, y).item() for x, y in zip(xs, ys)]
    assert jitted.last_replay, jitted.eager_reason
    assert_bitwise([p.data for p in eager_model.parameters()], [p.data for p in model.parameters()])


def test_a_step_that_computes_its_accuracy_from_max_topk_and_sort_indices_replays_bitwise():
    """``_, pred = out.max(1)`` inside the step, as PyTorch users write it: the indices come from ops, so
    the step replays instead of running eagerly."""
    loss_fn = bp.nn.CrossEntropyLoss()

    def make():
        model, opt, _, _ = build()

        def step(x, y):
            out, loss = descend(model, opt, loss_fn, x, y)
            _, pred = out.max(1)
            return loss.item(), (pred == y).float().mean().item(), pred, out.topk(2, 1).indices, out.sort(1).indices

        return step

    eager, jitted = make(), bp.jit(make())
    for x, y in zip(*data(6)):
        expected, got = eager(x, y), jitted(x, y)
        assert got[:2] == expected[:2]
        assert all(g.dtype == np.int64 and np.array_equal(g.data, e.data) for g, e in zip(got[2:], expected[2:]))
    assert jitted.last_replay


def test_a_step_that_draws_noise_replays_bitwise_in_eager_modes_order():
    # a VAE's reparameterisation (ε = randn_like(σ)), noise on the inputs, a random subset of the batch
    xs, ys = data(12)

    def run(use_jit):
        model, opt, _, _ = build()
        loss_fn = bp.nn.CrossEntropyLoss()

        def step(x, y):
            opt.zero_grad()
            noisy = x + 0.1 * bp.randn_like(x) + 0.01 * bp.rand(*x.shape)
            keep = bp.randint(0, 2, (x.shape[0],)).float().unsqueeze(1)
            order = bp.randperm(x.shape[0])
            loss = loss_fn(model(noisy * keep)[order], y[order])
            loss.backward()
            opt.step()
            return loss

        step = bp.jit(step) if use_jit else step
        bp.manual_seed(3)
        losses = [step(x, y).item() for x, y in zip(xs, ys)]
        return losses, [p.data.copy() for p in model.parameters()], step

    eager, replayed = run(False), run(True)
    assert eager[0] == replayed[0]
    assert_bitwise(eager[1], replayed[1])
    assert replayed[2].last_replay and replayed[2].captures == 1

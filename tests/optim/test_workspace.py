"""bp.optim.Workspace: the update functions' temporaries lent from buffers made once, bitwise as eagerly."""
import numpy as np
import pytest

import backprop as bp
from backprop import optim

UPDATES = {  # update function, hyperparameters (the ones with the most temporaries in play)
    "sgd": (optim.sgd_update, dict(lr=0.1)),
    "sgd_nesterov_decay": (optim.sgd_update, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    "adam_amsgrad_decay": (optim.adam_update, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                                                   amsgrad=True)),
    "adamw": (optim.adam_update, dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                                      decoupled_weight_decay=True)),
    "rmsprop_centered": (optim.rmsprop_update, dict(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0.01,
                                                    momentum=0.5, centered=True)),
    "adagrad": (optim.adagrad_update, dict(lr=0.1, weight_decay=0.01)),
    "adamax": (optim.adamax_update, dict(lr=0.01, weight_decay=0.01)),
    "adadelta": (optim.adadelta_update, dict(lr=1.0, weight_decay=0.01)),
    "nadam": (optim.nadam_update, dict(lr=0.01, weight_decay=0.01)),
    "radam": (optim.radam_update, dict(lr=0.01, weight_decay=0.01)),
}


def _run(update, hyper, shapes, workspace, steps=6):
    rng = np.random.default_rng(0)
    params = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    states = [{} for _ in shapes]
    for _ in range(steps):
        for p, state in zip(params, states):
            grad = rng.standard_normal(p.shape).astype(np.float32)
            if workspace is None:
                update(p, grad, state, **hyper)
            else:
                with workspace:
                    update(p, grad, state, **hyper)
    return params, states


@pytest.mark.parametrize("name", UPDATES)
def test_updates_in_a_workspace_are_bitwise_eager_and_keep_no_temporary(name):
    update, hyper = UPDATES[name]
    shapes = [(3, 4), (), (5,), (6, 7)]  # a 0-d parameter, and a larger one after smaller ones
    eager_params, eager_states = _run(update, hyper, shapes, None)
    workspace = optim.Workspace()
    params, states = _run(update, hyper, shapes, workspace)
    for a, b in zip(eager_params, params):
        assert a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)
    for s, t in zip(eager_states, states):
        assert s.keys() == t.keys()
        for key in s:
            assert np.array_equal(s[key], t[key]), key
            # the state kept from step to step never lives in a lent buffer
            assert not any(np.shares_memory(np.asarray(t[key]), b) for b in workspace.buffers), key
    assert workspace.nbytes > 0


def test_a_block_gets_back_the_arrays_of_the_block_before():
    workspace = optim.Workspace()
    with workspace:
        a = bp.optim.workspace.temporary(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
        b = bp.optim.workspace.temporary(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
    with workspace:
        again = bp.optim.workspace.temporary(np.zeros((2, 3), np.float32), np.zeros((2, 3), np.float32))
        larger = bp.optim.workspace.temporary(np.zeros(10, np.float64), np.zeros(10, np.float64))
    assert again is a and not np.shares_memory(a, b)
    assert larger.shape == (10,) and larger.dtype == np.float64  # the second buffer grew
    assert workspace.nbytes == 2 * 3 * 4 + 10 * 8
    # outside a block each call makes a new array, and no workspace is active
    p = np.zeros(3, np.float32)
    assert bp.optim.workspace.temporary(p, p) is not bp.optim.workspace.temporary(p, p)
    assert bp.optim.workspace.ACTIVE.get() is None


def test_an_optimizer_step_inside_a_workspace_gives_the_eager_step():
    def trained(workspace):
        bp.manual_seed(0)
        model = bp.nn.Linear(8, 4)
        opt = bp.optim.Adam(model.parameters(), lr=0.01, weight_decay=0.1)
        for i in range(5):
            opt.zero_grad()
            model(bp.ones(3, 8) * i).sum().backward()
            if workspace is None:
                opt.step()
            else:
                with workspace:
                    opt.step()
        return [p.data.copy() for p in model.parameters()]

    for a, b in zip(trained(None), trained(optim.Workspace())):
        assert np.array_equal(a, b)

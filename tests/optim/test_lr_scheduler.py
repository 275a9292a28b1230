"""Learning-rate schedulers: literal sequences, PyTorch's sequences, state_dict round trips."""
import math
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, StepLR


def make_optimizer(lrs=(0.1,)):
    groups = [{"params": [bp.tensor(np.zeros(2), requires_grad=True)], "lr": lr} for lr in lrs]
    return bp.optim.SGD(groups, lr=1.0, momentum=0.9)


def sequence(scheduler, n):
    lrs = [scheduler.get_last_lr()]
    for _ in range(n):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in scheduler.optimizer.param_groups]
    return lrs


def test_step_lr_literal():
    lrs = sequence(StepLR(make_optimizer(), step_size=2, gamma=0.5), 6)
    assert [lr for lr, in lrs] == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125], rel=1e-15)


def test_exponential_lr_literal():
    sched = ExponentialLR(make_optimizer(), gamma=0.9)
    lrs = sequence(sched, 3)
    assert [lr for lr, in lrs] == pytest.approx([0.1, 0.09, 0.081, 0.0729], rel=1e-15)
    assert sched.last_epoch == 3 and sched.base_lrs == [0.1]
    assert sched.optimizer.param_groups[0]["initial_lr"] == 0.1


def test_cosine_annealing_literal():
    # lr_t = eta_min + (0.1 − eta_min)(1 + cos(πt/4))/2, eta_min = 0.02: 0.1, 0.0883, 0.06, 0.0317, 0.02, ...
    lrs = [lr for lr, in sequence(CosineAnnealingLR(make_optimizer(), T_max=4, eta_min=0.02), 8)]
    closed = [0.02 + 0.08 * (1 + math.cos(math.pi * t / 4)) / 2 for t in range(9)]
    assert lrs == pytest.approx(closed, abs=1e-15)
    assert lrs[4] == pytest.approx(0.02, abs=1e-15) and lrs[8] == pytest.approx(0.1, abs=1e-15)


def test_validation():
    with pytest.raises(ValueError, match="step_size must be a positive integer, got 0"):
        StepLR(make_optimizer(), step_size=0)
    with pytest.raises(ValueError, match="T_max must be a positive integer, got 2.5"):
        CosineAnnealingLR(make_optimizer(), T_max=2.5)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(object(), step_size=1)
    with pytest.raises(KeyError, match="initial_lr"):
        StepLR(make_optimizer(), step_size=1, last_epoch=3)


@pytest.mark.parametrize("make", [lambda o: StepLR(o, step_size=3, gamma=0.7),
                                  lambda o: ExponentialLR(o, gamma=0.8),
                                  lambda o: CosineAnnealingLR(o, T_max=5, eta_min=0.001)],
                         ids=["StepLR", "ExponentialLR", "CosineAnnealingLR"])
def test_state_dict_round_trip(make):
    opt = make_optimizer((0.1, 0.3))
    sched = make(opt)
    sequence(sched, 4)
    saved_opt, saved_sched = opt.state_dict(), sched.state_dict()
    expected = sequence(sched, 8)[1:]
    # Resuming: a new optimizer and scheduler, scheduler built first, then both states loaded.
    opt2 = make_optimizer((5.0, 5.0))
    sched2 = make(opt2)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    assert sched2.last_epoch == 4 and sched2.optimizer is opt2
    assert sequence(sched2, 8)[1:] == expected


@pytest.mark.parametrize("name, kwargs, steps", [("StepLR", dict(step_size=3), 12),
                                                 ("StepLR", dict(step_size=1, gamma=0.5), 5),
                                                 ("ExponentialLR", dict(gamma=0.9), 12),
                                                 ("CosineAnnealingLR", dict(T_max=10), 45),
                                                 ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01), 30)])
def test_sequence_matches_torch(name, kwargs, steps):
    torch = pytest.importorskip("torch")
    groups = [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in (0.1, 0.4)]
    theirs_opt = torch.optim.SGD(groups, lr=1.0)
    theirs = getattr(torch.optim.lr_scheduler, name)(theirs_opt, **kwargs)
    ours = getattr(bp.optim.lr_scheduler, name)(make_optimizer((0.1, 0.4)), **kwargs)
    expected = [theirs.get_last_lr()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "optimizer.step() before lr_scheduler.step()" check
        for _ in range(steps):
            theirs_opt.step()
            theirs.step()
            expected.append(theirs.get_last_lr())
    got = sequence(ours, steps)
    np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-17)
    assert ours.last_epoch == theirs.last_epoch

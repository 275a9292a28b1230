"""The schedulers of issue 15 against torch 2.13: learning rates (and momenta) step for step, several
parameter groups, state dicts that resume exactly, and the metric ReduceLROnPlateau.step accepts."""
import math
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.optim import lr_scheduler as ours_module

torch = pytest.importorskip("torch")
theirs_module = torch.optim.lr_scheduler
LRS = (0.1, 0.4)


def optimizers(name="SGD", lrs=LRS, **kwargs):
    """The same optimizer in both libraries, one group per learning rate (no gradients: steps change nothing)."""
    kwargs = kwargs or (dict(momentum=0.9) if name == "SGD" else {})
    ours = getattr(bp.optim, name)([{"params": [bp.tensor(np.zeros(2), requires_grad=True)], "lr": lr}
                                    for lr in lrs], lr=1.0, **kwargs)
    theirs = getattr(torch.optim, name)([{"params": [torch.zeros(2, requires_grad=True)], "lr": lr}
                                         for lr in lrs], lr=1.0, **kwargs)
    return ours, theirs


def snapshot(scheduler):
    """What a step leaves: the learning rates reported and set, the momenta, the epoch count."""
    groups = scheduler.optimizer.param_groups
    return (list(scheduler.get_last_lr()), [g["lr"] for g in groups],
            [g.get("momentum", g.get("betas", (None,))[0]) for g in groups], scheduler.last_epoch)


def run(scheduler, steps, metrics=None):
    """Snapshots after construction and after each of ``steps`` steps (``metrics[i]`` for ReduceLROnPlateau)."""
    shots = [snapshot(scheduler)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's "lr_scheduler.step() before optimizer.step()" check
        for i in range(steps):
            scheduler.optimizer.step()
            scheduler.step() if metrics is None else scheduler.step(metrics[i])
            shots.append(snapshot(scheduler))
    return shots


def assert_same(got, expected):
    """Equal to the last bit: the formulas are computed in torch's order."""
    for step, (g, e) in enumerate(zip(got, expected, strict=True)):
        for what, a, b in zip(("get_last_lr", "lr", "momentum", "last_epoch"), g, e):
            np.testing.assert_array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                                          err_msg=f"{what} after step {step}")


def sequential(m, o, makers, milestones):
    return m.SequentialLR(o, [make(m, o) for make in makers], milestones=milestones)


def cubic(epoch):
    return (1 + epoch) ** -0.5


def halving(epoch):
    return 0.5 ** (epoch // 4)


CASES = {
    "LambdaLR": (lambda m, o: m.LambdaLR(o, lambda e: 0.9 ** e), "SGD"),
    "LambdaLR-per-group": (lambda m, o: m.LambdaLR(o, [cubic, halving]), "SGD"),
    "MultiStepLR": (lambda m, o: m.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.5), "SGD"),
    "ConstantLR": (lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4), "SGD"),
    "ConstantLR-default": (lambda m, o: m.ConstantLR(o), "Adam"),
    "LinearLR": (lambda m, o: m.LinearLR(o, start_factor=0.25, total_iters=6), "SGD"),
    "LinearLR-decay": (lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=10), "SGD"),
    "PolynomialLR": (lambda m, o: m.PolynomialLR(o, total_iters=8, power=2.0), "SGD"),
    "PolynomialLR-default": (lambda m, o: m.PolynomialLR(o), "SGD"),
    "OneCycleLR-SGD": (lambda m, o: m.OneCycleLR(o, max_lr=1.0, total_steps=30), "SGD"),
    "OneCycleLR-Adam-linear-3phase": (lambda m, o: m.OneCycleLR(o, max_lr=[0.5, 2.0], total_steps=30,
                                                                anneal_strategy="linear", three_phase=True,
                                                                base_momentum=[0.8, 0.7], pct_start=0.4), "Adam"),
    "OneCycleLR-epochs-no-momentum": (lambda m, o: m.OneCycleLR(o, max_lr=0.3, epochs=5, steps_per_epoch=6,
                                                                cycle_momentum=False, div_factor=10.0,
                                                                final_div_factor=100.0), "SGD"),
    "OneCycleLR-RMSprop-3phase": (lambda m, o: m.OneCycleLR(o, max_lr=0.2, total_steps=30, three_phase=True),
                                  "RMSprop"),
    "CosineAnnealingWarmRestarts": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=5), "SGD"),
    "CosineAnnealingWarmRestarts-Tmult": (lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2,
                                                                                     eta_min=0.01), "SGD"),
    "SequentialLR-warmup-cosine": (lambda m, o: sequential(m, o, [
        lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=5),
        lambda m, o: m.CosineAnnealingLR(o, T_max=25)], [5]), "SGD"),
    "SequentialLR-three": (lambda m, o: sequential(m, o, [
        lambda m, o: m.ConstantLR(o, factor=0.2, total_iters=10),
        lambda m, o: m.ExponentialLR(o, gamma=0.8),
        lambda m, o: m.StepLR(o, step_size=4, gamma=0.5)], [3, 12]), "SGD"),
    "SequentialLR-restarts": (lambda m, o: sequential(m, o, [
        lambda m, o: m.MultiStepLR(o, milestones=[2], gamma=0.5),
        lambda m, o: m.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2),
        lambda m, o: m.PolynomialLR(o, total_iters=6)], [6, 20]), "SGD"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_sequence_matches_torch(case):
    make, optimizer = CASES[case]
    opt_ours, opt_theirs = optimizers(optimizer)
    ours, theirs = make(ours_module, opt_ours), make(theirs_module, opt_theirs)
    assert_same(run(ours, 30), run(theirs, 30))


@pytest.mark.parametrize("case", list(CASES))
def test_state_dict_resumes_exactly(case):
    make, optimizer = CASES[case]
    opt, _ = optimizers(optimizer)
    scheduler = make(ours_module, opt)
    run(scheduler, 11)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    expected = run(scheduler, 19)
    # Resuming in a new process: optimizer and scheduler built afresh, then both states loaded.
    opt2, _ = optimizers(optimizer, lrs=(7.0, 9.0))
    resumed = make(ours_module, opt2)
    opt2.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    assert resumed.optimizer is opt2 and resumed.last_epoch == scheduler.last_epoch - 19
    assert_same(run(resumed, 19), expected)


def test_cosine_warm_restarts_fractional_epochs_match_torch():
    opt_ours, opt_theirs = optimizers()
    ours = ours_module.CosineAnnealingWarmRestarts(opt_ours, T_0=3, T_mult=2, eta_min=0.001)
    theirs = theirs_module.CosineAnnealingWarmRestarts(opt_theirs, T_0=3, T_mult=2, eta_min=0.001)
    for epoch in [0.5, 1.25, 2.999, 3.0, 4.5, 8.75, 9.0, 20.5, 21.0, 2.5, 0, 45.1]:
        ours.step(epoch)
        theirs.step(epoch)
        assert_same([snapshot(ours)], [snapshot(theirs)])
        assert (ours.T_cur, ours.T_i) == pytest.approx((theirs.T_cur, theirs.T_i), rel=1e-15)
    # Per-batch use: step(epoch + i/iters) through three epochs, T_mult = 1.
    opt_ours, opt_theirs = optimizers()
    ours = ours_module.CosineAnnealingWarmRestarts(opt_ours, T_0=2)
    theirs = theirs_module.CosineAnnealingWarmRestarts(opt_theirs, T_0=2)
    for epoch in range(3):
        for i in range(4):
            ours.step(epoch + i / 4)
            theirs.step(epoch + i / 4)
            assert_same([snapshot(ours)], [snapshot(theirs)])
    with pytest.raises(ValueError, match="non-negative epoch, but got -1"):
        ours.step(-1)


@pytest.mark.parametrize("make", [lambda m, o: m.MultiStepLR(o, milestones=[2, 5, 5]),
                                  lambda m, o: m.LinearLR(o, start_factor=0.5, total_iters=4),
                                  lambda m, o: m.ConstantLR(o, total_iters=3),
                                  lambda m, o: m.PolynomialLR(o, total_iters=6, power=1.5),
                                  lambda m, o: m.ExponentialLR(o, gamma=0.7),
                                  lambda m, o: m.StepLR(o, step_size=2),
                                  lambda m, o: m.CosineAnnealingLR(o, T_max=6, eta_min=0.01)],
                         ids=["MultiStepLR", "LinearLR", "ConstantLR", "PolynomialLR", "ExponentialLR", "StepLR",
                              "CosineAnnealingLR"])
def test_step_with_an_epoch_uses_the_closed_form_as_torch(make):
    opt_ours, opt_theirs = optimizers()
    ours, theirs = make(ours_module, opt_ours), make(theirs_module, opt_theirs)
    for epoch in [3, 1, 7, 0, 5, 12]:
        with pytest.warns(UserWarning, match="deprecated"):
            ours.step(epoch)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs.step(epoch)
        assert_same([snapshot(ours)], [snapshot(theirs)])


# A loss that falls, stalls, rises and falls again: every branch of the plateau logic is taken.
METRICS = [1.0, 0.9, 0.9, 0.8999, 0.95, 0.95, 0.91, 0.92, 0.93, 0.5, 0.5, 0.5, 0.5, 0.49995, 0.4, 0.41,
           0.42, 0.43, 0.44, 0.45, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.29, 0.3]
PLATEAU_CASES = [dict(), dict(patience=2), dict(patience=1, cooldown=2, factor=0.5),
                 dict(patience=0, threshold=0.05, threshold_mode="abs"),
                 dict(mode="max", patience=1, factor=0.3), dict(mode="max", threshold_mode="abs", patience=2),
                 dict(patience=0, min_lr=[0.01, 0.05], factor=0.5), dict(patience=0, min_lr=0.02, factor=0.5),
                 dict(patience=0, factor=0.9, eps=0.01)]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=[str(i) for i in range(len(PLATEAU_CASES))])
def test_reduce_on_plateau_matches_torch(kwargs):
    opt_ours, opt_theirs = optimizers()
    ours = ours_module.ReduceLROnPlateau(opt_ours, **kwargs)
    theirs = theirs_module.ReduceLROnPlateau(opt_theirs, **kwargs)
    assert_same(run(ours, 30, METRICS), run(theirs, 30, METRICS))
    assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == \
        (theirs.best, theirs.num_bad_epochs, theirs.cooldown_counter)


def test_reduce_on_plateau_state_dict_resumes_exactly():
    opt, _ = optimizers()
    scheduler = ours_module.ReduceLROnPlateau(opt, patience=1, cooldown=1, factor=0.5, mode="min")
    run(scheduler, 12, METRICS)
    saved_opt, saved = opt.state_dict(), scheduler.state_dict()
    expected = run(scheduler, 18, METRICS[12:])
    opt2, _ = optimizers(lrs=(3.0, 3.0))
    resumed = ours_module.ReduceLROnPlateau(opt2, mode="max")
    opt2.load_state_dict(saved_opt)
    resumed.load_state_dict(saved)
    assert resumed.mode == "min" and resumed.optimizer is opt2
    assert_same(run(resumed, 18, METRICS[12:]), expected)


@pytest.mark.parametrize("metric", [0.5, 0, np.float32(0.5), np.array(0.5), np.array([0.5]),
                                    bp.tensor(0.5), bp.tensor([0.5], requires_grad=True), torch.tensor([0.5])],
                         ids=["float", "int", "np.float32", "0-d array", "1-element array", "Tensor",
                              "1-element Tensor", "torch"])
def test_reduce_on_plateau_accepts_one_number(metric):
    scheduler = ours_module.ReduceLROnPlateau(optimizers()[0])
    scheduler.step(metric)
    assert scheduler.best == (0.0 if metric == 0 else 0.5) and isinstance(scheduler.best, float)


@pytest.mark.parametrize("metric, message", [
    ("0.5", "got '0.5' of type str"),
    (None, "got None of type NoneType"),
    ([0.5], r"got \[0.5\] of type list"),
    (1 + 2j, r"got \(1\+2j\) of type complex"),
    (bp.tensor([0.5, 0.2]), r"got a Tensor of shape \(2,\)"),
    (np.zeros((2, 3)), r"got a ndarray of shape \(2, 3\)")])
def test_reduce_on_plateau_names_a_metric_that_is_not_a_number(metric, message):
    scheduler = ours_module.ReduceLROnPlateau(optimizers()[0])
    with pytest.raises(TypeError, match="ReduceLROnPlateau.step expects the metric as .*" + message):
        scheduler.step(metric)
    assert scheduler.last_epoch == 0 and scheduler.num_bad_epochs == 0


class Warmup:
    """A callable object: LambdaLR saves and restores its attributes."""

    def __init__(self, length):
        self.length = length

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.length)


def test_lambda_lr_state_dict_as_torch():
    opt, opt_theirs = optimizers()
    ours = ours_module.LambdaLR(opt, [lambda e: 0.5 ** e, Warmup(4)])
    theirs = theirs_module.LambdaLR(opt_theirs, [lambda e: 0.5 ** e, Warmup(4)])
    saved, saved_theirs = ours.state_dict(), theirs.state_dict()
    assert saved["lr_lambdas"] == saved_theirs["lr_lambdas"] == [None, {"length": 4}]
    assert set(saved_theirs) - set(saved) <= {"_step_count", "_get_lr_called_within_step"}
    other_opt = optimizers()[0]
    other = ours_module.LambdaLR(other_opt, [lambda e: 0.5 ** e, Warmup(10)])
    other_opt.load_state_dict(opt.state_dict())
    other.load_state_dict(saved)
    assert other.lr_lambdas[1].length == 4 and "lr_lambdas" in saved
    assert_same(run(other, 6), run(ours, 6))


def test_validation_names_the_value():
    opt = optimizers()[0]
    with pytest.raises(ValueError, match="factor must lie in \\[0, 1\\], got 1.5"):
        ours_module.ConstantLR(opt, factor=1.5)
    with pytest.raises(ValueError, match="start_factor must lie in \\(0, 1\\], got 0"):
        ours_module.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="milestones must be integers .* got 2.5"):
        ours_module.MultiStepLR(opt, milestones=[1, 2.5])
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        ours_module.LambdaLR(opt, [math.exp])
    with pytest.raises(TypeError, match="lr_lambda must be a callable .* got 0.5"):
        ours_module.LambdaLR(opt, 0.5)
    with pytest.raises(ValueError, match="T_0 must be a positive integer, got 2.5"):
        ours_module.CosineAnnealingWarmRestarts(opt, T_0=2.5)
    with pytest.raises(ValueError, match="T_mult must be an integer >= 1, got 0"):
        ours_module.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=0)
    with pytest.raises(ValueError, match="either total_steps OR"):
        ours_module.OneCycleLR(opt, max_lr=0.1)
    with pytest.raises(ValueError, match="max_lr must have one value per parameter group \\(2\\), got 3"):
        ours_module.OneCycleLR(opt, max_lr=[0.1, 0.2, 0.3], total_steps=10)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear', got 'exp'"):
        ours_module.OneCycleLR(opt, max_lr=0.1, total_steps=10, anneal_strategy="exp")
    adagrad = bp.optim.Adagrad([bp.tensor(np.zeros(2), requires_grad=True)])
    with pytest.raises(ValueError, match="Adagrad has neither: pass cycle_momentum=False"):
        ours_module.OneCycleLR(adagrad, max_lr=0.1, total_steps=10)
    one_cycle = ours_module.OneCycleLR(optimizers()[0], max_lr=0.1, total_steps=2)
    one_cycle.step()
    one_cycle.step()
    with pytest.raises(ValueError, match="Tried to step 3 times. The specified number of total steps is 2"):
        one_cycle.step()
    with pytest.raises(ValueError, match="mode must be 'min' or 'max', got 'up'"):
        ours_module.ReduceLROnPlateau(opt, mode="up")
    with pytest.raises(ValueError, match="threshold_mode must be 'rel' or 'abs', got 'x'"):
        ours_module.ReduceLROnPlateau(opt, threshold_mode="x")
    with pytest.raises(ValueError, match="factor must be < 1.0, got 1.0"):
        ours_module.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        ours_module.ReduceLROnPlateau(opt, min_lr=[0.1])
    step = ours_module.StepLR(opt, step_size=2)
    with pytest.raises(ValueError, match="one milestone fewer than schedulers, .* 2 schedulers and 0 milestones"):
        ours_module.SequentialLR(opt, [step, ours_module.ExponentialLR(opt, 0.9)], milestones=[])
    with pytest.raises(ValueError, match="does not support ReduceLROnPlateau"):
        ours_module.SequentialLR(opt, [step, ours_module.ReduceLROnPlateau(opt)], milestones=[2])
    with pytest.raises(ValueError, match="schedulers\\[1\\] \\(StepLR\\) drives another one"):
        ours_module.SequentialLR(opt, [step, ours_module.StepLR(optimizers()[0], 2)], milestones=[2])


def test_import_paths_and_isinstance():
    from backprop.optim.lr_scheduler import LRScheduler, OneCycleLR, ReduceLROnPlateau, SequentialLR
    assert issubclass(ReduceLROnPlateau, LRScheduler) and issubclass(OneCycleLR, LRScheduler)
    assert bp.optim.lr_scheduler.SequentialLR is SequentialLR


def params_of(optimizer):
    return [p for group in optimizer.param_groups for p in group["params"]]


@pytest.mark.parametrize("case", ["MultiStepLR", "OneCycleLR-Adam-linear-3phase", "SequentialLR-restarts",
                                  "LambdaLR-per-group", "ReduceLROnPlateau"])
def test_checkpoint_file_resumes_exactly(case, tmp_path):
    """Parameters, optimizer and scheduler through bp.save / bp.load (a Counter, inf, tuples included)."""
    if case == "ReduceLROnPlateau":
        make, optimizer, metrics = (lambda m, o: m.ReduceLROnPlateau(o, patience=1, cooldown=1)), "NAdam", METRICS
    else:
        (make, optimizer), metrics = CASES[case], None
    opt, _ = optimizers(optimizer)
    for p in params_of(opt):
        p.grad = np.array([0.5, -1.0])  # a constant gradient: the steps follow the learning rates
    scheduler = make(ours_module, opt)
    run(scheduler, 10, metrics)
    bp.save({"params": [p.data.copy() for p in params_of(opt)], "optimizer": opt.state_dict(),
             "scheduler": scheduler.state_dict(), "epoch": 10}, tmp_path / "checkpoint.safetensors")
    expected = run(scheduler, 12, metrics and metrics[10:])
    opt2, _ = optimizers(optimizer, lrs=(5.0, 6.0))
    resumed = make(ours_module, opt2)
    checkpoint = bp.load(tmp_path / "checkpoint.safetensors")
    for p, saved in zip(params_of(opt2), checkpoint["params"]):
        p.data[...] = saved
        p.grad = np.array([0.5, -1.0])
    opt2.load_state_dict(checkpoint["optimizer"])
    resumed.load_state_dict(checkpoint["scheduler"])
    assert checkpoint["epoch"] == 10
    assert_same(run(resumed, 12, metrics and metrics[10:]), expected)
    for p, q in zip(params_of(opt2), params_of(opt)):
        np.testing.assert_array_equal(p.data, q.data)

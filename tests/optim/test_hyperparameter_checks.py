"""Hyperparameter checks shared by every optimizer (issue 18): the learning rate is checked in one place whichever
way a group comes (constructor, add_param_group, load_state_dict); ranges as PyTorch checks them, with PyTorch's
exception class where PyTorch raises, and a ValueError or TypeError naming the value where PyTorch accepts it."""
import math

import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS"]


def params(n=1):
    return [bp.tensor(np.full(2, float(i)), requires_grad=True) for i in range(n)]


def make(name, **kwargs):
    return getattr(bp.optim, name)(params(), **({"lr": 0.1} | kwargs))


@pytest.mark.parametrize("name", [n for n in OPTIMIZERS if n != "LBFGS"])  # LBFGS takes one group only
@pytest.mark.parametrize("lr, error", [(-1.0, ValueError), (math.nan, ValueError), (math.inf, ValueError),
                                       ("0.1", TypeError)])
def test_add_param_group_checks_the_learning_rate_of_every_optimizer(name, lr, error):
    opt = make(name)
    with pytest.raises(error, match=f"Invalid learning rate: {lr!r}"):
        opt.add_param_group({"params": params(), "lr": lr})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("lr", [-1.0, math.nan, math.inf, "x", None])
def test_load_state_dict_checks_the_learning_rate_of_every_optimizer(name, lr):
    opt = make(name)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = lr
    with pytest.raises(ValueError, match=f"loaded state dict's parameter group 0: Invalid learning rate: {lr!r}"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.1


# Cases where PyTorch raises: ours raises the same exception class, naming the hyperparameter and the value.
TORCH_RAISES = [
    ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    ("SGD", dict(momentum="a"), "Invalid momentum value: 'a'"),
    ("SGD", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ("Adam", dict(eps=-1e-8), "Invalid epsilon value: -1e-08"),
    ("Adam", dict(eps="a"), "Invalid epsilon value: 'a'"),
    ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    ("RMSprop", dict(alpha=-0.1), "Invalid alpha value: -0.1"),
    ("RMSprop", dict(momentum=-1.0), "Invalid momentum value: -1.0"),
    ("Adagrad", dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
    ("Adagrad", dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value: -1.0"),
    ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
    ("Adadelta", dict(rho=-0.5), "Invalid rho value: -0.5"),
    ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
    ("Adamax", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
    ("RAdam", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
]


@pytest.mark.parametrize("name, kwargs, message", TORCH_RAISES, ids=[f"{n}-{k}" for n, k, _ in TORCH_RAISES])
def test_same_exception_class_as_torch(name, kwargs, message):
    with pytest.raises(Exception) as theirs:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **({"lr": 0.1} | kwargs))
    with pytest.raises(theirs.type, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(name, **kwargs)


# Cases PyTorch accepts and then trains wrongly (diverges, or takes a string as true): ours refuses them.
TORCH_ACCEPTS = [
    ("SGD", dict(momentum=2.0), ValueError, r"Invalid momentum value: 2.0 \(it must lie in \[0, 1\]\)"),
    ("SGD", dict(dampening=1.5), ValueError, r"Invalid dampening value: 1.5 \(it must lie in \[0, 1\]\)"),
    ("RMSprop", dict(alpha=1.5), ValueError, r"Invalid alpha value: 1.5 \(it must lie in \[0, 1\]\)"),
    ("RMSprop", dict(momentum=1.5), ValueError, r"Invalid momentum value: 1.5 \(it must lie in \[0, 1\]\)"),
    ("Adam", dict(lr=math.inf), ValueError, "Invalid learning rate: inf"),
    ("Adam", dict(amsgrad="yes"), TypeError, r"Invalid amsgrad value: 'yes' \(amsgrad must be True or False\)"),
    ("SGD", dict(momentum=0.9, nesterov="no"), TypeError, "Invalid nesterov value: 'no'"),
    ("RMSprop", dict(centered=1), TypeError, "Invalid centered value: 1"),
    ("Adagrad", dict(maximize=None), TypeError, "Invalid maximize value: None"),
    ("SGD", dict(lr=True), TypeError, r"Invalid learning rate: True \(lr must be a number, not bool\)"),
]


@pytest.mark.parametrize("name, kwargs, error, message", TORCH_ACCEPTS,
                         ids=[f"{n}-{k}" for n, k, _, _ in TORCH_ACCEPTS])
def test_stricter_than_torch_where_torch_accepts(name, kwargs, error, message):
    getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], **({"lr": 0.1} | kwargs))
    with pytest.raises(error, match=message):
        make(name, **kwargs)


def test_a_numpy_bool_flag_and_the_bounds_themselves_are_accepted():
    opt = bp.optim.SGD(params(), lr=0.0, momentum=1.0, dampening=1.0, nesterov=np.bool_(False))
    assert opt.param_groups[0]["momentum"] == 1.0
    bp.optim.RMSprop(params(), alpha=1.0, momentum=0.0)
    bp.optim.Adadelta(params(), rho=0.0)


def test_a_tampered_flag_in_load_state_dict_is_refused_and_the_optimizer_kept():
    opt = bp.optim.Adam(params(), lr=0.1)
    state = opt.state_dict()
    state["param_groups"][0]["amsgrad"] = "false"
    with pytest.raises(ValueError, match="parameter group 0: Invalid amsgrad value: 'false'"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["amsgrad"] is False


SCHEDULERS = bp.optim.lr_scheduler


@pytest.mark.parametrize("build, message", [
    (lambda o: SCHEDULERS.CosineAnnealingLR(o, T_max=5, eta_min=-0.01), r"Invalid eta_min value: -0.01 \(eta_min must"),
    (lambda o: SCHEDULERS.CosineAnnealingLR(o, T_max=5, eta_min=math.nan), "Invalid eta_min value: nan"),
    (lambda o: SCHEDULERS.CosineAnnealingWarmRestarts(o, T_0=5, eta_min="x"), "Invalid eta_min value: 'x'"),
    (lambda o: SCHEDULERS.OneCycleLR(o, max_lr=-1.0, total_steps=10), "max_lr must be a finite number > 0, got -1.0"),
    (lambda o: SCHEDULERS.OneCycleLR(o, max_lr=math.inf, total_steps=10), "max_lr must be a finite number > 0"),
    (lambda o: SCHEDULERS.OneCycleLR(o, max_lr=0.1, total_steps=10, div_factor=0), "div_factor must be a finite"),
], ids=["cosine-negative", "cosine-nan", "restarts-str", "onecycle-negative", "onecycle-inf", "onecycle-div"])
def test_schedulers_refuse_arguments_that_would_give_a_negative_or_non_finite_rate(build, message):
    opt = make("SGD")
    with pytest.raises(ValueError, match=message):
        build(opt)
    assert opt.param_groups[0]["lr"] == 0.1


def test_a_lambda_that_returns_nan_is_refused_naming_the_scheduler_and_group():
    opt = make("SGD")
    scheduler = SCHEDULERS.LambdaLR(opt, lambda epoch: 1.0 if epoch < 2 else math.nan)
    scheduler.step()
    with pytest.raises(ValueError, match="LambdaLR would set the learning rate of parameter group 0 to nan"):
        scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.1


def test_one_cycle_may_step_total_steps_times_as_in_torch():
    opt = make("SGD", momentum=0.9)
    scheduler = SCHEDULERS.OneCycleLR(opt, max_lr=0.5, total_steps=30, anneal_strategy="linear", three_phase=True)
    for _ in range(30):  # the last rate, extrapolated past the schedule, is never used by a step
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 31 times"):
        scheduler.step()


@pytest.mark.parametrize("kwargs, message", [
    (dict(factor=-0.5), r"factor must be < 1.0, got -0.5 \(a number in \(0, 1\)\)"),
    (dict(factor="a"), "factor must be < 1.0, got 'a'"), (dict(patience=-1), "patience must be an integer >= 0"),
    (dict(cooldown=1.5), "cooldown must be an integer >= 0, got 1.5"), (dict(min_lr=-1e-3), "Invalid min_lr value"),
    (dict(min_lr=[0.0, "x"]), "min_lr"), (dict(eps=-1.0), "Invalid epsilon value: -1.0"),
    (dict(threshold=math.nan), "Invalid threshold value: nan")])
def test_reduce_on_plateau_checks_its_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SCHEDULERS.ReduceLROnPlateau(make("SGD"), **kwargs)

"""Bad input to the optimizers and decaying schedulers (issue 18): PyTorch's errors where PyTorch raises, and a
ValueError naming the value where PyTorch accepts it and then trains wrongly or fails later."""
import math
import warnings

import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")

OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "LBFGS"]
WITH_BETAS = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def params(n=3):
    return [bp.tensor(np.full(2, float(i)), requires_grad=True) for i in range(n)]


def test_a_parameter_listed_twice_is_refused_naming_its_index():
    w, b, c = params()
    with pytest.raises(ValueError, match=r"duplicate parameters: parameter 2 of parameter group 0 \(shape \(2,\)\) "
                                          r"is already parameter 0 of parameter group 0"):
        bp.optim.SGD([w, b, w], lr=0.1)
    with pytest.raises(ValueError, match=r"more than one parameter group: parameter 1 of parameter group 1 .* is "
                                          r"already parameter 1 of parameter group 0"):
        bp.optim.Adam([{"params": [w, b]}, {"params": [c, b]}])
    opt = bp.optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="parameter 0 of parameter group 1 .* already parameter 0 of parameter group"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1
    # PyTorch only warns about a repeat within a group (and steps it twice), and raises across groups
    t = torch.nn.Parameter(torch.ones(2))
    with pytest.warns(UserWarning, match="duplicate parameters"):
        torch.optim.SGD([t, t], lr=0.1)
    with pytest.raises(ValueError, match="more than one parameter group"):
        torch.optim.SGD([{"params": [t]}, {"params": [t]}], lr=0.1)


def test_a_group_without_params_raises_keyerror_as_torch():
    with pytest.raises(KeyError) as theirs:
        torch.optim.SGD([{"lr": 0.1}], lr=0.1)
    with pytest.raises(KeyError) as ours:
        bp.optim.SGD([{"lr": 0.1}], lr=0.1)
    assert ours.value.args == theirs.value.args == ("params",)
    opt = bp.optim.SGD(params(1), lr=0.1)
    with pytest.raises(KeyError, match="params"):
        opt.add_param_group({"lr": 0.01})


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("lr", [-0.1, math.inf, math.nan])
def test_every_optimizer_refuses_a_bad_learning_rate_naming_it(name, lr):
    with pytest.raises(ValueError, match=rf"Invalid learning rate: {lr!r} \(lr must be a finite number >= 0\)"):
        getattr(bp.optim, name)(params(1), lr=lr)


@pytest.mark.parametrize("name", OPTIMIZERS)
@pytest.mark.parametrize("lr", ["x", None, True])
def test_every_optimizer_refuses_a_learning_rate_that_is_not_a_number_with_a_typeerror(name, lr):
    if lr is not True:  # PyTorch's comparison raises TypeError too; it takes True as 1
        with pytest.raises(TypeError):
            getattr(torch.optim, name)([torch.nn.Parameter(torch.ones(2))], lr=lr)
    with pytest.raises(TypeError, match=rf"Invalid learning rate: {lr!r} \(lr must be a number, not "
                                        rf"{type(lr).__name__}\)"):
        getattr(bp.optim, name)(params(1), lr=lr)


@pytest.mark.parametrize("name", WITH_BETAS)
@pytest.mark.parametrize("betas, message", [((0.9, 0.99, 0.5), r"Invalid betas: \(0.9, 0.99, 0.5\) \(a pair"),
                                            ((0.9,), r"Invalid betas: \(0.9,\)"), (0.9, "Invalid betas: 0.9"),
                                            (("a", 0.9), "index 0: 'a'"), ((0.9, 1.0), "index 1: 1.0"),
                                            ((-0.1, 0.9), "index 0: -0.1")])
def test_betas_must_be_a_pair_in_0_1(name, betas, message):
    with pytest.raises(ValueError, match=message):
        getattr(bp.optim, name)(params(1), betas=betas)


def test_other_hyperparameters_are_refused_naming_the_value():
    with pytest.raises(ValueError, match=r"Invalid weight_decay value: inf"):
        bp.optim.SGD(params(1), lr=0.1, weight_decay=math.inf)
    with pytest.raises(ValueError, match=r"Invalid epsilon value: -1e-08"):
        bp.optim.Adam(params(1), eps=-1e-8)
    with pytest.raises(TypeError, match=r"Invalid momentum value: 'a'"):
        bp.optim.RMSprop(params(1), momentum="a")


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop"])
@pytest.mark.parametrize("key, value, message", [("lr", "x", "Invalid learning rate: 'x'"),
                                                 ("lr", -0.1, "Invalid learning rate: -0.1"),
                                                 ("weight_decay", math.nan, "Invalid weight_decay value: nan")])
def test_load_state_dict_refuses_a_tampered_group_and_keeps_the_optimizer(name, key, value, message):
    opt = getattr(bp.optim, name)(params(2), lr=0.1)
    state = opt.state_dict()
    state["param_groups"][0][key] = value
    with pytest.raises(ValueError, match=f"loaded state dict's parameter group 0: {message}"):
        opt.load_state_dict(state)
    assert opt.param_groups[0]["lr"] == 0.1


def test_load_state_dict_fills_a_missing_hyperparameter_with_its_default_as_torch():
    w = params(1)
    theirs = torch.optim.Adam([torch.nn.Parameter(torch.ones(2))], lr=0.1).state_dict()
    for group in theirs["param_groups"]:
        del group["maximize"], group["amsgrad"]  # an older state dict
    opt = bp.optim.Adam(w, lr=0.5, amsgrad=True)
    opt.load_state_dict(theirs)
    assert opt.param_groups[0]["lr"] == 0.1 and opt.param_groups[0]["maximize"] is False
    assert opt.param_groups[0]["amsgrad"] is True  # the optimizer's default, as PyTorch's __setstate__ sets it


@pytest.mark.parametrize("make", [lambda o, g: bp.optim.lr_scheduler.StepLR(o, 2, gamma=g),
                                  lambda o, g: bp.optim.lr_scheduler.MultiStepLR(o, [2, 4], gamma=g),
                                  lambda o, g: bp.optim.lr_scheduler.ExponentialLR(o, gamma=g)],
                         ids=["StepLR", "MultiStepLR", "ExponentialLR"])
def test_decaying_schedulers_need_gamma_in_0_1(make):
    for gamma in (-1, 0, 1.5, math.nan, "0.5", None):
        with pytest.raises(ValueError, match=rf"LR: gamma must be a number in \(0, 1\], got {gamma!r}"):
            make(bp.optim.SGD(params(1), lr=0.1), gamma)
    opt = bp.optim.SGD(params(1), lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler = make(opt, 1)  # gamma = 1 keeps the rate: allowed
    assert opt.param_groups[0]["lr"] == 0.1
    state = scheduler.state_dict()
    with pytest.raises(ValueError, match=r"gamma must be a number in \(0, 1\], got -1"):
        scheduler.load_state_dict(dict(state, gamma=-1))  # a tampered checkpoint
    assert scheduler.gamma == 1
    scheduler.load_state_dict(dict(state, gamma=0.5))
    assert scheduler.gamma == 0.5


@pytest.mark.parametrize("entry, value, message", [
    ("exp_avg", np.array(["a", "b"]), r"state 'exp_avg' of parameter 0 is not numeric \(dtype <U1\)"),
    ("exp_avg", np.array([np.nan, 0.0]), "state 'exp_avg' of parameter 0 holds non-finite values"),
    ("step", -3, "state 'step' of parameter 0 must be a non-negative integer, got -3"),
    ("step", 2.5, "state 'step' of parameter 0 must be a non-negative integer, got 2.5"),
    ("step", "x", "state 'step' of parameter 0 is not numeric")])
def test_load_state_dict_refuses_tampered_state_naming_its_key(entry, value, message):
    w = params(1)
    opt = bp.optim.Adam(w, lr=0.1)
    w[0].grad = np.ones(2)
    opt.step()
    state = opt.state_dict()
    state["state"][0][entry] = value
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert opt.state[w[0]]["step"] == 1
    state = opt.state_dict()
    state["state"] = {7: state["state"][0]}
    with pytest.raises(ValueError, match="state for parameter 7, which none of its parameter groups lists"):
        opt.load_state_dict(state)
    theirs = torch.optim.Adam([torch.nn.Parameter(torch.ones(2))], lr=0.1)  # tensor(1.) steps still load
    theirs.param_groups[0]["params"][0].grad = torch.ones(2)
    theirs.step()
    opt.load_state_dict(theirs.state_dict())
    assert opt.state[w[0]]["step"] == 1

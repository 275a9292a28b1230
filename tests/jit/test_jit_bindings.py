"""What a jitted step refers to: a replay never runs a model the step no longer uses.

Rebinding the name of the model or the optimizer (a global, a closure variable, an instance attribute),
swapping a layer, replacing a parameter or a buffer, or passing another module: each call gives eager
mode's numbers, bitwise, and the step replays again once it has captured the new work.
"""
import numpy as np
import pytest

import backprop as bp

from .test_jit_equal import assert_bitwise

STEP_SOURCE = """
def step(x, y):
    opt.zero_grad()
    loss = bp.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()
"""


def net(seed, dropout=0.0):
    bp.manual_seed(seed)
    layers = [bp.nn.Linear(3, 4), bp.nn.Tanh()] + ([bp.nn.Dropout(dropout)] if dropout else []) + [bp.nn.Linear(4, 1)]
    model = bp.nn.Sequential(*layers)
    return model, bp.optim.SGD(model.parameters(), lr=0.1)


def batch(seed=0):
    rng = np.random.default_rng(seed)
    return (bp.tensor(rng.standard_normal((8, 3)).astype(np.float32)),
            bp.tensor(rng.standard_normal((8, 1)).astype(np.float32)))


def both_ways(scenario):
    """``scenario(wrap)`` run eagerly and jitted (``wrap`` is the identity, then ``bp.jit``) gives the same
    losses and arrays; returns the jitted step."""
    jitted = []

    def jit(fn):
        jitted.append(bp.jit(fn))
        return jitted[-1]

    eager, replayed = scenario(lambda fn: fn), scenario(jit)
    assert eager[0] == replayed[0]
    assert_bitwise(eager[1], replayed[1])
    return jitted[-1]


def arrays(*modules):
    return [t.data.copy() for m in modules for t in (*m.parameters(), *m.buffers())]


def test_a_global_name_rebound_to_another_model_and_optimizer():
    x, y = batch()

    def scenario(wrap):
        namespace = {"bp": bp}
        exec(STEP_SOURCE, namespace)  # a step defined at a module's top level, naming its globals
        namespace["model"], namespace["opt"] = first = net(0)
        step = wrap(namespace["step"])
        losses = [step(x, y) for _ in range(4)]
        namespace["model"], namespace["opt"] = second = net(1)
        losses += [step(x, y) for _ in range(4)]
        return losses, arrays(first[0], second[0])

    step = both_ways(scenario)
    assert step.captures == 2 and step.last_replay


def test_a_closure_variable_rebound():
    x, y = batch()

    def scenario(wrap):
        model, opt = first = net(0)

        def step(x, y):
            opt.zero_grad()
            loss = bp.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        step = wrap(step)
        losses = [step(x, y) for _ in range(4)]
        model, opt = second = net(1)
        losses += [step(x, y) for _ in range(4)]
        return losses, arrays(first[0], second[0])

    both_ways(scenario)


def trainer_step(self, x, y):
    self.opt.zero_grad()
    loss = bp.nn.functional.mse_loss(self.model(x), y)
    loss.backward()
    self.opt.step()
    return loss.item()


def test_a_jitted_method_whose_attribute_is_rebound():
    x, y = batch()

    def scenario(wrap):
        class Trainer:
            step = wrap(trainer_step)

            def __init__(self):
                self.model, self.opt = net(0)

        trainer = Trainer()
        losses = [trainer.step(x, y) for _ in range(4)]
        first = trainer.model
        trainer.model, trainer.opt = net(1)
        losses += [trainer.step(x, y) for _ in range(4)]
        return losses, arrays(first, trainer.model)

    both_ways(scenario)


@pytest.mark.parametrize("change", ["layer", "parameter", "buffer", "setting"])
def test_a_layer_parameter_buffer_or_setting_changed_inside_the_model(change):
    x, y = batch()

    def scenario(wrap):
        model, opt = net(0, dropout=0.5)
        model.insert(2, bp.nn.BatchNorm1d(4))  # Linear, Tanh, BatchNorm1d, Dropout, Linear

        def step(x, y):
            opt.zero_grad()
            loss = bp.nn.functional.mse_loss(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        step = wrap(step)
        bp.manual_seed(1)
        losses = [step(x, y) for _ in range(4)]
        if change == "layer":  # a new head, left out of the optimizer: it stays as built
            model[4] = bp.nn.Linear(4, 1)
        elif change == "parameter":
            model[0].weight = bp.nn.Parameter(np.full((4, 3), 0.5, np.float32))
            opt.add_param_group({"params": [model[0].weight]})
        elif change == "buffer":
            model[2].running_mean = bp.tensor(np.ones(4, np.float32))
        else:  # a dropout rate scheduled down
            model[3].p = 0.1
        losses += [step(x, y) for _ in range(4)]
        return losses, arrays(model)

    step = both_ways(scenario)
    assert step.captures == 2 and step.last_replay


def test_a_module_passed_as_an_argument_keeps_its_own_mode():
    x, y = batch()

    def step(model, opt, x, y):
        opt.zero_grad()
        loss = bp.nn.functional.mse_loss(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    def scenario(wrap):
        a, b = net(0, dropout=0.5), net(1, dropout=0.5)
        b[0].eval()  # no dropout in b: another computation than a's
        run = wrap(step)
        bp.manual_seed(2)
        losses = [run(*a, x, y) for _ in range(4)] + [run(*b, x, y) for _ in range(4)] + [run(*a, x, y)]
        return losses, arrays(a[0], b[0])

    both_ways(scenario)


def test_structure_version_counts_registrations_not_values():
    model, _ = net(0)
    versions = lambda: [m.structure_version for m in model.modules()]  # noqa: E731
    before = versions()
    with bp.no_grad():
        model[0].weight.mul_(2.0)  # values change in place: the same structure
    model.load_state_dict(model.state_dict())
    model.train()
    assert versions() == before
    model[2] = bp.nn.Linear(4, 1)
    assert model.structure_version == before[0] + 1
    layer = model[0]
    start = layer.structure_version
    layer.bias = None
    layer.register_buffer("scale", bp.tensor(1.0))
    del layer.scale
    assert layer.structure_version == start + 3
    model.append(bp.nn.ReLU())
    assert model.structure_version == before[0] + 2

"""What a jitted step refers to: a replay never runs a model the step no longer uses.

Rebinding the name of the model or the optimizer (a global, a closure variable, an instance attribute),
swapping a layer, replacing a parameter or a buffer, changing a setting or a number the step reads, or
passing another module: each call gives eager mode's numbers, bitwise, and the step replays again once it
has captured the new work.
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


def descend(model, opt, x, y):
    """One step on the mean squared error: the step of these tests."""
    opt.zero_grad()
    loss = bp.nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss.item()


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


@pytest.mark.parametrize("change", ["rebind", "new array", "in place"])
def test_a_constant_tensor_the_step_reads_is_rebound_or_refilled(change):
    x, y = batch()

    def scenario(wrap):
        namespace = {"bp": bp}
        exec(STEP_SOURCE.replace("model(x)", "model(x) * scale"), namespace)
        namespace["model"], namespace["opt"] = net(0)
        namespace["scale"] = scale = bp.tensor(np.float32(2.0))  # no gradient: a constant of the step
        step = wrap(namespace["step"])
        losses = [step(x, y) for _ in range(4)]
        if change == "rebind":
            namespace["scale"] = bp.tensor(np.float32(3.0))
        elif change == "new array":
            scale.data = np.array(3.0, np.float32)
        else:
            scale.fill_(3.0)  # the same array: a replay reads it as it is
        losses += [step(x, y) for _ in range(4)]
        return losses, arrays(namespace["model"])

    step = both_ways(scenario)
    assert step.captures == (1 if change == "in place" else 2) and step.last_replay


def test_a_closure_variable_rebound():
    x, y = batch()

    def scenario(wrap):
        model, opt = first = net(0)

        def step(x, y):
            return descend(model, opt, x, y)  # the names as they are bound at each call

        step = wrap(step)
        losses = [step(x, y) for _ in range(4)]
        model, opt = second = net(1)
        losses += [step(x, y) for _ in range(4)]
        return losses, arrays(first[0], second[0])

    both_ways(scenario)


def trainer_step(self, x, y):
    return descend(self.model, self.opt, x, y)


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
        step = wrap(lambda x, y: descend(model, opt, x, y))
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

    def scenario(wrap):
        a, b = net(0, dropout=0.5), net(1, dropout=0.5)
        b[0].eval()  # no dropout in b: another computation than a's
        run = wrap(descend)  # descend(model, opt, x, y)
        bp.manual_seed(2)
        losses = [run(*a, x, y) for _ in range(4)] + [run(*b, x, y) for _ in range(4)] + [run(*a, x, y)]
        return losses, arrays(a[0], b[0])

    both_ways(scenario)


def test_attribute_version_counts_attributes_set_not_values_nor_training():
    model, _ = net(0, dropout=0.5)
    versions = lambda: [m.attribute_version for m in model.modules()]  # noqa: E731
    before = versions()
    with bp.no_grad():
        model[0].weight.mul_(2.0)  # values change in place: the same attributes
    model.load_state_dict(model.state_dict())
    model.eval()
    model.train()
    assert versions() == before
    model[3] = bp.nn.Linear(4, 1)  # a submodule replaced
    assert model.attribute_version == before[0] + 1
    layer, dropout = model[0], model[2]
    start = layer.attribute_version
    layer.bias = None  # a parameter removed, a buffer added and deleted
    layer.register_buffer("scale", bp.tensor(1.0))
    del layer.scale
    assert layer.attribute_version == start + 3
    dropout.p = 0.1  # a setting
    assert dropout.attribute_version == before[3] + 1  # modules(): the Sequential, then its layers
    model.append(bp.nn.ReLU())
    assert model.attribute_version == before[0] + 2


def test_a_number_the_step_reads_changed_between_calls_captures_again():
    x, y = batch()

    def scenario(wrap):
        namespace = {"bp": bp, "weight": 1.0, "max_norm": 0.5}
        exec(STEP_SOURCE.replace("loss.backward()", "(loss * weight).backward()\n"
                                 "    bp.nn.utils.clip_grad_norm_(model.parameters(), max_norm)"), namespace)
        namespace["model"], namespace["opt"] = net(0)
        step = wrap(namespace["step"])
        losses = [step(x, y) for _ in range(4)]
        namespace["weight"] = 3.0  # a loss weight tuned between runs in a notebook
        losses += [step(x, y) for _ in range(3)]
        namespace["max_norm"] = 0.01
        losses += [step(x, y) for _ in range(3)]
        return losses, arrays(namespace["model"])

    step = both_ways(scenario)
    assert step.captures == 3 and step.last_replay


def test_a_counter_read_at_every_call_leaves_the_step_eager_with_its_reason():
    x, y = batch()
    namespace = {"bp": bp, "logged": []}
    exec(STEP_SOURCE.replace("return loss.item()", "if it % 5 == 0:\n        logged.append(it)\n"
                             "    return loss.item()"), namespace)
    namespace["model"], namespace["opt"] = net(0)
    step = bp.jit(namespace["step"])
    for it in range(20):
        namespace["it"] = it
        step(x, y)
    assert namespace["logged"] == [0, 5, 10, 15]  # the Python of every call ran
    assert not step.last_replay and step.captures == 3
    assert "'it' changed" in step.eager_reason and "changes from call to call" in step.eager_reason

"""Optimizer hooks (PyTorch's step pre/post hooks, backprop's update hooks) and the declared hyperparameters,
algorithm and intermediates of every optimizer."""
import inspect
import sys
import threading

import numpy as np
import pytest

import backprop as bp
from backprop.autograd.hooks import RemovableHandle
from backprop.optim import Adagrad, Adam, AdamW, LBFGS, RMSprop, SGD, global_hooks

UPDATE_CLASSES = [SGD, RMSprop, Adam, AdamW, Adagrad]
KWARGS = {SGD: dict(lr=0.1, momentum=0.9), RMSprop: dict(centered=True, momentum=0.5), Adam: dict(amsgrad=True),
          AdamW: {}, Adagrad: {}}


def _param():
    w = bp.tensor(np.array([1.0, -2.0]), requires_grad=True)
    w.grad = np.array([0.5, -0.25], w.dtype)
    return w


# -- declared data -----------------------------------------------------------------------------

@pytest.mark.parametrize("cls", UPDATE_CLASSES + [LBFGS])
def test_hyperparameters_match_the_update_signature_and_the_defaults(cls):
    opt = cls([_param()], **KWARGS.get(cls, {}))
    assert isinstance(cls.hyperparameters, tuple)
    assert set(opt.defaults) == set(cls.hyperparameters)
    if cls.update is not None:
        names = tuple(inspect.signature(cls.update).parameters)
        assert names[:3] == ("param", "grad", "state")
        assert names[3:] == cls.hyperparameters


@pytest.mark.parametrize("cls", UPDATE_CLASSES)
def test_intermediates_are_what_the_update_returns_and_the_docstrings_show_the_algorithm(cls):
    w = _param()
    opt = cls([w], **KWARGS[cls])
    seen = []
    opt.register_update_hook(lambda o, p, info: seen.append(set(info)))
    opt.step()
    assert seen == [set(cls.intermediates) | {"group", "param_before", "grad"}]
    assert isinstance(cls.intermediates, dict) and all(isinstance(v, str) for v in cls.intermediates.values())
    assert isinstance(cls.algorithm, str) and cls.algorithm == inspect.cleandoc(cls.algorithm)
    indented = "\n".join("    " + line if line else "" for line in cls.algorithm.splitlines())
    assert "Algorithm\n---------\n::\n\n" + indented in cls.__doc__
    assert "Algorithm\n---------\n::\n\n" + indented in cls.update.__doc__
    assert cls.update.__doc__.count("\nAlgorithm\n") == 1


def test_a_subclass_whose_hyperparameters_disagree_with_its_update_is_refused():
    def my_update(param, grad, state, lr, beta=0.5):
        return {}

    with pytest.raises(TypeError, match=r"takes \('lr', 'beta'\)"):
        type("Mine", (bp.optim.Optimizer,), {"update": staticmethod(my_update), "hyperparameters": ("beta", "lr")})


# -- update hooks --------------------------------------------------------------------------------

def test_update_hook_info_holds_the_intermediates_step_group_before_and_grad():
    w = _param()
    before = w.data.copy()
    opt = Adam([{"params": [bp.tensor([0.0], requires_grad=True)]}, {"params": [w], "lr": 0.1}])
    infos = []
    handle = opt.register_update_hook(lambda o, p, info: infos.append((o, p, dict(info))))
    assert isinstance(handle, RemovableHandle)
    opt.step()
    (o, p, info), = infos
    assert o is opt and p is w
    assert info["step"] == 1 and info["group"] == 1
    np.testing.assert_array_equal(info["param_before"], before)
    np.testing.assert_array_equal(info["grad"], [0.5, -0.25])
    np.testing.assert_allclose(info["m_hat"], info["grad"])
    np.testing.assert_allclose(info["v_hat"], info["grad"] ** 2)
    np.testing.assert_allclose(info["m"], 0.1 * info["grad"])
    np.testing.assert_allclose(before - info["delta"], w.data)
    assert w._version == 1


def test_per_optimizer_update_hooks_run_before_global_ones():
    w = _param()
    opt = SGD([w], lr=0.1)
    calls = []
    with bp.optim.register_optimizer_update_hook(lambda o, p, info: calls.append("global")):
        opt.register_update_hook(lambda o, p, info: calls.append("own"))
        assert len(global_hooks().update) == 1
        opt.step()
    assert calls == ["own", "global"]
    assert global_hooks() == ((), (), ())
    opt.step()
    assert calls == ["own", "global", "own"]


# -- step hooks ------------------------------------------------------------------------------------

def _record_step_hooks(register_global_pre, register_global_post, opt, calls):
    """Register global and per-optimizer step hooks that append (name, optimizer is opt, args, kwargs)."""
    def hook(name):
        return lambda o, args, kwargs: calls.append((name, o is opt, args[0] is opt, len(args), sorted(kwargs)))
    return [register_global_pre(hook("global pre")), opt.register_step_pre_hook(hook("pre 1")),
            opt.register_step_pre_hook(hook("pre 2")), opt.register_step_post_hook(hook("post")),
            register_global_post(hook("global post"))]


def test_step_hooks_order_and_arguments_follow_torch():
    torch = pytest.importorskip("torch")
    torch_optimizer = pytest.importorskip("torch.optim.optimizer")
    ours, theirs = [], []
    w = _param()
    t = torch.tensor([1.0, -2.0], requires_grad=True)
    t.grad = torch.tensor([0.5, -0.25])
    opt, topt = SGD([w], lr=0.1), torch.optim.SGD([t], lr=0.1)
    handles = (_record_step_hooks(bp.optim.register_optimizer_step_pre_hook,
                                  bp.optim.register_optimizer_step_post_hook, opt, ours)
               + _record_step_hooks(torch_optimizer.register_optimizer_step_pre_hook,
                                    torch_optimizer.register_optimizer_step_post_hook, topt, theirs))
    try:
        for o in (opt, topt):
            o.step()
            o.step(None)
            o.step(closure=lambda: 1.0)
    finally:
        for handle in handles:
            handle.remove()
    assert ours == theirs
    assert [c[0] for c in ours[:5]] == ["global pre", "pre 1", "pre 2", "post", "global post"]
    np.testing.assert_allclose(w.data, t.detach().numpy())


def test_a_pre_hook_may_replace_the_arguments_and_a_bad_return_raises():
    w = _param()
    opt = SGD([w], lr=0.1)
    seen = []
    opt.register_step_pre_hook(lambda o, args, kwargs: (args, {"closure": lambda: 7.0}))
    opt.register_step_post_hook(lambda o, args, kwargs: seen.append(sorted(kwargs)))
    assert opt.step() == 7.0 and seen == [["closure"]]
    opt.register_step_pre_hook(lambda o, args, kwargs: "no")
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        opt.step()


def test_step_hooks_wrap_a_subclass_step_once_and_lbfgs():
    class Mine(SGD):
        def step(self, closure=None):
            return super().step(closure)

    w = _param()
    calls = []
    Mine([w], lr=0.1)  # a second instance does not wrap again
    opt = Mine([w], lr=0.1)
    opt.register_step_pre_hook(lambda o, args, kwargs: calls.append("pre"))
    opt.register_step_post_hook(lambda o, args, kwargs: calls.append("post"))
    opt.step()
    assert calls == ["pre", "post"]
    lbfgs = LBFGS([w], max_iter=2)
    lbfgs.register_step_post_hook(lambda o, args, kwargs: calls.append(("lbfgs", len(args))))

    def closure():
        lbfgs.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    lbfgs.step(closure)
    assert calls[-1] == ("lbfgs", 2)


# -- handles, threads, errors ------------------------------------------------------------------------

def test_removing_a_handle_twice_is_harmless_and_a_with_block_removes_it():
    opt = SGD([_param()], lr=0.1)
    calls = []
    handle = opt.register_step_post_hook(lambda *a: calls.append(1))
    handle.remove()
    handle.remove()
    opt.step()
    assert calls == []
    with opt.register_step_pre_hook(lambda *a: calls.append("pre")), \
            bp.optim.register_optimizer_step_post_hook(lambda *a: calls.append("global")), \
            opt.register_update_hook(lambda *a: calls.append("update")):
        opt.step()
    opt.step()
    assert calls == ["pre", "update", "global"]
    assert global_hooks() == ((), (), ())


def test_global_hooks_are_per_thread():
    calls = []
    registered, stepped = threading.Event(), threading.Event()

    def other():
        with bp.optim.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("other's pre")), \
                bp.optim.register_optimizer_update_hook(lambda o, p, i: calls.append("other's update")):
            registered.set()
            stepped.wait(10)
            SGD([_param()], lr=0.1).step()

    thread = threading.Thread(target=other)
    thread.start()
    assert registered.wait(10)
    assert global_hooks() == ((), (), ())
    SGD([_param()], lr=0.1).step()  # this thread's step: the other thread's hooks are not called
    assert calls == []
    stepped.set()
    thread.join(10)
    assert calls == ["other's pre", "other's update"]


@pytest.mark.parametrize("kind", ["step_pre", "step_post", "update", "global_update"])
def test_an_exception_in_a_hook_keeps_its_type_and_names_the_hook(kind):
    def faulty_hook(*args):
        raise KeyError("boom")

    opt = SGD([_param()], lr=0.1)
    register = {"step_pre": opt.register_step_pre_hook, "step_post": opt.register_step_post_hook,
                "update": opt.register_update_hook,
                "global_update": bp.optim.register_optimizer_update_hook}[kind]
    with register(faulty_hook), pytest.raises(KeyError, match="boom") as info:
        opt.step()
    if sys.version_info >= (3, 11):
        assert any("faulty_hook" in note for note in info.value.__notes__)
    assert not opt._in_step
    opt.step()  # removed: the next step runs without it

"""Module hooks against PyTorch: the same models, the same hooks, the same calls, logs and gradients."""
import copy
import warnings
from collections import OrderedDict

import numpy as np
import pytest

import backprop as bp
from backprop import nn

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)


def _pair(build):
    """The same model in both libraries (float64, PyTorch's weights)."""
    theirs = build(torch.nn).double()
    ours = build(nn).double()
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _mlp(lib):
    return lib.Sequential(lib.Linear(3, 4), lib.Tanh(), lib.Linear(4, 2))


def _inputs(*shapes, requires_grad=True):
    arrays = [RNG.standard_normal(s) for s in shapes]
    ours = [bp.tensor(a, dtype=np.float64, requires_grad=requires_grad) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=requires_grad) for a in arrays]
    return ours, theirs


def _np(t):
    if t is None:
        return None
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t.data if isinstance(t, bp.Tensor) else np.asarray(t)


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert (x is None) == (y is None)
        if x is not None:
            np.testing.assert_allclose(_np(x), _np(y), rtol=1e-12, atol=1e-14)


class Mul:
    """forward(a, b, scale=1.0) = scale·a·b, built in either library."""

    @staticmethod
    def make(lib):
        class _Mul(lib.Module):
            def forward(self, a, b, scale=1.0):
                return a * b * scale
        return _Mul()


class Split:
    @staticmethod
    def make(lib):
        class _Split(lib.Module):
            def forward(self, a):
                return a * 2, a * 3
        return _Split()


def _hook_everything(model, log):
    """Forward pre, forward, backward pre and backward hooks on every module, logging what they see."""
    for name, m in model.named_modules():
        name = name or "root"
        m.register_forward_pre_hook(lambda mod, args, n=name: log.append(("pre", n, [tuple(a.shape) for a in args])))
        m.register_forward_hook(lambda mod, args, out, n=name: log.append(("fwd", n, tuple(out.shape))))
        m.register_full_backward_pre_hook(lambda mod, go, n=name: log.append(("bpre", n, tuple(go[0].shape))))
        m.register_full_backward_hook(lambda mod, gi, go, n=name: log.append(
            ("bwd", n, [None if g is None else tuple(g.shape) for g in gi], tuple(go[0].shape))))


def test_call_order_of_every_kind_of_hook_matches_pytorch():
    ours, theirs = _pair(_mlp)
    (x,), (tx,) = _inputs((5, 3))
    logs = [], []
    _hook_everything(ours, logs[0])
    _hook_everything(theirs, logs[1])
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    assert logs[0] == logs[1]
    assert logs[0][:2] == [("pre", "root", [(5, 3)]), ("pre", "0", [(5, 3)])]
    np.testing.assert_allclose(x.grad, _np(tx.grad), rtol=1e-12)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, _np(q.grad), rtol=1e-12)


def test_forward_pre_hook_replaces_the_inputs_and_forward_hook_the_output():
    ours, theirs = _pair(lambda lib: lib.Linear(3, 2))
    (x,), (tx,) = _inputs((4, 3))
    results = []
    for model, lib in ((ours, bp), (theirs, torch)):
        model.register_forward_pre_hook(lambda mod, args: args[0] * 2)  # not a tuple: wrapped in one
        model.register_forward_hook(lambda mod, args, out: out + args[0].sum())
        results.append(model(x if lib is bp else tx))
    _assert_same([results[0]], [results[1]])


def test_with_kwargs_hooks_see_and_replace_args_and_kwargs():
    ours, theirs = Mul.make(nn), Mul.make(torch.nn)
    (a, b), (ta, tb) = _inputs((2, 3), (2, 3))
    seen = [], []
    for model, log in ((ours, seen[0]), (theirs, seen[1])):
        model.register_forward_pre_hook(lambda mod, args, kwargs: (args[::-1], {**kwargs, "scale": 3.0}),
                                        with_kwargs=True)
        model.register_forward_hook(lambda mod, args, kwargs, out, log=log: log.append(dict(kwargs)) or out * 2,
                                    with_kwargs=True)
    _assert_same([ours(a, b, scale=0.5)], [theirs(ta, tb, scale=0.5)])
    assert seen[0] == seen[1] == [{"scale": 3.0}]
    for model, args in ((ours, (a, b)), (theirs, (ta, tb))):
        model.register_forward_pre_hook(lambda mod, args, kwargs: args[0], with_kwargs=True)  # not (args, kwargs)
        with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\)"):
            model(*args)


@pytest.mark.parametrize("kind", ["register_forward_pre_hook", "register_forward_hook",
                                  "register_full_backward_pre_hook", "register_full_backward_hook"])
def test_prepend_puts_a_hook_first(kind):
    ours, theirs = _pair(lambda lib: lib.Linear(3, 2))
    (x,), (tx,) = _inputs((4, 3))
    logs = [], []
    for model, log in ((ours, logs[0]), (theirs, logs[1])):
        register = getattr(model, kind)
        for tag, prepend in (("a", False), ("b", False), ("c", True), ("d", True)):
            register(lambda *args, tag=tag, log=log: log.append(tag), prepend=prepend)
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    assert logs[0] == logs[1] == ["d", "c", "a", "b"]


def test_removal_twice_is_harmless_and_a_handle_is_a_context_manager():
    model = nn.Linear(3, 2)
    calls = []
    handle = model.register_forward_hook(lambda *a: calls.append(1), with_kwargs=False, always_call=True)
    with model.register_forward_pre_hook(lambda *a: calls.append(0), with_kwargs=True):
        model(bp.randn(1, 3))
    assert calls == [0, 1] and not model._forward_pre_hooks and not model._forward_pre_hooks_with_kwargs
    handle.remove()
    handle.remove()
    model(bp.randn(1, 3))
    assert calls == [0, 1]
    assert not model._forward_hooks and not model._forward_hooks_always_called


def test_always_call_forward_hook_runs_when_forward_raises():
    logs = [], []
    for lib, log in ((nn, logs[0]), (torch.nn, logs[1])):
        model = lib.Linear(3, 2)
        model.register_forward_hook(lambda mod, args, out, log=log: log.append("plain"))
        model.register_forward_hook(lambda mod, args, out, log=log: log.append(("always", out)), always_call=True)
        bad = bp.randn(1, 4) if lib is nn else torch.randn(1, 4)
        with pytest.raises((ValueError, RuntimeError)):  # ShapeError, or PyTorch's
            model(bad)
    assert logs[0] == logs[1] == [("always", None)]


def test_grad_input_and_grad_output_of_a_linear_layer_match_pytorch():
    ours, theirs = _pair(lambda lib: lib.Linear(3, 2))
    (x,), (tx,) = _inputs((4, 3))
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append((mod, gi, go)))
    ours(x).pow(2).sum().backward()
    theirs(tx).pow(2).sum().backward()
    (m, gi, go), (_, tgi, tgo) = got[0][0], got[1][0]
    assert m is ours and isinstance(gi, tuple) and isinstance(go, tuple) and isinstance(gi[0], bp.Tensor)
    _assert_same(gi, tgi)
    _assert_same(go, tgo)
    np.testing.assert_allclose(gi[0].data, x.grad)


def test_two_inputs_and_a_number_give_a_grad_input_per_argument():
    ours, theirs = Mul.make(nn), Mul.make(torch.nn)
    (a, b), (ta, tb) = _inputs((2, 3), (2, 3))
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append((gi, go)))
    ours(a, b, 2.0).sum().backward()
    theirs(ta, tb, 2.0).sum().backward()
    (gi, go), (tgi, tgo) = got[0][0], got[1][0]
    assert len(gi) == 3 and gi[2] is None  # the number has no gradient
    _assert_same(gi, tgi)
    _assert_same(go, tgo)


def test_a_tensor_input_without_gradient_gets_zeros_as_in_pytorch():
    """PyTorch shows zeros for a tensor argument no gradient reached, and passes them on to it."""
    ours, theirs = Mul.make(nn), Mul.make(torch.nn)
    (a,), (ta,) = _inputs((2, 3))
    (b,), (tb,) = _inputs((2, 3), requires_grad=False)
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append(gi))
    ours(a, b).sum().backward()
    theirs(ta, tb).sum().backward()
    assert np.all(got[0][0][1].data == 0)
    _assert_same(got[0][0], got[1][0])


def test_an_unused_input_gets_zeros_and_passes_them_on_as_in_pytorch():
    def first(lib):
        class _First(lib.Module):
            def forward(self, a, b):
                return a * 2
        return _First()

    ours, theirs = first(nn), first(torch.nn)
    (a, b), (ta, tb) = _inputs((2, 3), (2, 3))
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append(gi))
    ours(a, b).sum().backward()
    theirs(ta, tb).sum().backward()
    _assert_same(got[0][0], got[1][0])
    _assert_same([a.grad, b.grad], [ta.grad, tb.grad])
    assert (b.grad == 0).all()


def test_when_no_input_requires_grad_the_hook_fires_from_the_output_side():
    ours, theirs = _pair(lambda lib: lib.Linear(3, 2))
    (x,), (tx,) = _inputs((4, 3), requires_grad=False)
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append((gi, go)))
    with pytest.warns(UserWarning, match="no inputs require gradients"):
        ours(x).sum().backward()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs(tx).sum().backward()
    assert got[0][0][0] == got[1][0][0] == (None,)
    _assert_same(got[0][0][1], got[1][0][1])
    np.testing.assert_allclose(ours.weight.grad, _np(theirs.weight.grad), rtol=1e-12)
    ours.register_full_backward_hook(lambda mod, gi, go: (bp.zeros(4, 3),))
    with pytest.warns(UserWarning), pytest.raises(RuntimeError, match="no input requires gradient"):
        ours(x).sum().backward()


def test_replaced_grad_input_and_grad_output_flow_on():
    ours, theirs = _pair(_mlp)
    (x,), (tx,) = _inputs((5, 3))
    for model in (ours, theirs):
        model[2].register_full_backward_pre_hook(lambda mod, go: (go[0] * 3,))
        model[0].register_full_backward_hook(lambda mod, gi, go: (gi[0] * -2,))
    ours(x).sum().backward()
    theirs(tx).sum().backward()
    np.testing.assert_allclose(x.grad, _np(tx.grad), rtol=1e-12)
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(p.grad, _np(q.grad), rtol=1e-12)


def test_a_tuple_output_with_one_part_unused_has_none_in_grad_output():
    ours, theirs = Split.make(nn), Split.make(torch.nn)
    (x,), (tx,) = _inputs((2, 3))
    got = [], []
    for model, log in ((ours, got[0]), (theirs, got[1])):
        model.register_full_backward_pre_hook(lambda mod, go, log=log: log.append(go))
        model.register_full_backward_hook(lambda mod, gi, go, log=log: log.append((gi, go)))
    ours(x)[1].sum().backward()
    theirs(tx)[1].sum().backward()
    assert got[0][0][0] is None
    _assert_same(got[0][0], got[1][0])
    _assert_same(got[0][1][0], got[1][1][0])
    _assert_same(got[0][1][1], got[1][1][1])


def test_exceptions_in_hooks_keep_their_type():
    model = nn.Linear(3, 2)
    x = bp.randn(4, 3, requires_grad=True)
    with model.register_forward_pre_hook(lambda mod, args: {}["missing"]), pytest.raises(KeyError):
        model(x)
    with model.register_forward_hook(lambda mod, args, out: 1 / 0), pytest.raises(ZeroDivisionError):
        model(x)

    def bad(mod, gi, go):
        raise ValueError("from the hook")
    with model.register_full_backward_hook(bad):
        y = model(x).sum()
    with pytest.raises(ValueError, match="from the hook"):
        y.backward()
    with model.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0])):
        with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
            model(x).sum().backward()


def test_retain_graph_calls_the_hook_on_each_pass_and_bp_grad_too():
    model = nn.Linear(3, 2).double()
    x = bp.tensor(RNG.standard_normal((4, 3)), dtype=np.float64, requires_grad=True)
    seen = []
    model.register_full_backward_hook(lambda mod, gi, go: seen.append(gi[0].data.copy()))
    y = model(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    (gx,) = bp.grad(model(x).sum(), [x])
    assert len(seen) == 3
    np.testing.assert_allclose(seen[0], seen[1])
    np.testing.assert_allclose(seen[2], gx.data)


def test_second_derivatives_through_a_hooked_module_are_unchanged():
    def grad_of_grad(hooked):
        model = nn.Sequential(nn.Linear(3, 3), nn.Tanh()).double()
        model.load_state_dict({"0.weight": np.eye(3) * 0.5, "0.bias": np.ones(3) * 0.1})
        if hooked:
            for m in model.modules():
                m.register_full_backward_hook(lambda mod, gi, go: None)
                m.register_full_backward_pre_hook(lambda mod, go: None)
        x = bp.tensor([[0.3, -0.2, 0.7]], dtype=np.float64, requires_grad=True)
        (g,) = bp.grad(model(x).pow(3).sum(), [x], create_graph=True)
        g.sum().backward()
        return g.data, x.grad

    for a, b in zip(grad_of_grad(True), grad_of_grad(False)):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_under_no_grad_backward_hooks_are_not_set_but_forward_hooks_run():
    model = nn.Linear(3, 2)
    calls = []
    model.register_forward_hook(lambda *a: calls.append("fwd"))
    model.register_full_backward_hook(lambda *a: calls.append("bwd"))
    with bp.no_grad():
        out = model(bp.randn(2, 3, requires_grad=True))
    assert calls == ["fwd"] and not out.requires_grad


def test_hooks_live_in_ordered_dicts_kept_by_deepcopy_and_out_of_the_state_dict():
    model = nn.Sequential(nn.Linear(3, 2))
    calls = []
    handle = model[0].register_forward_hook(lambda mod, args, out: calls.append(mod))
    assert isinstance(model[0]._forward_hooks, OrderedDict) and list(model[0]._forward_hooks) == [handle.id]
    assert list(model.state_dict()) == ["0.weight", "0.bias"]
    twin = copy.deepcopy(model)
    handle.remove()
    twin(bp.randn(1, 3))
    model(bp.randn(1, 3))
    assert len(calls) == 1 and calls[0] is twin[0]
    assert model._forward_hooks == OrderedDict() and len(twin[0]._forward_hooks) == 1


def test_without_hooks_call_is_forward_and_records_no_hook_nodes(monkeypatch):
    import backprop.nn.module as module_py
    monkeypatch.setattr(module_py, "call_with_hooks", lambda *a: pytest.fail("the hook path was taken"))
    model = nn.Linear(3, 2)
    out = model(bp.randn(2, 3, requires_grad=True))
    assert out.grad_fn.op.__name__ == "Linear"


def test_a_module_whose_init_skips_super_init_says_so():
    class Forgetful(nn.Module):
        def __init__(self):
            pass

        def forward(self, x):
            return x

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()(bp.zeros(1))

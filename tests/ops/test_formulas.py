"""Formulas as data: every op's backward formulas keyed by its input names, chosen per call where the
options or the mode change them, read by the docstrings of the public functions."""
import inspect

import numpy as np
import pytest

import backprop as bp
import backprop.linalg  # noqa: F401  (imports every op class)
import backprop.nn  # noqa: F401
from backprop.autograd.function import DoubleBackwardBarrier, Function
from backprop.autograd.graph import register_op_observer
from backprop.ops import activations, conv, elementwise, layers, linalg, losses, losses_classification, shape


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


LIBRARY_OPS = sorted({op for op in _subclasses(Function)
                      if op.__module__.startswith("backprop.") and not op.__name__.startswith("_")
                      and op is not DoubleBackwardBarrier}, key=lambda op: op.__name__)


def test_the_walk_finds_the_ops():
    names = {op.__name__ for op in LIBRARY_OPS}
    assert {"Sigmoid", "Linear", "Conv2d", "BatchNorm", "MatMul", "Solve", "SoftmaxCrossEntropy", "SumTo",
            "Concatenate", "MaxPool2d"} <= names


@pytest.mark.parametrize("op", LIBRARY_OPS, ids=lambda op: op.__name__)
def test_backward_formulas_are_keyed_by_input_name(op):
    assert not op.backward_formula, f"{op.__name__}: a library op declares backward_formulas, by input"
    forward, backward = op.formulas()
    allowed = set(op.input_names) | ({f"*{op.variadic_input}"} if op.variadic_input else set())
    assert set(backward) <= allowed
    if op.differentiable:
        assert forward and backward, f"{op.__name__} declares no formulas"
        assert set(op.backward_formulas) <= set(op.input_names)


# The left-hand side of each input's formula: the gradient of *that* input (the issue: splitting the
# joined string by position gave Conv2d's x the dW formula and solve's A the dB one).
GRADIENT_OF = {
    elementwise.Add: {"a": "da", "b": "db"}, elementwise.Sub: {"a": "da", "b": "db"},
    elementwise.Mul: {"a": "da", "b": "db"}, elementwise.Div: {"a": "da", "b": "db"},
    elementwise.Pow: {"a": "da", "b": "db"}, elementwise.Maximum: {"a": "da", "b": "db"},
    elementwise.Minimum: {"a": "da", "b": "db"}, elementwise.Where: {"a": "da", "b": "db"},
    shape.IndexPut: {"x": "dx", "v": "dv"},
    layers.Linear: {"x": "dX", "weight": "dW", "bias": "db"},
    layers.PReLU: {"x": "dx", "weight": "da"},
    layers.BatchNorm: {"x": "dx", "weight": "dγ", "bias": "dβ"},
    conv.Conv2d: {"x": "dX", "weight": "dW", "bias": "db"},
    linalg.MatMul: {"a": "dA", "b": "dB"},
    linalg.Solve: {"a": "dA", "b": "dB"},
    losses.MSE: {"input": "dŷ", "target": "dy"},
    losses.MarginLoss: {"input": "dz"},
    losses_classification.BinaryCrossEntropy: {"input": "dp", "target": "dy"},
    losses_classification.BCEWithLogits: {"input": "dz", "target": "dy"},
    losses_classification.SoftmaxCrossEntropy: {"input": "dz", "target": "dy"},
}


@pytest.mark.parametrize("op", list(GRADIENT_OF), ids=lambda op: op.__name__)
def test_each_input_gets_its_own_gradient_formula(op):
    backward = op.formulas()[1]
    assert {name: f.split("=")[0].strip() for name, f in backward.items()} == GRADIENT_OF[op]


def _t(*shape, seed=0):
    return bp.tensor(np.random.default_rng(seed).normal(size=shape), requires_grad=True)


CALLS = {
    "sum": lambda: _t(3, 4).sum(axis=1),
    "mean": lambda: _t(3, 4).mean(0, keepdims=True),
    "var": lambda: _t(3, 4).var(1),
    "max": lambda: _t(3, 4).amax(1),
    "logsumexp": lambda: bp.logsumexp(_t(3, 4), 1),
    "softmax": lambda: bp.softmax(_t(3, 4), 1, temperature=2.0),
    "log_softmax": lambda: bp.log_softmax(_t(3, 4)),
    "logit": lambda: bp.logit(bp.tensor([0.3, 0.6], requires_grad=True), eps=1e-6),
    "clip": lambda: bp.clip(_t(3), -0.5, 0.5),
    "reshape": lambda: _t(3, 4).reshape(4, 3),
    "permute": lambda: _t(2, 3, 4).permute(2, 0, 1),
    "getitem": lambda: _t(3, 4)[1:, ::2],
    "index_put": lambda: shape.index_put(_t(3), slice(1, 2), _t(1, seed=1)),
    "broadcast_to": lambda: bp.broadcast_to(_t(1, 3), (2, 3)),
    "sum_to": lambda: shape.sum_to(_t(2, 3), (1, 3)),
    "cast": lambda: elementwise.cast(_t(3), np.float64 if _t(1).dtype != np.float64 else np.float32),
    "cat": lambda: bp.cat([_t(2, 3), _t(2, 1, seed=1)], 1),
    "where": lambda: bp.where(np.array([True, False]), _t(2), _t(2, seed=1)),
    "linear": lambda: bp.F.linear(_t(2, 3), _t(4, 3, seed=1), _t(4, seed=2)),
    "leaky_relu": lambda: bp.F.leaky_relu(_t(3), 0.1),
    "dropout": lambda: bp.F.dropout(_t(3, 4), 0.5),
    "conv2d": lambda: bp.F.conv2d(_t(1, 2, 5, 5), _t(3, 2, 3, 3, seed=1), _t(3, seed=2)),
    "max_pool2d": lambda: bp.F.max_pool2d(_t(1, 1, 4, 4), 2),
    "norm": lambda: bp.linalg.norm(_t(3, 4), axis=1),
    "mse": lambda: bp.F.mse_loss(_t(3), _t(3, seed=1)),
    "hinge": lambda: bp.F.hinge_loss(_t(3), [1.0, -1.0, 1.0]),
    "bce": lambda: bp.F.binary_cross_entropy(bp.tensor([0.2, 0.7], requires_grad=True), [0.0, 1.0]),
    "bce_logits": lambda: bp.F.binary_cross_entropy_with_logits(_t(2), [0.0, 1.0], pos_weight=[2.0, 2.0]),
    "cross_entropy": lambda: bp.F.cross_entropy(_t(2, 3), [0, 2]),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_positional_inputs_are_the_tensors_and_each_has_a_formula(name):
    node = CALLS[name]().grad_fn
    wanted = {n for n, need in zip(node.input_names, node.needs_input_grad) if need}
    assert wanted <= set(node.backward_formulas)
    assert node.forward_formula


@pytest.mark.parametrize("name, count", [
    ("sum", 1), ("var", 1), ("reshape", 1), ("permute", 1), ("softmax", 1), ("logsumexp", 1), ("logit", 1),
    ("getitem", 1), ("clip", 1), ("cast", 1), ("broadcast_to", 1), ("sum_to", 1), ("norm", 1),
    ("max_pool2d", 1), ("index_put", 2), ("cat", 2), ("mse", 2), ("linear", 3), ("conv2d", 3),
    ("cross_entropy", 2), ("hinge", 2),  # the target is a data input (a constant here)
])
def test_options_are_keyword_only_so_next_functions_count_the_tensor_inputs(name, count):
    # As PyTorch's: SumBackward0.next_functions has one entry, not one for axis and keepdims too.
    assert len(CALLS[name]().grad_fn.next_functions) == count


def test_reductions_name_their_axis():
    node = CALLS["sum"]().grad_fn
    assert node.forward_formula == "y = Σ_axis=1 x"
    assert node.backward_formulas == {"x": "dx = broadcast(dy) along axis 1"}
    assert _t(3, 4).sum().grad_fn.backward_formulas == {"x": "dx = broadcast(dy)"}  # every axis: nothing to name
    assert _t(2, 3, 4).mean((0, 2)).grad_fn.forward_formula == "y = (1/n) Σ_axes=(0, 2) x"
    assert CALLS["max"]().grad_fn.forward_formula == "y = max_axis=1 x"
    assert CALLS["var"]().grad_fn.forward_formula == "y = Σ_axis=1 (x − x̄)² / (n − 1)"
    assert CALLS["logsumexp"]().grad_fn.forward_formula == "y = ln Σ_axis=1 exp(x)"
    softmax = CALLS["softmax"]().grad_fn
    assert softmax.forward_formula == "y = exp(x/2) / Σ_axis=1 exp(x/2)"
    assert softmax.backward_formulas == {"x": "dx = y · (dy − Σ_axis=1 dy·y) / 2"}
    assert CALLS["norm"]().grad_fn.forward_formula == "y = √(Σ_axis=1 x²)"


def test_batch_norm_in_eval_mode_shows_the_running_statistics_formula():
    bn = bp.nn.BatchNorm1d(3)
    x = _t(4, 3)
    train = bn(x).grad_fn
    assert train.backward_formulas["x"].startswith("dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))")
    evaluated = bn.eval()(x).grad_fn
    assert evaluated.backward_formulas["x"] == "dx = dy·γ / √(running_var + ε)"
    assert evaluated.forward_formula == "y = γ·(x − running_mean) / √(running_var + ε) + β"
    assert set(evaluated.backward_formulas) == {"x", "weight", "bias"}
    plain = bp.nn.BatchNorm1d(3, affine=False).eval()(x).grad_fn
    assert plain.backward_formulas == {"x": "dx = dy / √(running_var + ε)"}


def test_no_bias_no_bias_formula():
    x, w = _t(1, 2, 5, 5), _t(3, 2, 3, 3, seed=1)
    node = bp.F.conv2d(x, w).grad_fn
    assert set(node.backward_formulas) == {"x", "weight"} and "b" not in node.forward_formula
    assert node.backward_formulas["x"] == "dX = fold(W_colᵀ · dY)"
    assert set(CALLS["conv2d"]().grad_fn.backward_formulas) == {"x", "weight", "bias"}
    linear = bp.F.linear(_t(2, 3), _t(4, 3, seed=1)).grad_fn
    assert linear.forward_formula == "Z = X·Wᵀ" and linear.backward_formulas == {"x": "dX = dZ·W",
                                                                                 "weight": "dW = dZᵀ·X"}


@pytest.mark.parametrize("a, b, forms", [
    ((2, 3), (3, 4), {"a": "dA = dC @ Bᵀ", "b": "dB = Aᵀ @ dC"}),
    ((2, 3), (3,), {"a": "dA = outer(dC, B)", "b": "dB = Aᵀ @ dC"}),
    ((3,), (3, 4), {"a": "dA = dC @ Bᵀ", "b": "dB = outer(A, dC)"}),
    ((3,), (3,), {"a": "dA = dC·B", "b": "dB = dC·A"}),
])
def test_matmul_formulas_take_the_vector_form_of_1d_operands(a, b, forms):
    node = bp.matmul(_t(*a), _t(*b, seed=1)).grad_fn
    assert node.input_names == ("a", "b")
    assert node.backward_formulas == forms
    assert bp.linalg.solve(_t(3, 3) + 3 * bp.eye(3), _t(3, seed=1)).grad_fn.backward_formulas == {
        "a": "dA = −(A⁻ᵀ · dX) · Xᵀ", "b": "dB = A⁻ᵀ · dX"}


def test_fused_ops_show_their_intermediates_only_to_an_observer():
    z = _t(2, 3)
    assert bp.F.cross_entropy(z, [0, 2]).grad_fn.intermediates == {}
    with register_op_observer(on_forward=lambda *a: None):
        node = bp.F.cross_entropy(z, [0, 2]).grad_fn
        bce = bp.F.binary_cross_entropy_with_logits(z, np.zeros((2, 3))).grad_fn
        bn = bp.nn.BatchNorm1d(3)(z).grad_fn
    formula, g = node.intermediates["g"]
    assert formula == "g = softmax(z)"
    np.testing.assert_allclose(g, bp.softmax(z, 1).data, rtol=1e-6)
    np.testing.assert_allclose(bce.intermediates["p"][1], bp.sigmoid(z).data, rtol=1e-6)
    x_hat = (z.data - z.data.mean(0)) / np.sqrt(z.data.var(0) + 1e-5)
    np.testing.assert_allclose(bn.intermediates["x_hat"][1], x_hat, rtol=1e-4)


def _public_op_functions():
    source = inspect.getsource(bp)
    names = [n for n in bp.__all__ if f" {n}" in source or f"({n}" in source]
    return [(n, getattr(bp, n)) for n in names
            if inspect.isfunction(getattr(bp, n)) and getattr(bp, n).__module__.startswith("backprop.ops")]


def test_every_public_op_function_documents_its_formulas():
    functions = _public_op_functions()
    assert len(functions) > 40 and ("sigmoid", bp.sigmoid) in functions
    for name, fn in functions:
        assert fn.__doc__ and fn.op.forward_formula in fn.__doc__, name
    for name in ("conv2d", "max_pool2d", "avg_pool2d", "unfold", "fold", "mse_loss", "cross_entropy",
                 "binary_cross_entropy", "binary_cross_entropy_with_logits", "hinge_loss", "relu", "sigmoid"):
        fn = getattr(bp.F, name)
        assert fn.op.forward_formula in fn.__doc__, name


def test_help_shows_the_formulas():
    assert bp.sigmoid.__doc__.startswith("The logistic sigmoid")
    assert "forward:   y = 1 / (1 + exp(−x))" in bp.sigmoid.__doc__
    assert "backward:  dx = dy · y · (1 − y)" in bp.sigmoid.__doc__
    assert activations.Sigmoid.formula_text() in activations.Sigmoid.__doc__

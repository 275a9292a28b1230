"""The read-only graph view (grad_fn, next_functions, Node) against PyTorch's structure."""
import numpy as np
import pytest

import backprop as bp
from backprop.autograd.graph import AccumulateGrad, Node, increment_version

torch = pytest.importorskip("torch")


def _structure(node, seen=None):
    """A node's shape in the graph: ('leaf',) for AccumulateGrad, None for a constant, else its inputs."""
    if node is None:
        return None
    if node.name().endswith("AccumulateGrad"):  # PyTorch's is 'torch::autograd::AccumulateGrad'
        return ("leaf",)
    return tuple(_structure(n) for n, _ in node.next_functions)


GRAPHS = {
    "mul add": lambda T, x, w, b: x * w + b,
    "constant operand": lambda T, x, w, b: x * 3.0 + w,
    "reused input": lambda T, x, w, b: x * x,
    "matmul": lambda T, x, w, b: x.reshape(1, 3) @ w.reshape(3, 1),
    "exp sub": lambda T, x, w, b: (x - b).exp(),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_next_functions_have_pytorchs_structure(name):
    values = [np.array([1.0, 2.0, 3.0]), np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, 0.3])]
    ours = GRAPHS[name](bp, *[bp.tensor(v, requires_grad=True) for v in values])
    theirs = GRAPHS[name](torch, *[torch.tensor(v, requires_grad=True) for v in values])
    assert _structure(ours.grad_fn) == _structure(theirs.grad_fn)


def test_grad_fn_is_one_node_object_and_none_for_leaves_and_no_grad():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.grad_fn is y.grad_fn and {y.grad_fn: 1}[y.grad_fn] == 1
    assert isinstance(y.grad_fn, Node) and y.grad_fn.name() == "MulBackward"
    assert x.grad_fn is None
    with bp.no_grad():
        assert (x * 2).grad_fn is None
    acc = y.grad_fn.next_functions[0][0]
    assert isinstance(acc, AccumulateGrad) and acc.variable is x and acc is y.grad_fn.next_functions[0][0]
    assert acc.next_functions == () and acc.name() == "AccumulateGrad"


def test_node_shows_its_inputs_formulas_and_saved_values():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = bp.sigmoid(x)
    node = y.grad_fn
    assert node.input_names == ("x",)
    assert node.forward_formula and set(node.backward_formulas) == {"x"}
    assert set(node.saved) and all(isinstance(v, np.ndarray) for v in node.saved.values())
    with pytest.raises(TypeError):
        node.saved["y"] = 0
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Sigmoid"):
        dict(node.saved)


def test_variadic_inputs_are_named_by_position():
    a, b, c = (bp.tensor([float(i)], requires_grad=True) for i in range(3))
    node = bp.cat([a, b, c]).grad_fn
    star = node.op.variadic_input
    assert node.input_names == (f"{star}[0]", f"{star}[1]", f"{star}[2]")
    assert set(node.backward_formulas) <= set(node.input_names)


def test_formula_keys_are_checked_when_an_op_is_declared():
    with pytest.raises(TypeError, match="'w'.*forward\\(ctx, x\\)"):
        class Bad(bp.Function):
            backward_formulas = {"w": "dw = dy"}

            @staticmethod
            def forward(ctx, x):
                return x


def test_increment_version_is_the_public_way_to_report_an_inplace_change():
    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = x.detach()
    z = x * x
    assert x._version == 0
    increment_version(y)  # a detached tensor shares the counter
    assert x._version == 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        z.sum().backward()
    with pytest.raises(AttributeError):
        x._version = 5


def test_tensor_wrap_shares_memory_and_records_nothing():
    a = np.arange(3.0)
    t = bp.Tensor.wrap(a)
    assert t.data is a and not t.requires_grad and t.grad_fn is None


def _all_ops(cls=bp.Function):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_ops(sub)


def test_input_names_read_from_code_agree_with_inspect():
    import inspect

    import backprop.nn  # noqa: F401  (its ops too)

    for op in _all_ops():
        params = list(inspect.signature(op.forward).parameters.values())[1:]
        names = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
        star = next((p.name for p in params if p.kind is p.VAR_POSITIONAL), None)
        assert (op.input_names, op.variadic_input) == (names, star), op.__name__

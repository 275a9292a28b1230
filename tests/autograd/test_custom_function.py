"""Users declare their own ops as the library does: a Function with a forward and a backward formula."""
import numpy as np
import pytest

import backprop as bp
from backprop.exceptions import DoubleBackwardError, ShapeError
from backprop.ops import dispatch as D


class Cube(bp.Function):
    """y = x³, saved with PyTorch's spelling."""

    forward_formula = "y = x³"
    backward_formula = "dx = dy · 3x²"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * 3 * x ** 2


class Gaussian(bp.Function):
    """y = exp(−x²); backward uses the saved output and the dispatch functions."""

    @staticmethod
    def forward(ctx, x):
        y = np.exp(-x * x)
        ctx.save(x=x, y=y)
        return y

    @staticmethod
    def backward(ctx, dy):
        return dy * -2 * ctx.x * ctx.y


class ScaledSoftplus(bp.Function):
    """y = log(1 + exp(αa)) · b: an option, two inputs, a backward via dispatch and needs_input_grad."""

    @staticmethod
    def forward(ctx, a, b, alpha=1.0):
        ctx.alpha = alpha
        ctx.save(a=a, b=b)
        return np.logaddexp(0, alpha * a) * b

    @staticmethod
    def backward(ctx, dy):
        na, nb = ctx.needs_input_grad
        a, b, alpha = ctx.a, ctx.b, ctx.alpha
        da = dy * b * alpha * D.sigmoid(alpha * a) if na else None
        db = dy * D.log(1 + D.exp(alpha * a)) if nb else None
        return da, db


class CubeFirstOrderOnly(Cube):
    supports_double_backward = False


class CubeFromIntermediate(bp.Function):
    """y = x³ saving x² (an intermediate, not an input) and declaring no second derivative."""

    supports_double_backward = False

    @staticmethod
    def forward(ctx, x):
        ctx.save(x2=x * x)
        return x ** 3

    @staticmethod
    def backward(ctx, dy):
        return dy * 3 * ctx.x2


class WrongSquare(bp.Function):
    """Claims y = x² but its backward is 3x: a bug gradcheck must catch."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x ** 2

    @staticmethod
    def backward(ctx, dy):
        return dy * 3 * ctx.x


def f64(a, requires_grad=True):
    return bp.tensor(np.asarray(a, dtype=np.float64), dtype=np.float64, requires_grad=requires_grad)


# -- first order ---------------------------------------------------------------------------------------
def test_op_alias_and_declared_formulas():
    assert bp.Op is bp.Function
    assert Cube.formulas() == ("y = x³", {"x": "dx = dy · 3x²"})


def test_forward_receives_arrays_and_options_and_backward_receives_arrays():
    seen = {}

    class Probe(bp.Function):
        @staticmethod
        def forward(ctx, x, c, scale):
            seen["forward"] = (type(x), type(c), scale, ctx.needs_input_grad)
            ctx.scale = scale
            return x * c * scale

        @staticmethod
        def backward(ctx, dy):
            seen["backward"] = (type(dy), ctx.create_graph)
            return dy * ctx.scale * 2.0, None

    x = bp.tensor([1.0, 2.0], requires_grad=True)
    y = Probe.apply(x, 2.0, scale=3.0)
    assert isinstance(y, bp.Tensor) and repr(y.grad_fn) == "<ProbeBackward>"
    np.testing.assert_array_equal(y.data, [6.0, 12.0])
    y.sum().backward()
    assert seen["forward"] == (np.ndarray, float, 3.0, (True, False))
    assert seen["backward"] == (np.ndarray, False)
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_backward_gets_tensors_when_the_graph_is_recorded():
    seen = []

    class Probe(bp.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save(x=x)
            return x * x

        @staticmethod
        def backward(ctx, dy):
            seen.append((type(dy), type(ctx.x), ctx.create_graph))
            return 2 * dy * ctx.x

    x = f64([1.0, 2.0])
    bp.grad(Probe.apply(x).sum(), x, create_graph=True)
    assert seen == [(bp.Tensor, bp.Tensor, True)]


def test_save_for_backward_and_saved_tensors():
    x = f64([0.5, -1.0, 2.0])
    Cube.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)


def test_custom_ops_compose_with_library_ops():
    x = f64([0.5, -1.0, 2.0])
    w = f64([1.5, 0.5, -0.25])
    out = (Cube.apply(x.sigmoid() * w) + Gaussian.apply(x @ w)).exp().sum()
    out.backward()
    # the same function built from library ops only
    x2, w2 = f64(x.data), f64(w.data)
    ((x2.sigmoid() * w2) ** 3 + (-(x2 @ w2) ** 2).exp()).exp().sum().backward()
    np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-12)
    np.testing.assert_allclose(w.grad, w2.grad, rtol=1e-12)


def test_constants_among_the_inputs():
    b = f64([2.0, 3.0])
    y = ScaledSoftplus.apply(np.array([0.0, 1.0]), b, alpha=2.0)
    y.sum().backward()
    np.testing.assert_allclose(b.grad, np.logaddexp(0, 2.0 * np.array([0.0, 1.0])))


def test_the_engine_undoes_broadcasting_in_a_custom_backward():
    class Add(bp.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, dy):
            return dy, dy

    b = bp.tensor([1.0], requires_grad=True)
    Add.apply(bp.ones(3, 2), b).sum().backward()
    assert b.grad.shape == (1,) and b.grad[0] == 6.0


def test_no_graph_under_no_grad():
    x = bp.tensor([1.0], requires_grad=True)
    with bp.no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None


def test_non_differentiable_ops_record_no_graph():
    class Sign(bp.Function):
        differentiable = False

        @staticmethod
        def forward(ctx, x):
            return np.sign(x)

    y = Sign.apply(bp.tensor([-2.0, 3.0], requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None
    np.testing.assert_array_equal(y.data, [-1.0, 1.0])


def test_backward_with_the_wrong_number_of_gradients_raises():
    class Bad(bp.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, dy):
            return dy

    x = bp.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="Bad.backward returned 1 gradients for 2 inputs"):
        Bad.apply(x, x).sum().backward()


def test_backward_with_a_gradient_of_the_wrong_shape_names_it():
    class Bad(bp.Function):
        @staticmethod
        def forward(ctx, a):
            return a.sum()

        @staticmethod
        def backward(ctx, dy):
            return np.ones(5)

    with pytest.raises(ShapeError, match=r"Bad.*\(5,\).*\(2,\)"):
        Bad.apply(bp.tensor([1.0, 2.0], requires_grad=True)).backward()


# -- gradcheck and second order ---------------------------------------------------------------------
@pytest.mark.parametrize("op, inputs", [
    (Cube.apply, [np.array([0.5, -1.0, 2.0])]),
    (Gaussian.apply, [np.array([[0.3, -0.8], [1.1, 0.0]])]),
    (lambda a, b: ScaledSoftplus.apply(a, b, alpha=1.5), [np.array([0.2, -0.7]), np.array([1.0, 2.0])]),
], ids=["cube", "gaussian", "scaled-softplus"])
def test_custom_ops_pass_gradcheck_and_gradgradcheck(op, inputs):
    assert bp.gradcheck(op, inputs, raise_exception=True)
    assert bp.gradgradcheck(op, inputs, raise_exception=True)


def test_second_derivative_of_a_custom_op_by_hand():
    x = f64([0.5, -1.0, 2.0])
    (g,) = bp.grad(Gaussian.apply(x).sum(), x, create_graph=True)
    (h,) = bp.grad(g.sum(), x)
    xv = x.data
    np.testing.assert_allclose(h.data, (4 * xv ** 2 - 2) * np.exp(-xv ** 2), rtol=1e-12)


def test_op_without_double_backward_works_for_first_order():
    x = f64([0.5, -1.0, 2.0])
    assert bp.gradcheck(CubeFirstOrderOnly.apply, [x.data], raise_exception=True)
    CubeFirstOrderOnly.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad, 3 * x.data ** 2)


def test_op_without_double_backward_works_under_create_graph():
    x = f64([0.5, -1.0])
    w = f64([2.0, 3.0])
    (gx, gw) = bp.grad((CubeFirstOrderOnly.apply(x) * w).sum(), [x, w], create_graph=True)
    np.testing.assert_allclose(gx.data, 3 * x.data ** 2 * w.data)
    np.testing.assert_allclose(gw.data, x.data ** 3)
    assert gx.requires_grad


def test_differentiating_the_gradient_of_such_an_op_raises_naming_it():
    x = f64([0.5, -1.0])
    (g,) = bp.grad(CubeFirstOrderOnly.apply(x).sum(), x, create_graph=True)
    with pytest.raises(DoubleBackwardError, match="CubeFirstOrderOnly"):
        bp.grad(g.sum(), x)
    x.grad = None
    CubeFirstOrderOnly.apply(x).sum().backward(create_graph=True)
    with pytest.raises(DoubleBackwardError, match="CubeFirstOrderOnly"):
        x.grad.sum().backward()
    with pytest.raises(DoubleBackwardError, match="CubeFirstOrderOnly"):
        bp.gradgradcheck(CubeFirstOrderOnly.apply, [x.data])


def test_op_without_double_backward_saving_an_intermediate_never_gives_zero_second_derivatives():
    # Regression: the recorded gradient had no path back to x, so the Hessian came out as zeros.
    x = np.array([1.0, 2.0])
    with pytest.raises(DoubleBackwardError, match="CubeFromIntermediate"):
        bp.hessian(lambda t: CubeFromIntermediate.apply(t).sum(), x)
    t = f64(x)
    (g,) = bp.grad(CubeFromIntermediate.apply(t * 1.0).sum(), t, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x ** 2)
    with pytest.raises(DoubleBackwardError, match="CubeFromIntermediate"):
        bp.grad(g.sum(), t, allow_unused=True)


def test_custom_op_agrees_with_torch():
    torch = pytest.importorskip("torch")
    a, b = np.array([0.2, -0.7, 1.3]), np.array([1.0, 2.0, -0.5])
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    xa, xb = f64(a), f64(b)
    ours = bp.grad(ScaledSoftplus.apply(xa, xb, alpha=1.5).sum(), [xa, xb])
    theirs = torch.autograd.grad((torch.nn.functional.softplus(1.5 * ta) * tb).sum(), [ta, tb])
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.numpy(), rtol=1e-12)


def test_wrong_backward_is_caught_by_gradcheck():
    report = bp.gradcheck(WrongSquare.apply, [np.array([0.5, -1.0, 2.0])])
    assert not report

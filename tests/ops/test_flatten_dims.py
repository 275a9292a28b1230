"""bp.flatten and Tensor.flatten check start_dim and end_dim as torch.flatten does (issue 18): a dim out of range
raises IndexError, start_dim after end_dim RuntimeError, a dim that is not an int TypeError, each naming the dims."""
import numpy as np
import pytest

import backprop as bp

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3,), ()])
@pytest.mark.parametrize("start_dim, end_dim", [(0, -1), (1, 2), (1, 1), (2, 1), (3, -2), (0, 4), (-5, -1), (1, 10),
                                                (-1, 0), (0, 0), (1, 0)])
@pytest.mark.parametrize("call", [bp.flatten, lambda t, s, e: t.flatten(s, e)], ids=["bp.flatten", "Tensor.flatten"])
def test_flatten_agrees_with_torch_on_valid_and_invalid_dims(call, shape, start_dim, end_dim):
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    try:
        expected = torch.flatten(torch.tensor(x), start_dim, end_dim).numpy()
    except (IndexError, RuntimeError) as theirs:
        with pytest.raises(type(theirs), match=r"flatten: (start_dim|end_dim) -?\d+ .*input of shape"):
            call(bp.tensor(x), start_dim, end_dim)
        return
    np.testing.assert_array_equal(call(bp.tensor(x), start_dim, end_dim).data, expected)


def test_flatten_names_the_dims():
    x = bp.zeros(2, 3, 4)
    with pytest.raises(RuntimeError, match=r"start_dim 2 comes after end_dim 1 for an input of shape \(2, 3, 4\)"):
        bp.flatten(x, 2, 1)
    with pytest.raises(IndexError, match=r"end_dim 3 is out of range .*\(expected a dim in \[-3, 2\]\)"):
        x.flatten(0, 3)
    with pytest.raises(TypeError, match="flatten: start_dim must be an int, got 1.5"):
        bp.flatten(x, 1.5)
    with pytest.raises(TypeError):
        torch.flatten(torch.zeros(2, 3, 4), 1.5)

"""The whole-model gradient check finds a wrong backward formula in a custom layer and passes on built-ins."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain.model_check import check_model_gradients

nn = bp.nn


class WrongSquare(bp.Function):
    """y = x², with a deliberately wrong backward: dx = dy · x (the factor 2 forgotten)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save(x=x)
        return x * x

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.x


class Square(nn.Module):
    def forward(self, x):
        return WrongSquare.apply(x)


class WrongScale(bp.Function):
    """y = a·x with a per-feature a; the gradient for a forgets to multiply by x."""

    @staticmethod
    def forward(ctx, x, a):
        ctx.save(x=x, a=a)
        return x * a

    @staticmethod
    def backward(ctx, dy):
        return dy * ctx.a, dy


class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.weight = nn.Parameter(np.linspace(0.5, 1.5, n))

    def forward(self, x):
        return WrongScale.apply(x, self.weight)


def batch(n=8, d=4, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)).astype(np.float32), rng.standard_normal((n, 1))


def test_finds_the_layer_with_a_wrong_input_gradient():
    bp.manual_seed(0)
    X, y = batch()
    model = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), Square(), nn.Linear(3, 1))
    report = check_model_gradients(model, nn.MSELoss(), X, y)
    assert not report
    assert report.failed_layers == ["3"]
    failing = {r.name for r in report.parameters if not r.ok}
    assert failing == {"0.weight", "0.bias", "2.weight", "2.bias"}  # every layer before the wrong one
    assert report.by_layer["4"] < 1e-6 and report.by_layer["0"] > 0.1
    assert [r.name for r in report.layers_alone if not r.ok] == ["input"]
    text = str(report)
    assert "layer 3 (Square): its backward formula is wrong for input" in text and "NO" in text


def test_finds_a_wrong_parameter_gradient():
    bp.manual_seed(0)
    X, y = batch()
    model = nn.Sequential(nn.Linear(4, 3), Scale(3), nn.ReLU(), nn.Linear(3, 1))
    report = check_model_gradients(model, nn.MSELoss(), X, y)
    assert not report and report.failed_layers == ["1"]
    assert {r.name for r in report.parameters if not r.ok} == {"1.weight"}
    assert [(r.layer, r.name) for r in report.layers_alone if not r.ok] == [("1", "weight")]
    assert "wrong for weight" in report.verdict()


BUILT_INS = [
    ("mse", lambda: nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 5), nn.Sigmoid(), nn.Linear(5, 4),
                                  nn.Tanh(), nn.Linear(4, 3), nn.LeakyReLU(0.1), nn.Linear(3, 1)),
     nn.MSELoss()),
    ("prelu-batchnorm-dropout", lambda: nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.PReLU(6),
                                                      nn.Dropout(0.3), nn.Linear(6, 1)), nn.MSELoss()),
    ("softmax-head", lambda: nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3), nn.Softmax(dim=1),
                                           nn.Linear(3, 1)), nn.L1Loss()),
    ("cross-entropy", lambda: nn.Sequential(nn.Linear(4, 5), nn.ReLU(), nn.Linear(5, 3)),
     nn.CrossEntropyLoss()),
    ("log-softmax-nll", lambda: nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1)), nn.NLLLoss()),
    ("bce-with-logits", lambda: nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)),
     nn.BCEWithLogitsLoss()),
]


@pytest.mark.parametrize("name,make,loss_fn", BUILT_INS, ids=[b[0] for b in BUILT_INS])
def test_passes_on_built_in_layers(name, make, loss_fn):
    bp.manual_seed(3)
    X, y = batch(seed=4)
    if isinstance(loss_fn, (nn.CrossEntropyLoss, nn.NLLLoss)):
        y = np.array([0, 2, 1, 1, 0, 2, 2, 1])
    elif isinstance(loss_fn, nn.BCEWithLogitsLoss):
        y = (y > 0).astype(np.float64)
    report = check_model_gradients(make(), loss_fn, X, y)
    assert report, str(report)
    assert report.failed_layers == [] and "agrees" in report.verdict()
    assert all(r.rel < 1e-5 for r in report.parameters)


def test_batch_norm_in_eval_mode_and_dropout_in_training():
    bp.manual_seed(5)
    X, y = batch(seed=6)
    model = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.5), nn.Linear(6, 1))
    model(bp.tensor(X))  # some running statistics
    model[1].eval()
    assert check_model_gradients(model, nn.MSELoss(), X, y)


def test_model_and_random_generator_are_left_untouched():
    bp.manual_seed(7)
    X, y = batch()
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.Dropout(0.5), nn.Linear(3, 1))
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    state = bp.random.get_rng_state()
    check_model_gradients(model, nn.MSELoss(), X, y)
    assert bp.random.get_rng_state() == state
    for k, v in model.state_dict().items():
        assert v.dtype == before[k].dtype and np.array_equal(v.data, before[k])
    assert all(p.grad is None for p in model.parameters())


def test_sampling_frozen_parameters_and_a_loss_without_target():
    bp.manual_seed(8)
    X, _ = batch(n=6, d=30)
    model = nn.Sequential(nn.Linear(30, 20), nn.Tanh(), nn.Linear(20, 1))
    model[2].bias.requires_grad_(False)
    report = check_model_gradients(model, lambda out: (out * out).mean(), X, max_checks=50,
                                   check_layers=False)
    assert report and report.layers_alone == []
    assert {r.name: r.checked for r in report.parameters} == {"0.weight": 50, "0.bias": 20, "2.weight": 20}

"""Diagnostics: layer statistics on constructed cases, and each architecture warning on its case only."""
import itertools
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.explain.diagnostics import DiagnosticWarning, diagnose

nn = bp.nn
RNG = np.random.default_rng(0)
X = RNG.standard_normal((128, 10))
Y = RNG.standard_normal((128, 1))


def he(model):
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    return model


def quiet(*args, **kwargs):
    """diagnose with every DiagnosticWarning turned into an error: it must find nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", DiagnosticWarning)
        return diagnose(*args, **kwargs)


def codes(*args, **kwargs):
    return diagnose(*args, warn=False, **kwargs).codes


def test_a_well_initialised_network_is_not_flagged():
    bp.manual_seed(0)
    model = he(nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64),
                             nn.ReLU(), nn.Linear(64, 1)))
    d = quiet(model, X, Y, nn.MSELoss())
    assert d.findings == [] and "No findings." in str(d)
    assert [s.type for s in d.layers] == ["Linear", "ReLU"] * 3 + ["Linear"]
    assert all(s.dead < 0.1 for s in d.layers if s.dead is not None)
    assert all(s.grad_var > 0 for s in d.layers)


def test_statistics_are_the_layers_numbers():
    bp.manual_seed(1)
    model = nn.Sequential(nn.Linear(10, 4), nn.Sigmoid(), nn.Linear(4, 1))
    d = diagnose(model, X, Y, nn.MSELoss(), warn=False)
    hidden = model[1](model[0](X)).data
    assert d.layers[1].mean == pytest.approx(hidden.mean()) and d.layers[1].var == pytest.approx(hidden.var())
    out = model(X).data
    assert d.layers[2].grad_mean == pytest.approx((2 * (out - Y) / Y.size).mean())  # dL/dŷ of the mean MSE
    assert d.loss == pytest.approx(((out - Y) ** 2).mean())


def test_dead_relus_are_flagged():
    bp.manual_seed(2)
    model = he(nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)))
    model[0].bias.data[:16] = -100.0  # half of the units can never fire
    d = diagnose(model, X, Y, nn.MSELoss(), warn=False)
    assert d.layers[1].dead == pytest.approx(0.5)
    assert [f.layer for f in d.findings if f.code == "dead-relu"] == ["1"]
    with pytest.warns(DiagnosticWarning, match="dead ReLUs"):
        diagnose(model, X, Y, nn.MSELoss())


def test_saturated_sigmoids_and_tanhs_are_flagged():
    bp.manual_seed(3)
    for layer in (nn.Sigmoid(), nn.Tanh()):
        model = nn.Sequential(nn.Linear(10, 16), layer, nn.Linear(16, 1))
        model[0].weight.data *= 50
        d = diagnose(model, X, Y, nn.MSELoss(), warn=False)
        assert d.layers[1].saturated > 0.8
        assert "saturated" in d.codes
    model = nn.Sequential(nn.Linear(10, 16), nn.Sigmoid(), nn.Linear(16, 1))
    model[0].weight.data *= 0.1
    assert "saturated" not in codes(model, X, Y, nn.MSELoss())


def test_vanishing_gradients_in_a_deep_sigmoid_network():
    bp.manual_seed(4)
    layers = [m for _ in range(8) for m in (nn.Linear(10, 10), nn.Sigmoid())]
    d = diagnose(nn.Sequential(*layers, nn.Linear(10, 1)), X, Y, nn.MSELoss(), warn=False)
    assert "vanishing-gradients" in d.codes
    rms = [s.grad_rms for s in d.layers if s.type == "Linear"]
    assert rms[0] < rms[-2] / 100  # the gradient fades towards the input


def test_output_range_for_sigmoid_and_relu_outputs():
    bp.manual_seed(5)
    sigmoid_out = nn.Sequential(nn.Linear(10, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid())
    relu_out = nn.Sequential(nn.Linear(10, 4), nn.Tanh(), nn.Linear(4, 1), nn.ReLU())
    assert codes(sigmoid_out, X, Y * 3, nn.MSELoss()) == ["output-range"]
    assert codes(relu_out, X, Y, nn.MSELoss()) == ["output-range"]
    assert codes(relu_out, X, np.abs(Y), nn.MSELoss()) == []
    assert codes(sigmoid_out, X, (Y > 0).astype(float), nn.BCELoss()) == []


def test_the_course_sigmoid_with_mse_on_zero_one_targets_gives_no_warning():
    # The course trains a sigmoid output with MSE on 0/1 targets: legitimate, in float or integer labels.
    bp.manual_seed(6)
    model = nn.Sequential(nn.Linear(10, 3), nn.Sigmoid(), nn.Linear(3, 1), nn.Sigmoid())
    assert quiet(model, X, (Y > 0).astype(np.float64), nn.MSELoss()).findings == []
    assert quiet(model, X, (Y > 0).astype(np.int64), nn.MSELoss()).findings == []


def test_regression_loss_on_multi_class_labels():
    bp.manual_seed(7)
    model = nn.Sequential(nn.Linear(10, 1))
    labels = RNG.integers(0, 4, (128, 1))
    d = diagnose(model, X, labels, nn.MSELoss(), warn=False)
    assert d.codes == ["labels-as-regression"] and "4 classes" in d.findings[0].message
    assert codes(model, X, labels, bp.F.mse_loss) == ["labels-as-regression"]
    assert codes(model, X, labels.astype(np.float64) * 0.5, nn.MSELoss()) == []  # real-valued targets


def test_softmax_before_a_cross_entropy_that_applies_it():
    bp.manual_seed(8)
    labels = RNG.integers(0, 3, 128)
    assert codes(nn.Sequential(nn.Linear(10, 3), nn.Softmax(dim=1)), X, labels, nn.CrossEntropyLoss()) \
        == ["double-softmax"]
    assert codes(nn.Sequential(nn.Linear(10, 3)), X, labels, nn.CrossEntropyLoss()) == []
    assert codes(nn.Sequential(nn.Linear(10, 3), nn.LogSoftmax(dim=1)), X, labels, nn.NLLLoss()) == []
    binary = (Y > 0).astype(np.float64)
    assert codes(nn.Sequential(nn.Linear(10, 1), nn.Sigmoid()), X, binary, nn.BCEWithLogitsLoss()) \
        == ["double-softmax"]
    assert codes(nn.Sequential(nn.Linear(10, 1), nn.Sigmoid()), X, binary, nn.BCELoss()) == []


def test_an_image_fed_to_a_linear_layer_without_flattening():
    bp.manual_seed(9)
    images = RNG.standard_normal((4, 28, 28))
    labels = RNG.integers(0, 10, 4)
    with pytest.warns(DiagnosticWarning, match=r"\(4, 28, 28\).*nn.Flatten\(\)"):
        d = diagnose(nn.Sequential(nn.Linear(784, 10)), images, labels, nn.CrossEntropyLoss())
    assert d.codes == ["unflattened-input"] and d.layers == []
    silent = nn.Sequential(nn.Linear(28, 10), nn.ReLU(), nn.Linear(10, 1))  # runs, on rows of pixels
    assert "unflattened-input" in codes(silent, images, None)
    flat = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))
    assert codes(flat, images, labels, nn.CrossEntropyLoss()) == []


def test_stacked_linear_layers_and_their_single_equivalent():
    bp.manual_seed(10)
    model = nn.Sequential(nn.Linear(10, 6), nn.Dropout(0.2), nn.Linear(6, 3), nn.ReLU(), nn.Linear(3, 1))
    d = diagnose(model, X, Y, nn.MSELoss(), warn=False)
    (finding,) = [f for f in d.findings if f.code == "stacked-linear"]
    W, b = finding.details["weight"], finding.details["bias"]
    assert W.shape == (3, 10) and "W = W₂W₁" in finding.message
    model.eval()
    expected = model[2](model[1](model[0](X))).data
    np.testing.assert_allclose(X @ W.T + b, expected, rtol=1e-5, atol=1e-6)
    assert d.codes == ["stacked-linear"]


def test_a_functional_non_linearity_between_linear_layers_is_not_stacking():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(10, 8), nn.Linear(8, 1)

        def forward(self, x):
            return self.b(bp.tanh(self.a(x)))

    bp.manual_seed(11)
    assert codes(Net(), X, Y, nn.MSELoss()) == []


def test_constant_initialisation_the_zero_weight_exercise():
    model = nn.Sequential(nn.Linear(10, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())
    for p in model.parameters():
        p.data[...] = 0
    d = diagnose(model, X, (Y > 0).astype(float), nn.MSELoss(), warn=False)
    assert d.findings[0].code == "constant-init" and d.findings[0].layer == "0"
    assert "stay identical" in d.findings[0].message
    model[0].weight.data[...] = 0.3  # any constant, not only zero
    assert "constant-init" in codes(model, X, (Y > 0).astype(float), nn.MSELoss())


def test_redundant_units():
    bp.manual_seed(12)
    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 3), nn.ReLU(), nn.Linear(3, 1))
    model[0].weight.data[1] = 0  # unit 1: nothing comes in
    model[2].weight.data[:, 3] = 0  # unit 3: nothing goes out
    model[2].weight.data[2] = model[2].weight.data[0]  # units 0 and 2 of layer 2: same weights ...
    model[2].bias.data[2] = model[2].bias.data[0]  # ... and same bias
    found = [(f.layer, f.details) for f in diagnose(model, X, Y, nn.MSELoss(), warn=False).findings]
    assert ("0", {"units": [1], "side": "incoming"}) in found
    assert ("0", {"units": [3], "side": "outgoing"}) in found
    assert ("2", {"groups": [[0, 2]], "side": "identical"}) in found
    model[2].bias.data[2] += 0.5  # identical weights but a different bias: not identical units
    found = [f.details for f in diagnose(model, X, Y, nn.MSELoss(), warn=False).findings]
    assert {"groups": [[0, 2]], "side": "identical"} not in found


def test_findings_are_warned_and_returned_and_the_model_is_untouched():
    bp.manual_seed(13)
    model = nn.Sequential(nn.Linear(10, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 1), nn.Sigmoid())
    state = bp.random.get_rng_state()
    with pytest.warns(DiagnosticWarning) as caught:
        d = diagnose(model, X, Y * 5, nn.MSELoss())
    assert [str(w.message) for w in caught] == [f.message for f in d.findings] and d.codes == ["output-range"]
    assert all(p.grad is None for p in model.parameters())
    assert model[1].num_batches_tracked.item() == 0 and bp.random.get_rng_state() == state
    assert "[output-range]" in str(d)


def test_activation_variance_shows_the_effect_of_initialisation():
    # The problem book's exercise: U(±1/√n_in) makes the variance fade layer by layer; Xavier keeps more.
    X100 = np.random.default_rng(1).standard_normal((256, 100))

    def tanh_variances(xavier):
        bp.manual_seed(14)
        model = nn.Sequential(*[m for _ in range(6) for m in (nn.Linear(100, 100), nn.Tanh())], nn.Linear(100, 1))
        if xavier:
            for m in model.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_normal_(m.weight)
                    nn.init.zeros_(m.bias)
        d = diagnose(model, X100, np.zeros((256, 1)), nn.MSELoss(), warn=False)
        return [s.var for s in d.layers if s.type == "Tanh"]

    default, xavier = tanh_variances(False), tanh_variances(True)
    assert default[-1] < default[0] / 20 and all(a > b for a, b in itertools.pairwise(default))
    assert xavier[-1] / xavier[0] > 5 * default[-1] / default[0]


def test_a_zero_initialised_output_layer_is_not_flagged():
    # Issue 13.2: the output layer's units have their own targets, so its zero rows part after one step.
    bp.manual_seed(14)
    model = nn.Sequential(nn.Linear(10, 5), nn.Tanh(), nn.Linear(5, 3))
    nn.init.zeros_(model[2].weight)
    nn.init.zeros_(model[2].bias)
    target = RNG.standard_normal((128, 3))
    assert codes(model, X, target, nn.MSELoss()) == []
    optimizer = bp.optim.SGD(model.parameters(), lr=0.1)
    nn.MSELoss()(model(X), bp.tensor(target, dtype=bp.float32)).backward()
    optimizer.step()
    w = model[2].weight.data
    assert not np.allclose(w[0], w[1]) and np.all(np.abs(w).sum(axis=0) > 0)
    # zero weights into a hidden layer are still flagged
    model = nn.Sequential(nn.Linear(10, 5), nn.Tanh(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 1))
    nn.init.zeros_(model[2].weight)
    nn.init.zeros_(model[2].bias)
    found = diagnose(model, X, Y, nn.MSELoss(), warn=False).findings
    assert ("constant-init", "2") in [(f.code, f.layer) for f in found]
    assert ("0", {"units": [0, 1, 2, 3, 4], "side": "outgoing"}) in [(f.layer, f.details) for f in found]

"""Layer, activation and loss constructors check their arguments (issue 18): sizes are positive integers, numeric
hyperparameters finite numbers in their range, flags bools. Each error is a TypeError (wrong type) or ValueError
(out of range) naming the layer, the argument and the value; where PyTorch raises, the exception class is the same."""
import math

import numpy as np
import pytest

import backprop as bp
from backprop import nn

torch = pytest.importorskip("torch")

# (layer, args, kwargs, exception, message): sizes that are not positive integers
BAD_SIZES = [
    ("Linear", (0, 3), {}, ValueError, "Linear: in_features must be positive, got 0"),
    ("Linear", (3, 0), {}, ValueError, "Linear: out_features must be positive, got 0"),
    ("Linear", (True, 3), {}, TypeError, "Linear: in_features must be an int, got True"),
    ("PReLU", (0,), {}, ValueError, "PReLU: num_parameters must be positive, got 0"),
    ("PReLU", (2.5,), {}, TypeError, "PReLU: num_parameters must be an int, got 2.5"),
    ("BatchNorm1d", (0,), {}, ValueError, "BatchNorm1d: num_features must be positive, got 0"),
    ("BatchNorm2d", (-1,), {}, ValueError, "BatchNorm2d: num_features must be positive, got -1"),
    ("Conv2d", (3, 4, 2.5), {}, TypeError, "Conv2d: kernel_size must be an int or a pair of ints, got 2.5"),
    ("Conv2d", (0, 4, 3), {}, ValueError, "Conv2d: in_channels must be positive, got 0"),
    ("Conv2d", (3, 0, 3), {}, ValueError, "Conv2d: out_channels must be positive, got 0"),
    ("Conv2d", (3, 4, 0), {}, ValueError, "Conv2d: kernel_size must be positive, got 0"),
    ("Conv2d", (3, 4, (3, -1)), {}, ValueError, r"Conv2d: kernel_size must be positive, got \(3, -1\)"),
    ("Conv2d", (3, 4, 3), {"stride": 0}, ValueError, "Conv2d: stride must be positive, got 0"),
    ("Conv2d", (3, 4, 3), {"padding": -1}, ValueError, "Conv2d: padding must be at least 0, got -1"),
    ("Conv2d", (3, 4, 3), {"dilation": 0}, ValueError, "Conv2d: dilation must be positive, got 0"),
    ("Conv1d", (3, 4, 0), {}, ValueError, "Conv1d: kernel_size must be positive, got 0"),
    ("Conv1d", (3, 4, 2), {"padding": -2}, ValueError, "Conv1d: padding must be at least 0, got -2"),
    ("ConvTranspose2d", (3, 4, 0), {}, ValueError, "ConvTranspose2d: kernel_size must be positive, got 0"),
    ("ConvTranspose2d", (3, 4, 2), {"output_padding": -1}, ValueError, "output_padding must be at least 0"),
    ("MaxPool2d", (0,), {}, ValueError, "MaxPool2d: kernel_size must be positive, got 0"),
    ("MaxPool2d", (2,), {"stride": 0}, ValueError, "MaxPool2d: stride must be positive, got 0"),
    ("AvgPool2d", (-1,), {}, ValueError, "AvgPool2d: kernel_size must be positive, got -1"),
    ("AvgPool2d", (2,), {"padding": -1}, ValueError, "AvgPool2d: padding must be at least 0, got -1"),
    ("AdaptiveAvgPool2d", (0,), {}, ValueError, "AdaptiveAvgPool2d: output_size must be positive, got 0"),
    ("Embedding", (0, 3), {}, ValueError, "Embedding: num_embeddings must be positive, got 0"),
    ("Embedding", (3, "a"), {}, TypeError, "Embedding: embedding_dim must be an int, got 'a'"),
    ("Embedding", (3, 2), {"max_norm": -1.0}, ValueError, "Embedding: max_norm must be positive, got -1.0"),
    ("Embedding", (3, 2), {"padding_idx": 1.5}, TypeError, "Embedding: padding_idx must be an int, got 1.5"),
    ("RNN", (0, 3), {}, ValueError, "input_size must be greater than zero, got 0"),
    ("LSTM", (3, 0), {}, ValueError, "hidden_size must be greater than zero, got 0"),
    ("GRU", (3, 2.5), {}, TypeError, "hidden_size should be of type int, got: float"),
    ("RNNCell", (3, 0), {}, ValueError, "RNNCell: hidden_size must be positive, got 0"),
    ("LSTMCell", (0, 3), {}, ValueError, "LSTMCell: input_size must be positive, got 0"),
    ("GRUCell", (3, 2.5), {}, TypeError, "GRUCell: hidden_size must be an int, got 2.5"),
    ("LayerNorm", (0,), {}, ValueError, "LayerNorm: normalized_shape must be positive, got 0"),
    ("GroupNorm", (0, 4), {}, ValueError, "GroupNorm: num_groups must be positive, got 0"),
]


@pytest.mark.parametrize("layer, args, kwargs, error, message", BAD_SIZES,
                         ids=[f"{n}{a}{k or ''}" for n, a, k, _, _ in BAD_SIZES])
def test_layer_sizes_must_be_positive_integers(layer, args, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(nn, layer)(*args, **kwargs)
    try:  # where PyTorch raises a ValueError or TypeError, ours is of the same class
        getattr(torch.nn, layer)(*args, **kwargs)
    except (TypeError, ValueError) as theirs:
        assert isinstance(theirs, error)
    except Exception:  # noqa: BLE001  (PyTorch's RuntimeError of an empty tensor: an accident, not a check)
        pass


# (layer, kwargs, exception, message): hyperparameters of the wrong type or out of range
BAD_HYPERPARAMETERS = [
    ("BatchNorm1d", {"num_features": 3, "eps": 0}, ValueError, "BatchNorm1d: eps must be positive, got 0"),
    ("BatchNorm2d", {"num_features": 3, "eps": -1e-5}, ValueError, "BatchNorm2d: eps must be positive, got -1e-05"),
    ("BatchNorm1d", {"num_features": 3, "eps": "a"}, TypeError, "BatchNorm1d: eps must be a number, got 'a'"),
    ("BatchNorm1d", {"num_features": 3, "momentum": -0.1}, ValueError,
     r"BatchNorm1d: momentum must be in \[0, 1\], got -0.1"),
    ("BatchNorm2d", {"num_features": 3, "momentum": 1.5}, ValueError, r"momentum must be in \[0, 1\], got 1.5"),
    ("BatchNorm1d", {"num_features": 3, "momentum": math.nan}, ValueError, "momentum must be in .*, got nan"),
    ("LayerNorm", {"normalized_shape": 3, "eps": 0.0}, ValueError, "LayerNorm: eps must be positive, got 0.0"),
    ("GroupNorm", {"num_groups": 2, "num_channels": 4, "eps": -1.0}, ValueError, "GroupNorm: eps must be positive"),
    ("LeakyReLU", {"negative_slope": "a"}, TypeError, "LeakyReLU: negative_slope must be a number, got 'a'"),
    ("LeakyReLU", {"negative_slope": math.nan}, ValueError, "LeakyReLU: negative_slope must be a finite number"),
    ("ELU", {"alpha": "a"}, TypeError, "ELU: alpha must be a number, got 'a'"),
    ("ELU", {"alpha": math.inf}, ValueError, "ELU: alpha must be a finite number, got inf"),
    ("Softplus", {"beta": 0}, ValueError, "Softplus: beta must be positive, got 0"),
    ("Softplus", {"threshold": None}, TypeError, "Softplus: threshold must be a number, got None"),
    ("Hardtanh", {"min_val": 1.0, "max_val": -1.0}, ValueError, r"min_val \(1.0\) must be less than max_val"),
    ("Hardtanh", {"min_val": 1.0, "max_val": 1.0}, ValueError, r"min_val \(1.0\) must be less than max_val"),
    ("Hardtanh", {"min_val": "a"}, TypeError, "Hardtanh: min_val must be a number, got 'a'"),
    ("PReLU", {"init": "a"}, TypeError, "PReLU: init must be a number, got 'a'"),
    ("Softmax", {"dim": "a"}, TypeError, "Softmax: dim must be an int, got 'a'"),
    ("LogSoftmax", {"dim": 1.5}, TypeError, "LogSoftmax: dim must be an int, got 1.5"),
    ("Softmax", {"temperature": math.nan}, ValueError, "Softmax: temperature must be positive, got nan"),
    ("Dropout", {"p": 1.5}, ValueError, "dropout probability has to be between 0 and 1, but got p=1.5"),
    ("Dropout", {"p": "a"}, TypeError, "dropout probability p must be a number, got 'a'"),
    ("Dropout2d", {"p": True}, TypeError, "dropout probability p must be a number, got True"),
    ("CrossEntropyLoss", {"label_smoothing": 1.5}, ValueError, r"label_smoothing must be in \[0, 1\], got 1.5"),
    ("CrossEntropyLoss", {"label_smoothing": "a"}, TypeError, "label_smoothing must be a number, got 'a'"),
    ("CrossEntropyLoss", {"ignore_index": 1.5}, TypeError, "CrossEntropyLoss: ignore_index must be an int"),
    ("NLLLoss", {"ignore_index": "a"}, TypeError, "NLLLoss: ignore_index must be an int, got 'a'"),
    ("HuberLoss", {"delta": "a"}, TypeError, "HuberLoss: delta must be a number, got 'a'"),
    ("HuberLoss", {"delta": 0}, ValueError, "HuberLoss: delta must be positive, got 0"),
    ("SmoothL1Loss", {"beta": -1}, ValueError, "SmoothL1Loss: beta must be non-negative, got -1"),
    ("SmoothL1Loss", {"beta": "a"}, TypeError, "SmoothL1Loss: beta must be a number, got 'a'"),
    ("PoissonNLLLoss", {"eps": -1}, ValueError, "PoissonNLLLoss: eps must be positive, got -1"),
    ("PoissonNLLLoss", {"log_input": "yes"}, TypeError, "PoissonNLLLoss: log_input must be True or False"),
    ("PoissonNLLLoss", {"full": 1}, TypeError, "PoissonNLLLoss: full must be True or False, got 1"),
    ("KLDivLoss", {"log_target": "a"}, TypeError, "KLDivLoss: log_target must be True or False, got 'a'"),
    ("MarginRankingLoss", {"margin": "a"}, TypeError, "MarginRankingLoss: margin must be a number, got 'a'"),
    ("CosineEmbeddingLoss", {"margin": 2.0}, ValueError, r"CosineEmbeddingLoss: margin must be in \[-1, 1\]"),
    ("TripletMarginLoss", {"margin": -1.0}, ValueError, "TripletMarginLoss: margin must be positive, got -1.0"),
    ("TripletMarginLoss", {"margin": "a"}, TypeError, "TripletMarginLoss: margin must be a number, got 'a'"),
    ("TripletMarginLoss", {"p": 0}, ValueError, "TripletMarginLoss: p must be positive, got 0"),
    ("TripletMarginLoss", {"eps": -1.0}, ValueError, "TripletMarginLoss: eps must be non-negative, got -1.0"),
    ("TripletMarginLoss", {"swap": "no"}, TypeError, "TripletMarginLoss: swap must be True or False, got 'no'"),
    ("MSELoss", {"reduction": "avg"}, ValueError, "MSELoss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    ("Upsample", {}, ValueError, "Upsample: give exactly one of size and scale_factor, got size=None"),
    ("Upsample", {"size": 4, "scale_factor": 2}, ValueError, "Upsample: give exactly one of size and scale_factor"),
    ("Upsample", {"scale_factor": -2.0}, ValueError, "Upsample: scale_factor must be positive, got -2.0"),
]


@pytest.mark.parametrize("layer, kwargs, error, message", BAD_HYPERPARAMETERS,
                         ids=[f"{n}-{k}" for n, k, _, _ in BAD_HYPERPARAMETERS])
def test_hyperparameters_are_checked_naming_the_argument(layer, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(nn, layer)(**kwargs)
    try:
        getattr(torch.nn, layer)(**kwargs)
    except (TypeError, ValueError) as theirs:
        assert isinstance(theirs, error) or "unexpected keyword" in str(theirs)  # Softmax has no temperature
    except Exception:  # noqa: BLE001  (Hardtanh's AssertionError: ours is a ValueError)
        pass


def test_a_non_numeric_scale_factor_is_a_typeerror_where_torch_fails_converting_it():
    with pytest.raises(TypeError, match="Upsample: scale_factor must be a number, got 'a'"):
        nn.Upsample(scale_factor="a")
    with pytest.raises(ValueError, match="could not convert string to float"):  # float('a') inside PyTorch
        torch.nn.Upsample(scale_factor="a")


def test_the_bounds_and_none_momentum_are_accepted_and_none_is_the_cumulative_average():
    nn.BatchNorm1d(2, momentum=0.0), nn.BatchNorm1d(2, momentum=1), nn.Dropout(0), nn.Dropout(1.0)
    nn.CrossEntropyLoss(label_smoothing=1), nn.CosineEmbeddingLoss(margin=-1), nn.Softmax(dim=None)
    nn.LeakyReLU(np.float32(0.2)), nn.Conv2d(1, 1, 3, padding=0), nn.Conv2d(1, 1, 3, padding="same")
    ours, theirs = nn.BatchNorm1d(2, momentum=None), torch.nn.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((5, 2))
        ours(bp.tensor(x, dtype=np.float32)), theirs(torch.tensor(x, dtype=torch.float32))
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)


@pytest.mark.parametrize("data, dtype", [(np.array([["a", "b"]]), "<U1"),
                                         (np.array([[1, None]], dtype=object), "object"),
                                         (np.array([[1.0, 2.0]], dtype=object), "object"),
                                         (np.array([[1 + 2j, 1.0]]), "complex128"), (np.array([[b"a", b"b"]]), "|S1")])
@pytest.mark.parametrize("layer", [lambda: nn.Linear(2, 1), lambda: nn.ReLU(), lambda: nn.Sequential(nn.Linear(2, 1)),
                                   lambda: nn.Identity(), lambda: nn.Dropout()],
                         ids=["Linear", "ReLU", "Sequential", "Identity", "Dropout"])
def test_a_module_call_refuses_non_numeric_arrays_naming_the_dtype(layer, data, dtype):
    module = layer()
    with pytest.raises(TypeError, match=rf"{type(module).__name__}: an input has dtype {dtype.replace('|', '[|]')}"):
        module(data)


@pytest.mark.parametrize("data, what", [("ab", "str"), (b"ab", "bytes"), ([["a", "b"]], "list of str"),
                                        ([[None, None]], "list of NoneType"), ([[1j, 2j]], "list of complex")])
def test_a_module_call_refuses_strings_and_lists_of_non_numbers(data, what):
    with pytest.raises(TypeError, match=f"Linear: the input is a {what}"):
        nn.Linear(2, 1)(data)


def test_a_complex_tensor_is_refused_and_real_inputs_still_work():
    with pytest.raises(TypeError, match="Linear: the input has dtype complex128"):
        nn.Linear(2, 1)(bp.tensor([[1j, 2.0]]))
    with pytest.raises(TypeError, match="MSELoss: an input has dtype object"):
        nn.MSELoss()(np.array([None], dtype=object), bp.zeros(1))
    with pytest.raises(TypeError, match="mse_loss: target must hold real numbers, got dtype object"):
        nn.MSELoss()(bp.zeros(1), np.array([None], dtype=object))
    with pytest.raises(TypeError, match="l1_loss: target must hold real numbers, got dtype complex128"):
        bp.nn.functional.l1_loss(bp.zeros(1), np.array([1j]))
    assert nn.Linear(2, 1)(np.ones((3, 2))).shape == (3, 1)
    assert nn.Embedding(4, 2)(np.array([0, 3])).shape == (2, 2)
    assert nn.CrossEntropyLoss()(np.zeros((2, 3)), np.array([0, 2])).shape == ()


@pytest.mark.parametrize("data", [["a", "b"], "a", [None], np.array([1, None], dtype=object), b"ab"])
def test_bp_tensor_of_strings_or_objects_is_a_typeerror_naming_the_dtype(data):
    with pytest.raises(TypeError, match=r"cannot make a tensor from non-numeric data \(NumPy dtype"):
        bp.tensor(data)


@pytest.mark.parametrize("value, dtype", [("x", "<U1"), (np.array([["a", "b"]]), "<U1"),
                                          (np.array([[None, 1.0]], dtype=object), "object"),
                                          (np.array([[1j, 1.0]]), "complex128")])
def test_load_state_dict_refuses_a_non_numeric_value_naming_its_key_and_changes_nothing(value, dtype):
    model = nn.Sequential(nn.Linear(2, 1))
    before = model.state_dict()
    state = dict(before, **{"0.weight": value})
    # RuntimeError, as PyTorch's for a value that is not a tensor
    with pytest.raises(RuntimeError, match=f'parameter named "0.weight", expected an array of numbers from the '
                                           f"checkpoint but got dtype {dtype}"):
        model.load_state_dict(state)
    for key, tensor in model.state_dict().items():
        np.testing.assert_array_equal(tensor.data, before[key].data)
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(RuntimeError):
        theirs.load_state_dict(dict(theirs.state_dict(), **{"0.weight": "x"}))


@pytest.mark.parametrize("target, shown", [([1.5, 0.0], "1.5 at index 0"), ([0.0, -0.5], "-0.5 at index 1"),
                                           ([math.nan, 1.0], "nan at index 0")])
def test_bce_refuses_targets_outside_0_1_in_the_functional_and_the_module(target, shown):
    p = bp.tensor([0.2, 0.8])
    message = f"binary_cross_entropy: target must hold probabilities in \\[0, 1\\], got {shown}"
    with pytest.raises(ValueError, match=message):
        bp.nn.functional.binary_cross_entropy(p, bp.tensor(target))
    with pytest.raises(ValueError, match=message):
        nn.BCELoss()(p, np.array(target, dtype=np.float32))
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):  # PyTorch refuses them too
        torch.nn.functional.binary_cross_entropy(torch.tensor([0.2, 0.8]), torch.tensor(target))


def test_poisson_nll_refuses_negative_counts_where_torch_returns_a_number():
    message = r"poisson_nll_loss: target must hold counts y >= 0, got -1.0 at index \(1, 0\)"
    with pytest.raises(ValueError, match=message):
        bp.nn.functional.poisson_nll_loss(bp.zeros(2, 1), bp.tensor([[1.0], [-1.0]]))
    with pytest.raises(ValueError, match=message):
        nn.PoissonNLLLoss(log_input=False)(bp.ones(2, 1), bp.tensor([[1.0], [-1.0]]))
    assert torch.isfinite(torch.nn.PoissonNLLLoss()(torch.zeros(2, 1), torch.tensor([[1.0], [-1.0]])))
    ours = nn.PoissonNLLLoss()(bp.tensor([0.5, 1.0]), bp.tensor([0.0, 3.0]))  # counts, 0 included, still work
    theirs = torch.nn.PoissonNLLLoss()(torch.tensor([0.5, 1.0]), torch.tensor([0.0, 3.0]))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-6)


def test_functional_hyperparameters_are_checked_as_the_modules_are():
    x = bp.tensor([-1.0, 2.0])
    with pytest.raises(TypeError, match="leaky_relu: negative_slope must be a number, got 'a'"):
        bp.nn.functional.leaky_relu(x, "a")
    with pytest.raises(TypeError):  # PyTorch's class too
        torch.nn.functional.leaky_relu(torch.tensor([-1.0, 2.0]), "a")
    with pytest.raises(ValueError, match="softplus: beta must be positive, got 0"):
        bp.nn.functional.softplus(x, beta=0)
    with pytest.raises(ValueError, match=r"dropout probability has to be between 0 and 1, but got p=1.5"):
        bp.nn.functional.dropout(x, 1.5)
    np.testing.assert_allclose(bp.nn.functional.leaky_relu(x, 0.1).data, [-0.1, 2.0])


X2, Y2, T2 = bp.tensor([[0.2, 0.8]]), bp.tensor([[0.0, 1.0]]), torch.tensor([[0.2, 0.8]])
FUNCTIONAL = [  # (name, ours, theirs, exception, message): where PyTorch raises, the same class
    ("huber", lambda F, x, y: F.huber_loss(x, y, delta="a"), TypeError, "huber_loss: delta must be a number, got 'a'"),
    ("smooth_l1", lambda F, x, y: F.smooth_l1_loss(x, y, beta="a"), TypeError, "smooth_l1_loss: beta must be a number"),
    ("cross_entropy", lambda F, x, y: F.cross_entropy(x, y.argmax(1), label_smoothing="a"), TypeError,
     "cross_entropy: label_smoothing must be a number, got 'a'"),
    ("ignore_index", lambda F, x, y: F.cross_entropy(x, y.argmax(1), ignore_index=1.5), TypeError,
     "cross_entropy: ignore_index must be an int, got 1.5"),
    ("nll", lambda F, x, y: F.nll_loss(x, y.argmax(1), ignore_index="a"), TypeError,
     "nll_loss: ignore_index must be an int, got 'a'"),
    ("margin_ranking", lambda F, x, y: F.margin_ranking_loss(x[0], y[0], y[0] * 2 - 1, margin="a"), TypeError,
     "margin_ranking_loss: margin must be a number, got 'a'"),
    ("triplet", lambda F, x, y: F.triplet_margin_loss(x, x, y, margin=-1.0), ValueError,
     "triplet_margin_loss: margin must be positive, got -1.0"),
    ("poisson", lambda F, x, y: F.poisson_nll_loss(x, y, eps="a"), TypeError, "poisson_nll_loss: eps must be a number"),
    ("kl_div", lambda F, x, y: F.kl_div(x, y, log_target="a"), TypeError,
     "kl_div: log_target must be True or False, got 'a'"),
    ("elu", lambda F, x, y: F.elu(x, "a"), TypeError, "elu: alpha must be a number, got 'a'"),
    ("hardtanh", lambda F, x, y: F.hardtanh(x, "a", 1.0), TypeError, "hardtanh: min_val must be a number, got 'a'"),
]


@pytest.mark.parametrize("call, error, message", [case[1:] for case in FUNCTIONAL], ids=[c[0] for c in FUNCTIONAL])
def test_functional_losses_and_activations_check_their_hyperparameters(call, error, message):
    with pytest.raises(error, match=message):
        call(bp.nn.functional, X2, Y2)
    with pytest.raises(error):
        call(torch.nn.functional, T2, torch.tensor([[0.0, 1.0]]))


@pytest.mark.parametrize("make, message", [
    (lambda: bp.as_tensor(np.array([1, None], dtype=object)), r"non-numeric data \(NumPy dtype object\)"),
    (lambda: bp.as_tensor(np.array(["a"])), r"non-numeric data \(NumPy dtype <U1\)"),
    (lambda: bp.full((2,), "a"), "full: fill_value must be a number, got 'a'"),
    (lambda: bp.full((2,), None), "full: fill_value must be a number, got None"),
])
def test_factories_refuse_non_numeric_data_as_torch(make, message):
    with pytest.raises(TypeError, match=message):
        make()
    assert bp.full((2,), bp.tensor(3.0)).data.tolist() == [3.0, 3.0]
    shared = np.zeros(3)
    assert bp.as_tensor(shared).data is shared  # a numeric array is still wrapped without a copy

import numpy as np
import pytest

import backprop as bp
from backprop.data import DataLoader, TensorDataset
from backprop.train import Callback, NonFiniteLossError, accuracy, evaluate, fit

nn = bp.nn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)


def test_an_mlp_solves_xor_exactly():
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
    history = fit(model, nn.BCELoss(), bp.optim.Adam(model.parameters(), lr=0.05), (XOR_X, XOR_Y),
                  epochs=300, metrics=["accuracy"], batch_size=4)
    predictions = model(XOR_X).data > 0.5
    np.testing.assert_array_equal(predictions, XOR_Y == 1)
    assert history.history["accuracy"][-1] == 1.0
    assert history.history["loss"][-1] < 0.01 < history.history["loss"][0]


def test_an_mlp_on_digits_reaches_96_percent():
    datasets = pytest.importorskip("sklearn.datasets")
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = datasets.load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = bp.optim.Adam(model.parameters(), lr=1e-3)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, (X_train, y_train), epochs=20,
                  val_data=(X_test, y_test), metrics=["accuracy"])
    test_accuracy = np.mean(np.argmax(model(X_test).data, axis=1) == y_test)
    assert test_accuracy >= 0.96
    assert history.history["val_accuracy"][-1] == pytest.approx(test_accuracy)
    assert evaluate(model, nn.CrossEntropyLoss(), (X_test, y_test), metrics=["accuracy"])["accuracy"] \
        == pytest.approx(test_accuracy)


def _regression(n=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, X @ np.array([[1.0], [-2.0], [0.5]]) + 0.1


def test_history_has_keras_keys_one_entry_per_epoch():
    X, y = _regression()
    bp.manual_seed(0)
    model = nn.Linear(3, 1)

    def max_error(pred, target):
        return float(np.max(np.abs(pred - target)))

    history = fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.05), (X, y), epochs=4,
                  val_data=(X[:4], y[:4]), metrics=["mae", "mse", max_error], batch_size=3)
    assert list(history.history) == ["loss", "mae", "mse", "max_error", "val_loss", "val_mae", "val_mse",
                                     "val_max_error"]
    assert all(len(values) == 4 for values in history.history.values())
    assert history.epoch == [0, 1, 2, 3]
    assert history.history["loss"][-1] < history.history["loss"][0]
    as_dict = history.to_dict()
    assert as_dict == history.history and as_dict["loss"] is not history.history["loss"]


def test_epoch_loss_is_the_mean_over_samples_with_uneven_batches():
    # lr = 0: the weights stay, so the epoch's loss must equal the loss over all 10 samples at once,
    # even though the batches hold 4, 4 and 2 samples.
    X, y = _regression()
    bp.manual_seed(0)
    model = nn.Linear(3, 1)
    history = fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.0), (X, y), epochs=1,
                  batch_size=4, metrics=["mae"])
    pred = model(X).data
    assert history.history["loss"][0] == pytest.approx(np.mean((pred - y) ** 2), rel=1e-6)
    assert history.history["mae"][0] == pytest.approx(np.mean(np.abs(pred - y)), rel=1e-6)


class Probe(nn.Module):
    """Records the mode and grad mode of every forward call."""

    def __init__(self):
        super().__init__()
        self.linear, self.calls = nn.Linear(3, 1), []

    def forward(self, x):
        self.calls.append((self.training, bp.is_grad_enabled()))
        return self.linear(x)


def test_training_in_train_mode_validation_in_eval_mode_without_grad():
    X, y = _regression()
    model = Probe().eval()
    fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.01), (X, y), epochs=2,
        val_data=(X, y), batch_size=5)
    # per epoch: two training batches, then two validation batches
    epoch = [(True, True)] * 2 + [(False, False)] * 2
    assert model.calls == epoch * 2
    assert not model.training  # the mode it had before fit


def test_a_dataloader_and_an_array_pair_train_the_same():
    X, y = _regression(12)
    results = []
    for data in [(X, y), DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)]:
        bp.manual_seed(5)
        model = nn.Linear(3, 1)
        fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), data, epochs=3)
        results.append(model.weight.data.copy())
    np.testing.assert_array_equal(*results)


def test_initial_epoch_at_or_past_epochs_trains_nothing():
    model = nn.Linear(3, 1)
    before = model.weight.data.copy()
    history = fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), _regression(), epochs=2,
                  initial_epoch=2)
    assert history.history == {} and np.array_equal(model.weight.data, before)


def _lossy(step_to_break):
    """MSE whose value turns NaN at the given global step (1-based), as bad data would make it."""
    mse, calls = nn.MSELoss(), []

    def loss_fn(pred, target):
        calls.append(None)
        loss = mse(pred, target)
        return loss * float("nan") if len(calls) == step_to_break else loss
    return loss_fn


class WeightRecorder(Callback):
    def on_train_begin(self, logs=None):
        self.after_step = [self.model.weight.data.copy()]

    def on_batch_end(self, batch, logs=None):
        self.after_step.append(self.model.weight.data.copy())


def test_nan_loss_names_epoch_and_step_and_keeps_the_last_good_weights():
    X, y = _regression(6)
    bp.manual_seed(0)
    model = nn.Linear(3, 1)
    recorder = WeightRecorder()
    with pytest.raises(NonFiniteLossError, match=r"became nan at epoch 2, step 2;") as info:
        fit(model, _lossy(5), bp.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=2,
            callbacks=[recorder])  # 3 steps per epoch: global step 5 is epoch 2, step 2
    assert (info.value.epoch, info.value.step) == (2, 2) and np.isnan(info.value.loss)
    assert isinstance(info.value, RuntimeError)
    # step 5's loss is NaN: the weights go back to those before step 4 (after step 3), the last ones
    # known to give a finite loss
    assert len(recorder.after_step) == 5
    np.testing.assert_array_equal(model.weight.data, recorder.after_step[3])


@pytest.mark.parametrize("jit", [False, "auto"])
def test_nan_at_an_epochs_first_step_rolls_back_across_the_epoch_boundary(jit):
    X, y = _regression(6)
    bp.manual_seed(0)
    model = nn.Linear(3, 1)
    recorder = WeightRecorder()
    with pytest.raises(NonFiniteLossError, match=r"epoch 2, step 1;"):
        fit(model, _lossy(4), bp.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=2,
            callbacks=[recorder], jit=jit)  # global step 4: the first of epoch 2
    # back to the weights before step 3 (after step 2), kept in the copies from the epoch before
    np.testing.assert_array_equal(model.weight.data, recorder.after_step[2])


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_divergence_stops_with_finite_weights():
    X, y = _regression(32)
    bp.manual_seed(0)
    model = nn.Linear(3, 1)
    with pytest.raises(NonFiniteLossError, match=r"became (inf|nan) at epoch \d+, step \d+") as info:
        fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=10.0), (X, y), epochs=1000,
            batch_size=8)
    assert not np.isfinite(info.value.loss)
    assert np.all(np.isfinite(model.weight.data)) and np.all(np.isfinite(model.bias.data))
    assert np.isfinite(nn.MSELoss()(model(X), bp.tensor(y, dtype=bp.float32)).item())


def test_nan_at_the_very_first_step_leaves_the_initial_weights():
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2), nn.Linear(2, 1))
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    with pytest.raises(NonFiniteLossError, match="epoch 1, step 1"):
        fit(model, _lossy(1), bp.optim.SGD(model.parameters(), lr=0.1), _regression(), epochs=1)
    for name, value in model.state_dict().items():  # batch-norm running statistics included
        np.testing.assert_array_equal(value.data, before[name])


def test_accuracy_metric_layouts():
    scores = np.array([[2.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 2.0, 0.0]])
    assert accuracy(scores, np.array([0, 2, 0])) == pytest.approx(2 / 3)
    assert accuracy(scores, np.eye(3)[[0, 2, 0]]) == pytest.approx(2 / 3)
    assert accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([1.0, 0.0, 0.0])) == pytest.approx(2 / 3)


def test_argument_errors():
    model = nn.Linear(3, 1)
    opt = bp.optim.SGD(model.parameters(), lr=0.1)
    data = _regression()
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        fit(model, nn.MSELoss(), opt, data, epochs=1, metrics=["f1"])
    with pytest.raises(ValueError, match="epochs must be a non-negative integer, got -1"):
        fit(model, nn.MSELoss(), opt, data, epochs=-1)
    with pytest.raises(ValueError, match=r"\(X, y\) pair, got 3 items"):
        fit(model, nn.MSELoss(), opt, data + (data[1],), epochs=1)
    with pytest.raises(TypeError, match="callbacks must be Callback instances"):
        fit(model, nn.MSELoss(), opt, data, epochs=1, callbacks=[print])
    with pytest.raises(ValueError, match=r"loss_fn must return a scalar.*\(10, 1\)"):
        fit(model, nn.MSELoss(reduction="none"), opt, data, epochs=1)
    with pytest.raises(ValueError, match="batches of \\(inputs, target\\)"):
        fit(model, nn.MSELoss(), opt, DataLoader(TensorDataset(data[0]), batch_size=4), epochs=1)


def test_batch_norm_skips_a_lone_last_row_instead_of_failing():
    # 17 rows in batches of 8 would end with a batch of one, on which batch norm's variance is 0/0
    bp.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((17, 3)), rng.integers(0, 2, 17)
    seen = []

    class Batches(Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(batch)

    history = fit(model, nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y), epochs=2,
                  batch_size=8, callbacks=[Batches()], verbose=False)
    assert len(history.history["loss"]) == 2 and seen == [0, 1, 0, 1]
    with pytest.raises(ValueError, match="at least two training samples"):
        fit(model, nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X[:1], y[:1]), epochs=1,
            verbose=False)

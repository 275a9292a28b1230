import numpy as np
import pytest

import backprop as bp
from backprop.train import Callback, EarlyStopping, History, fit

nn = bp.nn


def _line_fit():
    """y = w·x with w starting at 0, trained towards w = 2 and validated against w = 1: the validation loss
    falls while w approaches 1 and rises after it passes, the overfitting curve of early stopping."""
    x = np.linspace(-1, 1, 8).reshape(-1, 1)
    model = nn.Linear(1, 1, bias=False, dtype=np.float64)
    model.weight.data[...] = 0.0
    return model, (x, 2 * x), (x, x)


class EpochWeights(Callback):
    def on_train_begin(self, logs=None):
        self.weights = []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.model.weight.data.item())


@pytest.mark.parametrize("restore_best", [True, False])
def test_early_stopping_stops_after_patience_and_restores_the_best_weights(restore_best):
    model, train, val = _line_fit()
    stopper, weights = EarlyStopping(patience=2, restore_best=restore_best), EpochWeights()
    history = fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.05), train, epochs=100,
                  val_data=val, callbacks=[weights, stopper], batch_size=8)
    val_loss = history.history["val_loss"]
    best = int(np.argmin(val_loss))
    assert 0 < best < len(val_loss) - 1
    assert stopper.best_epoch == best and stopper.best == val_loss[best]
    assert stopper.stopped_epoch == best + 2 and len(val_loss) == best + 3
    assert all(v > val_loss[best] for v in val_loss[best + 1:])
    assert abs(weights.weights[best] - 1) < abs(weights.weights[-1] - 1)
    expected = weights.weights[best] if restore_best else weights.weights[-1]
    assert model.weight.data.item() == expected


def _feed(stopper, values, key="val_loss"):
    """Run the callback on a sequence of epoch values; the epoch after which it stopped, or None."""
    stopper.set_context(nn.Linear(1, 1), None, {})
    stopper.on_train_begin()
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(epoch, {key: value})
        if stopper.stop_training:
            return epoch
    return None


def test_patience_min_delta_and_mode():
    assert _feed(EarlyStopping(patience=0), [3, 2, 2.5, 1]) == 2
    assert _feed(EarlyStopping(patience=2), [3, 2, 2.5, 1.9, 2, 2]) == 5
    # an improvement smaller than min_delta does not count
    stopper = EarlyStopping(patience=1, min_delta=0.1)
    assert _feed(stopper, [1.0, 0.95, 0.5]) == 1 and stopper.best == 1.0
    # accuracy is maximised ('auto' looks for 'acc' in the name)
    stopper = EarlyStopping(monitor="val_accuracy", patience=1)
    assert stopper.mode == "max"
    assert _feed(stopper, [0.5, 0.7, 0.6], "val_accuracy") == 2 and stopper.best == 0.7
    assert _feed(EarlyStopping(monitor="loss", patience=1, mode="max"), [1, 2, 1], "loss") == 2
    # NaN never counts as an improvement
    stopper = EarlyStopping(patience=2)
    assert _feed(stopper, [float("nan"), 1.0, 2.0, 3.0]) == 3 and stopper.best_epoch == 1


def test_early_stopping_without_the_monitored_key_says_what_is_there():
    model, train, _ = _line_fit()
    with pytest.raises(KeyError, match=r"monitors 'val_loss'.*\['loss'\].*pass val_data"):
        fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), train, epochs=2,
            callbacks=[EarlyStopping()])


@pytest.mark.parametrize("kwargs, message", [({"patience": -1}, "patience"),
                                             ({"min_delta": -0.1}, "min_delta"), ({"mode": "up"}, "mode")])
def test_early_stopping_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        EarlyStopping(**kwargs)


class Recorder(Callback):
    def __init__(self, stop_at_batch=None):
        self.events, self.stop_at_batch = [], stop_at_batch

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_batch_end(self, batch, logs=None):
        self.events.append(f"batch_end {batch} {sorted(logs)}")
        if batch == self.stop_at_batch:
            self.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch} {sorted(logs)}")

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_hook_order_and_context():
    model, train, val = _line_fit()
    opt = bp.optim.SGD(model.parameters(), lr=0.1)
    recorder = Recorder()
    fit(model, nn.MSELoss(), opt, train, epochs=3, initial_epoch=1, val_data=val, batch_size=4,
        callbacks=[recorder], metrics=["mae"])
    assert recorder.model is model and recorder.optimizer is opt
    assert recorder.params == {"epochs": 3, "initial_epoch": 1}
    epoch = ["batch_end 0 ['loss', 'mae']", "batch_end 1 ['loss', 'mae']"]
    end = "['loss', 'mae', 'val_loss', 'val_mae']"
    assert recorder.events == (["train_begin", "epoch_begin 1", *epoch, f"epoch_end 1 {end}",
                                "epoch_begin 2", *epoch, f"epoch_end 2 {end}", "train_end"])


def test_stop_training_from_a_batch_ends_the_epoch_and_the_run():
    model, train, _ = _line_fit()
    recorder = Recorder(stop_at_batch=0)
    history = fit(model, nn.MSELoss(), bp.optim.SGD(model.parameters(), lr=0.1), train, epochs=5,
                  batch_size=4, callbacks=[recorder])
    assert recorder.events == ["train_begin", "epoch_begin 0", "batch_end 0 ['loss']", "epoch_end 0 ['loss']",
                               "train_end"]
    assert history.epoch == [0]


def test_history_resets_for_each_run():
    history = History()
    history.on_epoch_end(0, {"loss": 1.0})
    history.on_train_begin()
    history.on_epoch_end(0, {"loss": 0.5})
    assert history.to_dict() == {"loss": [0.5]} and history.epoch == [0]
    assert repr(history) == "History(epochs=1, keys=['loss'])"

"""fit(..., resume_from=) after an interruption repeats the uninterrupted run bit for bit."""
import numpy as np
import pytest

import backprop as bp
from backprop.io import CheckpointError
from backprop.train import Callback, EarlyStopping, History, ModelCheckpoint, fit

pytest.importorskip("safetensors")
nn = bp.nn


class Killing(ModelCheckpoint):
    """Stands for SIGKILL once the checkpoint of epoch ``after`` is written (fit runs checkpoints last)."""

    def __init__(self, filepath, after):
        super().__init__(filepath)
        self.after = after

    def on_epoch_end(self, epoch, logs=None):
        super().on_epoch_end(epoch, logs)
        if epoch + 1 == self.after:
            raise KeyboardInterrupt


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    return X, (X[:, :2].sum(axis=1) + 0.5 * rng.normal(size=40) > 0).astype(np.int64)


def _run(epochs, seed=0, callbacks=(), resume_from=None, loader_seed=None, plateau=False):
    """Build everything from scratch (as a new process would) and fit."""
    bp.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    optimizer = bp.optim.Adam(model.parameters(), lr=0.02)
    schedulers = [bp.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.7)]
    if plateau:
        schedulers.append(bp.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5))
    X, y = _data()
    train = (X[:30], y[:30])
    if loader_seed is not None:
        train = bp.data.DataLoader(bp.data.TensorDataset(*train), batch_size=8, shuffle=True,
                                   generator=bp.Generator().manual_seed(loader_seed))
    es = EarlyStopping(patience=3)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train, epochs=epochs, batch_size=8,
                  val_data=(X[30:], y[30:]), callbacks=[es, *callbacks], schedulers=schedulers,
                  resume_from=resume_from)
    return model, history, es, schedulers


def _weights(model):
    return {k: v.data.copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("loader_seed, plateau", [(None, False), (5, True)])
def test_a_killed_run_resumed_from_its_checkpoint_ends_as_the_uninterrupted_run(tmp_path, loader_seed, plateau):
    model, full, es, schedulers = _run(30, loader_seed=loader_seed, plateau=plateau)
    assert es.stopped_epoch is not None and es.stopped_epoch >= 10  # decided after the kill
    path = tmp_path / "ckpt.safetensors"
    with pytest.raises(KeyboardInterrupt):
        _run(30, callbacks=[Killing(path, after=10)], loader_seed=loader_seed, plateau=plateau)
    bp.manual_seed(1234)  # the new process draws differently until the checkpoint is loaded
    resumed_model, resumed, resumed_es, resumed_schedulers = _run(
        30, seed=99, callbacks=[Killing(path, after=None)], resume_from=path, loader_seed=loader_seed, plateau=plateau)
    for name, value in _weights(model).items():
        np.testing.assert_array_equal(_weights(resumed_model)[name], value, err_msg=name)
    assert resumed.history == full.history and resumed.epoch == full.epoch
    assert (resumed_es.stopped_epoch, resumed_es.best_epoch, resumed_es.best) == (es.stopped_epoch, es.best_epoch,
                                                                                  es.best)
    for ours, theirs in zip(resumed_schedulers, schedulers):
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert ours.optimizer.param_groups[0]["lr"] == theirs.optimizer.param_groups[0]["lr"]


def test_resuming_a_run_that_early_stopping_had_ended_trains_no_further(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    model, full, es, _ = _run(30, callbacks=[ModelCheckpoint(path)])
    stopped = bp.load(path)
    assert stopped["epoch"] == es.stopped_epoch + 1
    resumed_model, resumed, resumed_es, _ = _run(30, seed=3, callbacks=[ModelCheckpoint(path)], resume_from=path)
    assert resumed.history == full.history and resumed_es.stopped_epoch == es.stopped_epoch
    for name, value in _weights(model).items():  # the best epoch's weights, restored at the end
        np.testing.assert_array_equal(_weights(resumed_model)[name], value, err_msg=name)


def test_the_checkpoint_holds_every_part_of_the_state(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    _run(2, callbacks=[ModelCheckpoint(path), Callback()], loader_seed=1)
    state = bp.load(path)
    # the checkpoint's own keys, then each callback's state under its class name in snake case
    assert set(state) == {"model", "optimizer", "epoch", "rng_state", "logs", "schedulers", "data_order",
                          "history", "early_stopping", "model_checkpoint", "callback"}
    assert state["history"]["epoch"] == [0, 1]
    assert state["model_checkpoint"] == {"last_path": str(path)}
    assert state["schedulers"][0]["last_epoch"] == 2
    assert state["data_order"]["bit_generator"] == "PCG64"


def test_callback_states_round_trip():
    es = EarlyStopping(patience=3)
    es.best, es.best_epoch, es.wait, es.best_state = 0.5, 4, 2, {"w": np.ones(2)}
    other = EarlyStopping(patience=3)
    other.load_state_dict(es.state_dict())
    assert (other.best, other.best_epoch, other.wait, other.stop_training) == (0.5, 4, 2, False)
    history = History()
    history.on_epoch_end(0, {"loss": 1.0})
    copy = History()
    copy.load_state_dict(history.state_dict())
    assert copy.history == {"loss": [1.0]} and copy.epoch == [0]
    assert Callback().state_dict() == {}


def test_resume_refuses_what_does_not_fit(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    _run(1, callbacks=[ModelCheckpoint(path)])
    with pytest.raises(CheckpointError, match="own generator"):
        _run(3, resume_from=path, loader_seed=2)
    old = tmp_path / "old.safetensors"
    state = bp.load(path)
    del state["schedulers"], state["history"], state["data_order"]
    bp.save(state, old)
    with pytest.raises(CheckpointError, match="load_checkpoint"):
        _run(3, resume_from=old)
    with pytest.raises(ValueError, match="not both"):
        fit(nn.Linear(2, 2), nn.MSELoss(), None, (np.zeros((2, 2)), np.zeros((2, 2))), 2, initial_epoch=1,
            resume_from=path)


def test_an_unclaimed_callback_state_is_reported(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    _run(1, callbacks=[ModelCheckpoint(path), Callback()])
    with pytest.warns(UserWarning, match="callback"):
        _run(2, resume_from=path)

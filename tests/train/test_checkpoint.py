import os

import numpy as np
import pytest

import backprop as bp
from backprop.io import CheckpointError
from backprop.train import ModelCheckpoint, fit, load_checkpoint

pytest.importorskip("safetensors")
nn = bp.nn


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5))
    return X, (X[:, :2].sum(axis=1) > 0).astype(np.int64)


def _setup(seed=0):
    """A model with dropout trained on shuffled batches with Adam: every part of the state matters."""
    bp.manual_seed(seed)
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Dropout(0.3), nn.Linear(16, 2))
    return model, bp.optim.Adam(model.parameters(), lr=0.01)


def _train(model, optimizer, epochs, **kwargs):
    X, y = _data()
    return fit(model, nn.CrossEntropyLoss(), optimizer, (X[:30], y[:30]), epochs=epochs, batch_size=8,
               val_data=(X[30:], y[30:]), **kwargs)


def _weights(model):
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def test_resumed_training_gives_the_same_weights_as_an_uninterrupted_run(tmp_path):
    model, optimizer = _setup()
    full = _train(model, optimizer, epochs=6)
    expected = _weights(model)

    path = tmp_path / "ckpt.safetensors"
    model, optimizer = _setup()
    _train(model, optimizer, epochs=3, callbacks=[ModelCheckpoint(path)])
    bp.manual_seed(1234)  # the interruption: a new process with other random draws
    model, optimizer = _setup(seed=99)
    done = load_checkpoint(path, model, optimizer)
    assert done == 3
    resumed = _train(model, optimizer, epochs=6, initial_epoch=done)
    for name, value in _weights(model).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)
    assert resumed.history["loss"] == full.history["loss"][3:]
    assert resumed.history["val_loss"] == full.history["val_loss"][3:]


def test_the_random_state_is_what_makes_the_resume_exact(tmp_path):
    model, optimizer = _setup()
    _train(model, optimizer, epochs=4)
    expected = _weights(model)
    path = tmp_path / "ckpt.safetensors"
    model, optimizer = _setup()
    _train(model, optimizer, epochs=2, callbacks=[ModelCheckpoint(path)])
    model, optimizer = _setup()
    load_checkpoint(path, model, optimizer)
    bp.manual_seed(7)  # other shuffles and dropout masks
    _train(model, optimizer, epochs=4, initial_epoch=2)
    assert not np.array_equal(model[0].weight.data, expected["0.weight"])


def test_checkpoint_contents_and_formatted_paths(tmp_path):
    model, optimizer = _setup()
    _train(model, optimizer, epochs=2, callbacks=[ModelCheckpoint(tmp_path / "ckpt-{epoch:02d}.safetensors")])
    assert sorted(os.listdir(tmp_path)) == ["ckpt-01.safetensors", "ckpt-02.safetensors"]
    state = bp.io.load_state(tmp_path / "ckpt-02.safetensors")
    assert state["epoch"] == 2 and set(state["logs"]) == {"loss", "val_loss"}
    assert state["rng_state"] == bp.random.get_rng_state()
    np.testing.assert_array_equal(state["model"]["0.weight"], model[0].weight.data)
    assert state["optimizer"]["param_groups"][0]["lr"] == 0.01
    np.testing.assert_array_equal(state["optimizer"]["state"][0]["exp_avg"],
                                  optimizer.state[model[0].weight]["exp_avg"])


def test_a_crash_while_writing_leaves_the_previous_checkpoint(tmp_path, monkeypatch):
    import backprop.io.safetensors as writer

    path = tmp_path / "ckpt.safetensors"
    model, optimizer = _setup()
    _train(model, optimizer, epochs=1, callbacks=[ModelCheckpoint(path)])
    after_epoch_1 = _weights(model)

    class CrashingFile:
        """Writes half of the bytes, then the process 'dies'."""

        def __init__(self, name, mode):
            self.file = open(name, mode)  # noqa: SIM115 (closed in __exit__, as a real file)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            raise KeyboardInterrupt("killed while writing the checkpoint")

    monkeypatch.setattr(writer, "open", CrashingFile, raising=False)
    with pytest.raises(KeyboardInterrupt):
        _train(model, optimizer, epochs=2, initial_epoch=1, callbacks=[ModelCheckpoint(path)])
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]

    model, optimizer = _setup(seed=5)
    assert load_checkpoint(path, model, optimizer) == 1
    for name, value in _weights(model).items():
        np.testing.assert_array_equal(value, after_epoch_1[name])


def test_load_checkpoint_errors_name_the_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    model, optimizer = _setup()
    _train(model, optimizer, epochs=1, callbacks=[ModelCheckpoint(path)])
    other = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Dropout(0.3), nn.Linear(4, 2))
    with pytest.raises(CheckpointError, match=r"(?s)cannot restore checkpoint .*ckpt\.safetensors.*"
                                              r"size mismatch"):
        load_checkpoint(path, other)
    with pytest.raises(CheckpointError, match=r"(?s)ckpt\.safetensors.*parameter groups"):
        groups = [{"params": [model[0].weight]}, {"params": [model[0].bias]}]
        load_checkpoint(path, model, bp.optim.Adam(groups))
    bp.save(model, tmp_path / "weights.safetensors")
    with pytest.raises(CheckpointError, match=r"weights\.safetensors.*not a backprop checkpoint"):
        load_checkpoint(tmp_path / "weights.safetensors", model, optimizer)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match=r"ckpt\.safetensors.*truncated"):
        load_checkpoint(path, model, optimizer)


@pytest.mark.parametrize("field, value, message", [
    ("rng_state", {"bit_generator": "seed"}, r"rng_state: 'bit_generator' must be one of PCG64, .*got 'seed'"),
    ("rng_state", {"bit_generator": "PCG64", "state": "x"}, "rng_state: not a valid PCG64 state"),
    ("epoch", -1, "field 'epoch': expected a non-negative integer, got -1"),
    ("epoch", 2.5, "field 'epoch': expected a non-negative integer, got 2.5"),
    ("epoch", "3", "field 'epoch': expected a non-negative integer, got '3'")])
def test_a_tampered_checkpoint_is_refused_naming_the_file_and_field(tmp_path, field, value, message):
    path = tmp_path / "ckpt.safetensors"
    model, optimizer = _setup()
    _train(model, optimizer, epochs=1, callbacks=[ModelCheckpoint(path)])
    state = bp.io.load_state(path)
    state[field] = value
    bp.io.save_state(state, path)
    numpy_global, ours = np.random.get_state(), bp.random.get_rng_state()
    with pytest.raises(CheckpointError, match=rf"ckpt\.safetensors.*{message}"):
        load_checkpoint(path, model, optimizer)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_global[1])  # nothing named was called
    assert bp.random.get_rng_state() == ours

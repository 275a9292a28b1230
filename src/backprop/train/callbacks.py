"""Callbacks: code that ``fit`` runs at fixed points of training (Keras's hooks).

``History`` records the per-epoch logs, ``EarlyStopping`` stops when the monitored value stops improving
and restores the best weights, ``ModelCheckpoint`` saves everything needed to resume exactly, and
``load_checkpoint`` puts it back.
"""
import math
import numbers
import os

from .. import random as _random
from ..io import CheckpointError, load_state, save_state


class Callback:
    """Base class: override any of the hooks; set ``self.stop_training = True`` to end training.

    ``fit`` calls, in order, ``on_train_begin()``, then for each epoch ``on_epoch_begin(epoch)``,
    ``on_batch_end(batch, logs)`` after every optimizer step (``logs``: the epoch's running averages so
    far), ``on_epoch_end(epoch, logs)`` (``logs``: the epoch's ``loss``, metrics and ``val_`` values), and
    finally ``on_train_end()``. Epochs and batches are numbered from 0, as in Keras. ``fit`` checks
    ``stop_training`` after every batch and every epoch.

    Attributes
    ----------
    model, optimizer
        Those being trained, set by ``fit`` before ``on_train_begin``.
    params : dict
        ``{'epochs': ..., 'initial_epoch': ...}`` of the ``fit`` call.
    stop_training : bool
    fit_state : FitState or None
        What ``fit`` saves and resumes (``ModelCheckpoint`` uses it).

    A callback with progress to keep across an interruption overrides ``state_dict()`` (numbers, strings,
    arrays, lists and dicts of these: what ``bp.save`` stores) and ``load_state_dict(state)``, as in
    Lightning; ``fit(resume_from=...)`` calls ``load_state_dict`` after ``on_train_begin``.
    """

    model = None
    optimizer = None
    params = None
    fit_state = None
    stop_training = False

    def set_context(self, model, optimizer, params, fit_state=None):
        self.model, self.optimizer, self.params, self.fit_state = model, optimizer, params, fit_state
        self.stop_training = False

    def state_dict(self):
        """The callback's progress, saved in checkpoints; none by default."""
        return {}

    def load_state_dict(self, state):
        """Restore what :meth:`state_dict` returned."""

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass


class History(Callback):
    """The per-epoch record that ``fit`` returns.

    Attributes
    ----------
    history : dict of str → list of float
        One list per key of the epoch logs (``loss``, ``val_loss``, metric names), one entry per epoch.
    epoch : list of int
        The epochs recorded (0-based).
    """

    def __init__(self):
        self.history, self.epoch = {}, []

    def on_train_begin(self, logs=None):
        self.history, self.epoch = {}, []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)

    def state_dict(self):
        return {"history": self.to_dict(), "epoch": list(self.epoch)}

    def load_state_dict(self, state):
        self.history = {name: list(values) for name, values in state["history"].items()}
        self.epoch = [int(epoch) for epoch in state["epoch"]]

    def to_dict(self):
        """The history as a plain dict of lists (a copy), e.g. for ``json.dump`` or ``pandas.DataFrame``."""
        return {name: list(values) for name, values in self.history.items()}

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"


def _copy_state(model):
    return {name: t.data.copy() for name, t in model.state_dict().items()}


class EarlyStopping(Callback):
    """Stop training when the monitored value has not improved for ``patience`` epochs.

    Early stopping regularises (the course): the validation loss falls, then rises as the network starts
    to fit the noise of the training set, so training stops there and, with ``restore_best``, the model
    gets back the weights of its best epoch.

    Parameters
    ----------
    monitor : str, default 'val_loss'
        A key of the epoch logs: ``loss``, ``val_loss``, a metric name or ``val_<metric>``.
    patience : int, default 0
        Epochs without improvement to allow before stopping (0: stop at the first one), as Keras.
    min_delta : float, default 0.0
        The smallest change that counts as an improvement.
    restore_best : bool, default True
        At the end of training (stopped early or not), load the weights and buffers of the best epoch.
        Keras calls it ``restore_best_weights`` and defaults it to False.
    mode : {'auto', 'min', 'max'}, default 'auto'
        Whether smaller or larger is better; 'auto' takes 'max' for names containing 'acc', else 'min'.

    Attributes
    ----------
    best : float or None
        The best monitored value.
    best_epoch : int or None
        Its epoch (0-based).
    stopped_epoch : int or None
        The epoch after which training was stopped, None if it ran to the end.
    """

    def __init__(self, monitor="val_loss", patience=0, min_delta=0.0, restore_best=True, mode="auto"):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative integer, got {patience!r}")
        if not min_delta >= 0:
            raise ValueError(f"min_delta must be non-negative, got {min_delta!r}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.restore_best = restore_best
        self.mode = ("max" if "acc" in monitor else "min") if mode == "auto" else mode
        self.best = self.best_epoch = self.stopped_epoch = self.best_state = None
        self.wait = 0

    def on_train_begin(self, logs=None):
        self.best = self.best_epoch = self.stopped_epoch = self.best_state = None
        self.wait = 0

    def _improved(self, value):
        if self.best is None:
            return not math.isnan(value)
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, but the epoch logs have only "
                           f"{sorted(logs)}; pass val_data to fit for 'val_' keys, or choose another monitor")
        value = float(logs[self.monitor])
        if self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                self.best_state = _copy_state(self.model)
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.stop_training = True

    def state_dict(self):
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_state": self.best_state}

    def load_state_dict(self, state):
        """Restore the progress; a run that had stopped stays stopped (``stop_training``)."""
        best_state = state["best_state"]
        if best_state is not None and not isinstance(best_state, dict):
            raise TypeError(f"EarlyStopping best_state must be a dict of arrays or None, got {best_state!r}")
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], int(state["wait"])
        self.stopped_epoch, self.best_state = state["stopped_epoch"], best_state
        self.stop_training = self.stopped_epoch is not None

    def on_train_end(self, logs=None):
        if self.restore_best and self.best_state is not None:
            self.model.load_state_dict(self.best_state)


class ModelCheckpoint(Callback):
    """Save everything needed to resume training exactly, after every epoch, atomically.

    The file (``bp.save``: safetensors, no pickle) holds the model's ``state_dict``, the optimizer's, the
    number of epochs done (``epoch``), the library's random generator state (``rng_state``: the next
    shuffles and dropout masks), the epoch's ``logs``, the ``state_dict`` of every scheduler given to ``fit``
    (``schedulers``), the state of the training ``DataLoader``'s own generator when it has one
    (``data_order``), and beside them each callback's ``state_dict``, keyed by its class name in snake case
    (``history``, ``early_stopping``...). It is written to a temporary file in the same folder and then renamed over
    ``filepath``, so a crash while writing leaves the previous checkpoint intact. ``fit`` runs checkpoint
    callbacks after all others, so the file holds every callback's decision about the epoch.

    Resume with ``fit(..., resume_from=filepath)``: rebuild the same model, optimizer, schedulers, data and
    callbacks, and the run goes on as if never interrupted (same weights, history, early stop and learning
    rates, bit for bit). ``epochs_done = load_checkpoint(filepath, model, optimizer)`` with
    ``fit(..., initial_epoch=epochs_done)`` restores only the model, optimizer and random state.

    Parameters
    ----------
    filepath : str or path-like
        May hold ``str.format`` fields filled from the epoch (1-based) and its logs,
        e.g. ``"ckpt-{epoch:03d}-{val_loss:.3f}.safetensors"``; by default one file is overwritten.
    metadata : dict of str → str, optional
        Written into every file's header (``bp.save``'s ``metadata``; read back with
        ``bp.io.read_metadata``), e.g. what identifies the run that wrote it.

    Attributes
    ----------
    last_path : str or None
        The file written last.
    """

    def __init__(self, filepath, metadata=None):
        self.filepath, self.metadata = filepath, metadata
        self.last_path = None

    def on_epoch_end(self, epoch, logs=None):
        logs = dict(logs or {})
        self.last_path = os.fspath(self.filepath).format(epoch=epoch + 1, **logs)
        if self.fit_state is not None:
            state = self.fit_state.state_dict(epoch + 1, logs)
        else:  # a callback driven by hand, outside fit
            state = {"model": self.model.state_dict(),
                     "optimizer": None if self.optimizer is None else self.optimizer.state_dict(),
                     "epoch": epoch + 1, "rng_state": _random.get_rng_state(), "logs": logs}
        save_state(state, self.last_path, metadata=self.metadata)

    def state_dict(self):
        return {"last_path": self.last_path}

    def load_state_dict(self, state):
        self.last_path = state["last_path"]


def load_checkpoint(path, model, optimizer=None):
    """Restore a ``ModelCheckpoint`` file in place: weights, optimizer state and random state.

    Parameters
    ----------
    path : str or path-like
    model : Module
        Built as the saved one; its parameters and buffers are overwritten.
    optimizer : Optimizer, optional
        Built on ``model.parameters()`` as the saved one; its state and hyperparameters are overwritten.

    Returns
    -------
    int
        The number of epochs done: pass it to ``fit`` as ``initial_epoch``.

    Raises
    ------
    CheckpointError
        The file is unreadable, not a checkpoint, or does not fit the model or optimizer; the message
        names the file.
    """
    return restore_checkpoint(load_state(path), path, model, optimizer)


def restore_checkpoint(state, path, model, optimizer):
    """``load_checkpoint`` on the already loaded ``state`` of the file at ``path``."""
    if not (isinstance(state, dict) and "model" in state):
        raise CheckpointError(f"cannot restore checkpoint {os.fspath(path)!r}: it is not a backprop checkpoint "
                              "(no 'model' entry); plain weights load with bp.load")
    try:
        model.load_state_dict(state["model"])
        if optimizer is not None:
            if state["optimizer"] is None:
                raise ValueError("the checkpoint holds no optimizer state")
            optimizer.load_state_dict(state["optimizer"])
        epochs_done = state["epoch"]
        if isinstance(epochs_done, bool) or not isinstance(epochs_done, numbers.Integral) or epochs_done < 0:
            raise ValueError(f"field 'epoch': expected a non-negative integer, got {epochs_done!r}")
        _random.set_rng_state(state["rng_state"])  # refuses a bit generator outside its allow-list
    except (KeyError, ValueError, RuntimeError, TypeError) as e:
        raise CheckpointError(
            f"cannot restore checkpoint {os.fspath(path)!r}: {type(e).__name__}: {e}") from e
    return int(epochs_done)

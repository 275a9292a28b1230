"""The run folder that ``backprop train`` writes, and the callback that keeps it resumable.

A run folder holds::

    config.json              the options (so the run can be repeated), the data's description and the
                             fitted preprocessing (so evaluate/predict read new data the same way)
    model.safetensors        the final weights (networks) or fitted attributes (estimators)
    checkpoint.safetensors   the last finished epoch, written by bp.train.ModelCheckpoint: weights,
                             optimizer and random state, the callbacks' states (history, early stopping),
                             atomically (what --resume gives to bp.train.fit(resume_from=...))
    history.csv, .json       loss and metrics per epoch
    metrics.json             the final train/validation/test metrics
    *.png                    the plots

A new run is written in a temporary folder beside its ``--out`` (``.NAME.new-…``) and renamed into place
once its first checkpoint is complete (see ``RunFolder``), so ``--out`` never mixes two runs. While a run
is written, ``NAME.lock`` beside it keeps a second ``backprop train`` out. Every file is written to a
temporary name and moved into place with ``os.replace``; JSON is strict (no NaN or Infinity).
"""
import csv
import glob
import os
import shutil
import signal
import sys
from io import StringIO

import numpy as np

from ..io import CheckpointError, load_state
from ..io.files import atomic_write_text, replace_folder, temporary_sibling
from ..train import Callback, ModelCheckpoint
from ..train.resume import STATE_KEYS
from ..train.progress import format_logs
from .common import CLIError, read_json, write_json

CONFIG, WEIGHTS, CHECKPOINT = "config.json", "model.safetensors", "checkpoint.safetensors"
HISTORY, METRICS = "history", "metrics.json"
# For tests: "EPOCH:SIGNAL" makes training send itself SIGNAL (KILL or INT) once epoch EPOCH's checkpoint
# is on disk (epoch 0: as training begins, before any checkpoint), so that an interrupted run can be
# resumed deterministically.
TEST_SIGNAL = "BACKPROP_CLI_TEST_SIGNAL"


def path(run_dir, name):
    return os.path.join(run_dir, name)


def load_config(run_dir):
    if not os.path.isdir(run_dir):
        moved = sorted(glob.glob(glob.escape(os.path.abspath(run_dir).rstrip(os.sep)) + ".old-*"))
        hint = (f" ({moved[-1]} holds the run that was there, moved aside by an --overwrite that was killed: "
                f"rename it back to {run_dir})" if moved else "")
        raise CLIError(f"no such run folder: {run_dir}{hint}")
    from .schema import check_config

    file = path(run_dir, CONFIG)
    return check_config(read_json(file, f"{run_dir} is not a backprop run folder"), file)


def is_run_folder(folder):
    return os.path.isfile(path(folder, CONFIG))


class RunFolder:
    """Where a run is written: ``path``, and ``publish()``, called once its first checkpoint is complete.

    A new run is built in a fresh temporary folder beside ``out``; ``publish`` swaps it into place
    (``bp.io.files.replace_folder``), so ``out`` always holds one whole run, the old or the new. An old
    run is deleted; a folder that was not a run (taken with ``--overwrite``) is kept as ``OUT.old-…``.
    A resumed run is written in place (``new=False``).
    """

    def __init__(self, out, new=True):
        self.out, self.new, self.kept = out, new, None
        self.published = not new
        self.path = temporary_sibling(out) if new else out

    def publish(self):
        if self.published:
            return
        keep = os.path.isdir(self.out) and not is_run_folder(self.out) and bool(os.listdir(self.out))
        self.kept = replace_folder(self.path, self.out, keep_old=keep)
        self.path, self.published = self.out, True

    def discard(self):
        """Remove a new run that never reached its first checkpoint (``out`` is left as it was)."""
        if not self.published:
            shutil.rmtree(self.path, ignore_errors=True)


def write_history(run_dir, rows):
    write_json(path(run_dir, HISTORY + ".json"), rows, nonfinite="null")
    keys = list(dict.fromkeys(k for row in rows for k in row))
    text = StringIO()
    writer = csv.DictWriter(text, keys)
    writer.writeheader()
    writer.writerows({k: repr(v) if isinstance(v, float) else v for k, v in row.items()} for row in rows)
    atomic_write_text(path(run_dir, HISTORY + ".csv"), text.getvalue())


def _literal(file):
    """``file`` as a ``ModelCheckpoint`` filepath: braces in a folder's name are no format fields."""
    return file.replace("{", "{{").replace("}", "}}")


class RunRecorder(ModelCheckpoint):
    """After every epoch: append to the history files, then write the checkpoint (``ModelCheckpoint``,
    atomically, last, so a checkpoint never gets ahead of the history it holds), then publish the run.

    Its own state in the checkpoint is the history rows written so far (``fit(resume_from=...)`` puts them
    back).
    """

    def __init__(self, run, print_epochs=False, metadata=None):
        """``run``: the :class:`RunFolder`, published after the first checkpoint. ``print_epochs``: a line
        per epoch (about 20 lines in all), for logs where a bar has no place. ``metadata``: the run's
        fingerprint, written into every checkpoint's header."""
        super().__init__(_literal(path(run.path, CHECKPOINT)), metadata=metadata)
        self.run, self.rows, self.print_epochs = run, [], print_epochs
        self.saved_epoch = 0  # the epoch held in the checkpoint on disk
        epoch, _, sig = os.environ.get(TEST_SIGNAL, "").partition(":")
        self.test_signal = (int(epoch), getattr(signal, "SIG" + sig)) if sig else None

    def on_train_begin(self, logs=None):
        self.saved_epoch = self.params["initial_epoch"]
        self._send_test_signal(0)

    def on_epoch_end(self, epoch, logs=None):
        self.rows.append({"epoch": epoch + 1, **logs})
        write_history(self.run.path, self.rows)
        self.filepath = _literal(path(self.run.path, CHECKPOINT))  # the folder moves when published
        super().on_epoch_end(epoch, logs)
        self.saved_epoch = epoch + 1
        self.run.publish()
        epochs = self.params["epochs"]
        if self.print_epochs and ((epoch + 1) % -(-epochs // 20) == 0 or epoch + 1 == epochs):
            print(f"Epoch {epoch + 1}/{epochs} - {format_logs(logs)}", flush=True)
        self._send_test_signal(epoch + 1)

    def state_dict(self):
        return {"rows": self.rows}

    def load_state_dict(self, state):
        self.rows = [dict(row) for row in state["rows"]]

    def _send_test_signal(self, epoch):
        if self.test_signal and self.test_signal[0] == epoch:
            sys.stdout.flush()
            if self.test_signal[1] == signal.SIGINT:  # a process started in the background inherits SIGINT
                signal.signal(signal.SIGINT, signal.default_int_handler)  # ignored: act as Ctrl-C would
            os.kill(os.getpid(), self.test_signal[1])


class OptimizerSettings(Callback):
    """Sets the optimizer's learning rate and weight decay as training begins, after ``fit(resume_from=…)``
    has restored the checkpoint's: a resumed run takes the ``--lr`` and ``--weight-decay`` given now."""

    def __init__(self, **settings):
        self.settings = settings

    def on_train_begin(self, logs=None):
        for group in self.optimizer.param_groups:
            group.update(self.settings)


def check_fingerprint(run_dir, identity):
    """Refuse to go on with a run folder whose checkpoint or ``config.json`` belongs to another run than
    ``identity`` (the options and data of the run being resumed): ``CLIError`` naming both."""
    from .identity import check_file, fingerprint

    what = f"the run {run_dir} describes"
    checkpoint = path(run_dir, CHECKPOINT)
    if os.path.isfile(checkpoint):
        check_file(checkpoint, identity, what)
    recorded = load_config(run_dir).get("fingerprint")
    if recorded != fingerprint(identity):
        raise CLIError(f"{path(run_dir, CONFIG)}: field 'fingerprint': {recorded!r} is not the fingerprint of "
                       f"its options and data ({fingerprint(identity)}): the file was edited, or the run was "
                       "written by an older backprop; train the run again")


def check_data_unchanged(opts, config):
    """Stop when the data file of a run changed since it started: its split would no longer be the same."""
    from .files import sha256

    data = opts["data"]
    if config.get("data_sha256") and os.path.exists(data) and sha256(data) != config["data_sha256"]:
        raise CLIError(f"{data} changed since the run started (its SHA-256 differs): the run cannot be "
                       "resumed or evaluated on the same split")


def epochs_done(run_dir):
    """The epochs held in a run's checkpoint: 0 without one."""
    file = path(run_dir, CHECKPOINT)
    if not os.path.isfile(file):
        return 0
    try:
        state = load_state(file)
        done = state["epoch"] if isinstance(state, dict) else None
    except (CheckpointError, KeyError) as e:
        raise CLIError(f"cannot read {file}: {e}") from None
    if isinstance(done, bool) or not isinstance(done, int) or done < 0:
        raise CLIError(f"{file}: field 'epoch': expected a non-negative integer, got {done!r}")
    try:
        rows = state["run_recorder"]["rows"]
    except (KeyError, TypeError):
        rows = None
    if not isinstance(rows, list) or len(rows) != done:
        raise CLIError(f"{file}: field 'epoch': {done}, but its history holds "
                       f"{len(rows) if isinstance(rows, list) else 'no'} epochs")
    unknown = sorted(set(state) - set(STATE_KEYS) - set(CALLBACK_STATES))
    if unknown:
        raise CLIError(f"{file}: field {unknown[0]!r}: not a field of a backprop train checkpoint")
    check_finite_weights(state.get("model"), file, "model.")
    return done


# The callbacks whose state a checkpoint of backprop train holds (bp.train.fit keys them so).
CALLBACK_STATES = ("history", "early_stopping", "optimizer_settings", "run_recorder")


def check_finite_weights(weights, file, prefix=""):
    """Refuse weights holding NaN or infinity (a damaged file, or one edited by hand), naming the array."""
    for key, value in (weights or {}).items() if isinstance(weights, dict) else ():
        array = np.asarray(value)
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise CLIError(f"{file}: field '{prefix}{key}': holds NaN or infinity")


def load_run(run_dir):
    """``(config, options, preprocessor, model)`` of a finished run, its weights loaded."""
    from .. import io
    from . import models
    from .data import Preprocessor
    from .options import resolve

    from .identity import check_file, run_identity

    config = load_config(run_dir)
    opts, info = resolve({}, config["options"]), config["data"]
    weights = path(run_dir, WEIGHTS)
    if not os.path.isfile(weights):
        raise CLIError(f"{run_dir} has no {WEIGHTS}: its training did not finish (continue it with "
                       f"backprop train --resume {run_dir})")
    identity = run_identity(opts, config.get("data_sha256"), info["preprocessing"])
    check_file(weights, identity, f"the run {run_dir} describes")
    check_fingerprint(run_dir, identity)
    model = models.build(opts, len(info["feature_names"]), info["n_outputs"], info["task"])
    try:
        arrays = io.load(weights)
        check_finite_weights(arrays, weights)
        model.load(arrays)
    except (io.CheckpointError, ValueError, KeyError, RuntimeError) as e:
        raise CLIError(f"cannot load {weights}: {e}") from None
    return config, opts, Preprocessor.from_dict(info["preprocessing"]), model

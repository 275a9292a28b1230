"""Training data larger than memory on the command line: ``--data FOLDER`` (``.npz`` shards holding ``X`` and
``y``, or ``.npy`` shards with ``--target-file``) or ``--data big.npy --target-file y.npy``, streamed by
``bp.data.ShardedDataset`` into ``bp.train.fit`` a batch at a time.

The data never sits in memory whole, so the run differs from an in-memory one in three ways: every row
trains (there is no held-out split: evaluate on another file with ``backprop evaluate RUN --data FILE``);
the standardisation is fitted in one streaming pass (``StandardScaler.partial_fit``); and the metrics are
summed over the stream, a block at a time.
"""
import os

import numpy as np

from ..data import DataError, DataLoader, ShardedDataset
from ..preprocessing import StandardScaler
from .common import CLIError
from .data import Preprocessor, _json_label, infer_task
from .report import CLASSIFICATION, REGRESSION

EVAL_ROWS = 65_536  # rows predicted at a time when the metrics are summed over the stream


def is_sharded(opts):
    """Whether ``--data`` (with ``--target-file``) names data for ``ShardedDataset``."""
    data = opts["data"]
    if opts.get("target_file"):
        return True
    if not os.path.isdir(data):
        return False
    names = os.listdir(data)  # a folder of MNIST's IDX files is read in memory, whatever else it holds
    idx = [n for n in names if "idx" in n or n.endswith(("-ubyte", "-ubyte.gz"))]
    return any(name.endswith(".npz") for name in names) and not idx


class Batches:
    """A ``DataLoader``'s batches with ``transform(x, y)`` applied: what ``fit`` trains on. Its ``generator``
    is the loader's, so a checkpoint saves the data order as for the loader itself."""

    def __init__(self, loader, transform):
        self.loader, self.transform, self.generator = loader, transform, loader.generator

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        for x, y in self.loader:
            yield self.transform(x.numpy(), y.numpy())


class ShardedData:
    """The ``Data`` of a run on sharded data (see :class:`backprop.cli.data.Data`): its task, classes and
    preprocessing, fitted in streaming passes; ``training`` gives ``fit`` its loader, ``evaluate`` the
    metrics over the stream."""

    splits = {}  # nothing is held out, nor in memory
    note = ""

    def __init__(self, opts):
        from .models import NETWORKS

        self.name = opts["data"]
        if opts["model"] not in NETWORKS:
            raise CLIError(f"--model {opts['model']} fits its data in memory in one call; sharded data "
                           f"({self.name}) trains a network (--model {'|'.join(NETWORKS)})")
        if opts["features"]:
            raise CLIError("--features derives 2-D inputs in memory; it does not apply to sharded data")
        try:
            self.dataset = ShardedDataset(opts["data"], target_file=opts["target_file"])
        except DataError:
            raise
        except (ValueError, OSError) as e:
            raise CLIError(f"--data {opts['data']}: {e}") from None
        if len(self.dataset.feature_shape) != 1 or self.dataset.target_shape not in ((), (1,)):
            raise CLIError(f"--data {opts['data']}: expected rows of features and one target per row, got X rows "
                           f"of shape {self.dataset.feature_shape} and y rows of {self.dataset.target_shape}")
        targets = self.dataset.unique_targets()
        self.task = infer_task(targets, opts["task"], None)
        self.classes = None
        if self.task == "classification":
            self.classes = [_json_label(c) for c in targets]
            if len(self.classes) < 2:
                raise CLIError(f"--data {opts['data']}: every target is {self.classes[0]!r}; a classifier needs at "
                               "least two classes")
        self.class_values = targets
        self.prep = self._fit_preprocessing(opts["standardize"], self.task == "regression")

    def _fit_preprocessing(self, standardize, scale_target):
        prep = Preprocessor()
        if not standardize:
            return prep
        x_scaler, y_scaler = StandardScaler(), StandardScaler()
        for x, y in self.dataset.stream_blocks():
            x_scaler.partial_fit(x)
            if scale_target:
                y_scaler.partial_fit(y.reshape(len(y), -1))
        prep.mean, prep.scale = x_scaler.mean_, x_scaler.scale_
        if scale_target:
            prep.target_mean, prep.target_scale = y_scaler.mean_[0], y_scaler.scale_[0]
        return prep

    @property
    def n_inputs(self):
        return self.dataset.feature_shape[0]

    @property
    def n_train(self):
        return len(self.dataset)

    @property
    def n_outputs(self):
        return len(self.classes) if self.task == "classification" else 1

    @property
    def feature_names(self):
        return [f"x{j}" for j in range(self.n_inputs)]

    def _model_batch(self, model, x, y):
        """Raw rows → the model's inputs and the loss's targets."""
        x = self.prep.transform(x.astype(np.float64))
        if self.task == "classification":
            return x, np.searchsorted(self.class_values, y.reshape(-1))
        return x, model.targets(self.prep.transform_target(y.reshape(-1).astype(np.float64)))

    def training(self, model, batch_size):
        """``(train_data, val_data)`` for ``bp.train.fit``: the stream, reshuffled every epoch, and nothing."""
        loader = DataLoader(self.dataset, batch_size=batch_size, shuffle=True)
        return Batches(loader, lambda x, y: self._model_batch(model, x, y)), None

    def evaluate(self, model):
        """The metrics over every row, summed block by block: ``{'train': {'samples': n, ...}}``."""
        sums, n = {}, 0
        for x, y in self.dataset.stream_blocks():
            for start in range(0, len(x), EVAL_ROWS):
                xb, yb = self._model_batch(model, x[start:start + EVAL_ROWS], y[start:start + EVAL_ROWS])
                out = model.predict(xb)
                for key, value in _block_sums(self.task, yb, out, self.prep).items():
                    sums[key] = sums.get(key, 0.0) + value
                n += len(yb)
        return {"train": {"samples": n, **_metrics(self.task, sums, n, self.n_outputs)}}

    def summary_line(self, opts):
        what = (f"classification into {len(self.classes)} classes" if self.task == "classification"
                else "regression")
        scaled = "standardised in one streaming pass" if opts["standardize"] else "not standardised"
        return (f"data: {os.path.basename(self.name.rstrip('/'))}: {self.n_train} samples in "
                f"{len(self.dataset.shards)} file(s), streamed (ShardedDataset), {self.n_inputs} model inputs, "
                f"{what}; no held-out split (evaluate on another file with backprop evaluate RUN --data FILE); "
                f"inputs {scaled}")

    def describe(self):
        return {"name": self.name, "task": self.task, "classes": self.classes, "columns": self.feature_names,
                "feature_names": self.feature_names, "n_outputs": self.n_outputs, "target": None, "one_hot": {},
                "header": None, "samples": {"train": self.n_train}, "preprocessing": self.prep.to_dict()}


def _block_sums(task, y, out, prep):
    """The sums over one block that the stream's metrics are made of."""
    if task == "classification":
        pred = out.argmax(axis=1)
        k = out.shape[1]
        picked = np.clip(out[np.arange(len(y)), y], 1e-15, 1.0)
        sums = {"correct": float((pred == y).sum()), "log_loss": float(-np.log(picked).sum())}
        for c in range(k):
            sums[f"tp{c}"] = float(((pred == c) & (y == c)).sum())
            sums[f"pred{c}"], sums[f"true{c}"] = float((pred == c).sum()), float((y == c).sum())
        return sums
    truth = prep.inverse_target(y.reshape(len(y), -1)).reshape(-1)
    error = prep.inverse_target(out).reshape(-1) - truth
    return {"se": float(error @ error), "ae": float(np.abs(error).sum()), "y": float(truth.sum()),
            "yy": float(truth @ truth)}


def _metrics(task, sums, n, k):
    if task == "classification":
        f1 = [2 * sums[f"tp{c}"] / (sums[f"pred{c}"] + sums[f"true{c}"]) if sums[f"pred{c}"] + sums[f"true{c}"]
              else 0.0 for c in range(k)]
        values = (sums["correct"] / n, float(np.mean(f1)), sums["log_loss"] / n)
        return dict(zip(CLASSIFICATION, values))
    mse = sums["se"] / n
    total = sums["yy"] - sums["y"] ** 2 / n
    values = (mse, float(np.sqrt(mse)), sums["ae"] / n, 1 - sums["se"] / total if total > 0 else 0.0)
    return dict(zip(REGRESSION, values))

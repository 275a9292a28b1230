"""The data of a run: its source, task, classes, train/validation/test split, input features and their
standardisation (fitted on the training split only), and reading new data the way a run was trained.
"""
import math
import os
from dataclasses import dataclass

import numpy as np

from ..data import Table, read_csv, read_idx, read_numpy
from ..data.datasets import (
    BUNDLED,
    load_bundled,
    make_circles,
    make_gauss,
    make_moons,
    make_multi_gauss,
    make_plane,
    make_sine,
    make_spiral,
    make_xor,
    xor_table,
)
from ..data.files import is_idx
from .common import CLIError
from .files import reading

# TensorFlow Playground's 2-D sets ("circle" is its name for circles): classification, then regression
GENERATORS = {"circles": make_circles, "circle": make_circles, "xor": make_xor, "gauss": make_gauss,
              "spiral": make_spiral, "moons": make_moons}
REGRESSION_GENERATORS = {"plane": make_plane, "multigauss": make_multi_gauss}
SEQUENCES = {"sine": make_sine}  # regression: windows of --seq-len values, the target is the next value
NAMED = [*BUNDLED, *GENERATORS, *REGRESSION_GENERATORS, *SEQUENCES, "xor-table"]

# TensorFlow Playground's input features of 2-D data, computed from the raw coordinates.
FEATURES = {"x1": lambda a, b: a, "x2": lambda a, b: b, "x1x2": lambda a, b: a * b,
            "x1^2": lambda a, b: a ** 2, "x2^2": lambda a, b: b ** 2,
            "sin_x1": lambda a, b: np.sin(a), "sin_x2": lambda a, b: np.sin(b)}
MAX_CLASSES = 20   # integer targets with at most this many values are taken as class labels
MIN_SPLIT = 10     # smaller data sets (the 4-point XOR table) are not split


def parse_features(text):
    names = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [n for n in names if n not in FEATURES]
    if unknown or not names:
        raise CLIError(f"--features: unknown feature {unknown[0] if unknown else text!r}; choose from "
                       f"{','.join(FEATURES)}")
    return names


class Preprocessor:
    """Raw inputs → model inputs: the 2-D features (if any), then (x − mean)/std of the training split.

    Derived features are computed from the raw coordinates and then standardised like every other column.
    The time steps of a recurrent model's input share one mean and std (``pooled``), as they share weights.
    A network's regression target is standardised too (the estimators' intercepts absorb its mean);
    ``inverse_target`` brings predictions back to the target's units.
    """

    def __init__(self, features=None, mean=None, scale=None, target_mean=None, target_scale=None):
        self.features, self.mean, self.scale = features, mean, scale
        self.target_mean, self.target_scale = target_mean, target_scale

    @classmethod
    def fit(cls, X_raw, y, features, standardize, scale_target, pooled=False):
        """Fit on the training split with ``bp.preprocessing.StandardScaler`` (so a near-constant column,
        such as 1e8 plus rounding noise, is centred and left unscaled, as scikit-learn does)."""
        prep = cls(features)
        X = prep.derive(X_raw)
        if standardize:
            # pooled: one mean and std over every column, so that a saved run reads as any other
            prep.mean, prep.scale = _standardiser(X.reshape(-1, 1) if pooled else X, X.shape[1:])
        if standardize and scale_target:
            prep.target_mean, prep.target_scale = _standardiser(y.reshape(len(y), -1), y.shape[1:])
        return prep

    def derive(self, X_raw):
        if not self.features:
            return X_raw
        if X_raw.shape[1] != 2:
            raise CLIError(f"--features applies to 2-D data, but the data has {X_raw.shape[1]} input columns")
        return np.column_stack([FEATURES[f](X_raw[:, 0], X_raw[:, 1]) for f in self.features])

    def transform(self, X_raw):
        X = self.derive(X_raw)
        return X if self.mean is None else (X - self.mean) / self.scale

    def transform_target(self, y):
        return y if self.target_mean is None else (y - self.target_mean) / self.target_scale

    def inverse_target(self, y):
        return y if self.target_mean is None else y * self.target_scale + self.target_mean

    def to_dict(self):
        return {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in vars(self).items()}

    @classmethod
    def from_dict(cls, d):
        return cls(**{k: (np.asarray(v) if v is not None and k != "features" else v) for k, v in d.items()})


def _standardiser(X, shape):
    """``(mean, scale)`` of the columns of ``X`` by ``StandardScaler`` (scale 1 for a constant column, as
    digits' always-blank pixels), broadcast to ``shape``."""
    from ..preprocessing import StandardScaler

    try:
        scaler = StandardScaler().fit(X)
    except ValueError as e:  # a column whose mean or variance overflows float64
        raise CLIError(f"cannot standardise the training data: {e}") from None
    return tuple(np.full(shape, a[0]) if a.size == 1 else a.reshape(shape)
                 for a in (scaler.mean_, scaler.scale_))


@dataclass
class Data:
    """A prepared data set: ``splits`` maps 'train'/'validation'/'test' to (raw X, model X, encoded y)."""
    name: str
    task: str
    classes: list
    table: Table
    prep: Preprocessor
    splits: dict
    note: str = ""

    @property
    def n_outputs(self):
        y = self.splits["train"][2]
        return len(self.classes) if self.task == "classification" else (1 if y.ndim == 1 else y.shape[1])

    def describe(self):
        """What config.json records about the data: enough to read new data as this run did."""
        return {"name": self.name, "task": self.task, "classes": self.classes, "columns": self.table.columns,
                "feature_names": self.feature_names, "n_outputs": self.n_outputs,
                "target": self.table.target_name,
                "one_hot": self.table.categories, "header": self.table.header,
                "samples": {k: len(v[2]) for k, v in self.splits.items()},
                "preprocessing": self.prep.to_dict()}

    @property
    def feature_names(self):
        return self.prep.features or self.table.feature_names

    @property
    def n_inputs(self):
        return self.splits["train"][1].shape[1]

    @property
    def n_train(self):
        return len(self.splits["train"][2])

    def training(self, model, batch_size):
        """``(train_data, val_data)`` for ``bp.train.fit``: (X, y) pairs of the model's inputs and targets."""
        def pair(split):
            return split[1], model.targets(self.prep.transform_target(split[2]))
        val = self.splits.get("validation")
        return pair(self.splits["train"]), None if val is None else pair(val)

    def evaluate(self, model):
        """``{split: {'samples': n, metric: value, ...}}`` of the model on every split."""
        from .report import evaluate_splits

        return evaluate_splits(model, self.task, self.prep, {k: v[1:] for k, v in self.splits.items()})

    def summary_line(self, opts):
        n, d = len(self.table.y), self.n_inputs
        sizes = "/".join(str(len(v[2])) for v in self.splits.values())
        what = (f"classification into {len(self.classes)} classes" if self.task == "classification"
                else "regression")
        features = ""
        if self.prep.features:
            features = f"; features {','.join(self.prep.features)} computed from {', '.join(self.table.columns)}"
        scaled = "standardised on the training split" if opts["standardize"] else "not standardised"
        return (f"data: {os.path.basename(opts['data'])}: {n} samples, {d} model inputs, {what}; split {sizes} "
                f"({'/'.join(self.splits)}){features}; inputs {scaled}")


# -- loading -------------------------------------------------------------------------------------------
def load_source(opts):
    """``(table, explicit test table or None, task of a named set or None)`` for the ``--data`` option."""
    name, seed = opts["data"], opts["seed"]
    if name in BUNDLED:
        try:
            X, y, columns, class_names = load_bundled(name)
        except ImportError as e:
            raise CLIError(str(e)) from None
        if class_names and class_names != [str(k) for k in range(len(class_names))]:
            y = np.asarray(class_names)[y]  # iris's classes are "setosa"..., not 0, 1, 2
        return Table(X, y, columns, "target", header=True), None, BUNDLED[name][1]
    if name in GENERATORS or name == "xor-table":
        if name == "xor-table":
            X, y = xor_table()
        else:
            try:
                X, y = GENERATORS[name](opts["n_samples"], opts["noise"], random_state=seed)
            except ValueError as e:  # too few points for the generator's classes
                raise CLIError(f"--n-samples {opts['n_samples']}: {e}") from None
        return Table(X, y, ["x1", "x2"], "label", header=True), None, "classification"
    if name in REGRESSION_GENERATORS:
        X, y = REGRESSION_GENERATORS[name](opts["n_samples"], opts["noise"], random_state=seed)
        return Table(X, y, ["x1", "x2"], "value", header=True), None, "regression"
    if name in SEQUENCES:
        X, y = SEQUENCES[name](opts["n_samples"], opts["seq_len"], opts["noise"], random_state=seed)
        return Table(X, y, [f"x{j}" for j in range(X.shape[1])], "next", header=True), None, "regression"
    if not os.path.exists(name):
        raise CLIError(f"--data: no such file or folder: {name} (or choose a named data set: "
                       f"{', '.join(NAMED)})")
    with reading():
        if is_idx(name):
            return read_idx(name, opts["target"]), idx_test(name), "classification"
        if name.endswith((".npz", ".npy")):
            return read_numpy(name, opts["target"], drop_missing=opts["drop_missing"]), None, None
        table = read_csv(name, opts["target"], header=opts["header"], one_hot=opts["one_hot"],
                         drop_missing=opts["drop_missing"])
    return table, None, None


def idx_test(path):
    """The t10k test files of a folder of MNIST files, or None."""
    if not os.path.isdir(path):
        return None
    try:
        return read_idx(path, train=False)
    except FileNotFoundError:
        return None


def infer_task(y, requested, known):
    """'classification' or 'regression': as requested, as the named data set is, or from the target."""
    numeric = y.dtype.kind in "biuf"
    if requested == "regression" and not numeric:
        raise CLIError(f"--task regression needs a numeric target, got labels such as {y[0]!r}")
    if requested != "auto":
        return requested
    if known:
        return known
    if not numeric:
        return "classification"
    integral = y.ndim == 1 and np.all(np.isfinite(y)) and np.all(y == np.round(y))
    return "classification" if integral and len(np.unique(y)) <= MAX_CLASSES else "regression"


def _json_label(value):
    value = value.item() if isinstance(value, np.generic) else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def encode_labels(y, classes, where):
    """Class indices of the labels ``y`` in ``classes``; a label the run never saw raises ``CLIError``."""
    lookup = {str(c): k for k, c in enumerate(classes)}
    keys = [str(_json_label(v)) for v in y]
    unknown = [k for k in keys if k not in lookup]
    if unknown:
        raise CLIError(f"{where}: label {unknown[0]!r} is not one of the trained classes "
                       f"({', '.join(map(str, classes))})")
    return np.array([lookup[k] for k in keys], dtype=np.int64)


def split_indices(y, task, n_test, n_val, seed):
    """Train/validation/test row indices; classification splits keep the class proportions when they can."""
    from ..model_selection import train_test_split

    def cut(idx, n):
        if n == 0:
            return idx, None
        labels = y[idx] if task == "classification" else None
        counts = np.unique(labels, return_counts=True)[1] if labels is not None else None
        can = counts is not None and counts.min() >= 2 and min(n, len(idx) - n) >= len(counts)
        stratify = labels if can else None
        return train_test_split(idx, test_size=n, random_state=seed, stratify=stratify)

    rest, test = cut(np.arange(len(y)), n_test)
    train, val = cut(rest, n_val)
    return train, val, test


def prepare(opts):
    """Load, split and preprocess the data that the options describe (``ShardedData`` for data larger than
    memory)."""
    from .sharded import ShardedData, is_sharded

    if opts["data"] not in NAMED and is_sharded(opts):
        with reading():  # a NaN met in the streaming passes is named like one in a CSV
            return ShardedData(opts)
    table, test_table, known = load_source(opts)
    task = infer_task(table.y, opts["task"], known)
    y = table.y
    classes = None
    if task == "classification":
        every = y if test_table is None else np.concatenate([y, test_table.y])
        classes = [_json_label(c) for c in np.unique(every)]
        if len(classes) < 2 and opts["data"] in GENERATORS:
            raise CLIError(f"--noise {opts['noise']:g} is so large that the generated {opts['data']} data "
                           f"degenerate to a single class ({classes[0]!r}); use a noise on TensorFlow "
                           "Playground's 0-0.5 scale")
        if len(classes) < 2:
            raise CLIError(f"the target {table.target_name!r} has a single class ({classes[0]!r}); a "
                           "classifier needs at least two")
        y = encode_labels(y, classes, opts["data"])
    else:
        y = y.astype(np.float64)
    n = len(y)
    note = ""
    if n < MIN_SPLIT:
        train, val, test = np.arange(n), None, None
        note = f"{opts['data']} has {n} rows: no split, the model is trained and evaluated on all of them"
    else:
        n_test = 0 if test_table is not None else math.ceil(opts["test_size"] * n)
        n_val = math.ceil(opts["val_size"] * n)
        if n - n_test - n_val < 1:
            raise CLIError(f"--test-size {opts['test_size']} and --val-size {opts['val_size']} leave no "
                           f"training rows out of {n}")
        train, val, test = split_indices(y, task, n_test, n_val, opts["seed"])
    features = parse_features(opts["features"]) if opts["features"] else None
    from .models import NETWORKS, RECURRENT

    scale_target = task == "regression" and opts["model"] in NETWORKS
    prep = Preprocessor.fit(table.X[train], y[train], features, opts["standardize"], scale_target,
                            pooled=opts["model"] in RECURRENT)
    parts = {"train": train, "validation": val, "test": test}
    splits = {k: (table.X[i], prep.transform(table.X[i]), y[i]) for k, i in parts.items() if i is not None}
    if test_table is not None:
        y_test = encode_labels(test_table.y, classes, opts["data"])
        splits["test"] = (test_table.X, prep.transform(test_table.X), y_test)
    return Data(opts["data"], task, classes, table, prep, splits, note)

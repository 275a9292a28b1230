"""The network a playground session trains, with ``bp.nn`` and ``bp.optim``, and what the page draws of it.

Everything random (the data, the split, the initial weights, dropout, the order of each epoch's batches)
comes from one NumPy generator seeded with the page's seed, in that order, so a session is a function of its
settings, its seed, the batches it trained on and the weights typed by hand. :mod:`.script` writes the same
steps as a Python script; a test runs it and compares the weights bit for bit.
"""
import time

import numpy as np

from .. import nn, no_grad, optim, tensor
from ..jit import jit
from ..random import use_generator
from . import data

GRID = 50  # the maps' resolution: GRID × GRID points over [−6, 6]²
EXTENT = 6.0
ACTIVATION_MODULES = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "linear": nn.Identity,
                      "step": nn.Heaviside}
# The course's initialisations; "default" is PyTorch's (and the course's) uniform ±1/√n of nn.Linear.
INIT_FUNCTIONS = {"xavier": "xavier_uniform_", "he": "kaiming_uniform_", "zeros": "zeros_"}
OPTIMIZERS = {"sgd": ("SGD", {}), "momentum": ("SGD", {"momentum": 0.9}),
              "nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}), "rmsprop": ("RMSprop", {}),
              "adam": ("Adam", {})}


def grid_points():
    """The maps' points, row by row from the top (x₂ = 6) and left to right, as (GRID², 2)."""
    ticks = np.linspace(-EXTENT, EXTENT, GRID)
    x1, x2 = np.meshgrid(ticks, ticks[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def build_model(settings, n_in, n_out):
    """``Linear`` (``BatchNorm1d``) activation (``Dropout``) per hidden layer, then the output ``Linear``;
    initialised by ``settings.init`` from the current generator (``bp.random.use_generator``)."""
    layers, width = [], n_in
    for size, activation in zip(settings.layers, settings.activations):
        layers.append(nn.Linear(width, size))
        if settings.batchnorm:
            layers.append(nn.BatchNorm1d(size))
        layers.append(ACTIVATION_MODULES[activation]())
        if settings.dropout > 0:
            layers.append(nn.Dropout(settings.dropout))
        width = size
    layers.append(nn.Linear(width, n_out))
    model = nn.Sequential(*layers)
    if settings.init != "default":
        init = getattr(nn.init, INIT_FUNCTIONS[settings.init])
        for layer in linear_layers(model):
            init(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def linear_layers(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def build_optimizer(settings, model):
    name, options = OPTIMIZERS[settings.optimizer]
    return getattr(optim, name)(model.parameters(), lr=settings.lr, **options)


def n_outputs(settings, classes):
    """One output (a logit, or the value) for two classes and for regression; one logit per class above two."""
    return 1 if settings.problem == "regression" or len(classes) == 2 else len(classes)


def loss_function(settings, classes):
    if settings.problem == "regression":
        return nn.MSELoss()
    return nn.BCEWithLogitsLoss() if len(classes) == 2 else nn.CrossEntropyLoss()


def targets(settings, classes, y):
    """The targets as the loss takes them: a float column for one output, class indices for several."""
    if settings.problem == "regression" or len(classes) == 2:
        return tensor(y.reshape(-1, 1), dtype=np.float32)
    return tensor(y, dtype=np.int64)


def objective(model, loss_fn, settings, x, y):
    """The loss one training step minimises: the data loss of the outputs (logits divided by the softmax
    temperature) plus the regularisation of the weights (not the biases): rate·Σ|w| or rate·½Σw²."""
    out = model(x)
    if settings.problem == "classification":
        out = out / settings.temperature
    loss = loss_fn(out, y)
    if settings.reg != "none" and settings.regrate > 0:
        weights = [layer.weight for layer in linear_layers(model)]
        terms = [w.abs().sum() if settings.reg == "l1" else (w * w).sum() * 0.5 for w in weights]
        loss = loss + settings.regrate * sum(terms[1:], terms[0])
    return loss


class Network:
    """A session's data, model and optimizer, built from ``settings`` and ``seed`` (and uploaded points)."""

    def __init__(self, settings, seed, uploaded=None):
        self.settings, self.seed = settings, seed
        self.rng = np.random.default_rng(seed)
        if settings.dataset == "upload":
            self.points = uploaded
        else:
            self.points = data.generate(settings.dataset, settings.points, settings.noise, self.rng)
        self.classes = self.points.classes
        order = self.rng.permutation(len(self.points.X))
        n_train = min(len(order) - 1, max(1, round(len(order) * settings.ratio / 100)))
        self.train_index, self.test_index = order[:n_train], order[n_train:]
        inputs = data.features(self.points.X, settings.features).astype(np.float32)
        self.x_train, self.x_test = inputs[self.train_index], inputs[self.test_index]
        self.y_train = targets(settings, self.classes, self.points.y[self.train_index])
        self.y_test = targets(settings, self.classes, self.points.y[self.test_index])
        self.grid = tensor(data.features(grid_points(), settings.features), dtype=np.float32)
        with use_generator(self.rng):
            self.model = build_model(settings, len(settings.features), n_outputs(settings, self.classes))
        self.optimizer = build_optimizer(settings, self.model)
        self.loss_fn = loss_function(settings, self.classes)
        self.epoch = self.steps = self.cursor = 0  # epochs done, batches done, position in this epoch's order
        self.order = None
        self.edits = []  # (steps done, parameter name, index, value) of each weight typed by hand

    # -- training ---------------------------------------------------------------------------------
    def train_step(self):
        """One batch: the next ``settings.batch`` points of this epoch's random order (drawn at its first batch)."""
        settings, model = self.settings, self.model
        model.train()
        with use_generator(self.rng):
            if self.cursor == 0:
                self.order = self.rng.permutation(len(self.x_train))
            batch = self.order[self.cursor:self.cursor + settings.batch]
            self.steps += 1
            self.cursor += settings.batch
            if self.cursor >= len(self.order):
                self.cursor, self.epoch = 0, self.epoch + 1
            if settings.batchnorm and len(batch) < 2:  # batch norm needs two rows to normalise
                return
            self._update(tensor(self.x_train[batch]), tensor(self.y_train[batch]))

    @jit
    def _update(self, x, y):
        """One optimizer step on a batch, replayed by ``bp.jit`` after its first calls (the same numbers as
        eager mode, bit for bit; dropout draws from the session's generator in the same order)."""
        self.optimizer.zero_grad()
        loss = objective(self.model, self.loss_fn, self.settings, x, y)
        loss.backward()
        self.optimizer.step()
        return loss

    def train_epoch(self):
        """The batches left in this epoch (all of them at an epoch's start)."""
        epoch = self.epoch
        while self.epoch == epoch:
            self.train_step()

    def train_for(self, seconds, clock=time.perf_counter):
        """Batches for about ``seconds`` (at least one): what the page sees between two frames."""
        end = clock() + seconds
        self.train_step()
        while clock() < end:
            self.train_step()

    def set_weight(self, layer, to, source, value):
        """Type one weight (``source`` an input index) or bias (``source`` None) of layer ``layer`` (1 = the
        first hidden layer). Raises ValueError naming what is out of range."""
        linears = linear_layers(self.model)
        if not 1 <= layer <= len(linears):
            raise ValueError(f"layer must be from 1 to {len(linears)}, got {layer}")
        weight = linears[layer - 1].weight
        if not 0 <= to < weight.shape[0] or (source is not None and not 0 <= source < weight.shape[1]):
            raise ValueError(f"layer {layer} has weights of shape {tuple(weight.shape)}: no link "
                             f"{source if source is not None else 'bias'} → {to}")
        if not np.isfinite(value) or abs(value) > 1e6:
            raise ValueError(f"a weight must be a finite number of at most 1e6 in size, got {value!r}")
        name = f"{self.model_index(layer)}.{'weight' if source is not None else 'bias'}"
        index = (to, source) if source is not None else (to,)
        params = dict(self.model.named_parameters())
        with no_grad():
            params[name].data[index] = value
        self.edits.append((self.steps, name, index, float(params[name].data[index])))

    def model_index(self, layer):
        """The position in the ``Sequential`` of the ``layer``-th Linear (1-based)."""
        return [i for i, m in enumerate(self.model) if isinstance(m, nn.Linear)][layer - 1]

    # -- what the page shows ----------------------------------------------------------------------
    def _read(self, out):
        """The outputs as the page reads them: P(class 1), the class probabilities, or the value."""
        if self.settings.problem == "regression":
            return out
        out = out / self.settings.temperature
        return out.sigmoid() if out.shape[1] == 1 else out.softmax(dim=1)

    def losses(self):
        """Data loss on the training and test points (no regularisation), and the test accuracy."""
        self.model.eval()
        with no_grad():
            result = {}
            for split, x, y in (("train", self.x_train, self.y_train), ("test", self.x_test, self.y_test)):
                out = self.model(tensor(x))
                if self.settings.problem == "classification":
                    out = out / self.settings.temperature
                result[f"loss_{split}"] = float(self.loss_fn(out, y).item())
            result["accuracy_test"] = self._accuracy() if self.settings.problem == "classification" else None
        return result

    def _accuracy(self):
        probs = self._read(self.model(tensor(self.x_test))).data
        predicted = (probs[:, 0] > 0.5).astype(np.int64) if probs.shape[1] == 1 else probs.argmax(axis=1)
        return float((predicted == self.points.y[self.test_index]).mean())

    def maps(self):
        """Every hidden neuron's output and every output's value on the grid: (n maps, GRID, GRID) float32."""
        self.model.eval()
        found = []
        with no_grad():
            h = self.grid
            for module in self.model:
                h = module(h)
                if type(module) in ACTIVATION_MODULES.values():
                    found.append(h.data)
            found.append(self._read(h).data)
        return np.concatenate(found, axis=1).T.reshape(-1, GRID, GRID).astype(np.float32)

    def weights(self):
        """Each layer's weights (out × in) and biases as nested lists, for the links of the drawing."""
        return [{"weight": layer.weight.data.tolist(), "bias": layer.bias.data.tolist()}
                for layer in linear_layers(self.model)]

    def state_dict(self):
        return self.model.state_dict()

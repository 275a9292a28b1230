"""``fit`` and ``evaluate``: the training loop of minibatch gradient descent, written once for everyone.

Each step is the loop every course writes by hand::

    pred = model(x); loss = loss_fn(pred, y)      # forward
    optimizer.zero_grad(); loss.backward()        # backward: dL/dθ for every parameter
    optimizer.step()                              # θ ← θ − η·(the optimizer's direction)

``fit`` adds what a long run needs: epochs over a ``DataLoader``, validation, metrics, callbacks
(early stopping, checkpoints), a progress bar, and a stop with the last good weights when the loss
turns NaN or infinite.
"""
import math
import numbers

import numpy as np

from ..autograd.grad_mode import no_grad
from ..data import DataLoader, TensorDataset
from ..nn.batchnorm import BatchNorm1d, BatchNorm2d
from ..optim.lr_scheduler import ReduceLROnPlateau
from .callbacks import Callback, History, ModelCheckpoint
from .distributed import DistributedFit
from .captured import captured_step
from .progress import Progress
from .resume import FitState
from .rollback import Rollback


class NonFiniteLossError(RuntimeError):
    """The training loss became NaN or infinite; ``epoch`` and ``step`` (both 1-based) say where.

    ``fit`` leaves the model with the last weights that gave a finite loss.
    """

    def __init__(self, message, epoch, step, loss):
        super().__init__(message)
        self.epoch, self.step, self.loss = epoch, step, loss


# -- metrics ---------------------------------------------------------------------------------------
def accuracy(pred, target):
    """The fraction of correct predictions, for the three usual output layouts.

    - ``pred`` (N, C) scores or probabilities and ``target`` (N,) class indices: argmax(pred) == target;
    - ``pred`` and ``target`` both (N, C), one-hot or class probabilities: argmax(pred) == argmax(target);
    - one output per sample (shape (N,) or (N, 1)), probabilities of class 1 against 0/1 targets:
      (pred > 0.5) == (target > 0.5), Keras's binary accuracy. For logits, pass ``pred > 0`` yourself
      in a callable metric.
    """
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.ndim >= 1 and pred.shape[-1] > 1:
        labels = target if target.shape == pred.shape[:-1] else np.argmax(target, axis=-1)
        return float(np.mean(np.argmax(pred, axis=-1) == labels))
    return float(np.mean((pred.reshape(target.shape) > 0.5) == (target > 0.5)))


def mean_absolute_error(pred, target):
    return float(np.mean(np.abs(np.asarray(pred).reshape(np.shape(target)) - target)))


def mean_squared_error(pred, target):
    return float(np.mean((np.asarray(pred).reshape(np.shape(target)) - target) ** 2))


METRICS = {"accuracy": accuracy, "acc": accuracy, "mae": mean_absolute_error, "mse": mean_squared_error}


def _resolve_metrics(metrics):
    """``[(name, fn)]`` from names in ``METRICS`` and callables ``fn(pred, target) -> float``."""
    resolved = []
    for metric in metrics or ():
        if isinstance(metric, str):
            if metric not in METRICS:
                raise ValueError(f"unknown metric {metric!r}; use one of {sorted(METRICS)} or a callable "
                                 "metric(pred, target) -> float")
            resolved.append((metric, METRICS[metric]))
        elif callable(metric):
            resolved.append((getattr(metric, "name", None) or metric.__name__, metric))
        else:
            raise TypeError(f"a metric must be a name or a callable, got {metric!r}")
    return resolved


class _Averages:
    """Running means of the loss and metrics over an epoch, each batch weighted by its size."""

    def __init__(self):
        self.sums, self.count = {}, 0

    def add(self, values, n):
        for name, value in values.items():
            self.sums[name] = self.sums.get(name, 0.0) + value * n
        self.count += n

    def means(self, prefix=""):
        return {prefix + name: total / self.count for name, total in self.sums.items()}


# -- data ------------------------------------------------------------------------------------------
def _loader(data, batch_size, shuffle, model):
    """A DataLoader for an ``(X, y)`` pair of arrays, its float batches in the dtype of the model's
    parameters (as a module converts an array); a loader (any re-iterable of batches) as it is.

    Batch normalisation cannot train on a batch of one row (its variance is 0/0), so when the training
    pairs would end with one, that row is left out of the epoch (``drop_last``; a different row each
    shuffled epoch), as PyTorch users do by hand.
    """
    if isinstance(data, tuple):
        if len(data) != 2:
            raise ValueError(f"data given as a tuple must be an (X, y) pair, got {len(data)} items")
        dtype = next((p.dtype for p in model.parameters() if p.dtype.kind == "f"), None)
        dataset = TensorDataset(*data)
        lone_row = shuffle and len(dataset) % batch_size == 1 and any(
            isinstance(m, (BatchNorm1d, BatchNorm2d)) for m in model.modules())
        if lone_row and len(dataset) == 1:
            raise ValueError("batch normalisation needs at least two training samples, got one")
        return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, dtype=dtype, drop_last=lone_row)
    return data


def _split(batch):
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise ValueError("fit and evaluate need batches of (inputs, target); got "
                         f"{len(batch) if isinstance(batch, (tuple, list)) else type(batch).__name__}")
    return batch


def _scalar(loss):
    if loss.numel() != 1:
        raise ValueError(f"loss_fn must return a scalar (reduction='mean'), got shape {tuple(loss.shape)}")
    return float(loss.item())


def _batch_logs(loss_value, pred, y, metrics):
    logs = {"loss": loss_value}
    for name, fn in metrics:
        logs[name] = float(fn(pred.data, y.data))
    return logs


# -- evaluate --------------------------------------------------------------------------------------
def evaluate(model, loss_fn, data, metrics=None, batch_size=32):
    """The mean loss and metrics of ``model`` over ``data``, in eval mode and without recording gradients.

    Parameters
    ----------
    model : Module
    loss_fn : callable
        ``loss_fn(pred, target)`` returning the batch's mean loss (a scalar Tensor).
    data : DataLoader or (X, y) tuple of arrays
        A pair is batched for you, ``batch_size`` samples at a time, in order.
    metrics : list of str or callable, optional
        Names ('accuracy', 'mae', 'mse') or functions ``metric(pred, target) -> float`` of NumPy arrays.
    batch_size : int, default 32

    Returns
    -------
    dict
        ``{'loss': ..., <metric name>: ...}``, averages over samples. The model's train/eval mode is
        restored afterwards.
    """
    return _evaluate(model, loss_fn, _loader(data, batch_size, False, model), _resolve_metrics(metrics))


def _evaluate(model, loss_fn, loader, metrics, prefix=""):
    was_training = model.training
    model.eval()
    averages = _Averages()
    try:
        with no_grad():
            for batch in loader:
                x, y = _split(batch)
                pred = model(x)
                averages.add(_batch_logs(_scalar(loss_fn(pred, y)), pred, y, metrics), len(y))
    finally:
        model.train(was_training)
    if averages.count == 0:
        raise ValueError("evaluate: the data has no batches")
    return averages.means(prefix)


# -- fit -------------------------------------------------------------------------------------------
def _check_epochs(epochs, initial_epoch):
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {value!r}")


def _schedulers(schedulers):
    if schedulers is None:
        return []
    schedulers = list(schedulers) if isinstance(schedulers, (list, tuple)) else [schedulers]
    for scheduler in schedulers:
        if not (callable(getattr(scheduler, "step", None)) and callable(getattr(scheduler, "state_dict", None))):
            raise TypeError(f"schedulers must be learning-rate schedulers (bp.optim.lr_scheduler), got "
                            f"{type(scheduler).__name__}")
    return schedulers


def _step_schedulers(schedulers, logs):
    for scheduler in schedulers:
        if isinstance(scheduler, ReduceLROnPlateau):
            scheduler.step(logs["val_loss"] if "val_loss" in logs else logs["loss"])
        else:
            scheduler.step()


def fit(model, loss_fn, optimizer, train_data, epochs, val_data=None, metrics=None, callbacks=None,
        initial_epoch=0, verbose=None, batch_size=32, schedulers=None, resume_from=None, distributed=False,
        jit="auto"):
    """Train ``model`` by minibatch gradient descent and return its ``History``, as Keras's ``Model.fit``.

    Each epoch puts the model in training mode (``model.train()``) and runs, for every batch ``(x, y)``:
    ``loss = loss_fn(model(x), y)``, ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.
    Then, when ``val_data`` is given, the model is evaluated in eval mode under ``bp.no_grad()``.
    The model's train/eval mode is restored when ``fit`` returns.

    Parameters
    ----------
    model : Module
    loss_fn : callable
        ``loss_fn(pred, target)`` returning the batch's mean loss, e.g. ``bp.nn.CrossEntropyLoss()``.
    optimizer : Optimizer
        Built on ``model.parameters()``.
    train_data : DataLoader or (X, y) tuple of arrays
        A pair is batched for you: ``batch_size`` samples per batch (default 32, as Keras), reshuffled
        every epoch from the library's seeded generator, float data in the model's parameter dtype.
        Any re-iterable of ``(x, y)`` batches also works.
    epochs : int
        The epoch to train up to (the total, counting the ``initial_epoch`` already done).
    val_data : DataLoader or (X, y) tuple of arrays, optional
        Evaluated after every epoch; pairs are batched in order.
    metrics : list of str or callable, optional
        'accuracy' (or 'acc'), 'mae', 'mse', or ``metric(pred, target) -> float`` taking NumPy arrays
        (named by its ``name`` attribute or ``__name__``). Training metrics are averaged over the epoch's
        batches as the model trains, as Keras does.
    callbacks : list of Callback, optional
        ``EarlyStopping``, ``ModelCheckpoint`` or your own ``Callback`` subclasses, called in this order,
        except that checkpoints come last (so that they save every other callback's state of the epoch).
    initial_epoch : int, default 0
        Epochs already done, to resume a run: ``load_checkpoint`` returns it.
    verbose : bool or None, default None
        Show a progress bar (tqdm if installed, else one line per epoch). None: only when standard output
        is a terminal.
    batch_size : int, default 32
        Batch size for data given as an ``(X, y)`` pair.
    schedulers : LRScheduler or list of LRScheduler, optional
        Stepped once at the end of every epoch, after validation and before the callbacks:
        ``ReduceLROnPlateau`` with ``val_loss`` (``loss`` without validation data), the others with
        ``step()``. Saved by ``ModelCheckpoint``.
    resume_from : str or path-like, optional
        A ``ModelCheckpoint`` file of an interrupted run: the model, optimizer, schedulers, data order and
        random state are restored before ``on_train_begin``, every callback's state just after it (the
        returned ``History`` then holds the epochs before the interruption too), and training goes on from
        the checkpoint's epoch, as the uninterrupted run would have, bit for bit. Build everything as the
        interrupted run did; ``epochs`` may be raised. A run that ``EarlyStopping`` had stopped stays
        stopped. Not with ``initial_epoch``.
    distributed : bool, default False
        Data-parallel training over the processes of ``mpiexec -n N`` (``bp.distributed``; a world of one
        without it): each process trains on its share of every global batch of ``batch_size`` rows (which
        must divide by N, else ValueError), gradients are averaged by ``DistributedDataParallel``, the
        loss and metrics are averaged over all processes, and only rank 0 shows progress and runs
        ``ModelCheckpoint`` callbacks. ``resume_from`` is read by every process. Dropout draws per-process
        masks; batch norm uses per-process statistics. See :mod:`backprop.train.distributed`.
    jit : {'auto', True, False}, default 'auto'
        Replay each batch's step with :func:`backprop.jit` (bitwise the same numbers, without rebuilding
        the graph); 'auto' does when the model's layers and the loss are the library's (a replay skips
        your own Python); it runs eagerly under a trace, with hooks or ``distributed``. A non-finite
        loss is then seen after its update, which the rollback undoes (not in the optimizer's state).

    Returns
    -------
    History
        ``history.history``: per-epoch lists under Keras's keys, ``loss``, each metric's name, and
        ``val_loss``, ``val_<metric>`` with validation data.

    Raises
    ------
    NonFiniteLossError
        The loss became NaN or infinite. The message names the epoch and step (1-based); the model is
        left with the weights (and buffers) from before the last update, the last ones whose loss was
        finite. The optimizer's state is not rolled back.

    Examples
    --------
    >>> history = bp.train.fit(model, bp.nn.CrossEntropyLoss(), bp.optim.Adam(model.parameters()),
    ...                        (X_train, y_train), epochs=20, val_data=(X_val, y_val),
    ...                        metrics=["accuracy"], callbacks=[bp.train.EarlyStopping(patience=3)])
    ...                                                                # doctest: +SKIP
    """
    _check_epochs(epochs, initial_epoch)
    if resume_from is not None and initial_epoch:
        raise ValueError(f"give resume_from or initial_epoch, not both (got initial_epoch={initial_epoch}): the "
                         "checkpoint says how many epochs are done")
    train_loader = _loader(train_data, batch_size, True, model)
    val_loader = _loader(val_data, batch_size, False, model)
    metrics = _resolve_metrics(metrics)
    schedulers = _schedulers(schedulers)
    history = History()
    callbacks = [history] + list(callbacks or ())
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(f"callbacks must be Callback instances, got {type(cb).__name__}")
    # Checkpoints last, so that they hold every other callback's decision about the epoch.
    callbacks.sort(key=lambda cb: isinstance(cb, ModelCheckpoint))
    fit_state = FitState(model, optimizer, schedulers, callbacks, train_loader)
    parallel = DistributedFit(model, train_loader) if distributed else None
    net = model if parallel is None else parallel.model
    if parallel is not None:
        callbacks, verbose = parallel.callbacks(callbacks), parallel.verbose(verbose)
    if resume_from is not None:
        initial_epoch, checkpoint = fit_state.restore(resume_from)
    for cb in callbacks:
        cb.set_context(model, optimizer, {"epochs": epochs, "initial_epoch": initial_epoch}, fit_state)
    progress = Progress(epochs, verbose)
    train_step = captured_step(model, loss_fn, optimizer, jit, _scalar, distributed=parallel is not None)
    was_training = model.training
    rollback = Rollback(model)  # the weights from before the last step whose loss was finite
    try:
        for cb in callbacks:
            cb.on_train_begin()
        if resume_from is not None:
            fit_state.restore_callbacks(resume_from, checkpoint)
        for epoch in range(initial_epoch, epochs):
            if any(cb.stop_training for cb in callbacks):  # a resumed run that had stopped
                break
            for cb in callbacks:
                cb.on_epoch_begin(epoch)
            model.train()
            rollback.begin_epoch()
            if parallel is not None:
                parallel.begin_epoch()
            averages = _Averages()
            progress.epoch_begin(epoch, len(train_loader) if hasattr(train_loader, "__len__") else None)
            for step, batch in enumerate(train_loader):
                x, y = _split(batch)
                if parallel is not None:
                    x, y, rows = parallel.share(x, y)
                rollback.before_step()
                if train_step is not None:
                    pred, loss = train_step(x, y)  # the update is done: a non-finite loss rolls it back below
                else:
                    pred = net(x)
                    loss = loss_fn(pred, y)
                batch_logs = _batch_logs(_scalar(loss), pred, y, metrics)
                if parallel is not None:
                    batch_logs = parallel.reduce_logs(batch_logs, len(y))
                    loss = parallel.weighted(loss, len(y), rows)
                value = batch_logs["loss"]
                if not math.isfinite(value):
                    rollback.roll_back()
                    raise NonFiniteLossError(
                        f"the training loss became {value} at epoch {epoch + 1}, step {step + 1}; training "
                        "stopped and the model keeps the last weights whose loss was finite (from before the "
                        "previous update). Try a smaller learning rate, gradient clipping "
                        "(bp.nn.utils.clip_grad_norm_) or look for NaN/inf in the data.",
                        epoch + 1, step + 1, value)
                rollback.finite()
                if train_step is None:
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()
                averages.add(batch_logs, len(y) if parallel is None else rows)
                logs = averages.means()
                progress.batch_end(logs)
                for cb in callbacks:
                    cb.on_batch_end(step, logs)
                if any(cb.stop_training for cb in callbacks):
                    break
            if averages.count == 0:
                raise ValueError("fit: the training data has no batches")
            logs = averages.means()
            if parallel is not None:
                parallel.sync_buffers()  # every process validates (and checkpoints) rank 0's model
            if val_loader is not None:
                logs.update(_evaluate(model, loss_fn, val_loader, metrics, prefix="val_") if parallel is None
                            else parallel.validate(_evaluate, model, loss_fn, val_loader, metrics))
            _step_schedulers(schedulers, logs)
            progress.epoch_end(epoch, logs)
            for cb in callbacks:
                cb.on_epoch_end(epoch, logs)
            if any(cb.stop_training for cb in callbacks):
                break
        for cb in callbacks:
            cb.on_train_end()
    finally:
        progress.close()
        model.train(was_training)
        if parallel is not None:
            parallel.close()
    return history

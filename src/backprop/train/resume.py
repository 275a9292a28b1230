"""What ``fit`` saves in a checkpoint and puts back on ``fit(..., resume_from=path)``.

A ``FitState`` sees everything a run changes: the model, the optimizer, the learning-rate schedulers,
every callback's ``state_dict()`` (``History``, ``EarlyStopping``, ``ModelCheckpoint``, yours), the data
order (the generator of a ``DataLoader`` built with its own ``generator=``) and the library's random
generator (shuffles of the default loaders, dropout masks). ``ModelCheckpoint`` writes its
``state_dict`` with ``bp.save`` (no pickle) after every epoch; ``fit`` restores it before training on.
"""
import os
import re
import warnings

from .. import random as _random
from ..io import CheckpointError, load_state
from .callbacks import restore_checkpoint


# The checkpoint's own top-level keys; each callback's state sits beside them under its own key.
STATE_KEYS = ("model", "optimizer", "epoch", "rng_state", "logs", "schedulers", "data_order")


def callback_keys(callbacks):
    """``[(key, callback)]``: a callback's key is its class name in snake case (``history``,
    ``early_stopping``, ``model_checkpoint``), with ``#2``, ``#3``... for the second and later callbacks of
    one class (in the order given to ``fit``), as Lightning keys callback states; ``callback_`` goes before
    a name that is one of the checkpoint's own keys."""
    seen, keyed = {}, []
    for cb in callbacks:
        name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", type(cb).__name__).lower()
        name = f"callback_{name}" if name in STATE_KEYS else name
        seen[name] = seen.get(name, 0) + 1
        keyed.append((name if seen[name] == 1 else f"{name}#{seen[name]}", cb))
    return keyed


def _data_generator(loader):
    """The NumPy generator that draws ``loader``'s order when it has its own, else None (the loader then
    draws from the library's generator, saved as ``rng_state``)."""
    return getattr(loader, "generator", None)


class FitState:
    """The state of one ``fit`` call, for ``ModelCheckpoint`` (``state_dict``) and ``resume_from``
    (``restore``, then ``restore_callbacks``)."""

    def __init__(self, model, optimizer, schedulers, callbacks, train_loader):
        self.model, self.optimizer, self.schedulers = model, optimizer, list(schedulers)
        self.callbacks, self.train_loader = callbacks, train_loader

    def state_dict(self, epochs_done, logs):
        generator = _data_generator(self.train_loader)
        return {"model": self.model.state_dict(),
                "optimizer": None if self.optimizer is None else self.optimizer.state_dict(),
                "epoch": epochs_done, "rng_state": _random.get_rng_state(), "logs": dict(logs),
                "schedulers": [scheduler.state_dict() for scheduler in self.schedulers],
                "data_order": None if generator is None else generator.bit_generator.state,
                **{key: cb.state_dict() for key, cb in callback_keys(self.callbacks)}}

    def restore(self, path):
        """Load the model, optimizer, schedulers, data order and random state of the checkpoint at
        ``path``; return ``(epochs done, the checkpoint)``. ``CheckpointError`` names the file and what does
        not fit, for a file that is not a ``ModelCheckpoint`` of this run's objects."""
        state = load_state(path)
        epochs_done = restore_checkpoint(state, path, self.model, self.optimizer)
        try:
            missing = [key for key in ("schedulers", "history", "data_order") if key not in state]
            if missing:
                raise KeyError(f"no {missing} entries: it was written by a ModelCheckpoint of an older version "
                               "or by hand; resume it with load_checkpoint(...) and fit(initial_epoch=...)")
            saved = state["schedulers"]
            if not isinstance(saved, list) or len(saved) != len(self.schedulers):
                raise ValueError(f"it holds {len(saved) if isinstance(saved, list) else saved!r} scheduler "
                                 f"states, fit was given {len(self.schedulers)} schedulers")
            for scheduler, scheduler_state in zip(self.schedulers, saved):
                scheduler.load_state_dict(scheduler_state)
            self._restore_data_order(state["data_order"])
        except (KeyError, ValueError, TypeError, AttributeError) as e:
            raise CheckpointError(f"cannot resume from {os.fspath(path)!r}: {type(e).__name__}: {e}") from e
        return epochs_done, state

    def _restore_data_order(self, saved):
        generator = _data_generator(self.train_loader)
        if (saved is None) != (generator is None):
            raise ValueError("the training data's order came from "
                             f"{'its own generator' if saved is not None else 'the library generator'} in the "
                             f"checkpoint and from {'its own' if generator is not None else 'the library'} "
                             "generator now: build the DataLoader as in the interrupted run")
        if generator is None:
            return
        name = type(generator.bit_generator).__name__
        if not isinstance(saved, dict) or saved.get("bit_generator") != name:
            raise ValueError(f"data_order: expected a {name} state, got {saved!r}")
        generator.bit_generator.state = saved  # NumPy checks the fields

    def restore_callbacks(self, path, state):
        """Load each callback's saved state (a callback the checkpoint does not know starts afresh; a saved
        state no callback claims is reported with a warning, as Lightning does)."""
        saved = {key: value for key, value in state.items() if key not in STATE_KEYS}
        keyed = callback_keys(self.callbacks)
        try:
            for key, cb in keyed:
                if key in saved:
                    cb.load_state_dict(saved[key])
        except (KeyError, ValueError, TypeError) as e:
            raise CheckpointError(f"cannot resume from {os.fspath(path)!r}: callback state: "
                                  f"{type(e).__name__}: {e}") from e
        unused = sorted(set(saved) - {key for key, _ in keyed})
        if unused:
            warnings.warn(f"{os.fspath(path)}: the checkpoint holds the state of callbacks {unused} that this fit "
                          "was not given; they are ignored", stacklevel=3)

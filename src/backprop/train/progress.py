"""What ``fit`` shows while it trains: a tqdm progress bar per epoch, one line per epoch, or nothing."""
import sys


def format_logs(logs):
    """``loss: 0.1234 - accuracy: 0.9500``, Keras's layout."""
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


class Progress:
    """Report training progress on standard output.

    Parameters
    ----------
    epochs : int
        The last epoch's number, shown as ``Epoch 3/10``.
    verbose : bool or None
        None shows progress only when standard output is a terminal (so logs, pipes and test runs stay
        quiet); True always shows it; False never does. With ``tqdm`` installed, each epoch gets a bar
        with the running loss and metrics; without it, one line is printed per epoch.
    """

    def __init__(self, epochs, verbose=None):
        self.epochs = epochs
        self.show = sys.stdout.isatty() if verbose is None else bool(verbose)
        self._tqdm = _import_tqdm() if self.show else None
        self._bar = None

    def epoch_begin(self, epoch, steps):
        """Start epoch ``epoch`` (0-based) of ``steps`` batches (None when the loader has no length)."""
        if self._tqdm is not None:
            self._bar = self._tqdm(total=steps, desc=f"Epoch {epoch + 1}/{self.epochs}", file=sys.stdout,
                                   leave=True, dynamic_ncols=True)

    def batch_end(self, logs):
        """One batch done; ``logs`` are the epoch's running averages."""
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
            self._bar.update(1)

    def epoch_end(self, epoch, logs):
        """The epoch is over; ``logs`` hold its final training and validation values."""
        if self._bar is not None:
            self._bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()}, refresh=False)
            self.close()
        elif self.show:
            print(f"Epoch {epoch + 1}/{self.epochs} - {format_logs(logs)}", flush=True)

    def close(self):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _import_tqdm():
    """tqdm's bar class, or None when tqdm is not installed (it is an optional dependency)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm

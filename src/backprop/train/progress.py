"""What ``fit`` shows while it trains: a tqdm progress bar per epoch, one line per epoch, or nothing."""
import shutil
import sys

# The bar's own part: "Epoch 10/30 100%|", a few cells of bar and "| 400/400 ".
_BAR_PART = 30
# Shorter spellings for a narrow terminal, tried in this order until the metrics fit.
_ABBREVIATIONS = (("accuracy", "acc"), ("val_", "v_"))


def format_logs(logs):
    """``loss: 0.1234 - accuracy: 0.9500``, Keras's layout."""
    return " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())


def bar_postfix(logs, width):
    """The metrics after a progress bar ``width`` columns wide: ``loss=0.1234, accuracy=0.9500``, with the
    names shortened (``acc``, ``v_loss``) and then 3 decimals when they would not fit, so that no metric is
    cut off at the terminal's edge."""
    room = width - _BAR_PART
    names = {k: k for k in logs}
    text = ", ".join(f"{k}={v:.4f}" for k, v in logs.items())
    for long, short in _ABBREVIATIONS:
        if len(text) <= room:
            return text
        names = {k: n.replace(long, short) for k, n in names.items()}
        text = ", ".join(f"{names[k]}={v:.4f}" for k, v in logs.items())
    return text if len(text) <= room else ", ".join(f"{names[k]}={v:.3f}" for k, v in logs.items())


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
            # no rate or time estimate: the room goes to the metrics
            self._bar = self._tqdm(total=steps, desc=f"Epoch {epoch + 1}/{self.epochs}", file=sys.stdout,
                                   leave=True, dynamic_ncols=True,
                                   bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}{postfix}")

    def _postfix(self, logs):
        self._bar.set_postfix_str(bar_postfix(logs, shutil.get_terminal_size().columns), refresh=False)

    def batch_end(self, logs):
        """One batch done; ``logs`` are the epoch's running averages."""
        if self._bar is not None:
            self._postfix(logs)
            self._bar.update(1)

    def epoch_end(self, epoch, logs):
        """The epoch is over; ``logs`` hold its final training and validation values."""
        if self._bar is not None:
            self._postfix(logs)
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

"""What every subcommand shares: the one-line error, the check for the ``cli`` extra, option parsers."""
import argparse
import importlib
import json
import math
import os

EXTRA = "pip install 'backprop[cli]'"


class CLIError(Exception):
    """Bad input from the user: ``main`` prints the message on one line and exits with ``exit_code``
    (2, as argparse does for bad usage; 130 for an interruption, as shells report Ctrl-C)."""

    def __init__(self, message, exit_code=2):
        super().__init__(message)
        self.exit_code = exit_code


def require(*modules, purpose):
    """Import the optional ``modules`` (pip names ``matplotlib``, ``tqdm``, ``scikit-learn``…) or raise a
    ``CLIError`` naming the missing ones and the extra that installs them."""
    import_names = {"scikit-learn": "sklearn"}
    missing = []
    for name in modules:
        try:
            importlib.import_module(import_names.get(name, name))
        except ImportError:
            missing.append(name)
    if missing:
        raise CLIError(f"{purpose} needs {', '.join(missing)}, which {'is' if len(missing) == 1 else 'are'} "
                       f"not installed: {EXTRA}")


# -- option values -----------------------------------------------------------------------------------
def _type(check):
    """An argparse ``type`` whose ValueError becomes argparse's one-line usage error."""
    def convert(text):
        try:
            return check(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    convert.__name__ = check.__name__
    return convert


@_type
def positive_int(text):
    value = int(text) if text.strip().lstrip("+").isdigit() else None
    if value is None or value < 1:
        raise ValueError(f"{text!r} is not a positive integer")
    return value


@_type
def non_negative_int(text):
    if not text.strip().lstrip("+").isdigit():
        raise ValueError(f"{text!r} is not a non-negative integer")
    return int(text)


def _float(text):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


finite_float = _type(_float)


def bounded_int(high):
    """An argparse ``type``: a positive integer at most ``high``."""
    @_type
    def positive_int_at_most(text):
        value = positive_int(text)
        if value > high:
            raise ValueError(f"{text!r} is above the limit of {high:,}")
        return value
    return positive_int_at_most


@_type
def positive_float(text):
    value = _float(text)
    if value <= 0:
        raise ValueError(f"{text!r} must be positive")
    return value


@_type
def non_negative_float(text):
    value = _float(text)
    if value < 0:
        raise ValueError(f"{text!r} must not be negative")
    return value


@_type
def fraction(text):
    value = _float(text)
    if not 0 <= value < 1:
        raise ValueError(f"{text!r} must be a fraction in [0, 1)")
    return value


@_type
def layer_sizes(text):
    """``"64,32"`` → [64, 32]; ``""`` or ``"none"`` → [] (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return []
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError(f"{text!r} is not a comma-separated list of positive integers (e.g. 64,32; "
                         "'none' for no hidden layer)")
    return [int(p) for p in parts]


def number_list(text, what):
    """``"1,2.5,-3"`` → [1.0, 2.5, -3.0], with a ``CLIError`` naming ``what`` when a part is not a number."""
    try:
        return [_float(p) for p in text.split(",")]
    except ValueError as e:
        raise CLIError(f"{what}: {e} (expected comma-separated numbers, e.g. 0.5,1,-2)") from None


# -- files ------------------------------------------------------------------------------------------------
def write_json(path, obj, nonfinite="error"):
    """Write ``obj`` as strict JSON, atomically (``bp.io.files.write_json``); a non-finite number is an
    error naming the file and key (``nonfinite="null"`` writes it as null)."""
    from ..io.files import write_json as write

    try:
        write(path, obj, nonfinite)
    except ValueError as e:
        raise CLIError(str(e)) from None


def check_output(path, overwrite, protect=(), protect_dirs=()):
    """``bp.io.files.check_new_file`` with its refusal as a one-line ``CLIError``."""
    from ..io.files import check_new_file

    try:
        check_new_file(path, overwrite, protect, protect_dirs)
    except (FileExistsError, FileNotFoundError) as e:
        raise CLIError(str(e)) from None


def read_json(path, what):
    if os.path.exists(path) and not os.path.isfile(path):  # a folder or a FIFO: open() would fail or hang
        raise CLIError(f"{what}: {path} is not a regular file")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise CLIError(f"{what}: no file {path}") from None
    except (OSError, ValueError) as e:
        raise CLIError(f"{what}: cannot read {path}: {e}") from None

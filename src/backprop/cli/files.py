"""Reading user data through ``bp.data`` (``read_csv``, ``read_numpy``, ``read_idx``), with the library's
errors printed in the command line's words: ``--drop-missing`` where Python says ``drop_missing=True``.
"""
import hashlib
import os
from contextlib import contextmanager

from ..data import DataError
from .common import CLIError


def sha256(path):
    """The file's SHA-256, stored in a run so that a resume can tell when its data changed."""
    digest = hashlib.sha256()
    paths = sorted(os.path.join(path, n) for n in os.listdir(path)) if os.path.isdir(path) else [path]
    for p in paths:
        if os.path.isfile(p):
            with open(p, "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def option(argument, value=None):
    """The command-line spelling of a reader's argument: ``--drop-missing``, ``--one-hot colour``."""
    flag = "--" + argument.replace("_", "-")
    if value is None or value is True:
        return flag
    return f"{flag} {','.join(map(str, value)) if isinstance(value, (list, tuple)) else value}"


@contextmanager
def reading(advise=True):
    """Turn the readers' errors into one-line ``CLIError``s; ``advise=False`` leaves out the reader's advice
    of an option (``--one-hot``, ``--drop-missing``), for a command that reads as a trained run did."""
    try:
        yield
    except DataError as e:
        raise CLIError(e.describe(option, advise)) from None
    except FileNotFoundError as e:
        raise CLIError(f"no such file: {e.filename}" if e.strerror.startswith("No such file")
                       else f"{e.filename}: {e.strerror}") from None
    except (OSError, UnicodeError) as e:
        raise CLIError(f"cannot read {getattr(e, 'filename', None) or 'the file'}: {e}") from None

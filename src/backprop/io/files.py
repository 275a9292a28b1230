"""Writing files so that nothing is lost: atomic text and strict JSON, a refusal to overwrite, a folder
swapped into place whole, and an advisory lock.

Each is a small function a script can use as the command line does::

    from backprop.io.files import check_new_file, write_json
    check_new_file("predictions.csv", overwrite=False, protect=["data.csv"], protect_dirs=["runs/a"])
    write_json("metrics.json", {"accuracy": 0.98})
"""
import contextlib
import datetime
import glob
import json
import math
import os
import shutil
import signal
import uuid

from .safetensors import atomic_write

__all__ = ["atomic_write_text", "check_new_file", "folder_lock", "is_inside", "remove_stale_temporaries",
           "replace_folder", "strict_json", "temporary_sibling", "write_json"]

TEMPORARY_SUFFIX = ".tmp"


def atomic_write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` atomically: a unique temporary file in the same folder, flushed
    and fsynced, then ``os.replace``-d onto ``path``. A crash leaves the old file whole."""
    atomic_write(path, text.encode("utf-8"))


def strict_json(obj, nonfinite="error"):
    """``obj`` with every float checked: JSON has no NaN or Infinity (Python's ``json`` writes them anyway).

    ``nonfinite="error"`` raises a ``ValueError`` naming the key path of the first non-finite number;
    ``"null"`` writes it as ``null`` (for metrics of a diverged model, say).
    """
    if nonfinite not in ("error", "null"):
        raise ValueError(f"nonfinite must be 'error' or 'null', got {nonfinite!r}")

    def visit(value, where):
        if isinstance(value, dict):
            return {k: visit(v, f"{where}.{k}" if where else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [visit(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            if nonfinite == "null":
                return None
            raise ValueError(f"{where or 'the value'} is {value}, which JSON cannot hold")
        return value

    return visit(obj, "")


def _dumps(obj, indent=""):
    """Indented JSON whose lists of plain values stay on one line (784 pixel means are one line, not 784)."""
    if isinstance(obj, dict) and obj:
        inner = indent + "  "
        items = ",\n".join(f"{inner}{json.dumps(k)}: {_dumps(v, inner)}" for k, v in obj.items())
        return f"{{\n{items}\n{indent}}}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        inner = indent + "  "
        return "[\n" + ",\n".join(inner + _dumps(v, inner) for v in obj) + f"\n{indent}]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def write_json(path, obj, nonfinite="error"):
    """Write ``obj`` as strict JSON (see :func:`strict_json`), atomically (see :func:`atomic_write_text`).

    Lists of plain values stay on one line. A ``ValueError`` naming ``path`` and the key is raised before
    anything is written when a number is not finite and ``nonfinite="error"``.
    """
    try:
        obj = strict_json(obj, nonfinite)
    except ValueError as e:
        raise ValueError(f"{os.fspath(path)}: {e}") from None
    atomic_write_text(path, _dumps(obj) + "\n")


def is_inside(path, folder):
    """Whether ``path`` is ``folder`` or lies inside it, links resolved."""
    path, folder = os.path.realpath(path), os.path.realpath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_new_file(path, overwrite=False, protect=(), protect_dirs=()):
    """Refuse to write ``path`` where that would destroy something: raise ``FileExistsError`` when it
    exists and ``overwrite`` is false, and always when it is (a link to) one of the files ``protect`` or
    lies in one of the folders ``protect_dirs`` (an input, a run's own files), or is a folder; raise
    ``FileNotFoundError`` when its folder does not exist."""
    path = os.fspath(path)
    for other in protect:
        same = os.path.exists(other) and os.path.exists(path) and os.path.samefile(path, other)
        if same or os.path.realpath(path) == os.path.realpath(other):
            raise FileExistsError(f"{path} is the input file {os.fspath(other)}; choose another output file")
    for folder in protect_dirs:
        if is_inside(path, folder):
            raise FileExistsError(f"{path} is inside the run folder {os.fspath(folder)}, whose files are "
                                  "never replaced; choose an output file elsewhere")
    if os.path.isdir(path):
        raise FileExistsError(f"{path} is a folder; give a file name")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise FileNotFoundError(f"cannot write {path}: there is no folder {parent}")
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(f"{path} already exists; add --overwrite to replace it")


def temporary_sibling(target, what="new"):
    """A fresh empty folder next to ``target`` (``.NAME.new-XXXXXXXX``), on the same file system so it
    can be renamed onto ``target``."""
    target = os.path.abspath(os.fspath(target))
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    folder = os.path.join(parent, f".{os.path.basename(target)}.{what}-{uuid.uuid4().hex[:8]}")
    os.mkdir(folder)
    return folder


def remove_stale_temporaries(target):
    """Remove what a killed writer left behind: the ``.NAME.new-*`` folders beside ``target`` and the
    temporary files (``*.tmp``) inside it. Call it while holding ``target``'s :func:`folder_lock`."""
    target = os.path.abspath(os.fspath(target))
    parent, name = os.path.split(target)
    for folder in glob.glob(os.path.join(glob.escape(parent), f".{glob.escape(name)}.new-*")):
        shutil.rmtree(folder, ignore_errors=True)
    removed = []
    if os.path.isdir(target):
        for entry in os.scandir(target):
            if entry.name.endswith(TEMPORARY_SUFFIX) and entry.is_file(follow_symlinks=False):
                os.remove(entry.path)
                removed.append(entry.name)
    return removed


def replace_folder(new, target, keep_old=False):
    """Put the folder ``new`` at ``target``: rename the old ``target`` (if any) to
    ``TARGET.old-TIMESTAMP``, rename ``new`` onto ``target``, then delete the old one (or keep it, with
    ``keep_old``). A crash at any moment leaves a whole folder, old or new, under one of these names; between
    the two renames (a few microseconds) ``target`` is missing and the old folder is at ``TARGET.old-…``.
    SIGINT and SIGTERM wait until both renames are done.

    Returns the old folder's path when it was kept, else None.
    """
    new, target = os.path.abspath(os.fspath(new)), os.path.abspath(os.fspath(target))
    try:
        in_target = is_inside(os.getcwd(), target)
    except FileNotFoundError:
        in_target = False
    old = None
    with _signals_held():
        if os.path.lexists(target):
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            old = f"{target}.old-{stamp}-{uuid.uuid4().hex[:4]}"
            os.rename(target, old)
        try:
            os.rename(new, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)
            raise
    if in_target:  # the process stood in the old folder: stand in the new one, at the same path
        os.chdir(target)
    if old is not None and not keep_old:
        shutil.rmtree(old, ignore_errors=True)
        return None
    return old


@contextlib.contextmanager
def _signals_held():
    """Delay SIGINT and SIGTERM while the block runs (where the platform can: POSIX)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def folder_lock(target):
    """Hold the advisory lock ``TARGET.lock`` (``fcntl.flock``) while the block runs; a second holder
    fails at once with ``BlockingIOError`` naming the folder. The lock file is removed on release.

    Where ``fcntl`` is missing (Windows) the block runs unlocked.
    """
    try:
        import fcntl
    except ImportError:
        yield None
        return
    path = os.path.abspath(os.fspath(target)).rstrip(os.sep) + ".lock"
    os.makedirs(os.path.dirname(path), exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BlockingIOError(f"{os.fspath(target)} is being written by another process (it holds "
                                  f"{path}); wait for it to finish") from None
        # the previous holder may have removed the file between our open and our lock: lock the live one
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
        os.close(fd)

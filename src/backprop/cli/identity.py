"""A run's identity: what must be the same for a weights or checkpoint file to belong to a run.

It is the data (the source and the SHA-256 of a file's bytes), how it is read and split, the seed, the
fitted preprocessing, the task and the architecture, with the optimizer and batch size (the optimizer's
state and the data order depend on them). Its fingerprint (16 hex digits of a SHA-256) is written into
``config.json`` and into the header of every ``model.safetensors`` and ``checkpoint.safetensors``;
``--resume``, ``evaluate`` and ``predict`` refuse a file whose fingerprint is not the run's. The training
options that may change on ``--resume`` (``CHANGEABLE``) are not part of it.
"""
import hashlib
import json

from .common import CLIError

CHANGEABLE = ("lr", "weight_decay", "epochs", "early_stopping")


def run_identity(opts, data_sha256, preprocessing):
    """The identity of a run with options ``opts`` on data of that hash, preprocessed as ``preprocessing``
    (``Preprocessor.to_dict()``)."""
    prep = json.dumps(preprocessing, sort_keys=True).encode()
    return {"options": {k: v for k, v in opts.items() if k not in CHANGEABLE},
            "data_sha256": data_sha256, "preprocessing_sha256": hashlib.sha256(prep).hexdigest()}


def fingerprint(identity):
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def file_metadata(identity):
    """The header fields of a run's safetensors files: the fingerprint, and the identity it hashes (so that
    a refusal can say what differs)."""
    return {"fingerprint": fingerprint(identity), "identity": json.dumps(identity, sort_keys=True)}


def differences(saved, current):
    """What differs between two identities, in words."""
    if saved.get("data_sha256") != current.get("data_sha256"):
        return ["the data changed (its SHA-256 differs)"]
    old, new = saved.get("options", {}), current.get("options", {})
    options = [f"{k.replace('_', '-')} {old.get(k)!r} there, {new.get(k)!r} here"
               for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
    if options or saved.get("preprocessing_sha256") == current.get("preprocessing_sha256"):
        return options
    return ["the fitted preprocessing differs"]


def check_file(file, identity, what):
    """Refuse ``file`` (a run's safetensors file) unless its header carries ``identity``'s fingerprint:
    ``CLIError`` naming both fingerprints and what differs. ``what`` is the run, in words."""
    from ..io import CheckpointError, read_metadata

    try:
        header = read_metadata(file)
    except (CheckpointError, OSError) as e:
        raise CLIError(f"cannot read {file}: {e}") from None
    expected = fingerprint(identity)
    found = header.get("fingerprint")
    if found == expected:
        return
    if found is None:
        raise CLIError(f"{file} records no run fingerprint: it was not written by this run ({what}, fingerprint "
                       f"{expected}) or by an older backprop; train the run again")
    try:
        saved = json.loads(header.get("identity", "{}"))
    except ValueError:
        saved = {}
    why = "; ".join(differences(saved, identity) if isinstance(saved, dict) else []) or "its identity differs"
    raise CLIError(f"{file} belongs to another run (fingerprint {found}) than {what} (fingerprint {expected}): "
                   f"{why}")

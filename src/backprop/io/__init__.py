"""Saving and loading: weights in the safetensors format (``bp.save`` / ``bp.load``) and training
checkpoints (``save_state`` / ``load_state``); no pickle anywhere, so a loaded file can never run code.

``safetensors`` is an optional dependency, imported when a file is read or written.
"""
from .checkpoint import load_state, save_state
from .safetensors import CheckpointError, atomic_write, load, load_model, read, save

__all__ = ["CheckpointError", "atomic_write", "load", "load_model", "load_state", "read", "save",
           "save_state"]

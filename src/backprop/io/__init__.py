"""Saving and loading, in the safetensors format and never with pickle, so a loaded file can never run code:
``bp.save``/``bp.load`` take weights (a plain safetensors file) or a checkpoint of any shape (nested dicts,
lists and tuples of arrays, Tensors, numbers and strings); ``save_state``/``load_state`` are their aliases.

``safetensors`` is an optional dependency, imported when a file is read or written.
"""
from .checkpoint import load, load_state, save, save_state
from .safetensors import CheckpointError, atomic_write, load_model, read, read_metadata

__all__ = ["CheckpointError", "atomic_write", "load", "load_model", "load_state", "read", "read_metadata", "save",
           "save_state"]

"""Letting training reuse freed memory: a one-time hint to glibc's malloc.

A training step allocates and frees the same large arrays (activations, gradients) at every step.
glibc serves blocks above its mmap threshold with fresh pages that the kernel must zero and map on
every allocation; on an MNIST-sized MLP that costs about 15 % of a step. A fixed mmap threshold of
32 MiB and a trim threshold of 256 MiB let freed blocks be reused instead, much as PyTorch's caching
allocator does. It is applied once, at the first backward pass, so importing backprop changes nothing;
set the environment variable ``BACKPROP_MALLOC_TUNING=0`` to leave malloc alone. Off glibc it does
nothing.
"""
import os

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameter numbers
_MMAP_THRESHOLD = 32 * 2**20  # glibc's largest allowed value on 64-bit systems
_TRIM_THRESHOLD = 256 * 2**20

_state = {"done": False}


def keep_freed_memory_for_reuse():
    """Apply the malloc hint once per process (see the module docstring); returns whether it applied."""
    if _state["done"]:
        return False
    _state["done"] = True
    if os.environ.get("BACKPROP_MALLOC_TUNING", "1") == "0":
        return False
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))

"""How much memory training a network needs, and how much the machine has, so that a network too large
for the machine is refused with the estimate before its first array is allocated (instead of a raw
MemoryError, or the kernel's out-of-memory killer, halfway through)."""


def available_memory():
    """Bytes the kernel says a new allocation can take without swapping (``MemAvailable`` of
    ``/proc/meminfo``); None where that is unknown (not Linux)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def training_memory(n_parameters, optimizer_states, activations_per_sample, batch_size, itemsize=4):
    """Bytes to train a network: its parameters, their gradients and the optimizer's ``optimizer_states``
    arrays per parameter (Adam: 2, momentum: 1, plain SGD: 0), plus one batch of activations, each value
    kept for the backward pass and its gradient (so twice)."""
    return itemsize * (n_parameters * (2 + optimizer_states) + 2 * activations_per_sample * batch_size)


def check_fits_in_memory(needed, what):
    """Raise ``MemoryError`` naming ``what``, the estimate and the available memory (GiB) when ``needed``
    bytes exceed ``available_memory()``."""
    available = available_memory()
    if available is not None and needed > available:
        raise MemoryError(f"{what} needs about {needed / 2 ** 30:.1f} GiB, more than the "
                          f"{available / 2 ** 30:.1f} GiB available (MemAvailable in /proc/meminfo)")

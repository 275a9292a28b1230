"""``bp.cuda``, as ``torch.cuda`` answers on a machine without a GPU: backprop computes on the CPU."""


def is_available():
    """False: backprop has no GPU backend (code written as ``'cuda' if bp.cuda.is_available() else 'cpu'``
    picks the CPU)."""
    return False


def device_count():
    """0: no GPU is used."""
    return 0

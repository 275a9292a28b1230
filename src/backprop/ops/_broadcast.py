"""Undoing NumPy broadcasting in the backward pass."""


def broadcast_axes(from_shape, to_shape):
    """The axes of ``to_shape`` along which an array of ``from_shape`` was broadcast to it."""
    lead = len(to_shape) - len(from_shape)
    if lead < 0:
        raise ValueError(f"cannot sum shape {to_shape} down to the larger shape {from_shape}")
    axes = list(range(lead))
    for i, n in enumerate(from_shape):
        m = to_shape[i + lead]
        if n == 1 and m != 1:
            axes.append(i + lead)
        elif n != m:
            raise ValueError(f"shape {from_shape} does not broadcast to {to_shape}")
    return tuple(axes)


def sum_to_array(g, shape):
    """Sum ``g`` over the broadcast axes so that it has ``shape`` (dL/dx for x broadcast to g's shape)."""
    shape = tuple(shape)
    if g.shape == shape:
        return g
    axes = broadcast_axes(shape, g.shape)
    return g.sum(axis=axes, keepdims=True).reshape(shape) if axes else g.reshape(shape)

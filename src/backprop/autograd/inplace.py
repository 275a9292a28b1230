"""In-place changes to a tensor's values, checked against the graph.

A leaf that requires grad may not be changed in place while recording (its gradient would describe
values that no longer exist); a view may not be changed in place in a way its base's graph would
not see. A change that is recorded makes the op's graph node the tensor's own (``assign``). The ops
package builds ``+=``, ``copy_``, ``t[i] = v`` … on these two functions.
"""
import numpy as np

from ..exceptions import ShapeError
from .grad_mode import STATE


def check_inplace(tensor, value=None):
    """Raise ``RuntimeError`` if writing ``value`` into ``tensor`` in place would break a recorded graph."""
    if not STATE.get().grad_enabled:
        return
    if tensor.requires_grad and tensor._ctx is None:
        raise RuntimeError(
            "A leaf tensor that requires grad is being modified in place: wrap the update in "
            "`with bp.no_grad():` or change `.data` instead.")
    for ref in tensor._base:
        base = ref()
        if base is None:
            continue
        if base.requires_grad and base._ctx is None:
            raise RuntimeError(
                f"A view (shape {tensor.shape}) of a leaf tensor that requires grad is being modified in "
                "place: wrap the update in `with bp.no_grad():` or change `.data` instead.")
        if tensor.requires_grad or getattr(value, "requires_grad", False):
            # The base shares the memory but not the recorded op, so its gradient would be wrong.
            raise RuntimeError(
                f"This tensor (shape {tensor.shape}) is a view of another tensor of shape {base.shape} "
                "(reshape, transpose and slicing share memory), which would not see the gradient "
                "of this in-place operation: compute out of place instead (y = y + v).")


def records_inplace(tensor, value=None):
    """True when an in-place change of ``tensor`` by ``value`` must be recorded in the graph."""
    return STATE.get().grad_enabled and (tensor.requires_grad or getattr(value, "requires_grad", False))


def assign(tensor, result):
    """Make ``result``'s values ``tensor``'s own, in place; ``result``'s graph node becomes ``tensor``'s."""
    if result.shape != tensor.shape:
        raise ShapeError(
            f"in-place result of shape {result.shape} does not fit a tensor of shape {tensor.shape}")
    np.copyto(tensor.data, result.data, casting="same_kind")
    recorder = STATE.get().recorder
    if recorder is not None:
        recorder.copy_into(tensor, result)
    tensor._vc[0] += 1
    if result._ctx is not None:
        tensor._ctx = result._ctx
        tensor.requires_grad = True
        tensor._ctx._rebase_output(tensor)
    return tensor


def snapshot(tensor):
    """A copy of ``tensor``'s values at its graph node, for an op that reads what ``assign`` overwrites."""
    return type(tensor)._make(tensor.data.copy(), tensor._ctx)

"""What ``fit`` rolls back to when the loss stops being finite: the weights from before the last step whose
loss was finite.

Before every step the parameters and persistent buffers are copied, with ``np.copyto``, into one of two
sets of arrays made once and written in turn; the other set holds the copy from before the previous step.
A new copy of the model at every step cost 23 µs for a 2→16→16→1 network, a third of ``fit``'s own
work around a replayed step; writing into the same arrays costs 7 µs. The model's tensors are looked up
again at the start of every epoch (a callback may have replaced one).
"""
import numpy as np


class Rollback:
    """Two copies of a model's state: from before this step, and from before the last finite one."""

    def __init__(self, model):
        self.model = model
        self.copies = ({}, {})  # name -> array, written in turn
        self.current, self.good = 0, None  # which copy this step writes; which holds the last good weights
        self.tensors = ()

    def begin_epoch(self):
        tensors = tuple(self.model.state_dict(keep_vars=True).items())
        if [name for name, _ in tensors] != [name for name, _ in self.tensors]:
            self.copies, self.good = ({}, {}), None  # another model structure: old copies would not load
        self.tensors = tensors

    def before_step(self):
        copy = self.copies[self.current]
        for name, tensor in self.tensors:
            data, kept = tensor.data, copy.get(name)
            if kept is None or kept.shape != data.shape or kept.dtype != data.dtype:
                copy[name] = data.copy()
            else:
                np.copyto(kept, data)

    def finite(self):
        """The step's loss was finite: the copy from before it is now the one to roll back to."""
        self.good, self.current = self.current, 1 - self.current

    def roll_back(self):
        """Load the weights from before the last step whose loss was finite (before this one if none was)."""
        self.model.load_state_dict(self.copies[self.current if self.good is None else self.good])

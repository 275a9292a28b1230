"""Batches of sequences of unequal lengths (PyTorch's ``torch.nn.utils.rnn``): padding and packing.

A padded batch is one array (L, N, *) (or (N, L, *) with ``batch_first``) with the short sequences
filled up; a :class:`PackedSequence` keeps only the real steps, time step by time step, of the
sequences sorted by decreasing length, so a recurrent layer can stop each sequence at its own end.

>>> import backprop as bp
>>> from backprop.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
>>> x = bp.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]])          # two sequences, batch first
>>> packed = pack_padded_sequence(x, [3, 2], batch_first=True)
>>> packed.data, packed.batch_sizes
(tensor([1., 4., 2., 5., 3.]), tensor([2, 2, 1]))
>>> pad_packed_sequence(packed, batch_first=True)[0]
tensor([[1., 2., 3.],
        [4., 5., 0.]])
"""
from collections import namedtuple

import numpy as np

from ...autograd.tensor import Tensor
from ...exceptions import ShapeError
from ...ops import dispatch as D
from ...ops.shape import ScatterAdd, concatenate, stack, transpose

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence"]


def _int64(values):
    return Tensor(np.asarray(values, dtype=np.int64))


def _as_tensor(x):
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """Sequences packed time step by time step (PyTorch's fields and meaning).

    Attributes
    ----------
    data : Tensor, shape (Σ lengths, *)
        Step 0 of every sequence, then step 1 of those that have one, …, the batch sorted by
        decreasing length.
    batch_sizes : Tensor of int64, shape (max length,)
        How many sequences have a step t, for each t.
    sorted_indices : Tensor of int64 or None
        The caller's index of each sorted sequence (None when the batch came sorted).
    unsorted_indices : Tensor of int64 or None
        The inverse permutation: where each of the caller's sequences sits in the sorted batch.
    """

    __slots__ = ()

    def __new__(cls, data, batch_sizes, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _int64(np.argsort(np.asarray(D.raw(sorted_indices))))
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def lengths(self):
        """Each sequence's length, in the caller's order (an int64 array)."""
        sizes = np.asarray(D.raw(self.batch_sizes))
        lengths = (np.arange(sizes[0])[None, :] < sizes[:, None]).sum(0)
        if self.unsorted_indices is not None:
            lengths = lengths[np.asarray(D.raw(self.unsorted_indices))]
        return lengths

    def mask(self):
        """(L, N) booleans: which (time step, sorted sequence) positions are real steps."""
        sizes = np.asarray(D.raw(self.batch_sizes))
        return np.arange(sizes[0])[None, :] < sizes[:, None]

    def to(self, *args, **kwargs):
        return self._replace(data=self.data.to(*args, **kwargs))


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (Lᵢ, *) into one (L_max, N, *) (``(N, L_max, *)`` with ``batch_first``).

    The gradient of each sequence is its own slice of the padded batch's gradient.
    """
    if padding_side not in ("right", "left"):
        raise ValueError(f"padding_side must be 'right' or 'left', got {padding_side!r}")
    sequences = [_as_tensor(s) for s in sequences]
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            fill = np.full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = concatenate([s, fill] if padding_side == "right" else [fill, s], 0)
        padded.append(s)
    return stack(padded, 1 if not batch_first else 0)


def _lengths_array(lengths):
    lengths = np.asarray(D.raw(lengths))
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be a 1-d list of sequence lengths, got shape {lengths.shape}")
    return lengths.astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (L, N, *) (``(N, L, *)`` with ``batch_first``) given each sequence's length.

    With ``enforce_sorted=True`` the lengths must be in decreasing order; with False the batch is
    sorted here, and a recurrent layer gives its outputs and final states back in the caller's order.
    """
    input = _as_tensor(input)
    lengths = _lengths_array(lengths)
    if input.ndim < 2:
        raise ShapeError(f"pack_padded_sequence: input must have a time and a batch axis, got shape {input.shape}")
    if batch_first:
        input = transpose(input, 0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if lengths.shape[0] != batch:
        raise ValueError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.shape[0]} "
                         f"(batch_size={batch}; input shape {tuple(input.shape)}, batch_first={batch_first})")
    if (lengths <= 0).any():
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           f"that is <= 0: {lengths.tolist()}")
    if lengths.max() > steps:
        raise ValueError(f"a length of {int(lengths.max())} is longer than the padded input's {steps} time steps")
    sorted_indices = None
    if enforce_sorted:
        if (np.diff(lengths) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True "
                f"(got {lengths.tolist()}). You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
        sorted_indices = _int64(order)
        input = input[:, order]
    batch_sizes = (np.arange(lengths[0])[:, None] < lengths[None, :]).sum(1)
    mask = np.arange(lengths[0])[:, None] < lengths[None, :]
    return PackedSequence(input[: lengths[0]][mask], _int64(batch_sizes), sorted_indices)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (Lᵢ, *): ``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [int(_as_tensor(s).shape[0]) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Unpack to a padded batch; returns ``(padded, lengths)`` in the caller's batch order.

    ``padded`` is (L, N, *) (``(N, L, *)`` with ``batch_first``), L the longest length or ``total_length``.
    """
    data = _as_tensor(sequence.data)
    mask = sequence.mask()
    steps = mask.shape[0]
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        mask = np.concatenate([mask, np.zeros((total_length - steps, mask.shape[1]), bool)])
    if data.shape[0] != mask.sum():
        raise ShapeError(f"pad_packed_sequence: data has {data.shape[0]} rows but batch_sizes count {mask.sum()}")
    padded = ScatterAdd.apply(data, index=mask, shape=mask.shape + tuple(data.shape[1:]))
    if padding_value != 0:
        filler = np.where(mask.reshape(mask.shape + (1,) * (data.ndim - 1)), 0, padding_value).astype(data.dtype)
        padded = padded + filler
    if sequence.unsorted_indices is not None:
        padded = padded[:, np.asarray(D.raw(sequence.unsorted_indices))]
    if batch_first:
        padded = transpose(padded, 0, 1)
    return padded, _int64(sequence.lengths())

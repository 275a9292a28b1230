"""``Embedding``: a learnable lookup table, one vector per token (PyTorch's ``nn.Embedding``)."""
import numpy as np

from ..autograd.factory import zeros
from ..autograd.grad_mode import no_grad
from ..autograd.graph import increment_version
from ..autograd.tensor import Tensor
from ..ops import dispatch as D
from ..ops import embedding as _embedding
from . import init
from ._args import int_arg, real_arg
from .module import Module, Parameter


def _checked_padding_idx(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    int_arg("Embedding", "padding_idx", padding_idx, minimum=None)
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"Padding_idx must be within num_embeddings: got padding_idx={padding_idx} for "
                         f"{num_embeddings} embeddings")
    return padding_idx % num_embeddings


def _checked_indices(input, num_embeddings):
    indices = np.asarray(D.raw(input))
    if indices.dtype.kind not in "iu":
        raise TypeError(f"embedding: the indices must be integers (int64 or int32), got {indices.dtype}; "
                        "convert them with .long()")
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices.max() if indices.max() >= num_embeddings else indices.min()
        raise IndexError(f"embedding: index {int(bad)} is out of range for a table of {num_embeddings} rows "
                         f"(valid: 0 … {num_embeddings - 1})")
    return indices


def renorm_rows_(weight, indices, max_norm, norm_type=2.0):
    """Rescale, in place and outside the graph, the rows of ``weight`` named in ``indices`` whose
    ``norm_type``-norm exceeds ``max_norm`` to norm ``max_norm`` (PyTorch's ``embedding_renorm_``)."""
    rows = np.unique(indices)
    with no_grad():
        w = weight.data
        norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
        big = norms > max_norm
        if big.any():
            w[rows[big]] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
            increment_version(weight)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Rows of ``weight`` (num_embeddings, dim) picked by the integer ``input``: shape input.shape + (dim,).

    With ``max_norm``, the rows looked up are first renormalised in place to that norm at most
    (outside the graph, through ``increment_version``, as PyTorch). ``padding_idx``'s row gets no gradient.
    """
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported; use sparse=False")
    num = weight.shape[0]
    indices = _checked_indices(input, num)
    padding_idx = _checked_padding_idx(padding_idx, num)
    if max_norm is not None:
        renorm_rows_(weight, indices, max_norm, norm_type)
    return _embedding.Embedding.apply(weight, indices=indices, padding_idx=padding_idx,
                                      scale_grad_by_freq=scale_grad_by_freq)


class Embedding(Module):
    """A lookup table of ``num_embeddings`` vectors of size ``embedding_dim`` (PyTorch's ``nn.Embedding``).

    Parameters
    ----------
    num_embeddings : int
        The number of rows (the vocabulary size).
    embedding_dim : int
        The size of each vector.
    padding_idx : int, optional
        This row starts at zero and gets no gradient, so it stays the padding vector.
    max_norm : float, optional
        Rows looked up with a larger ``norm_type``-norm are rescaled in place to this norm.
    norm_type : float, default 2
    scale_grad_by_freq : bool, default False
        Divide each row's gradient by how often its index occurs in the batch.

    Attributes
    ----------
    weight : Parameter, shape (num_embeddings, embedding_dim)
        Initialised from N(0, 1).

    Examples
    --------
    >>> import backprop as bp
    >>> emb = bp.nn.Embedding(10, 3, padding_idx=0)
    >>> emb(bp.tensor([[1, 2, 0]])).shape
    (1, 3, 3)
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = int_arg("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = int_arg("Embedding", "embedding_dim", embedding_dim)
        if max_norm is not None:
            real_arg("Embedding", "max_norm", max_norm, 0, open_low=True)
        real_arg("Embedding", "norm_type", norm_type, 0, open_low=True)
        self.padding_idx = _checked_padding_idx(padding_idx, num_embeddings)
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(zeros(num_embeddings, embedding_dim, dtype=dtype), requires_grad=not _freeze)
            self.reset_parameters()
        else:
            weight = np.asarray(D.raw(_weight))
            if weight.shape != (num_embeddings, embedding_dim):
                raise ValueError(f"Shape of weight {weight.shape} does not match num_embeddings and embedding_dim "
                                 f"({num_embeddings}, {embedding_dim})")
            self.weight = Parameter(Tensor(weight.copy()), requires_grad=not _freeze)

    def reset_parameters(self):
        """Draw the table from N(0, 1); the padding row is zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight.data[self.padding_idx] = 0
                increment_version(self.weight)

    def forward(self, input):
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        for name, default in (("padding_idx", None), ("max_norm", None), ("norm_type", 2.0),
                              ("scale_grad_by_freq", False), ("sparse", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        """A table holding ``embeddings`` (num, dim) as given; ``freeze=True`` keeps it out of training."""
        weight = np.asarray(D.raw(embeddings))
        if weight.ndim != 2:
            raise ValueError(f"Embeddings parameter is expected to be 2-dimensional, got shape {weight.shape}")
        return cls(weight.shape[0], weight.shape[1], padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=weight, _freeze=freeze)

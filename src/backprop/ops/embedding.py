"""The embedding lookup: row ``indices`` of a weight table, and its gradient, the rows' gradients added back.

``F.embedding`` and ``bp.nn.Embedding`` call :class:`Embedding`. A row picked several times gets the
sum of its gradients; the ``padding_idx`` row gets none. The backward is a scatter-add, whose own
gradient is the lookup again, so second derivatives work.
"""
import numpy as np

from ..autograd.function import Function
from . import dispatch as D


class Embedding(Function):
    """y = W[indices]: one row of W (num_embeddings, embedding_dim) per index; y has shape indices.shape + (dim,).

    dW = Σ over the positions holding index k of dy at that position, for each row k (0 for ``padding_idx``;
    divided by the count of k in the batch with ``scale_grad_by_freq``).
    """

    forward_formula = "y = W[indices]"
    backward_formulas = {"weight": "dW_k = Σ_{n: indices_n = k} dy_n  (0 for the padding row)"}

    @staticmethod
    def forward(ctx, weight, *, indices, padding_idx=None, scale_grad_by_freq=False):
        ctx.save(indices=indices)
        ctx.num_embeddings = weight.shape[0]
        keep = None
        if padding_idx is not None or scale_grad_by_freq:
            keep = np.ones((weight.shape[0], 1), weight.dtype)
            if scale_grad_by_freq:
                counts = np.bincount(indices.ravel(), minlength=weight.shape[0])
                keep /= np.maximum(counts, 1)[:, None].astype(weight.dtype)
            if padding_idx is not None:
                keep[padding_idx] = 0
        ctx.save(keep=keep)
        return weight[indices]

    @staticmethod
    def backward(ctx, dy):
        dim = dy.shape[-1]
        flat = D.reshape(dy, (-1, dim))
        dw = D.scatter_add(flat, ctx.indices.ravel(), (ctx.num_embeddings, dim))
        return dw if ctx.keep is None else dw * ctx.keep

"""``bp.explain``: every number of backpropagation made visible.

* :func:`trace`: a record of every op of a forward pass, every step of the backward pass and every
  optimizer update, rendered as a console table, Markdown, LaTeX or JSON, in English or Russian.
"""
from .trace import Trace, trace

__all__ = ["Trace", "trace"]

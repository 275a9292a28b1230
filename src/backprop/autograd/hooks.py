"""Observers of the autodiff machinery, used by ``bp.explain`` traces.

Each list is empty unless something is watching, so the cost on the hot path is one truth test.
"""

forward = []  # hook(op, inputs, options, output, ctx): after every op call; ctx is None when not recorded
backward = []  # hook(ctx, grad_output, input_grads): after each node's backward; input_grads holds one
#                gradient per input (None where none flowed), already summed to the input's shape

"""What a replayed program keeps in memory: which registers it lets go early, which buffers it lends to
ops (``Function.writes_into_buffers``), and which outputs it may return without a copy.

Eager mode frees each activation and gradient once nothing needs it, and makes a new array for every
result. A replay runs the same calls, so it can do better: give an op arrays made once to write its
output and gradients into (as a hand-written step reuses its buffers with ``out=``), and let an
elementwise op write over its input when nothing else reads that input.
"""
from collections import Counter

import numpy as np


def reads(ins):
    """The registers an instruction reads (ints; constants are not registers yet)."""
    kind = ins[0]
    if kind == "forward":
        return [s for s in ins[3] if isinstance(s, int)] + [r for _, s in ins[4] for r in spec_registers(s)]
    if kind == "call":
        return spec_registers(ins[2])
    return [ins[i] for i in READ_FIELDS.get(kind, ()) if isinstance(ins[i], int)]


# Where the other instructions hold the registers they read.
READ_FIELDS = {"backward": (2,), "fit": (1,), "sum": (1, 2), "copy": (1,), "add": (1, 2), "fill0": (1,), "item": (1,),
                "copy_into": (2, 3), "update": (4, 5)}


def spec_registers(spec):
    if isinstance(spec, int):
        return [spec]
    if isinstance(spec, tuple):
        return [r for part in spec for r in spec_registers(part)]
    return []


def output_registers(spec):
    if spec[0] in ("tensor", "value"):
        return [spec[1]]
    return [r for part in spec[2] for r in output_registers(part)] if spec[0] == "seq" else []


FREE_ABOVE = 1 << 16  # bytes: a register holding a larger array is let go after its last reader, as eagerly


def frees(code, layouts, kept):
    """After which instruction each large array may be let go: ``{instruction index: registers}``, a register
    after the last instruction reading it (a replay otherwise holds every activation and gradient to its end:
    eager mode frees them as it goes). ``layouts``: each register's (shape, dtype) at capture, None for a
    value that is not an array; ``kept`` registers leave the replay and are never let go."""
    large = {r for r, layout in enumerate(layouts)
             if layout is not None and np.prod(layout[0], dtype=np.int64) * layout[1].itemsize >= FREE_ABOVE}
    last = {}
    for i, ins in enumerate(code):
        for r in reads(ins):
            if r in large and r not in kept:
                last[r] = i
    after = {}
    for r, i in last.items():
        after.setdefault(i, []).append(r)
    return after


def lend_buffers(rec, kept):
    """Give each call of an op that writes into buffers (``Function.writes_into_buffers``) arrays to write its
    output and its gradients into, made once, of the shape and dtype the call produced at capture. Only for a
    value the call makes anew (not a gradient it hands on) and an output of its first input's dtype (a
    matrix product written into an array of another dtype would round differently). A later replay
    overwrites them, so what leaves the replay is copied (a returned value) or documented (``.grad``).

    An op that may overwrite its input (``Function.may_overwrite_input``: ReLU or tanh after a Linear layer)
    gets its input's own buffer when that input is read by nothing else, kept by no backward (its producer
    did not save it) and not in ``kept`` (returned, or a ``.grad``): the activation is computed in place.
    Returns the bytes lent."""
    seen = {r for r, _ in rec.inputs} | {r for _, r in rec.entry_grads}
    readers = Counter(r for ins in rec.code for r in reads(ins))
    # A node whose backward runs more than once (backward twice through a retained graph) would write both
    # passes' gradients into the same buffers: it gets none.
    passes = Counter(ins[1] for ins in rec.code if ins[0] == "backward")
    lent_outputs = {}  # register -> the buffer an op without saved output wrote it into
    lent = 0
    for ins in rec.code:
        kind = ins[0]
        if kind == "forward" and ins[2].writes_into_buffers:
            ctx, out, layout = rec.contexts[ins[1]], ins[5], rec.layouts[ins[5]]
            first = next((s for s in ins[3] if isinstance(s, int) and rec.layouts[s]), None)
            if layout is not None and first is not None and rec.layouts[first][1] == layout[1]:
                own = lent_outputs.get(first)
                if (ins[2].may_overwrite_input and own is not None and readers[first] == 1 and first not in kept
                        and rec.layouts[first] == layout):
                    ctx.out_buffer = own
                else:
                    ctx.out_buffer = np.empty(*layout)
                    lent += ctx.out_buffer.nbytes
                if ins[1] not in rec.keeps_output:
                    lent_outputs[out] = ctx.out_buffer
        elif kind == "backward" and rec.contexts[ins[1]].op.writes_into_buffers and passes[ins[1]] == 1:
            buffers = tuple(None if r is None or r in seen or rec.layouts[r] is None else np.empty(*rec.layouts[r])
                            for r in ins[3])
            rec.contexts[ins[1]].grad_buffers = buffers
            lent += sum(b.nbytes for b in buffers if b is not None)
        seen.update(reads(ins), writes(ins))
    return lent


def writes(ins):
    """The registers an instruction writes."""
    kind = ins[0]
    if kind == "backward":
        return [r for r in ins[3] if r is not None]
    if kind == "call":
        return [r for r in ins[4] if isinstance(r, int)]
    field = WRITE_FIELDS.get(kind)
    return [] if field is None else [ins[field]]


WRITE_FIELDS = {"forward": 5, "fit": 4, "seed": 3, "sum": 3, "copy": 2, "item": 2}


def new_each_replay(code, contexts):
    """Registers holding an op's output that nothing writes into later and that is not a lent buffer: a new
    array at every replay, which a replay may return as it is (as eager mode returns it); any other array is
    returned as a copy."""
    written = set()
    for ins in code:
        kind = ins[0]
        if kind == "call":
            written.update(spec_registers(ins[2]))  # a replayable call may change its array arguments
        elif kind in ("add", "fill0"):
            written.add(ins[1])
        elif kind == "copy_into":
            written.add(ins[2])
    return {ins[5] for ins in code if ins[0] == "forward" and contexts[ins[1]].out_buffer is None} - written

"""The values a trace keeps and writes: copies of arrays, shapes, JSON-ready Python."""
import numbers

import numpy as np

from ..autograd.tensor import Tensor


def copy(value):
    """A copy of an array or Tensor's values (a Tensor gradient under create_graph gives its array)."""
    if isinstance(value, Tensor):
        value = value.data
    return np.array(value, copy=True) if isinstance(value, (np.ndarray, np.generic)) else value


def joined(formulas):
    """The distinct formulas, in order, as one line (an op declaring one formula for every input shows it once)."""
    return ",  ".join(dict.fromkeys(f for f in formulas if f))


def same_values(a, b):
    """Whether array ``a`` holds ``b``'s values (``b`` cast to ``a``'s dtype, as an in-place write casts)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    try:
        return bool(np.array_equal(a, b.astype(a.dtype, copy=False), equal_nan=a.dtype.kind in "fc"))
    except (TypeError, ValueError):
        return False


def algorithm(optimizer_class):
    """The optimizer's update as pseudo-code: its declared ``algorithm`` ("" when it declares none)."""
    return getattr(optimizer_class, "algorithm", "") or ""


def shape(value):
    """The shape of an array or number; None for other constants (axes, None, strings)."""
    numeric = isinstance(value, (np.ndarray, np.generic, numbers.Number)) and not isinstance(value, bool)
    return np.shape(value) if numeric else None


def plain(value):
    """``value`` as JSON-ready Python: arrays as nested lists, tuples as lists, other objects by repr."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return value.tolist() if value.dtype.kind in "biuf" else str(value)
    if value is None or isinstance(value, (bool, str, numbers.Integral, numbers.Real)):
        return value
    return getattr(value, "__name__", None) or repr(value)


def resolved(events, name):
    """The events with names (``name(key)``) in place of keys, shapes added, NumPy arrays kept."""
    grad_shapes = {e["node"]: np.shape(e["grad_output"]) for e in events if e["kind"] == "backward"}
    out = []
    for index, e in enumerate(events, 1):
        r = {"index": index}
        r.update({k: v for k, v in e.items() if k not in ("inputs", "output", "key")})
        if e["kind"] in ("forward", "inplace_update"):
            r["inputs"] = [{"param": i["param"], "name": name(i["key"]), "value": i["value"],
                            "shape": shape(i["value"]), "requires_grad": i["requires_grad"]}
                           for i in e["inputs"]]
            value = e["output"]["value"]
            r["output"] = {"name": name(e["output"]["key"]), "value": value, "shape": value.shape,
                           "dtype": str(value.dtype)}
            r["grad_shape"] = grad_shapes.get(e["step"]) if e["step"] is not None else None
            if e["kind"] == "inplace_update":
                r["name"], r["shape"] = r["output"]["name"], value.shape
        elif e["kind"] == "backward":
            r["output"] = {"name": name(e["output"]["key"]), "shape": np.shape(e["grad_output"])}
            r["inputs"] = [{"param": i["param"], "name": name(i["key"]), "grad": i["grad"],
                            "formula": i["formula"], "shape": None if i["grad"] is None else np.shape(i["grad"])}
                           for i in e["inputs"]]
        else:
            r["param"], r["shape"] = name(e["key"]), e["after"].shape
        out.append(r)
    return out

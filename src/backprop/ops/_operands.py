"""Checks on the operands of the products (matmul, linear, conv2d), shared by their ops."""


def check_same_float_dtype(op, first, second, names=("input", "weight")):
    """Raise RuntimeError when two floating-point operands of a product differ in dtype, as PyTorch does.

    NumPy would promote a float32 weight to the float64 input and run the whole layer in float64,
    silently doubling its time and memory; PyTorch refuses, and so do we. Called only once the dtypes
    are known to differ (``a.dtype is not b.dtype`` on the hot path), so that its cost is the message's.
    """
    a, b = first.dtype, second.dtype
    if a == b or a.kind != "f" or b.kind != "f":
        return
    fix = ("convert the input (x.float(), x.double() or x.to(dtype)) or the model (model.double(), "
           "model.float() or model.to(dtype))")
    raise RuntimeError(f"{op}: the {names[0]} is {a} but the {names[1]} is {b}; their floating dtypes must "
                       f"be the same: {fix}")

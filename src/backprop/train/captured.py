"""fit's training step as a captured function (``bp.jit``), when it is safe to replay."""
from ..jit import jit as _jit


def captured_step(model, loss_fn, optimizer, jit, check_loss, distributed=False):
    """``step(x, y) -> (prediction, loss)``, forward, backward and update, through :func:`backprop.jit`; or
    None to run eagerly: ``jit`` False, ``distributed`` (its gradient hooks must run), or 'auto' with a layer
    or a loss of the user's own, whose Python a replay would skip (a call counter, a print, a branch)."""
    if jit not in ("auto", True, False):
        raise ValueError(f"fit: jit must be 'auto', True or False, got {jit!r}")
    library_only = all(type(m).__module__.startswith("backprop.") for m in (*model.modules(), loss_fn))
    if distributed or not (jit is True or (jit == "auto" and library_only)):
        return None

    def train_step(x, y):
        pred = model(x)
        loss = loss_fn(pred, y)
        check_loss(loss)  # a non-scalar loss is refused before backward, as without jit
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return pred, loss

    return _jit(train_step)

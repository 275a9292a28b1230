"""The final metrics of a run: computed per split with ``bp.metrics`` and printed as a table."""

from .. import metrics as M

CLASSIFICATION = ("accuracy", "f1_macro", "log_loss")
REGRESSION = ("mse", "rmse", "mae", "r2")


def scores(task, y, out, prep, probabilities=True):
    """Metrics of one split: ``out`` is the model's ``predict`` (probabilities, or standardised outputs).

    A classifier without probabilities (a perceptron) has no log loss: it is None.
    """
    if task == "classification":
        pred = out.argmax(axis=1)
        labels = list(range(out.shape[1]))
        return {"accuracy": M.accuracy_score(y, pred),
                "f1_macro": float(M.f1_score(y, pred, average="macro", labels=labels, zero_division=0)),
                "log_loss": M.log_loss(y, out, labels=labels) if probabilities else None}
    y_pred = prep.inverse_target(out).reshape(y.shape)
    return {"mse": M.mean_squared_error(y, y_pred), "rmse": M.root_mean_squared_error(y, y_pred),
            "mae": M.mean_absolute_error(y, y_pred), "r2": M.r2_score(y, y_pred)}


def evaluate_splits(model, task, prep, splits):
    """``{split: {'samples': n, metric: value, ...}}`` for every split of (model X, y) pairs."""
    results = {}
    for name, (X, y) in splits.items():
        results[name] = {"samples": len(y), **scores(task, y, model.predict(X), prep, model.probabilities)}
    return results


def table(results):
    """The results as an aligned text table, one row per split."""
    columns = list(next(iter(results.values())))
    width = max(10, *(len(c) for c in columns))
    lines = ["split       " + "".join(f"{c:>{width + 2}}" for c in columns)]
    for name, row in results.items():
        cells = "".join(f"{row[c]:>{width + 2}d}" if c == "samples" else
                        f"{'-':>{width + 2}}" if row[c] is None else f"{row[c]:>{width + 2}.4f}"
                        for c in columns)
        lines.append(f"{name:<12}{cells}")
    return "\n".join(lines)

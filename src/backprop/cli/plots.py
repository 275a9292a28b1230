"""The plots of a run, drawn with matplotlib's Agg backend (no display needed): training curves, the
confusion matrix, predicted against true values, and TensorFlow Playground's picture of 2-D data."""
import numpy as np

ORANGE, BLUE = "#f59322", "#0877bd"  # TensorFlow Playground's colours for its −1 and +1 classes
DPI = 110


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path):
    plt = _pyplot()
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def curves(rows, metric, path, kept_epoch=None):
    """Draw ``curves_figure`` into the PNG file ``path``."""
    return _save(curves_figure(rows, metric, kept_epoch), path)


def curves_figure(rows, metric, kept_epoch=None):
    """Loss and ``metric`` per epoch (from epoch 1), training and (when present) validation, side by side;
    ``kept_epoch``, the epoch whose weights early stopping restored, is marked by a dashed line."""
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
    epochs = [r["epoch"] for r in rows]
    for ax, key, title in ((axes[0], "loss", "loss"), (axes[1], metric, metric)):
        ax.plot(epochs, [r[key] for r in rows], color=BLUE, label="train")
        if f"val_{key}" in rows[0]:
            ax.plot(epochs, [r[f"val_{key}"] for r in rows], color=ORANGE, label="validation")
        if kept_epoch is not None:
            ax.axvline(kept_epoch, color="0.4", linestyle="--", linewidth=1, label=f"kept (epoch {kept_epoch})")
        ax.set_xlabel("epoch")
        ax.set_xlim(epochs[0], max(epochs[-1], epochs[0] + 1))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend()
    if metric != "accuracy":
        axes[0].set_title("loss (MSE of the standardised target)")
    return fig


def confusion(y_true, y_pred, classes, path, split):
    """The confusion matrix of one split, counts in the cells, true classes in rows."""
    from ..metrics import confusion_matrix

    plt = _pyplot()
    cm = confusion_matrix(y_true, y_pred, labels=list(range(len(classes))))
    size = min(9, 2.5 + 0.45 * len(classes))
    fig, ax = plt.subplots(figsize=(size, size * 0.9))
    ax.imshow(cm, cmap="Blues")
    ticks = range(len(classes))
    names = [str(c) for c in classes]
    ax.set_xticks(ticks, names, rotation=45 if max(map(len, names)) > 3 else 0)
    ax.set_yticks(ticks, names)
    for i in ticks:
        for j in ticks:
            ax.text(j, i, str(cm[i, j]), ha="center", va="center",
                    color="white" if cm[i, j] > cm.max() / 2 else "black", fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"confusion matrix ({split}, accuracy {np.trace(cm) / max(cm.sum(), 1):.3f})")
    return _save(fig, path)


def predicted_vs_true(y_true, y_pred, path, split):
    """Predicted against true values of one split, with the diagonal of perfect predictions."""
    plt = _pyplot()
    y_true, y_pred = np.ravel(y_true), np.ravel(y_pred)
    fig, ax = plt.subplots(figsize=(4.8, 4.5))
    ax.scatter(y_true, y_pred, s=12, alpha=0.7, color=BLUE)
    lo, hi = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
    ax.plot([lo, hi], [lo, hi], color=ORANGE, lw=1, label="predicted = true")
    ax.set_xlabel("true")
    ax.set_ylabel("predicted")
    ax.set_title(f"predicted vs true ({split})")
    ax.legend()
    ax.grid(alpha=0.3)
    return _save(fig, path)


def decision_boundary(predict, points, task, classes, path, title, axes=("x1", "x2")):
    """TensorFlow Playground's view of a 2-D model: its output over the plane, the data points on top.

    Parameters
    ----------
    predict : callable
        Raw 2-D points (N, 2) → the model's output: probabilities (N, C), values (N, 1) (regression), or
        scores (N, 1) of a binary classifier without probabilities (drawn with its boundary at 0).
    points : dict
        Split name → (raw X, y): training points are drawn with a white edge, the others with a black one.
    axes : (str, str)
        The names of the two input columns.
    """
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap, Normalize
    from matplotlib.lines import Line2D

    plt = _pyplot()
    X_all = np.concatenate([X for X, _ in points.values()])
    (x_lo, y_lo), (x_hi, y_hi) = X_all.min(axis=0), X_all.max(axis=0)
    pad_x, pad_y = 0.08 * (x_hi - x_lo or 1), 0.08 * (y_hi - y_lo or 1)
    gx, gy = np.meshgrid(np.linspace(x_lo - pad_x, x_hi + pad_x, 200),
                         np.linspace(y_lo - pad_y, y_hi + pad_y, 200))
    out = predict(np.column_stack([gx.ravel(), gy.ravel()]))
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    playground = LinearSegmentedColormap.from_list("playground", [ORANGE, "#ffffff", BLUE])
    if task == "regression":
        image = ax.contourf(gx, gy, out[:, 0].reshape(gx.shape), levels=20, cmap=playground, alpha=0.8)
        fig.colorbar(image, ax=ax, label="prediction")
        point_cmap, norm = playground, image.norm  # points coloured on the map's scale
    elif out.shape[1] == 1:  # one score per point: a classifier without probabilities (the perceptron)
        score = out[:, 0].reshape(gx.shape)
        bound = float(np.abs(score).max()) or 1.0
        image = ax.contourf(gx, gy, score, levels=np.linspace(-bound, bound, 21), cmap=playground, alpha=0.8)
        ax.contour(gx, gy, score, levels=[0.0], colors="black", linewidths=0.8)
        fig.colorbar(image, ax=ax, label=f"decision function (> 0: class {classes[1]})")
        point_cmap, norm = ListedColormap([ORANGE, BLUE]), Normalize(0, 1)
    elif out.shape[1] == 2:
        image = ax.contourf(gx, gy, out[:, 1].reshape(gx.shape), levels=np.linspace(0, 1, 21),
                            cmap=playground, alpha=0.8)
        ax.contour(gx, gy, out[:, 1].reshape(gx.shape), levels=[0.5], colors="black", linewidths=0.8)
        fig.colorbar(image, ax=ax, label=f"P(class {classes[1]})", ticks=[0, 0.5, 1])
        point_cmap, norm = ListedColormap([ORANGE, BLUE]), Normalize(0, 1)
    else:
        tab = plt.get_cmap("tab10")
        point_cmap = ListedColormap([tab(k % 10) for k in range(len(classes))])
        norm = Normalize(0, len(classes) - 1)
        ax.imshow(out.argmax(axis=1).reshape(gx.shape), origin="lower", cmap=point_cmap, norm=norm,
                  alpha=0.35, extent=(gx.min(), gx.max(), gy.min(), gy.max()), aspect="auto")
    handles = []
    for split, (X, y) in points.items():
        edge = "white" if split == "train" else "black"
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=point_cmap, norm=norm, s=18, edgecolors=edge, linewidths=0.6)
        handles.append(Line2D([], [], ls="", marker="o", markerfacecolor="grey", markeredgecolor=edge,
                              label=split))
    ax.set_xlabel(axes[0])
    ax.set_ylabel(axes[1])
    ax.set_title(title)
    ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.7)
    return _save(fig, path)


def draw_run(run_dir, data, model, kept_epoch=None):
    """Every plot of a finished run, written into ``run_dir``; returns the file names. ``kept_epoch``: the
    epoch early stopping restored, marked on the curves."""
    import json
    import os

    written = []
    if model.kind == "network":
        with open(os.path.join(run_dir, "history.json"), encoding="utf-8") as f:
            rows = json.load(f)
        if rows:
            written.append(curves(rows, "accuracy" if data.task == "classification" else "mae",
                                  os.path.join(run_dir, "curves.png"), kept_epoch))
    if not data.splits:  # sharded data: nothing in memory to draw
        return [os.path.basename(p) for p in written]
    split = next(s for s in ("test", "validation", "train") if s in data.splits)
    _, X, y = data.splits[split]
    out = model.predict(X)
    if data.task == "classification":
        written.append(confusion(y, out.argmax(axis=1), data.classes,
                                 os.path.join(run_dir, "confusion_matrix.png"), split))
    else:
        written.append(predicted_vs_true(y, data.prep.inverse_target(out), os.path.join(run_dir,
                                         "predicted_vs_true.png"), split))
    if data.table.X.shape[1] == 2 and not data.table.categories:
        # a classifier without probabilities (the perceptron) is mapped by its decision function, not its 0/1 votes
        scores = None if getattr(model, "probabilities", True) else getattr(
            getattr(model, "estimator", None), "decision_function", None)

        def predict(points):
            if scores is not None and data.task == "classification":
                return np.asarray(scores(data.prep.transform(points)), dtype=np.float64).reshape(len(points), -1)
            out = model.predict(data.prep.transform(points))
            return out if data.task == "classification" else data.prep.inverse_target(out)
        features = ",".join(data.prep.features or data.table.columns)
        points = {k: (v[0], v[2]) for k, v in data.splits.items()}
        written.append(decision_boundary(predict, points, data.task, data.classes,
                                         os.path.join(run_dir, "decision_boundary.png"),
                                         f"{os.path.basename(data.name)}: {model.name} on {features}",
                                         data.table.columns))
    return [os.path.basename(p) for p in written]

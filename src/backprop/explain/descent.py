"""The gradient-descent family side by side (001, chapter 3): GD, SGD, Momentum, Nesterov, RMSprop, Adam.

Every method runs from the same start on the same loss, with ``bp.optim``'s own classes (so the
numbers are the library's, not a re-implementation), and every step's intermediate values are kept:
the gradient, the optimizer's state (momentum buffer, running mean square, moments) and the step.
:func:`compare_optimizers` returns a :class:`DescentComparison` that prints the first steps as a table
and plots the paths over the loss's contour lines (matplotlib, headless).

>>> from backprop.explain import course_exercise
>>> result = course_exercise()                # x = (1, 2), y = (2, 3), y = w·x, w₀ = 0, η = 0.1
>>> [round(float(w), 4) for w in result["SGD"].path[1:, 0]]
[0.4, 1.28]
"""

import numpy as np

from .. import optim
from ..autograd.factory import tensor
from ..autograd.grad_mode import no_grad
from . import _format
from .i18n import labels

__all__ = ["METHODS", "PRESETS", "DescentComparison", "DescentRun", "LossSurface", "compare_optimizers",
           "course_exercise", "data_loss", "quadratic", "rosenbrock"]

# name: (optimizer class, the preset's hyperparameters it takes, stochastic?)
METHODS = {
    "GD": (optim.SGD, (), False),
    "SGD": (optim.SGD, (), True),
    "Momentum": (optim.SGD, ("momentum",), True),
    "Nesterov": (optim.SGD, ("momentum",), True),
    "RMSprop": (optim.RMSprop, ("alpha",), True),
    "Adam": (optim.Adam, ("betas",), True),
}

#: The course's constants (001 §3 ex. 1: α = 0.9, β₁ = β₂ = 0.9) and PyTorch's defaults (PyTorch has no
#: default momentum; 0.9 is the usual choice).
PRESETS = {
    "course": {"momentum": 0.9, "alpha": 0.9, "betas": (0.9, 0.9)},
    "pytorch": {"momentum": 0.9, "alpha": 0.99, "betas": (0.9, 0.999)},
}

_NESTEROV_LABEL = ("Nesterov (PyTorch's form: its iterate θ is the course's look-ahead point w − α·v; "
                   "the course's iterate is w = θ + α·η·b)")


class LossSurface:
    """A loss L(w) of a parameter vector w (one or two entries), possibly a mean over observations.

    Parameters
    ----------
    loss : callable
        ``loss(w, index)`` → scalar Tensor, written with backprop's ops so that backpropagation gives its
        gradient. ``index=None`` asks for the full loss, an integer for observation ``index``'s loss.
        It must also accept a Tensor w of shape (d, G, ...) and return the losses of all G points (the
        contour grid): write it with ``w[0]``, ``w[1]`` and elementwise ops.
    n_observations : int, optional
        How many observations the loss averages. Without observations there is no stochastic gradient,
        so SGD coincides with GD there.
    name : str
    bounds : sequence of (low, high), optional
        The plotting window, one pair per parameter (default: around the paths).
    minimum : array_like, optional
        The minimiser, marked on plots.
    """

    def __init__(self, loss, *, n_observations=None, name="loss", bounds=None, minimum=None):
        self.loss, self.n_observations, self.name = loss, n_observations, name
        self.bounds = bounds
        self.minimum = None if minimum is None else np.asarray(minimum, dtype=np.float64)

    def __call__(self, w, index=None):
        return self.loss(w, index)

    def values(self, points):
        """L at many points at once: ``points`` of shape (d, ...) gives an array of shape (...)."""
        with no_grad():
            w = tensor(np.asarray(points, dtype=np.float64), dtype=np.float64)
            return np.asarray(self.loss(w, None).data)

    def __repr__(self):
        return f"LossSurface({self.name!r})"


def quadratic(a=1.0, b=10.0):
    """The elongated bowl L(w) = ½(a·w₁² + b·w₂²): plain descent zigzags across the steep axis when b ≫ a."""
    return LossSurface(lambda w, index: 0.5 * (a * w[0] ** 2 + b * w[1] ** 2),
                       name=f"½({a:g}·w₁² + {b:g}·w₂²)", bounds=((-2.5, 2.5), (-1.5, 1.5)),
                       minimum=(0.0, 0.0))


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's valley L(w) = (a − w₁)² + b·(w₂ − w₁²)²: a flat curved floor, minimum at (a, a²)."""
    return LossSurface(lambda w, index: (a - w[0]) ** 2 + b * (w[1] - w[0] ** 2) ** 2,
                       name=f"Rosenbrock (a={a:g}, b={b:g})", bounds=((-2.0, 2.0), (-1.0, 3.0)),
                       minimum=(a, a * a))


def data_loss(predict, X, y, *, name="MSE", bounds=None, minimum=None):
    """The squared-error loss of a model with parameters w on data: one term per observation.

    The full loss is the mean squared error (averaged, PyTorch's and the library's convention); the
    loss of observation i is its squared error (yᵢ − ŷᵢ)², which the stochastic methods use one
    observation per step, in the given order.

    Parameters
    ----------
    predict : callable
        ``predict(w, x)`` → ŷ for one observation x (a number, or a row), elementwise in w's entries:
        ``lambda w, x: w[0] * x`` is the course's y = w·x, ``lambda w, x: w[0] + w[1] * x`` a line.
    X : array_like, shape (n,) or (n, features)
    y : array_like, shape (n,)
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if len(X) != len(y):
        raise ValueError(f"data_loss: X has {len(X)} observations but y has {len(y)}")

    def loss(w, index):
        if index is not None:
            return (y[index] - predict(w, X[index])) ** 2
        return sum((yi - predict(w, xi)) ** 2 for xi, yi in zip(X, y)) / len(y)

    return LossSurface(loss, n_observations=len(y), name=name, bounds=bounds, minimum=minimum)


class DescentRun:
    """One method's run: ``path`` (steps + 1, d) of parameter values, ``losses`` (the full loss at each
    point) and ``steps``, one dict per step (``t``, ``observation``, ``w_before``, ``loss``, ``g``, the
    optimizer's state ``b``/``v``/``m``/``m_hat``/``v_hat`` where it has them, ``delta`` and ``w``)."""

    def __init__(self, name, label, optimizer, path, losses, steps):
        self.name, self.label, self.optimizer = name, label, optimizer
        self.path, self.losses, self.steps = path, losses, steps

    def __repr__(self):
        return f"DescentRun({self.name!r}, w={_fmt(self.path[-1])}, loss={self.losses[-1]:.6g})"


class DescentComparison:
    """The runs of :func:`compare_optimizers`, by method name (``result["Adam"]``)."""

    def __init__(self, surface, start, runs, hyperparameters):
        self.surface, self.start, self.runs, self.hyperparameters = surface, start, runs, hyperparameters

    def __getitem__(self, name):
        return self.runs[name]

    def __iter__(self):
        return iter(self.runs.values())

    def table(self, steps=2, fmt="text", lang="en"):
        """The first ``steps`` steps of every method: gradient, state, step and new parameters.

        Parameters
        ----------
        steps : int, default 2
        fmt : {'text', 'markdown'}
        lang : {'en', 'ru'}, default 'en'
            The language of the headers and notes (method names and symbols stay).
        """
        words = labels(lang)
        header = list(words["descent_header"])
        rows = []
        for run in self:
            for s in run.steps[:steps]:
                w_after = _fmt(s["w"]) + (f" ({words['course_w']} = {_fmt(s['w_course'])})"
                                          if "w_course" in s else "")
                observation = words["all"] if s["observation"] is None else str(s["observation"] + 1)
                rows.append([run.name, str(s["t"]), observation, _fmt(s["w_before"]), _fmt(s["loss"]),
                             _fmt(s["g"]), _state(s), _fmt(s["delta"]), w_after])
        notes = [f"{run.name}: {words['nesterov_note'] if run.name == 'Nesterov' else run.label}"
                 for run in self if run.label != run.name]
        return _render(header, rows, fmt) + "".join(f"\n{note}" for note in notes)

    def __str__(self):
        return self.table()

    def plot(self, path=None, ax=None, grid=120):
        """Plot every method's path over the loss's contour lines (a loss curve for one parameter).

        Parameters
        ----------
        path : str or path-like, optional
            Also save the figure there (PNG by the extension).
        ax : matplotlib Axes, optional
            Draw into it instead of a new figure.
        grid : int, default 120
            Grid points per axis for the contour lines.

        Returns
        -------
        matplotlib.figure.Figure
        """
        from .plots import finish, new_figure

        points = np.concatenate([run.path for run in self])
        if points.shape[1] > 2:
            raise ValueError(f"plot: paths of {points.shape[1]} parameters cannot be drawn over contour lines "
                             "(one or two parameters can); use table() instead")
        fig, ax = new_figure(ax=ax, figsize=(7, 5.5))
        lows, highs = _window(self.surface, points)
        if points.shape[1] == 1:
            ws = np.linspace(lows[0], highs[0], grid * 4)
            ax.plot(ws, self.surface.values(ws[None]), color="0.6", lw=1.5, label=self.surface.name)
            for run in self:
                ax.plot(run.path[:, 0], run.losses, "o-", ms=4, label=_legend(run))
            ax.set_xlabel("w")
            ax.set_ylabel("loss")
        else:
            w1, w2 = np.meshgrid(np.linspace(lows[0], highs[0], grid), np.linspace(lows[1], highs[1], grid))
            z = self.surface.values(np.stack([w1, w2]))
            levels = np.quantile(z, np.linspace(0, 1, 25) ** 2)
            ax.contour(w1, w2, z, levels=np.unique(levels), cmap="viridis", linewidths=0.7)
            for run in self:
                ax.plot(run.path[:, 0], run.path[:, 1], ".-", ms=3, lw=1.2, label=_legend(run))
            ax.plot(*self.start[:2], "ks", ms=6, label="start")
            if self.surface.minimum is not None:
                ax.plot(*self.surface.minimum[:2], "r*", ms=12, label="minimum")
            ax.set_xlim(lows[0], highs[0])
            ax.set_ylim(lows[1], highs[1])
            ax.set_xlabel("w₁")
            ax.set_ylabel("w₂")
        ax.set_title(self.surface.name)
        ax.legend(fontsize=7, loc="best")
        return finish(fig, path)

    def __repr__(self):
        return f"DescentComparison({self.surface.name!r}, methods={list(self.runs)})"


def compare_optimizers(surface, start, *, methods=None, steps=50, lr=0.1, preset="pytorch", eps=1e-8):
    """Run the gradient-descent family from ``start`` on ``surface`` with ``bp.optim``'s optimizers.

    GD takes the full loss's gradient at every step; the other methods take one observation per step,
    in order, cycling (on a surface without observations they take the full loss, so SGD is GD there).
    Nesterov momentum is PyTorch's form: its iterate is the course's look-ahead point, and the table
    also shows the course's iterate (see :class:`backprop.optim.SGD`).

    Parameters
    ----------
    surface : LossSurface
        :func:`quadratic`, :func:`rosenbrock`, :func:`data_loss` or your own.
    start : array_like, shape (d,)
        The common starting point (d = 1 or 2 for plots; any d runs).
    methods : sequence of str, optional
        Names from ``METHODS`` (default: all six, without SGD on a surface with no observations).
    steps : int, default 50
    lr : float or dict, default 0.1
        The learning rate η, or one per method name.
    preset : {'pytorch', 'course'} or dict, default 'pytorch'
        ``momentum`` (Momentum and Nesterov), ``alpha`` (RMSprop) and ``betas`` (Adam): PyTorch's
        defaults, or the course's α = 0.9, β₁ = β₂ = 0.9.
    eps : float, default 1e-8
        RMSprop's and Adam's ε (PyTorch's default); 0 reproduces hand computations exactly.

    Returns
    -------
    DescentComparison
    """
    hyper = dict(PRESETS[preset] if isinstance(preset, str) else preset)
    if methods is None:
        methods = [m for m in METHODS if surface.n_observations or m != "SGD"]
    start = np.atleast_1d(np.asarray(start, dtype=np.float64))
    runs = {}
    for name in methods:
        if name not in METHODS:
            raise ValueError(f"compare_optimizers: unknown method {name!r}; choose from {list(METHODS)}")
        rate = lr[name] if isinstance(lr, dict) else lr
        runs[name] = _run(surface, start, name, rate, hyper, eps, steps)
    return DescentComparison(surface, start, runs, hyper)


def course_exercise(steps=2, eps=0.0):
    """001 §3 ex. 1: x = (1, 2), y = (2, 3), y = w·x, w₀ = 0, η = 0.1, α = 0.9, β₁ = β₂ = 0.9.

    GD descends the averaged MSE (½[(2 − w)² + (3 − 2w)²], gradient 5w − 8); the stochastic methods
    take observation 1, then observation 2. ε = 0 by default, as in the hand computation (no gradient
    here is zero). Least squares gives w* = Σxy/Σx² = 8/5.
    """
    surface = data_loss(lambda w, x: w[0] * x, [1.0, 2.0], [2.0, 3.0],
                        name="y = w·x on x = (1, 2), y = (2, 3)", minimum=(1.6,))
    return compare_optimizers(surface, [0.0], steps=steps, lr=0.1, preset="course", eps=eps)


def _run(surface, start, name, lr, hyper, eps, steps):
    cls, takes, stochastic = METHODS[name]
    options = {key: hyper[key] for key in takes}
    if name == "Nesterov":
        options["nesterov"] = True
    if cls is not optim.SGD:
        options["eps"] = eps
    w = tensor(start, dtype=np.float64, requires_grad=True)
    optimizer = cls([w], lr=lr, **options)
    infos = []
    optimizer.register_update_hook(lambda opt, p, info: infos.append({k: _copy(v) for k, v in info.items()}))
    path, losses, records = [start.copy()], [_full_loss(surface, w)], []
    n = surface.n_observations
    for t in range(steps):
        index = t % n if stochastic and n else None
        optimizer.zero_grad()
        loss = surface(w, index)
        loss.backward()
        before = w.data.copy()
        optimizer.step()
        info = infos[-1]
        record = {"t": t + 1, "observation": index, "w_before": before, "loss": float(loss.item()),
                  "g": info["g"], "delta": info["delta"], "w": w.data.copy()}
        record.update({k: info[k] for k in ("b", "v", "m", "m_hat", "v_hat") if info.get(k) is not None})
        if name == "Nesterov":
            record["w_course"] = w.data + hyper["momentum"] * lr * info["b"]
        records.append(record)
        path.append(w.data.copy())
        losses.append(_full_loss(surface, w))
    label = _NESTEROV_LABEL if name == "Nesterov" else name
    return DescentRun(name, label, optimizer, np.array(path), np.array(losses), records)


def _full_loss(surface, w):
    with no_grad():
        return float(surface(w, None).item())


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


def _fmt(value):
    a = np.atleast_1d(np.asarray(value, dtype=np.float64))
    text = ", ".join(f"{v:.10g}" for v in a.ravel())
    return text if a.size == 1 else f"({text})"


def _state(step):
    names = {"b": "b", "m": "m", "v": "v", "m_hat": "m̂", "v_hat": "v̂"}
    return "; ".join(f"{label} = {_fmt(step[key])}" for key, label in names.items() if key in step) or "—"


def _legend(run):
    return "Nesterov (PyTorch's form)" if run.name == "Nesterov" else run.name


def _window(surface, points):
    if surface.bounds is not None:
        bounds = np.asarray(surface.bounds, dtype=np.float64)
        return bounds[:, 0], bounds[:, 1]
    if surface.minimum is not None:
        points = np.vstack([points, surface.minimum[None]])
    lows, highs = points.min(axis=0), points.max(axis=0)
    margin = np.maximum(0.15 * (highs - lows), 0.5)
    return lows - margin, highs + margin


def _render(header, rows, fmt):
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])
    if fmt != "text":
        raise ValueError(f"table: fmt must be 'text' or 'markdown', got {fmt!r}")
    widths = [max(_format.width(r[i]) for r in [header] + rows) for i in range(len(header))]
    line = lambda row: "  ".join(_format.pad(c, w) for c, w in zip(row, widths)).rstrip()
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(row) for row in rows])


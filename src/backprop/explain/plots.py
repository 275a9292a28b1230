"""Pictures of the course: each activation with its derivative, f(k·t) turning into a step, a network
drawn as neurons with a weight on every arrow, and the step-function approximation of a function.

matplotlib is imported only when a picture is drawn, and only its object-oriented API is used
(``matplotlib.figure.Figure``, no ``pyplot``): nothing opens a window or changes the user's backend,
so the functions work headless. Each returns the Figure and saves it when given ``path``.
"""
import numpy as np

from ..autograd.factory import tensor

__all__ = ["ACTIVATIONS", "activation_curve", "draw_network", "plot_activations", "plot_approximation",
           "plot_steepening"]


def _activations():
    from .. import nn

    return {"sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "relu": nn.ReLU(), "leaky_relu": nn.LeakyReLU(0.1),
            "prelu": nn.PReLU(init=0.25, dtype=np.float64), "heaviside": nn.Heaviside()}


#: The activations known by name (the course's "LEGO bricks"; LeakyReLU with slope 0.1 so it shows).
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "prelu", "heaviside")


def activation_curve(activation, t):
    """f(t) and f′(t) of an activation, the derivative by backpropagation.

    Parameters
    ----------
    activation : str or callable
        A name from ``ACTIVATIONS``, a module such as ``bp.nn.Tanh()``, or a function of a Tensor.
    t : array_like
        The points.

    Returns
    -------
    (ndarray, ndarray)
        f(t) and f′(t), of t's shape. For example max f′ is ¼ for the sigmoid (at 0) and 1 for tanh.
    """
    fn = _activations()[activation] if isinstance(activation, str) else activation
    x = tensor(np.asarray(t, dtype=np.float64), dtype=np.float64, requires_grad=True)
    y = fn(x)
    y.sum().backward()
    return np.array(y.data), np.array(x.grad)


def new_figure(ax=None, nrows=1, ncols=1, figsize=(6, 4)):
    """A headless Figure and its Axes (the Figure of ``ax`` when one is given)."""
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError("plots need matplotlib: pip install matplotlib") from error
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.subplots(nrows, ncols, squeeze=nrows * ncols == 1)


def finish(fig, path=None):
    """Save ``fig`` to ``path`` (format from the extension) when given; return it."""
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def plot_activations(activations=("sigmoid", "tanh", "relu", "leaky_relu", "heaviside"), t=None, path=None):
    """Each activation f with its derivative f′ (by backprop), the largest f′ marked.

    The sigmoid's derivative σ′ = σ(1 − σ) is at most ¼ and tanh′ = 1 − tanh² at most 1: a gradient
    through k sigmoid layers shrinks by at least 4ᵏ (the course's vanishing gradients).

    Parameters
    ----------
    activations : sequence of str or callable
    t : array_like, default 401 points on [−6, 6]
    path : str or path-like, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = np.linspace(-6, 6, 401) if t is None else np.asarray(t, dtype=np.float64)
    fig, axes = new_figure(ncols=len(activations), figsize=(3.2 * len(activations), 3.2))
    for ax, activation in zip(np.ravel(np.array(axes, dtype=object)), activations):  # one: a bare Axes
        name = activation if isinstance(activation, str) else type(activation).__name__
        y, dy = activation_curve(activation, t)
        ax.plot(t, y, lw=2, label="f(t)")
        ax.plot(t, dy, lw=1.5, ls="--", label="f′(t)")
        peak = int(np.argmax(dy))
        ax.plot(t[peak], dy[peak], "ko", ms=4)
        ax.annotate(f"max f′ = {dy[peak]:.3g}", (t[peak], dy[peak]), textcoords="offset points",
                    xytext=(5, 8), fontsize=8)
        ax.axhline(0, color="0.8", lw=0.8)
        ax.margins(y=0.15)
        ax.set_title(name)
        ax.set_xlabel("t")
        ax.legend(fontsize=7, loc="upper left")
    return finish(fig, path)


def plot_steepening(activation="sigmoid", ks=(1, 10, 100, 1000), t=None, path=None):
    """f(k·t) for growing k approaching the unit step (001 §2 ex. 1и: the sigmoid is a smooth step).

    Parameters
    ----------
    activation : str or callable, default 'sigmoid'
    ks : sequence of float
    t : array_like, default 801 points on [−2, 2]
    path : str or path-like, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = np.linspace(-2, 2, 801) if t is None else np.asarray(t, dtype=np.float64)
    fig, ax = new_figure(figsize=(6, 4))
    for k in ks:
        ax.plot(t, activation_curve(activation, k * t)[0], lw=1.5, label=f"f({k:g}·t)")
    ax.plot(t, (t > 0).astype(float), "k:", lw=1.2, label="H(t) = [t > 0]")
    ax.set_title(f"{activation if isinstance(activation, str) else 'f'}(k·t) → the unit step as k grows")
    ax.set_xlabel("t")
    ax.legend(fontsize=8)
    return finish(fig, path)


def draw_network(model, input_names=None, path=None, ax=None, digits=3):
    """Draw a network of Linear + activation layers as neurons with its weight on every arrow.

    Biases come in, as in the course's pictures, from a node "1" on the layer below (shown only when
    some bias is nonzero). Each neuron is labelled with its activation.

    Parameters
    ----------
    model : Sequential or sequence of modules
        Linear layers, each followed by at most one activation (see :func:`network_formula`).
    input_names : sequence of str, optional
        Default x₁, x₂, ….
    path : str or path-like, optional
    ax : matplotlib Axes, optional
    digits : int, default 3
        Significant digits of the weights.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .formula import dense_layers, format_number, subscript

    layers = dense_layers(model)
    n_in = layers[0].weight.shape[1]
    names = list(input_names) if input_names is not None else [f"x{subscript(i + 1)}" for i in range(n_in)]
    sizes = [n_in] + [layer.weight.shape[0] for layer in layers]
    gap, tallest = 2.5, max(sizes)
    xs = [gap * k for k in range(len(sizes))]
    ys = [np.arange(n)[::-1] - (n - 1) / 2 for n in sizes]
    fig, ax = new_figure(ax=ax, figsize=(0.9 * (xs[-1] + 1.6), 0.9 * (tallest + 2)))
    for column, (n, y) in enumerate(zip(sizes, ys)):
        for j in range(n):
            label = names[j] if column == 0 else (layers[column - 1].activation_label or "linear")
            if column == len(sizes) - 1:
                label = f"ŷ{subscript(j + 1) if n > 1 else ''}\n{label}"
            _node(ax, (xs[column], y[j]), label, column == 0)
    for column, layer in enumerate(layers):
        sources = [(xs[column], y) for y in ys[column]]
        weights = layer.weight
        if layer.bias is not None and np.any(layer.bias != 0):
            sources.append((xs[column], ys[column][0] + 1))
            _node(ax, sources[-1], "1", True)
            weights = np.hstack([weights, layer.bias[:, None]])
        x1 = xs[column + 1]
        for j, y1 in enumerate(ys[column + 1]):
            for i, (sx, sy) in enumerate(sources):
                if weights[j, i] == 0:
                    continue
                ax.annotate("", (x1 - _RADIUS, y1), (sx + _RADIUS, sy),
                            arrowprops={"arrowstyle": "->", "color": "0.4", "lw": 0.8, "shrinkA": 0,
                                        "shrinkB": 0})
                # near its source, where the arrows leaving one neuron fan out, each label has room
                lx, ly = sx + _RADIUS + 0.3 * (x1 - sx - 2 * _RADIUS), sy + 0.3 * (y1 - sy)
                ax.text(lx, ly, format_number(weights[j, i], digits, sign=True), fontsize=8, ha="center",
                        va="center",
                        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.set_xlim(-0.8, xs[-1] + 0.8)
    ax.set_ylim(-tallest / 2 - 0.5, tallest / 2 + 1.2)
    ax.set_aspect("equal")
    ax.axis("off")
    return finish(fig, path)


_RADIUS = 0.35


def _node(ax, xy, label, is_input):
    from matplotlib.patches import Circle

    ax.add_patch(Circle(xy, _RADIUS, fc="#e8f0fe" if is_input else "#fde8d7", ec="0.3", lw=1))
    ax.text(*xy, label, ha="center", va="center", fontsize=8)


def plot_approximation(f, a, b, hs=(0.5, 0.1), path=None, points=1000):
    """f and its two-layer Heaviside approximations for each step width h (001 §1 ex. 9).

    Parameters
    ----------
    f : callable
        A function of a NumPy array.
    a, b : float
        The interval.
    hs : sequence of float
        Step widths.
    path : str or path-like, optional
    points : int, default 1000

    Returns
    -------
    matplotlib.figure.Figure
    """
    from .approximation import approximation_error, step_network

    x = np.linspace(a, b, points, endpoint=False)
    fig, ax = new_figure(figsize=(6, 4))
    ax.plot(x, f(x), "k", lw=2, label="f(x)")
    for h in hs:
        net = step_network(f, a, b, h)
        y = net(tensor(x[:, None], dtype=np.float64)).data[:, 0]
        error = approximation_error(f, a, b, h)
        ax.step(x, y, where="post", lw=1.2, label=f"h = {h:g}: max error {error:.3g}")
    ax.set_title("Σ f(midpoint)·[aᵢ ≤ x < aᵢ + h], a Heaviside network")
    ax.set_xlabel("x")
    ax.legend(fontsize=8)
    return finish(fig, path)

"""Toy and bundled data sets: TensorFlow Playground's 2-D generators, moons, the XOR truth table, windows of
a noisy sine wave (a sequence task), the data sets that ship with scikit-learn, and MNIST's IDX file format.

Every function returns ``(X, y)``: ``X`` of shape (n_samples, n_features) in float64 and ``y`` of shape
(n_samples,), integer class labels (0/1 for the 2-D generators) or float regression targets.

The 2-D generators follow TensorFlow Playground's ``dataset.ts`` (playground.tensorflow.org), with its
labels −1/+1 written 0/1 and ``noise`` on its 0–0.5 scale (the playground's slider reads 0–50 %):

==========  ================================================================================
circles     class 1 within radius 2.5 of the origin, class 0 on the ring 3.5 ≤ r ≤ 5
xor         uniform on [−5, 5]² pushed 0.3 away from the axes; class 1 where x₁·x₂ ≥ 0
gauss       two Gaussian blobs centred at (2, 2) (class 1) and (−2, −2) (class 0)
spiral      two interleaved spirals of 1.75 turns out to radius 5
plane       regression: uniform on [−6, 6]², target (x₁ + x₂)/10 (from −1.2 to 1.2)
multigauss  regression: uniform on [−6, 6]², target ±(1 − d/2) near six centres, 0 elsewhere
==========  ================================================================================

As in the playground, noise on circles and xor moves the point *used for the label* while the point drawn
stays where it was, so labels near the boundary flip (label noise); on gauss it widens the blobs
(variance 0.5 + 7·noise); on spiral it jitters the points by U(−noise, noise). On the regression sets, as
on circles, the target is computed at the point shifted by U(−6, 6)·noise in each coordinate.

>>> X, y = make_spiral(n_samples=200, noise=0.1, random_state=0)
>>> X.shape, sorted(set(y.tolist()))
((200, 2), [0, 1])
"""
import gzip
import os

import numpy as np

from ..utils.random import check_random_state

__all__ = ["BUNDLED", "load_bundled", "load_idx", "make_circles", "make_gauss", "make_moons", "make_multi_gauss",
           "make_plane", "make_spiral", "make_sine", "make_xor", "xor_table"]


def _halves(n_samples):
    """The playground's class sizes: ⌈n/2⌉ of class 1 first, then ⌊n/2⌋ of class 0."""
    if n_samples < 2:
        raise ValueError(f"n_samples must be at least 2 (one point per class), got {n_samples}")
    return n_samples - n_samples // 2, n_samples // 2


def _check_noise(noise):
    if not noise >= 0:
        raise ValueError(f"noise must be non-negative, got {noise!r}")


def make_circles(n_samples=500, noise=0.0, random_state=None):
    """A disc of class 1 (r < 2.5) inside a ring of class 0 (3.5 ≤ r ≤ 5): TensorFlow Playground's "Circle".

    Parameters
    ----------
    n_samples : int, default 500
    noise : float, default 0.0
        Each point's label is decided at the point shifted by U(−5, 5)·noise in each coordinate.
    random_state : None, int or numpy.random.Generator, default None
        None draws from the library's generator (``bp.manual_seed``).
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    n_in, n_out = _halves(n_samples)
    r = np.concatenate([rng.uniform(0, 2.5, n_in), rng.uniform(3.5, 5, n_out)])
    angle = rng.uniform(0, 2 * np.pi, n_samples)
    X = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = X + rng.uniform(-5, 5, X.shape) * noise
    return X, (np.hypot(shifted[:, 0], shifted[:, 1]) < 2.5).astype(np.int64)


def make_xor(n_samples=500, noise=0.0, random_state=None):
    """Four quadrants, class 1 where x₁·x₂ ≥ 0: TensorFlow Playground's "Exclusive or".

    Points are uniform on [−5, 5]², each coordinate pushed 0.3 away from zero, so the classes keep a gap.
    The label is decided at the point shifted by U(−5, 5)·noise in each coordinate. Parameters as
    :func:`make_circles`.
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    X = rng.uniform(-5, 5, (n_samples, 2))
    X += np.where(X > 0, 0.3, -0.3)
    shifted = X + rng.uniform(-5, 5, X.shape) * noise
    return X, (shifted[:, 0] * shifted[:, 1] >= 0).astype(np.int64)


def make_gauss(n_samples=500, noise=0.0, random_state=None):
    """Two Gaussian blobs, class 1 around (2, 2) and class 0 around (−2, −2): the playground's "Gaussian".

    Each coordinate has variance 0.5 + 7·noise (the playground maps noise 0–0.5 linearly to 0.5–4).
    Parameters as :func:`make_circles`.
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    n_pos, n_neg = _halves(n_samples)
    std = np.sqrt(0.5 + 7 * noise)
    X = np.concatenate([rng.normal(2, std, (n_pos, 2)), rng.normal(-2, std, (n_neg, 2))])
    return X, np.repeat([1, 0], [n_pos, n_neg]).astype(np.int64)


def make_spiral(n_samples=500, noise=0.0, random_state=None):
    """Two interleaved spirals (class 1 and, turned by π, class 0): the playground's "Spiral".

    Point i of n per class sits at radius r = 5i/n and angle t = 1.75·2π·i/n (+π for class 0), moved by
    U(−1, 1)·noise in each coordinate. Parameters as :func:`make_circles`.
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    parts = []
    for n, turn in zip(_halves(n_samples), (0.0, np.pi)):
        i = np.arange(n)
        r, t = 5 * i / n, 1.75 * 2 * np.pi * i / n + turn
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (n, 2)) * noise)
    n_pos, n_neg = _halves(n_samples)
    return np.concatenate(parts), np.repeat([1, 0], [n_pos, n_neg]).astype(np.int64)


def _regression_points(n_samples, noise, rng):
    """The regression sets' points, uniform on [−6, 6]², and each one shifted by U(−6, 6)·noise per coordinate:
    the point at which its target is computed (the playground's label noise)."""
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}")
    X = rng.uniform(-6, 6, (n_samples, 2))
    return X, X + rng.uniform(-6, 6, X.shape) * noise


def make_plane(n_samples=500, noise=0.0, random_state=None):
    """A tilted plane, the target (x₁ + x₂)/10 at points uniform on [−6, 6]²: TensorFlow Playground's "Plane".

    The target is computed at the point shifted by U(−6, 6)·noise in each coordinate. Parameters as
    :func:`make_circles`; ``y`` holds float64 targets.

    >>> X, y = make_plane(4, random_state=0)
    >>> bool(np.allclose(y, X.sum(axis=1) / 10))
    True
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    X, shifted = _regression_points(n_samples, noise, rng)
    return X, shifted.sum(axis=1) / 10


#: The six centres of :func:`make_multi_gauss` and the sign of the target near each.
MULTI_GAUSS_CENTRES = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def make_multi_gauss(n_samples=500, noise=0.0, random_state=None):
    """Six bumps of alternating sign on a 3 × 2 grid: TensorFlow Playground's "Multi Gaussian" regression set.

    Near centre c (:data:`MULTI_GAUSS_CENTRES`) the target is sign(c)·max(0, 1 − d/2), d the distance to c;
    where two bumps reach, the one larger in absolute value wins (the first on a tie); 0 beyond them all.
    Points are uniform on [−6, 6]²; the target is computed at the point shifted by U(−6, 6)·noise in each
    coordinate. Parameters as :func:`make_circles`; ``y`` holds float64 targets in [−1, 1].
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    X, shifted = _regression_points(n_samples, noise, rng)
    y = np.zeros(n_samples)
    for cx, cy, sign in MULTI_GAUSS_CENTRES:
        bump = sign * np.clip(1 - np.hypot(shifted[:, 0] - cx, shifted[:, 1] - cy) / 2, 0, 1)
        y = np.where(np.abs(bump) > np.abs(y), bump, y)
    return X, y


def make_moons(n_samples=500, noise=0.0, random_state=None):
    """Two interleaving half circles, as scikit-learn's ``make_moons``.

    Class 0 lies on the upper half of the unit circle, class 1 on the lower half shifted to (1, 0.5);
    points are evenly spaced along each arc, then moved by N(0, noise²) in each coordinate. Parameters as
    :func:`make_circles` (``noise`` is a standard deviation here, as in scikit-learn). The points are in
    class order, not shuffled.
    """
    _check_noise(noise)
    rng = check_random_state(random_state)
    n_upper, n_lower = n_samples // 2, n_samples - n_samples // 2
    upper = np.linspace(0, np.pi, n_upper)
    lower = np.linspace(0, np.pi, n_lower)
    X = np.concatenate([np.column_stack([np.cos(upper), np.sin(upper)]),
                        np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])
    X += rng.normal(0, 1, X.shape) * noise
    return X, np.repeat([0, 1], [n_upper, n_lower]).astype(np.int64)


def xor_table():
    """The course's XOR truth table: the four points of {0, 1}², class 1 where x₁ ≠ x₂.

    One perceptron cannot separate it; one with the extra input x₃ = x₁·x₂ can, e.g.
    ŷ = [x₁ + x₂ − 2·x₁x₂ − 0.5 > 0] (problem book, chapter 1, exercise 6).
    """
    X = np.array([[1, 1], [1, 0], [0, 1], [0, 0]], dtype=np.float64)
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def make_sine(n_samples=500, seq_len=20, noise=0.1, random_state=None):
    """Windows of a noisy sine wave and the value that follows each: next-value prediction (chapter 7).

    Window i holds x(t) = sin(t) + ε at t = t₀, t₀ + 0.3, …, t₀ + 0.3·(seq_len − 1), with t₀ ~ U(0, 200)
    and ε ~ N(0, noise²) independent for every value; its target is x at t₀ + 0.3·seq_len, noise included.
    The noise sets the floor of the mean squared error at noise².

    Parameters
    ----------
    n_samples : int, default 500
    seq_len : int, default 20
        Values in each window (the time steps a recurrent layer reads).
    noise : float, default 0.1
        Standard deviation of the Gaussian noise.
    random_state : None, int or numpy.random.Generator, default None

    Returns
    -------
    X : ndarray (n_samples, seq_len), float64
    y : ndarray (n_samples,), float64
    """
    _check_noise(noise)
    for name, value in (("n_samples", n_samples), ("seq_len", seq_len)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    rng = check_random_state(random_state)
    t = rng.uniform(0, 200, n_samples)[:, None] + 0.3 * np.arange(seq_len + 1)[None, :]
    x = np.sin(t) + noise * rng.standard_normal(t.shape)
    return x[:, :-1], x[:, -1]


#: The data sets that ship with scikit-learn: name → (loader name, task).
BUNDLED = {"digits": ("load_digits", "classification"), "iris": ("load_iris", "classification"),
           "breast-cancer": ("load_breast_cancer", "classification"), "wine": ("load_wine", "classification"),
           "diabetes": ("load_diabetes", "regression")}


def load_bundled(name):
    """One of the small data sets bundled with scikit-learn, through its loader (no download).

    Parameters
    ----------
    name : {'digits', 'iris', 'breast-cancer', 'wine', 'diabetes'}

    Returns
    -------
    X : ndarray (n_samples, n_features), float64
    y : ndarray (n_samples,)
        Class indices (int64) for the classification sets, the disease progression (float64) for diabetes.
    feature_names : list of str
    target_names : list of str or None
        The class names of a classification set.

    Raises
    ------
    ImportError
        scikit-learn is not installed; the message names the package to install.
    """
    if name not in BUNDLED:
        raise ValueError(f"unknown bundled data set {name!r}; choose one of {', '.join(BUNDLED)}")
    try:
        import sklearn.datasets
    except ImportError:
        raise ImportError(f"the {name} data set comes with scikit-learn: pip install scikit-learn "
                          "(or pip install 'backprop[cli]')") from None
    loader, task = BUNDLED[name]
    bunch = getattr(sklearn.datasets, loader)()
    X = np.asarray(bunch.data, dtype=np.float64)
    names = list(getattr(bunch, "feature_names", None) or [f"x{i}" for i in range(X.shape[1])])
    if task == "classification":
        return X, np.asarray(bunch.target, dtype=np.int64), names, [str(t) for t in bunch.target_names]
    return X, np.asarray(bunch.target, dtype=np.float64), names, None


# IDX (the MNIST files): magic = two zero bytes, a type code, the number of dimensions; then each dimension
# as a big-endian int32; then the values in C order, big-endian.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def load_idx(path):
    """Read an IDX file, the format of MNIST and Fashion-MNIST (``train-images-idx3-ubyte``, optionally
    gzipped: a name ending in ``.gz``).

    Returns
    -------
    ndarray
        Of the shape and type the header gives, e.g. (60000, 28, 28) uint8 images or (60000,) labels.

    Raises
    ------
    ValueError
        The file is not IDX (bad magic number, unknown type code) or is shorter than its header says.
    """
    path = os.fspath(path)
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (it does not start with 0x00 0x00 and a type code)")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(d) for d in np.frombuffer(raw[4:header], dtype=">i4"))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(raw) - header != expected:
        raise ValueError(f"{path}: the IDX header announces shape {shape} ({expected} bytes of data) but the "
                         f"file holds {len(raw) - header} bytes after the header")
    return np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))

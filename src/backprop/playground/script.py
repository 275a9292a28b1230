"""The exported script: a short Python program that rebuilds a session's network with ``backprop`` and retrains
it from the same seed for the same number of epochs, ending with weights bitwise equal to the session's.

It is written from a validated :class:`~.settings.Settings` (numbers in range, names from fixed lists) and
the session's own numbers, never from text the page sent. It follows :class:`~.network.Network` step by step;
``tests/playground`` runs it and compares the weights.
"""
import textwrap

from .data import FEATURE_FORMULAS
from .network import ACTIVATION_MODULES, INIT_FUNCTIONS, OPTIMIZERS, n_outputs

_GENERATORS = {"circle": "make_circles", "xor": "make_xor", "gauss": "make_gauss", "spiral": "make_spiral",
               "plane": "make_plane", "multigauss": "make_multi_gauss"}


def _data_lines(network):
    s = network.settings
    if s.dataset != "upload":
        return [f"X, y = bp.data.datasets.{_GENERATORS[s.dataset]}(n_samples={s.points}, noise={s.noise / 100!r}, "
                "random_state=rng)"]
    points = network.points
    rows = ",\n    ".join(f"[{float(a)!r}, {float(b)!r}]" for a, b in points.X)
    dtype = "np.float64" if points.classes is None else "np.int64"
    labels = ", ".join(repr(float(v)) if points.classes is None else str(int(v)) for v in points.y)
    lines = [f"X = np.array([\n    {rows}])", f"y = np.array([{labels}], dtype={dtype})"]
    if points.classes is not None:
        lines.append(f"# classes: {', '.join(f'{i} = {name!r}' for i, name in enumerate(points.classes))}")
    return lines


def _model_lines(network):
    s = network.settings
    layers, width = [], len(s.features)
    for size, activation in zip(s.layers, s.activations):
        layers.append(f"nn.Linear({width}, {size}),")
        if s.batchnorm:
            layers.append(f"nn.BatchNorm1d({size}),")
        layers.append(f"nn.{ACTIVATION_MODULES[activation].__name__}(),")
        if s.dropout > 0:
            layers.append(f"nn.Dropout({s.dropout!r}),")
        width = size
    layers.append(f"nn.Linear({width}, {n_outputs(s, network.classes)}))")
    lines = ["with bp.random.use_generator(rng):", "    model = nn.Sequential("]
    lines += [f"        {layer}" for layer in layers]
    if s.init != "default":
        lines += ["    for layer in model:", "        if isinstance(layer, nn.Linear):",
                  f"            nn.init.{INIT_FUNCTIONS[s.init]}(layer.weight)",
                  "            nn.init.zeros_(layer.bias)"]
    return lines


def _loss_lines(network):
    s = network.settings
    if s.problem == "regression":
        return ["loss_fn = nn.MSELoss()", "y_train = bp.tensor(y[train].reshape(-1, 1), dtype=np.float32)"]
    if len(network.classes) == 2:
        return ["loss_fn = nn.BCEWithLogitsLoss()", "y_train = bp.tensor(y[train].reshape(-1, 1), dtype=np.float32)"]
    return ["loss_fn = nn.CrossEntropyLoss()", "y_train = bp.tensor(y[train], dtype=np.int64)"]


def _objective_lines(network):
    s = network.settings
    lines = ["def objective(x, target):", "    out = model(x)"]
    if s.problem == "classification":
        lines.append(f"    out = out / {s.temperature!r}  # the temperature: logits divided by T")
    lines.append("    loss = loss_fn(out, target)")
    if s.reg != "none" and s.regrate > 0:
        term = "w.abs().sum()" if s.reg == "l1" else "(w * w).sum() * 0.5"
        lines += ["    terms = [" + term + " for w in (m.weight for m in model if isinstance(m, nn.Linear))]",
                  f"    loss = loss + {s.regrate!r} * sum(terms[1:], terms[0])  # {s.reg.upper()} on the weights"]
    return lines + ["    return loss"]


def _edit_lines(network):
    if not network.edits:
        return ["EDITS = {}"]
    by_step = {}
    for step, name, index, value in network.edits:
        by_step.setdefault(step, []).append(f"({name!r}, {index!r}, {value!r})")
    body = ",\n    ".join(f"{step}: [{', '.join(edits)}]" for step, edits in by_step.items())
    return ["# Weights typed by hand in the page: batches done → (parameter, index, value) set then.",
            f"EDITS = {{\n    {body}}}"]


def export_script(network):
    """The script's text for ``network`` (a :class:`~.network.Network`) as it is now."""
    s = network.settings
    name, options = OPTIMIZERS[s.optimizer]
    extra = "".join(f", {k}={v!r}" for k, v in options.items())
    features = ", ".join(FEATURE_FORMULAS[f] for f in s.features)
    skip = ["            if len(batch) < 2:  # batch norm needs two rows to normalise", "                continue"]
    lines = [
        '"""A network trained in backprop\'s playground, rebuilt and retrained from its seed.',
        "",
        *textwrap.wrap("Settings: " + ", ".join(f"{k}={v}" for k, v in s.to_dict().items()), 100),
        f"Seed {network.seed}, {network.steps} batches. Run it with `python <this file>`: it trains the same network",
        "and writes its weights to playground-weights.safetensors, bitwise equal to the page's.",
        '"""',
        "import numpy as np",
        "",
        "import backprop as bp",
        "from backprop import nn",
        "",
        f"SEED, STEPS, BATCH = {network.seed}, {network.steps}, {s.batch}  # STEPS: {network.epoch} epoch(s) of "
        f"{-(-len(network.x_train) // s.batch)} batches, then {-(-network.cursor // s.batch)}",
        "rng = np.random.default_rng(SEED)  # every draw, in order: data, split, weights, dropout, batches",
        *_data_lines(network),
        "order = rng.permutation(len(X))",
        f"train = order[:{len(network.train_index)}]  # {s.ratio} % of the points for training, the rest to test",
        "x1, x2 = X[:, 0], X[:, 1]",
        f"x_train = np.column_stack([{features}]).astype(np.float32)[train]",
        *_loss_lines(network),
        *_model_lines(network),
        f"optimizer = bp.optim.{name}(model.parameters(), lr={s.lr!r}{extra})",
        "",
        "",
        *_objective_lines(network),
        "",
        "",
        *_edit_lines(network),
        "params = dict(model.named_parameters())",
        "",
        "",
        "def edit(step):",
        "    for name, index, value in EDITS.get(step, []):",
        "        params[name].data[index] = value",
        "",
        "",
        "step = 0",
        "while step < STEPS:  # an epoch: a new random order of the training points, then its batches",
        "    model.train()",
        "    with bp.random.use_generator(rng):",
        "        order = rng.permutation(len(x_train))",
        "        for start in range(0, len(order), BATCH):",
        "            if step == STEPS:  # the page stopped inside this epoch",
        "                break",
        "            edit(step)",
        "            batch = order[start:start + BATCH]",
        "            step += 1",
        *(skip if s.batchnorm else []),
        "            optimizer.zero_grad()",
        "            loss = objective(bp.tensor(x_train[batch]), y_train[batch])",
        "            loss.backward()",
        "            optimizer.step()",
        "edit(STEPS)",
        "",
        'bp.save(model, "playground-weights.safetensors")',
        'print(f"trained {STEPS} batches; weights in playground-weights.safetensors")',
    ]
    return "\n".join(lines) + "\n"

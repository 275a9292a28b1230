"""``backprop demo``: backpropagation shown on the course's first examples."""
import numpy as np

import backprop as bp
from backprop.explain._format import pad, width

LOCAL_MINIMUM_GRADIENT = 1e-2  # a gradient norm below this after training: stuck, not still learning

WORDS = {  # every sentence the demo prints, by language (--lang)
    "en": {
        "graph": "1. The computational graph of f(x, y) = x² + xy + (x + y)²",
        "forward": "forward", "backward": "backward", "by_hand": "by hand",
        "paths": "   x feeds three paths (x², xy, (x + y)²); backprop sums their contributions.\n",
        "xor": "2. A two-layer network learns XOR (2 inputs → {hidden} sigmoid units → 1 sigmoid output, log loss)",
        "epoch": "epoch", "loss": "loss", "target": "target", "correct": "correct",
        "plateau": "   XOR is not learned yet: every output is still ≈ 0.5, the plateau where training starts "
                   "(loss {loss}). Train longer (--epochs) or raise the learning rate (--lr).",
        "local_minimum": "   XOR is not learned: gradient descent ended in a local minimum (loss {loss}, gradient "
                         "norm {norm}),\n   where these initial weights lead. Try another seed (--seed) or more "
                         "hidden units (--hidden {more}).",
        "not_yet": "   XOR is not learned yet (loss {loss}, gradient norm {norm}): train longer (--epochs) or "
                   "change the learning rate (--lr).",
    },
    "ru": {
        "graph": "1. Вычислительный граф f(x, y) = x² + xy + (x + y)²",
        "forward": "прямой ход", "backward": "обратный ход", "by_hand": "вручную",
        "paths": "   x входит в три пути (x², xy, (x + y)²); обратное распространение суммирует их вклады.\n",
        "xor": "2. Двухслойная сеть учит XOR (2 входа → {hidden} сигмоидных нейронов → 1 сигмоидный выход,\n"
               "   логистическая функция потерь)",
        "epoch": "эпоха", "loss": "потери", "target": "цель", "correct": "верно",
        "plateau": "   XOR ещё не выучен: все выходы всё ещё ≈ 0.5, на плато, с которого начинается обучение "
                   "(потери {loss}). Обучайте дольше (--epochs) или увеличьте шаг обучения (--lr).",
        "local_minimum": "   XOR не выучен: градиентный спуск остановился в локальном минимуме (потери {loss}, "
                         "норма градиента {norm}),\n   куда ведут эти начальные веса. Попробуйте другое зерно "
                         "(--seed) или больше скрытых нейронов (--hidden {more}).",
        "not_yet": "   XOR ещё не выучен (потери {loss}, норма градиента {norm}): обучайте дольше (--epochs) или "
                   "измените шаг обучения (--lr).",
    },
}


def chain_rule_example(x0, y0, lang="en"):
    """f(x, y) = x² + xy + (x + y)²: the gradient by backprop and by the course's formulas."""
    words = WORDS[lang]
    print(words["graph"])
    x = bp.tensor(x0, dtype=np.float64, requires_grad=True)
    y = bp.tensor(y0, dtype=np.float64, requires_grad=True)
    f = x**2 + x * y + (x + y) ** 2
    f.backward()
    side = max(width(words["forward"]), width(words["backward"])) + 1
    print(f"   {pad(words['forward'] + ':', side)} f({x0:g}, {y0:g}) = {f.item():g}")
    by_hand = 2 * x0 + y0 + 2 * (x0 + y0)
    hand = words["by_hand"]
    print(f"   {pad(words['backward'] + ':', side)} ∂f/∂x = {x.grad.item():g}   ({hand}: 2x + y + 2(x + y) = "
          f"{by_hand:g})")
    print(f"   {pad('', side)} ∂f/∂y = {y.grad.item():g}   ({hand}: x + 2(x + y) = {x0 + 2*(x0 + y0):g})")
    print(words["paths"])


def xor_example(epochs, lr, seed, hidden=2, lang="en"):
    """A 2-``hidden``-1 network with sigmoid activations learns XOR by full-batch gradient descent."""
    words = WORDS[lang]
    print(words["xor"].format(hidden=hidden))
    bp.manual_seed(seed)
    X = bp.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = bp.tensor([[0], [1], [1], [0]], dtype=np.float64)
    W1 = (bp.randn(2, hidden, dtype=np.float64) * 1.0).requires_grad_()
    b1 = bp.zeros(hidden, dtype=np.float64, requires_grad=True)
    W2 = (bp.randn(hidden, 1, dtype=np.float64) * 1.0).requires_grad_()
    b2 = bp.zeros(1, dtype=np.float64, requires_grad=True)
    params = [W1, b1, W2, b2]
    report_at = {0, 1, 10, 100, epochs // 4, epochs // 2, epochs - 1}
    for epoch in range(epochs):
        h = bp.sigmoid(X @ W1 + b1)        # hidden layer: H = σ(X·W₁ + b₁)
        p = bp.sigmoid(h @ W2 + b2)        # output: p = σ(H·W₂ + b₂)
        loss = -(y * bp.log(p) + (1 - y) * bp.log(1 - p)).mean()
        for w in params:
            w.grad = None
        loss.backward()
        with bp.no_grad():
            for w in params:
                w -= lr * w.grad           # gradient-descent step: w ← w − η·∂L/∂w
        if epoch in report_at:
            print(f"   {words['epoch']} {epoch:5d}  {words['loss']} {loss.item():.6f}")
    with bp.no_grad():
        p = bp.sigmoid(bp.sigmoid(X @ W1 + b1) @ W2 + b2)
    target = words["target"].center(8)
    print(f"   x₁ x₂ |{target}| p(y = 1)")
    for xi, yi, pi in zip(X.data, y.data, p.data):
        print(f"   {xi[0]:.0f}  {xi[1]:.0f}  |{f'{yi[0]:.0f}'.center(len(target))}| {pi[0]:.4f}")
    correct = int(((p.data > 0.5) == (y.data > 0.5)).sum())
    print(f"   {correct}/4 {words['correct']}")
    if correct < 4:
        norm = float(np.sqrt(sum((np.asarray(w.grad) ** 2).sum() for w in params)))
        if np.all(np.abs(p.data - 0.5) < 0.1):
            print(words["plateau"].format(loss=f"{loss.item():.4f}"))
        elif norm < LOCAL_MINIMUM_GRADIENT:
            print(words["local_minimum"].format(loss=f"{loss.item():.4f}", norm=f"{norm:.1e}", more=hidden + 1))
        else:
            print(words["not_yet"].format(loss=f"{loss.item():.4f}", norm=f"{norm:.1e}"))
    return correct


def run_demo(args):
    lang = getattr(args, "lang", "en")
    with np.errstate(over="ignore", invalid="ignore"):  # a huge --x gives f = inf, printed as such
        chain_rule_example(args.x, args.y, lang)
    correct = xor_example(args.epochs, args.lr, args.seed, args.hidden, lang)
    return 0 if correct == 4 else 1

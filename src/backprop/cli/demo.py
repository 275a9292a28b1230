"""``backprop demo``: backpropagation shown on the course's first examples."""
import numpy as np

import backprop as bp

LOCAL_MINIMUM_GRADIENT = 1e-2  # a gradient norm below this after training: stuck, not still learning


def chain_rule_example(x0, y0):
    """f(x, y) = x² + xy + (x + y)²: the gradient by backprop and by the course's formulas."""
    print("1. The computational graph of f(x, y) = x² + xy + (x + y)²")
    x = bp.tensor(x0, dtype=np.float64, requires_grad=True)
    y = bp.tensor(y0, dtype=np.float64, requires_grad=True)
    f = x**2 + x * y + (x + y) ** 2
    f.backward()
    print(f"   forward:  f({x0:g}, {y0:g}) = {f.item():g}")
    by_hand = 2 * x0 + y0 + 2 * (x0 + y0)
    print(f"   backward: ∂f/∂x = {x.grad.item():g}   (by hand: 2x + y + 2(x + y) = {by_hand:g})")
    print(f"             ∂f/∂y = {y.grad.item():g}   (by hand: x + 2(x + y) = {x0 + 2*(x0 + y0):g})")
    print("   x feeds three paths (x², xy, (x + y)²); backprop sums their contributions.\n")


def xor_example(epochs, lr, seed, hidden=2):
    """A 2-``hidden``-1 network with sigmoid activations learns XOR by full-batch gradient descent."""
    print(f"2. A two-layer network learns XOR (2 inputs → {hidden} sigmoid units → 1 sigmoid output, log "
          "loss)")
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
            print(f"   epoch {epoch:5d}  loss {loss.item():.6f}")
    with bp.no_grad():
        p = bp.sigmoid(bp.sigmoid(X @ W1 + b1) @ W2 + b2)
    print("   x₁ x₂ | target | p(y = 1)")
    for xi, yi, pi in zip(X.data, y.data, p.data):
        print(f"   {xi[0]:.0f}  {xi[1]:.0f}  |   {yi[0]:.0f}    | {pi[0]:.4f}")
    correct = int(((p.data > 0.5) == (y.data > 0.5)).sum())
    print(f"   {correct}/4 correct")
    if correct < 4:
        norm = float(np.sqrt(sum((np.asarray(w.grad) ** 2).sum() for w in params)))
        if np.all(np.abs(p.data - 0.5) < 0.1):
            print(f"   XOR is not learned yet: every output is still ≈ 0.5, the plateau where training starts "
                  f"(loss {loss.item():.4f}). Train longer (--epochs) or raise the learning rate (--lr).")
        elif norm < LOCAL_MINIMUM_GRADIENT:
            print(f"   XOR is not learned: gradient descent ended in a local minimum (loss {loss.item():.4f}, "
                  f"gradient norm {norm:.1e}),\n   where these initial weights lead. Try another seed "
                  f"(--seed) or more hidden units (--hidden {hidden + 1}).")
        else:
            print(f"   XOR is not learned yet (loss {loss.item():.4f}, gradient norm {norm:.1e}): train longer "
                  "(--epochs) or change the learning rate (--lr).")
    return correct


def run_demo(args):
    chain_rule_example(args.x, args.y)
    correct = xor_example(args.epochs, args.lr, args.seed, args.hidden)
    return 0 if correct == 4 else 1

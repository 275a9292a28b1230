"""The computational graph of f(x, y) = x² + xy + (x + y)² and its derivatives as sums over paths.

Source: 001 (problem book), chapter 4 "Алгоритм обратного распространения ошибки", exercise 1
(after Nikolenko's book). Write one elementary operation per vertex, the local derivative on each
edge, and add up, over every path from x to f, the product of the derivatives along it:

    ∂f/∂x = 1·1·2x + 1·1·y + 1·2(x + y)·1 = 2x + y + 2(x + y),    ∂f/∂y = 1·1·x + 1·2(x + y)·1 = x + 2(x + y).

At (x, y) = (1, 2): ∂f/∂x = 2 + 2 + 6 = 10 and ∂f/∂y = 1 + 6 = 7, which backprop (reverse mode)
also gives. The course's slip: the exercise allows only + and × vertices while its solution uses
squaring vertices; written x·x, the square is a × vertex taking x twice, two parallel edges whose
derivatives x + x add up to the same 2x.

Run: python examples/ch4_chain_rule_graph.py
"""
import numpy as np

import backprop as bp


def f(x, y, square=lambda t: t ** 2):
    return square(x) + x * y + square(x + y)


def main():
    x = bp.tensor(1.0, dtype=np.float64, requires_grad=True)
    y = bp.tensor(2.0, dtype=np.float64, requires_grad=True)
    with bp.explain.trace(names={"x": x, "y": y}) as tr, bp.explain.record_graph():
        out = f(x, y)
        out.backward()
    print(tr)
    names = {"x": x, "y": y, "f": out}
    by_paths_x, by_paths_y = bp.explain.path_sum(out, x, names), bp.explain.path_sum(out, y, names)
    print(by_paths_x)
    print(by_paths_y)
    with bp.explain.record_graph():
        product_form = f(x, y, square=lambda t: t * t)
    by_products = bp.explain.path_sum(product_form, x, {"x": x, "y": y, "f": product_form})
    print("With x·x and (x + y)·(x + y) in place of the squares:")
    print(by_products)
    return {"f": out.item(), "df_dx": float(x.grad), "df_dy": float(y.grad),
            "paths_x": len(by_paths_x.paths), "paths_y": len(by_paths_y.paths),
            "path_sum_x": float(by_paths_x.total), "path_sum_y": float(by_paths_y.total),
            "paths_x_with_products": len(by_products.paths),
            "path_sum_x_with_products": float(by_products.total)}


if __name__ == "__main__":
    main()

"""``backprop graph "EXPRESSION" --at x=1,y=2``: the derivative graph of a formula and its gradient.

The expression is parsed with Python's ``ast`` and evaluated node by node on backprop tensors; only numbers,
the variables given with ``--at``, ``+ - * / **``, unary minus and the functions in ``FUNCTIONS`` are
accepted, so no code is ever run (no ``eval``).
"""
import ast
import math
import operator
import os

from .common import CLIError, check_output, number_list

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.Pow: operator.pow}
UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
CONSTANTS = {"pi": math.pi, "e": math.e}
FUNCTIONS = ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "softplus", "maximum",
             "minimum")
MAX_LENGTH = 1000

DESCRIPTION = f"""Build EXPRESSION from variables with values given by --at, draw its derivative graph (the
course's graph with the value and gradient at every node and the local derivative on every edge) and print
∂f/∂v for every variable. Allowed: numbers, variables, + - * / ** (and unary -), the constants pi and e, and
the functions {', '.join(FUNCTIONS)}. Example: backprop graph "x**2 + x*y + (x + y)**2" --at x=1,y=2"""


GRAPH_FORMATS = (".dot", ".svg", ".png", ".pdf")  # what -o writes (all but .dot through Graphviz's dot)

def add_parser(sub):
    p = sub.add_parser("graph", help="the derivative graph and gradient of a formula at a point",
                       description=DESCRIPTION)
    p.add_argument("expression", metavar="EXPRESSION", help='e.g. "x**2 + x*y + (x + y)**2"')
    p.add_argument("--at", required=True, metavar="VALUES", help="the point: name=value pairs, e.g. x=1,y=2")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="draw the graph to FILE: .dot (Graphviz text, always), .svg, .png or .pdf (through "
                        "Graphviz's dot; without it the DOT text is written next to FILE)")
    p.add_argument("--overwrite", action="store_true", help="replace FILE (or its .dot) if it exists")
    p.add_argument("--dot", action="store_true", help="print the DOT text instead of the table")
    p.add_argument("--lang", choices=["en", "ru"], default="en", help="language of the labels (default en)")
    p.set_defaults(handler=run)


def parse_point(text):
    """``"x=1,y=2"`` → {'x': 1.0, 'y': 2.0}."""
    point = {}
    for item in text.split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise CLIError(f"--at: {item.strip()!r} is not name=value (e.g. --at x=1,y=2)")
        if name in CONSTANTS or name in FUNCTIONS:
            raise CLIError(f"--at: {name!r} is a constant or function name, not a variable")
        if name in point:
            raise CLIError(f"--at: {name!r} is given twice")
        point[name] = number_list(value, f"--at {name}")[0]
    return point


def parse(expression):
    """The expression's syntax tree, checked against the whitelist (a ``CLIError`` names what is not
    allowed)."""
    if len(expression) > MAX_LENGTH:
        raise CLIError(f"the expression is longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(expression.strip(), mode="eval")
    except (SyntaxError, RecursionError, ValueError) as e:
        raise CLIError(f"cannot parse {expression!r}: {getattr(e, 'msg', e)}") from None
    for node in ast.walk(tree):
        allowed = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Call,
                                    *BINARY, *UNARY))
        if isinstance(node, ast.Constant):
            allowed = isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
        if isinstance(node, ast.Call):
            allowed = isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords
        if isinstance(node, ast.BitXor):
            raise CLIError("'^' is not a power here: use ** for powers (x**2)")
        if not allowed:
            what = ast.get_source_segment(expression.strip(), node) or type(node).__name__
            raise CLIError(f"{what!r} is not allowed in an expression: use numbers, variables, + - * / **, "
                           f"pi, e and {', '.join(FUNCTIONS)}")
    return tree


def evaluate(tree, variables):
    """The expression computed on backprop tensors (``variables``: name → Tensor)."""
    import numpy as np

    import backprop as bp

    def visit(node):
        if isinstance(node, ast.Expression):
            return visit(node.body)
        if isinstance(node, ast.Constant):
            return float(node.value)  # floats: 10**10**10 overflows instead of building a huge int
        if isinstance(node, ast.Name):
            if node.id in variables:
                return variables[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            raise CLIError(f"no value for {node.id!r}: give it with --at {node.id}=...")
        if isinstance(node, ast.BinOp):
            return BINARY[type(node.op)](visit(node.left), visit(node.right))
        if isinstance(node, ast.UnaryOp):
            return UNARY[type(node.op)](visit(node.operand))
        args = [visit(a) for a in node.args]
        fn = getattr(bp, node.func.id)
        try:
            return fn(*[a if isinstance(a, bp.Tensor) else bp.tensor(a, dtype=np.float64) for a in args])
        except TypeError:
            wanted = "two arguments" if node.func.id in ("maximum", "minimum") else "one argument"
            raise CLIError(f"{node.func.id} takes {wanted}, got {len(args)}") from None

    try:
        return visit(tree)
    except (OverflowError, ZeroDivisionError) as e:
        raise CLIError(f"the expression cannot be computed at this point: {e}") from None


def run(args):
    import numpy as np

    import backprop as bp

    point = parse_point(args.at)
    tree = parse(args.expression)
    if args.output:
        suffix = os.path.splitext(args.output)[1].lower()
        if suffix not in ("", *GRAPH_FORMATS):
            raise CLIError(f"-o {args.output}: a graph is written as {', '.join(GRAPH_FORMATS)}, not {suffix}")
        check_output(args.output, args.overwrite)
    used = sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(CONSTANTS) - set(FUNCTIONS))
    variables = {name: bp.tensor(value, dtype=np.float64, requires_grad=True) for name, value in point.items()
                 if name in used}
    for name, t in variables.items():
        t.name = name
    # log(-1) or x/0 are reported as nan or inf, not warned about; the graph's local derivatives are
    # computed when it is printed or drawn, so the whole command runs under errstate.
    with np.errstate(all="ignore"):
        return _show(args, point, tree, variables)


def _show(args, point, tree, variables):
    import backprop as bp
    from backprop.explain.graph import derivative_graph, record_graph

    with record_graph():
        f = evaluate(tree, variables)
    if not isinstance(f, bp.Tensor) or not f.requires_grad:
        raise CLIError(f"{args.expression!r} does not depend on any variable given with --at")
    graph = derivative_graph(f, names={**variables, "f": f}, lang=args.lang)
    if f.grad_fn is None:  # f is one of the variables: ∂f/∂f = 1
        grads = [1.0 if v is f else 0.0 for v in variables.values()]
    else:
        grads = [0.0 if g is None else g.item()
                 for g in bp.grad(f, list(variables.values()), allow_unused=True)]
    if args.dot:
        print(graph.to_dot(), end="")
    else:
        at = ", ".join(f"{k}={v:g}" for k, v in point.items())
        print(f"f({at}) = {args.expression} = {f.item():.10g}")
        for name, g in zip(variables, grads):
            print(f"∂f/∂{name} = {g + 0.0:.10g}")  # + 0.0: -0 prints as 0
        print()
        print(graph)
    if args.output:
        _draw(graph, args.output, args.overwrite, args.lang)
    return 0


def _draw(graph, output, overwrite, lang):
    """``graph.render(output)``, with its fallback .dot file checked like ``output`` and both written
    atomically."""
    from pathlib import Path

    from backprop.explain.i18n import labels
    from backprop.io import atomic_write

    path = Path(output)
    format = path.suffix.lstrip(".") or "svg"
    data = None if format == "dot" else graph.pipe(format)
    words = labels(lang)
    if data is None:
        if format != "dot":
            path = path.with_suffix(".dot")
            check_output(path, overwrite)
            note = words["graphviz_missing"].format(path=path, format=format.upper())
            print(f"{words['cli_note']}: {' '.join(note.split())}")
        data = graph.to_dot().encode("utf-8")
    atomic_write(path, data)
    print(f"{words['cli_wrote']} {path}")

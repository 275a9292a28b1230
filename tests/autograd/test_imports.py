"""The import graph runs one way: the engine's core (autograd/) imports nothing from ops/."""
import ast
import pathlib
import subprocess
import sys

AUTOGRAD = pathlib.Path(__file__).parents[2] / "src" / "backprop" / "autograd"


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            yield from (f"{base}.{a.name}" if node.module is None else base for a in node.names)
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def test_no_file_in_autograd_imports_ops():
    offenders = [f"{p.name}: {m}" for p in sorted(AUTOGRAD.glob("*.py")) for m in _imported_modules(p)
                 if m.startswith("..ops") or m.startswith("backprop.ops") or m in ("...ops",)]
    assert not offenders, offenders


def test_the_engine_imports_and_runs_without_the_ops_package():
    # Importing backprop.autograd pulls in the package's __init__ (which loads ops); so check instead that
    # no autograd module, once loaded, holds a reference to an ops module.
    code = ("import sys, types, backprop.autograd\n"
            "engine = [(n, m) for n, m in list(sys.modules.items()) if n.startswith('backprop.autograd')]\n"
            "bad = [f'{n}.{attr}' for n, m in engine for attr, v in vars(m).items()\n"
            "       if isinstance(v, types.ModuleType) and v.__name__.startswith('backprop.ops')]\n"
            "print(bad); assert not bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)

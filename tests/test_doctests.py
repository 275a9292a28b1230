"""Every docstring example in the package runs as a doctest: one test per module of ``backprop``.

The modules are found by walking the package's directory (not a list kept by hand), so a new module is
tested as soon as it exists. Each is imported with importlib; the only ones not imported are the
``__main__`` entry points, which run the command line when imported; the test below checks that they hold
no examples, so nothing is skipped silently.
"""
import ast
import doctest
import importlib
import io
import os
import pathlib

import pytest

import backprop

os.environ.setdefault("MPLBACKEND", "Agg")  # examples that draw must not open a window

PACKAGE_DIR = pathlib.Path(backprop.__file__).parent
OPTIONS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# Importing these runs the CLI (``raise SystemExit(main())``); test_entry_points_hold_no_examples checks them.
NOT_IMPORTED = {"backprop.__main__", "backprop.cli.__main__"}


def _module_name(path):
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = sorted(_module_name(p) for p in PACKAGE_DIR.rglob("*.py"))


def test_the_walk_finds_the_package():
    assert "backprop" in MODULES and "backprop.linalg" in MODULES and len(MODULES) > 50


@pytest.mark.parametrize("name", sorted(NOT_IMPORTED))
def test_entry_points_hold_no_examples(name):
    path = PACKAGE_DIR.parent.joinpath(*name.split(".")).with_suffix(".py")
    docstrings = [ast.get_docstring(node) or "" for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))]
    assert not any(">>>" in doc for doc in docstrings), f"{name} has examples that this test cannot run"


@pytest.mark.parametrize("name", [m for m in MODULES if m not in NOT_IMPORTED])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=OPTIONS)
    report = io.StringIO()
    saved_dtype = backprop.get_default_dtype()
    try:
        for test in finder.find(module, name):
            runner.run(test, out=report.write)
    finally:
        backprop.set_default_dtype(saved_dtype)  # an example that changes the default must not leak
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {name} failed:\n{report.getvalue()}"

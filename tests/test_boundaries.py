"""The engine's public boundary: outside ``autograd/``, the packages that watch or drive the engine use its
public API only (``grad_fn``, ``next_functions``, op observers, hooks that return handles).

No file under these packages reads the engine's private fields (``._ctx``, ``._out``, ``._vc``,
``Tensor._make``), walks Python frames or code objects (``sys._getframe``, ``__code__``,
``co_varnames``), or patches a method on an instance (``module.forward = …``,
``setattr(module, "forward", …)``). The failure lists every hit as file:line.
"""
import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "backprop"
PACKAGES = ("explain", "cli", "train", "nn", "optim", "linear_model", "data", "io", "jit", "distributed",
            "playground")

FORBIDDEN = {
    "._ctx": re.compile(r"\._ctx\b"),
    "._out": re.compile(r"\._out\b"),
    "._vc": re.compile(r"\._vc\b"),
    "._make(": re.compile(r"\._make\("),
    "sys._getframe": re.compile(r"\b_getframe\b"),
    "__code__": re.compile(r"\b__code__\b"),
    "co_varnames": re.compile(r"\bco_varnames\b"),
}
# Replacing a method on an instance: `obj.forward = …`, `object.__setattr__(m, "forward", …)`,
# `setattr(m, "step", …)`, `m.__dict__["forward"] = …` (not `self.x = …` in a constructor, nor `==`).
_METHODS = r"(?:forward|backward|step|update|__call__|zero_grad|train|eval|apply)"
PATCHING = [
    re.compile(rf"^\s*(?!self\.|cls\.)[A-Za-z_][\w.\[\]]*\.{_METHODS}\s*=(?!=)"),
    re.compile(rf"""setattr(?:__)?\([^,]+,\s*["']{_METHODS}["']"""),
    re.compile(rf"""__dict__\[["']{_METHODS}["']\]\s*=(?!=)"""),
]


def _hits():
    hits = []
    for package in PACKAGES:
        for path in sorted((SRC / package).rglob("*.py")):
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                found = [name for name, pattern in FORBIDDEN.items() if pattern.search(code)]
                found += ["patches a method on an instance" for p in PATCHING if p.search(code)]
                hits += [f"{path.relative_to(SRC.parent)}:{n}: {what}: {line.strip()}" for what in found]
    return hits


def test_no_package_outside_autograd_reads_engine_internals_or_patches_instances():
    hits = _hits()
    assert not hits, "engine internals used outside autograd/ (see tests/test_boundaries.py):\n" + "\n".join(hits)


def test_the_scan_finds_what_it_looks_for(tmp_path):
    lines = ["y = t._ctx", "out = ctx._out()", "p._vc[0] += 1", "Tensor._make(a, None)",
             "sys._getframe(1)", "f.__code__.co_varnames", "module.forward = wrapped",
             'object.__setattr__(module, "forward", f)', "setattr(opt, 'step', f)"]
    for line in lines:
        code = line.split("#", 1)[0]
        assert any(p.search(code) for p in FORBIDDEN.values()) or any(p.search(code) for p in PATCHING), line
    for fine in ["self.forward = forward", "if x.forward == y:", "t.grad_fn", "Tensor.wrap(a)",
                 "self._output = 1", "# p._vc[0] += 1 (a comment)"]:
        code = fine.split("#", 1)[0]
        assert not any(p.search(code) for p in FORBIDDEN.values()), fine
        assert not any(p.search(code) for p in PATCHING), fine

"""The views of a trace: console table, Markdown, LaTeX and JSON, in English and Russian; large arrays
summarised in the views and whole in JSON; LaTeX well-formed, formulas converted to math."""
import json
import re

import numpy as np
import pytest

import backprop as bp
from backprop.autograd.function import Function
from backprop.explain import latex


@pytest.fixture(scope="module")
def course_trace():
    x = bp.tensor(1.0, requires_grad=True, dtype=np.float64)
    y = bp.tensor(2.0, requires_grad=True, dtype=np.float64)
    with bp.explain.trace(names={"x": x, "y": y}) as tr:
        f = x**2 + x * y + (x + y) ** 2
        f.backward()
    return tr


@pytest.fixture(scope="module")
def training_trace():
    bp.manual_seed(1)
    model = bp.nn.Sequential(bp.nn.Linear(3, 2), bp.nn.Sigmoid())
    X = bp.randn(6, 3)
    opt = bp.optim.Adam(model.parameters(), lr=0.1, betas=(0.9, 0.9))
    with bp.explain.trace(model=model, names={"X": X}, threshold=8) as tr:
        bp.F.mse_loss(model(X), bp.zeros(6, 2)).backward()
        opt.step()
    return tr, X


def test_text_english(course_trace):
    text = str(course_trace)
    for label in ("Forward pass", "Backward pass", "Gradients of the leaves", "formula", "upstream gradient",
                  "gradient shape"):
        assert label in text
    assert "z = a^b" in text and "da = dz · b · a^(b−1)" in text
    assert "v6 = 12" in text and "∂L/∂x = 10" in text and "∂L/∂y = 7" in text
    assert "a: x = 1" in text and "a: ∂L/∂v4 = 6" in text


def test_text_and_markdown_russian(course_trace, training_trace):
    text = course_trace.to_text(lang="ru")
    for label in ("Прямой проход", "Обратный проход", "Градиенты листьев", "формула", "градиент сверху",
                  "форма градиента"):
        assert label in text
    assert "∂L/∂x = 10" in text and "Forward pass" not in text
    tr = training_trace[0]
    en = tr.to_text("en", threshold=8, precision=6, layout="table")
    update_header = next(ln for ln in en.splitlines() if ln.startswith("# | optimizer"))
    assert [h.strip() for h in update_header.split(" | ")[-2:]] == ["shape", "gradient shape"]
    md = training_trace[0].to_markdown(lang="ru")
    assert "### Шаг оптимизатора" in md and "гиперпараметры" in md and "m̂ ← m/(1 − β₁ᵗ)" in md
    assert "### Прямой проход" in md and "| № | операция | формула |" in md


def test_markdown_tables(course_trace):
    md = course_trace.to_markdown()
    assert md.count("### ") == 3
    rows = [ln for ln in md.splitlines() if ln.startswith("| ")]
    header = rows[0]
    assert header.startswith("| # | op | formula | inputs | output | shape | gradient shape |")
    assert all(r.count(" | ") + 1 >= 5 for r in rows)  # every row is a table row
    assert "`12`" in md and "<br>" in md


def test_large_arrays_summarised_in_views_whole_in_json(training_trace):
    tr, X = training_trace
    text = tr.to_text()
    assert "shape (6, 3), mean " in text and "min " in text and "max " in text
    assert f"{X.data.ravel()[0]:.3g}" in text
    assert "среднее" in tr.to_text(lang="ru") and "макс" in tr.to_text(lang="ru")
    whole = tr.to_text(threshold=100)
    assert "shape (6, 3)" not in whole and "(6, 3)" in whole
    data = json.loads(tr.to_json())
    np.testing.assert_array_equal(data["events"][0]["inputs"][0]["value"], X.data)
    assert data["events"][0]["output"]["shape"] == [6, 2] and data["events"][0]["grad_shape"] == [6, 2]


def test_json_labels_and_round_trip(training_trace):
    tr = training_trace[0]
    data = json.loads(tr.to_json(lang="ru", indent=1))
    assert data["format"] == "backprop.explain.trace" and data["lang"] == "ru"
    assert data["labels"]["update"] == "Шаг оптимизатора"
    assert data == json.loads(json.dumps(data))
    update = next(e for e in data["events"] if e["kind"] == "update")
    assert set(update) >= {"optimizer", "param", "before", "grad", "state", "after", "hyperparameters",
                           "formula"}
    assert update["state"]["step"] == 1 and update["shape"] == [2, 3]


def _check_latex(tex):
    """Environments nest and close, braces balance, $ … $ pair up on every line."""
    stack = []
    for kind, env in re.findall(r"\\(begin|end)\{(\w+\*?)\}", tex):
        if kind == "begin":
            stack.append(env)
        else:
            assert stack and stack.pop() == env, env
    assert stack == []
    bare = re.sub(r"\\[{}$%#&_]", "", tex)
    depth = 0
    for c in bare:
        depth += {"{": 1, "}": -1}.get(c, 0)
        assert depth >= 0
    assert depth == 0
    for line in bare.splitlines():
        assert line.count("$") % 2 == 0, line


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_latex_well_formed(course_trace, training_trace, lang):
    for tr in (course_trace, training_trace[0]):
        tex = tr.to_latex(lang=lang)
        _check_latex(tex)
        assert r"\begin{tabular}" in tex and r"\subsection*" in tex
    tex = course_trace.to_latex(lang=lang, standalone=True)
    _check_latex(tex)
    assert tex.startswith(r"\documentclass{article}") and tex.rstrip().endswith(r"\end{document}")
    assert ("T2A" in tex) == (lang == "ru")
    assert r"$\partial L/\partial x = 10$" in tex and r"$z=a^{b}$" in tex
    assert (r"\subsection*{Прямой проход}" in tex) == (lang == "ru")
    matrices = training_trace[0].to_latex(lang=lang)
    assert r"\begin{pmatrix}" in matrices and r"\mathtt{0.weight}" in matrices


@pytest.mark.parametrize("unicode, tex", [
    ("dx = dy · y · (1 − y)", r"\mathrm{d}x=\mathrm{d}y\cdot y\cdot (1-y)"),
    ("dX = dZ·W,  dW = dZᵀ·X,  db = Σ dZ",
     (r"\mathrm{d}X=\mathrm{d}Z\cdot W,\quad \mathrm{d}W=\mathrm{d}Z^{\top }\cdot X,\quad "
     r"\mathrm{d}b=\sum \mathrm{d}Z")),
    ("da = dz · b · a^(b−1)", r"\mathrm{d}a=\mathrm{d}z\cdot b\cdot a^{b-1}"),
    ("x̂ = (x − μ) / √(σ² + ε)", r"\hat{x}=(x-\mu )/\sqrt{\sigma ^{2}+\varepsilon}"),
    ("dŷ = 2(ŷ − y)/N · dℓ", r"\mathrm{d}\hat{y}=2(\hat{y}-y)/N\cdot \mathrm{d}\ell"),
    ("m̂ ← m/(1 − β₁ᵗ)", r"\hat{m}\leftarrow m/(1-\beta _{1}^{t})"),
    ("g ← −grad if maximize else grad", (r"g\leftarrow -\mathrm{grad}\ \mathrm{if}\ \mathrm{maximize}\ "
                                        r"\mathrm{else}\ \mathrm{grad}")),
    ("dx = dy · X⁻ᵀ", r"\mathrm{d}x=\mathrm{d}y\cdot X^{-\top }"),
])
def test_latex_formulas(unicode, tex):
    assert latex.formula(unicode) == tex


def _all_ops():
    seen, todo = set(), [Function]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return seen


def test_every_declared_formula_becomes_ascii_latex():
    import backprop.nn  # noqa: F401  (loads the layer and loss ops)
    formulas = [f for op in _all_ops() for f in (op.formulas()[0], *op.formulas()[1].values(),
                                                 *op.intermediates.values()) if f]
    formulas += [ln.strip() for o in (bp.optim.SGD, bp.optim.Adam, bp.optim.RMSprop, bp.optim.Adagrad)
                 for ln in o.algorithm.splitlines()]
    assert len(formulas) > 50
    for f in formulas:
        tex = latex.formula(f)
        assert tex.isascii(), (f, tex)
        _check_latex(f"${tex}$")


def test_latex_names():
    assert latex.name("x0") == "x_{0}" and latex.name("v12") == "v_{12}" and latex.name("W") == "W"
    assert latex.name("fc_1.weight") == r"\mathtt{fc\_1.weight}"


def test_unknown_language_and_empty_trace():
    with bp.explain.trace() as tr:
        pass
    assert tr.to_text() == "Nothing was recorded." and tr.to_text(lang="ru") == "Ничего не записано."
    _check_latex(tr.to_latex(standalone=True))
    with pytest.raises(ValueError, match=r"lang must be one of \['en', 'ru'\], got 'de'"):
        tr.to_markdown(lang="de")

"""Russian everywhere (issue 13, item 9): with ``lang="ru"`` every word a trace's views and ``backprop
explain`` write is Russian, identifiers (ops, optimizers, parameters, formulas) as they are; the
optimizers' pseudo-code translated at render time; the trace's reason codes and in-place updates in
both languages; LaTeX from its first line."""
import copy
import re
import warnings

import numpy as np
import pytest

import backprop as bp
from backprop.explain import i18n, render
from tests.cli._helpers import cli

ENGLISH = ("network:", "loss =", "on the first step", "on later steps", "in the notation", "forward pass",
           "backward pass", "optimizer step", "gradients of the leaves", "a leaf's gradient", "hyperparameters",
           "upstream gradient", "gradient passed")


def _english_in(text):
    low = text.lower()
    return [w for w in ENGLISH if w in low]


@pytest.fixture(scope="module")
def sgd_trace():
    bp.manual_seed(0)
    model = bp.nn.Sequential(bp.nn.Linear(2, 2), bp.nn.Sigmoid(), bp.nn.Linear(2, 1))
    opt = bp.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    X = bp.tensor([[1.0, 2.0]], dtype=np.float64)
    model.double()
    with bp.explain.trace(model=model, names={"x": X}) as tr:
        bp.F.mse_loss(model(X), bp.tensor([[0.5]], dtype=np.float64)).backward()
        opt.step()
    return tr


@pytest.mark.parametrize("layout", ["blocks", "table"])
def test_trace_views_in_russian_have_no_english(sgd_trace, layout):
    tr = sgd_trace
    text = tr.to_text("ru", 16, 6, layout=layout)
    assert _english_in(text) == []
    assert _english_in(tr.to_text(lang="ru")) == []
    assert _english_in(tr.to_markdown(lang="ru")) == []
    for english in (tr.to_text(), tr.to_markdown()):
        assert "on the first step" in english and "hyperparameters" in english
    assert "на первом шаге" in text and "если momentum ≠ 0:" in text and "SGD" in text and "0.weight" in text


@pytest.mark.parametrize("optimizer", [bp.optim.SGD, bp.optim.Adam, bp.optim.RMSprop, bp.optim.Adagrad,
                                       bp.optim.LBFGS])
def test_every_optimizer_algorithm_translates(optimizer):
    ru = i18n.algorithm(optimizer.algorithm, "ru")
    words = {w.strip("(),:;") for w in ru.split()}
    assert not words & {"if", "else", "otherwise", "and", "on", "the", "first", "later", "steps", "start",
                        "starts", "repeat", "stop", "evaluate", "when", "then"}
    assert i18n.algorithm(optimizer.algorithm, "en") == optimizer.algorithm
    assert "maximize" in ru or optimizer is bp.optim.LBFGS  # hyperparameter names stay


def test_cli_explain_russian_has_no_english(capsys):
    for optimizer in ("sgd", "adam", "rmsprop"):
        code, out, _ = cli(capsys, "explain", "--lang", "ru", "--optimizer", optimizer)
        assert code == 0 and _english_in(out) == [], (optimizer, _english_in(out))
        assert "сеть: MLP(" in out and "функция потерь = " in out and "Прямой проход" in out
    code, out, _ = cli(capsys, "explain", "--lang", "ru", "--format", "markdown")
    assert code == 0 and _english_in(out) == []


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_latex_is_latex_from_its_first_line(capsys, sgd_trace, lang):
    code, out, _ = cli(capsys, "explain", "--lang", lang, "--format", "latex")
    assert code == 0 and out.lstrip() == out and out.startswith(("%", "\\"))
    assert all(ln.startswith("%") for ln in out.split("\\subsection*")[0].splitlines() if ln.strip())
    tex = sgd_trace.to_latex(lang=lang)
    assert tex.startswith(("%", "\\"))
    assert sgd_trace.to_latex(lang=lang, standalone=True).startswith("\\documentclass")
    if lang == "ru":
        assert _english_in(out) == []


def _with_reason(tr):
    events = copy.deepcopy(tr.events)
    first = next(e for e in events if e["kind"] == "forward")
    first.update(recorded=False, reason="no_grad")
    update = {"kind": "inplace_update", "index": len(events) + 1, "name": "W", "op": "sub_",
              "before": np.array([1.0, 2.0]), "after": np.array([0.5, 1.5]), "reason": "no_grad"}
    return events + [update, dict(update, reason=None, index=len(events) + 2)]


@pytest.mark.parametrize("layout", ["blocks", "table"])
def test_reasons_and_inplace_updates_in_both_languages(sgd_trace, layout):
    events = _with_reason(sgd_trace)
    en = render.to_text(events, [], "en", 16, 6, layout=layout)
    ru = render.to_text(events, [], "ru", 16, 6, layout=layout)
    assert "recording was off (no_grad)" in en and "In-place updates" in en and "W" in en
    assert "запись была выключена (no_grad)" in ru and "Обновления на месте" in ru
    assert "[0.5, 1.5]" in en and "[0.5, 1.5]" in ru and _english_in(ru) == []
    md = render.to_markdown(events, [], "ru", 16, 6)
    assert "Обновления на месте" in md
    assert "Обновления на месте" in render.to_latex(events, [], "ru", 16, 6)
    # without the codes: the general label, and unknown event kinds are left out
    plain = [dict(e, reason=None) for e in events if e["kind"] != "inplace_update"]
    assert "no input requires grad" in render.to_text(plain + [{"kind": "future_kind"}], [], "en", 16, 6)


def test_course_exercise_table_in_russian():
    result = bp.explain.course_exercise()
    ru = result.table(lang="ru")
    assert ru.splitlines()[0].split()[:2] == ["метод", "t"] and "все" in ru and "w курса" in ru
    assert "course's" not in ru and "method" not in ru and "Nesterov" in ru and "m̂" in ru
    assert result.table() == result.table(lang="en") and "w after" in result.table()
    assert "| метод |" in result.table(fmt="markdown", lang="ru")
    with pytest.raises(ValueError, match="lang"):
        result.table(lang="de")


def test_path_sum_in_russian():
    with bp.explain.record_graph():
        x = bp.tensor(1.0, requires_grad=True, dtype=np.float64)
        y = bp.tensor(2.0, requires_grad=True, dtype=np.float64)
        f = x**2 + x * y + (x + y) ** 2
    ru = str(bp.explain.path_sum(f, x, names={"x": x, "y": y}, lang="ru"))
    assert "как сумма по 3 путям" in ru and "сумма по путям: 2 + 2 + 6 = 10" in ru and "совпадает" in ru
    assert "paths" not in ru and "reverse mode" not in ru
    assert "sum over paths: 2 + 2 + 6 = 10" in str(bp.explain.path_sum(f, x, names={"x": x, "y": y}))


def _model():
    bp.manual_seed(0)
    return bp.nn.Sequential(bp.nn.Linear(2, 3), bp.nn.ReLU(), bp.nn.Linear(3, 1), bp.nn.Sigmoid())


def test_summary_in_russian():
    ru = bp.explain.summary(_model(), (4, 2), lang="ru")
    text = str(ru)
    assert "Модель" in text and "Всего параметров: 13" in text and "да" in text and "Linear" in text
    assert "params" not in text.lower() and "Layer" not in text
    assert "Всего параметров: 13" in ru.to_markdown()
    assert "Total params: 13" in str(bp.explain.summary(_model(), (4, 2)))


def test_diagnose_in_russian():
    model = _model()
    X, y = bp.randn(16, 2) - 5, bp.randn(16, 1) * 5
    ru = bp.explain.diagnose(model, X, y, bp.nn.MSELoss(), warn=False, lang="ru")
    text = str(ru)
    assert "Диагностика" in text and "Находки:" in text and "[output-range]" in text
    assert "Findings" not in text and "layer" not in text.lower().replace("слой", "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bp.explain.diagnose(model, X, y, bp.nn.MSELoss(), lang="ru")
    assert any("выход" in str(w.message) for w in caught if w.category is bp.explain.DiagnosticWarning)
    assert "Findings:" in str(bp.explain.diagnose(model, X, y, bp.nn.MSELoss(), warn=False))


def test_derivative_graph_labels_in_russian(capsys, tmp_path):
    with bp.explain.record_graph():
        x = bp.tensor(1.0, requires_grad=True, dtype=np.float64)
        y = bp.tensor(2.0, requires_grad=True, dtype=np.float64)
        f = x**2 + x * y
    ru = bp.explain.derivative_graph(f, names={"x": x, "y": y, "f": f}, lang="ru")
    text, dot = str(ru), ru.to_dot()
    assert "вершина" in text and "рёбра (локальные производные):" in text and "∂f/∂a = 1" in text
    assert "значение = 1" in dot and "градиент = 4" in dot and "value" not in text + dot
    assert "edges (local derivatives):" in str(bp.explain.derivative_graph(f, names={"x": x}))
    code, out, _ = cli(capsys, "graph", "x**2 + x*y", "--at", "x=1,y=2", "--lang", "ru")
    assert code == 0 and "рёбра (локальные производные):" in out and "∂f/∂x = 4" in out
    assert _english_in(out) == [] and "edges" not in out and "node" not in out
    with pytest.raises(ValueError, match="lang"):
        bp.explain.derivative_graph(f, lang="fr")


def test_network_formula_takes_lang():
    model = _model()
    en, ru = bp.explain.network_formula(model), bp.explain.network_formula(model, lang="ru")
    assert str(ru) == str(en) and str(ru).startswith("ŷ = ") and ru.lang == "ru"
    with pytest.raises(ValueError, match="lang"):
        bp.explain.network_formula(model, lang="xx")


def test_cli_demo_in_russian(capsys):
    code, out, _ = cli(capsys, "demo", "--lang", "ru", "--epochs", 200)
    assert "Вычислительный граф" in out and "прямой ход:" in out and "∂f/∂x = 10" in out and "эпоха" in out
    assert "верно" in out and "XOR" in out
    words = re.sub(r"--[a-z]+", "", out)  # option names stay
    for english in ("forward", "backward", "by hand", "epoch", "loss", "correct", "target", "learns"):
        assert english not in words, english
    code, out, _ = cli(capsys, "demo", "--epochs", 200)
    assert "forward:  f(1, 2) = 12" in out and "epoch" in out

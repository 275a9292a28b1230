"""Labels of the rendered explanations, in English and in Russian (the course's language).

Every word a rendering prints comes from :data:`LABELS`, so a new language is one more dict. The
optimizers' pseudo-code is declared once, in English, on each optimizer class (``algorithm``);
:func:`algorithm` translates its words at render time (:data:`ALGORITHM_PHRASES`), leaving the
formulas and the hyperparameters' names as they are.
"""
import re

LABELS = {
    "en": {
        "trace": "Trace",
        "forward": "Forward pass",
        "backward": "Backward pass",
        "update": "Optimizer step",
        "gradients": "Gradients of the leaves",
        "step": "#",
        "op": "op",
        "formula": "formula",
        "backward_formula": "backward formula",
        "inputs": "inputs",
        "output": "output",
        "value": "value",
        "gradient": "gradient",
        "shape": "shape",
        "grad_shape": "gradient shape",
        "upstream": "upstream gradient",
        "passed": "gradient passed to each input",
        "optimizer": "optimizer",
        "parameter": "parameter",
        "before": "before",
        "after": "after",
        "state": "state and intermediates",
        "hyperparameters": "hyperparameters",
        "leaf": "leaf",
        "mean": "mean",
        "min": "min",
        "max": "max",
        "none": "none",
        "no_graph": "not recorded (no input requires grad)",
        "outside": "recorded before the trace",
        "empty": "Nothing was recorded.",
        "sums_note": "A leaf's gradient is the sum of the gradients passed to it.",
        "inplace_update": "In-place updates",
        "tensor": "tensor",
        "note": "note",
        "reason_no_grad": "recording was off (no_grad)",
        "reason_no_input_requires_grad": "no input requires grad",
        "reason_not_differentiable": "the op is not differentiable",
        "not_recorded": "not recorded",
        "network": "network",
        "loss": "loss",
        "lr": "lr",
        "standardised": "standardised as the run's training data",
        "notation": "in the notation of the course's matrix backpropagation sheet",
        # course_exercise().table
        "descent_header": ("method", "t", "obs", "w before", "loss", "g", "state", "Δ", "w after"),
        "all": "all",
        "course_w": "course's w",
        "nesterov_note": ("Nesterov (PyTorch's form: its iterate θ is the course's look-ahead point w − α·v; "
                          "the course's iterate is w = θ + α·η·b)"),
        # path_sum
        "paths_title": "∂{out}/∂{inp} as a sum over {n} {paths} from {inp} to {out} (the product of the local "
                       "derivatives along each path):",
        "path_one": "path",
        "path_many": "paths",
        "takes": "{head} takes {tail}",
        "parallel_note": ("more than once: one edge and one path per input, and their derivatives add up, "
                          "as x·x gives x + x = 2x where a squaring vertex has one edge 2x"),
        "sum_over_paths": "sum over paths",
        "reverse_mode": "reverse mode",
        "equal": "equal",
        "different": "DIFFERENT",
        "count_line": ("{paths} paths; multiplications: {sum} for the sum over paths, {reverse} in reverse mode "
                       "(one per edge)"),
        # summary
        "summary_header": ("Layer (type)", "Output shape", "Param #", "", "Trainable"),
        "model": "Model",
        "input_shape": "input shape",
        "total_params": "Total params",
        "trainable_params": "Trainable params",
        "non_trainable_params": "Non-trainable params",
        "buffers": "Buffers (not learned, e.g. running statistics)",
        "yes": "yes",
        "no": "no",
        "partly": "partly",
        # diagnose
        "diagnostics_on": "Diagnostics on a batch of shape",
        "diagnosis_header": ("layer (type)", "output shape", "mean", "var", "dead", "saturated", "grad mean",
                             "grad var"),
        "findings": "Findings:",
        "no_findings": "No findings.",
        "graphviz_missing": ("Graphviz is not installed (no `dot` command on PATH), so the graph was written as "
                             "DOT text to {path} instead of {format}. Install Graphviz (apt install graphviz, "
                             "brew install graphviz or conda install graphviz) to draw it, or paste the DOT "
                             "text into any Graphviz viewer."),
        "cli_note": "note",
        "cli_wrote": "wrote",
        # derivative_graph
        "node": "node",
        "graph_grad": "grad",
        "graph_edges": "edges (local derivatives)",
        "graph_no_edges": "none: f is the variable itself",
        "graph_not_recorded": ("Values of intermediate nodes and local derivatives were not recorded: build "
                               "the graph inside `with bp.explain.record_graph():` to see them."),
    },
    "ru": {
        "trace": "Трассировка",
        "forward": "Прямой проход",
        "backward": "Обратный проход",
        "update": "Шаг оптимизатора",
        "gradients": "Градиенты листьев",
        "step": "№",
        "op": "операция",
        "formula": "формула",
        "backward_formula": "формула обратного хода",
        "inputs": "входы",
        "output": "выход",
        "value": "значение",
        "gradient": "градиент",
        "shape": "форма",
        "grad_shape": "форма градиента",
        "upstream": "градиент сверху",
        "passed": "градиент, переданный каждому входу",
        "optimizer": "оптимизатор",
        "parameter": "параметр",
        "before": "до",
        "after": "после",
        "state": "состояние и промежуточные величины",
        "hyperparameters": "гиперпараметры",
        "leaf": "лист",
        "mean": "среднее",
        "min": "мин",
        "max": "макс",
        "none": "нет",
        "no_graph": "не записано (ни один вход не требует градиента)",
        "outside": "записано до трассировки",
        "empty": "Ничего не записано.",
        "sums_note": "Градиент листа равен сумме переданных ему градиентов.",
        "inplace_update": "Обновления на месте",
        "tensor": "тензор",
        "note": "примечание",
        "reason_no_grad": "запись была выключена (no_grad)",
        "reason_no_input_requires_grad": "ни один вход не требует градиента",
        "reason_not_differentiable": "операция не дифференцируема",
        "not_recorded": "не записано",
        "network": "сеть",
        "loss": "функция потерь",
        "lr": "lr",
        "standardised": "стандартизовано, как обучающие данные запуска",
        "notation": "в обозначениях листка курса «обратное распространение в матричной форме»",
        # course_exercise().table
        "descent_header": ("метод", "t", "набл.", "w до", "потери", "g", "состояние", "Δ", "w после"),
        "all": "все",
        "course_w": "w курса",
        "nesterov_note": ("Nesterov (в форме PyTorch: его итерация θ — это точка заглядывания вперёд курса "
                          "w − α·v; итерация курса w = θ + α·η·b)"),
        # path_sum
        "paths_title": "∂{out}/∂{inp} как сумма по {n} {paths} от {inp} к {out} (произведение локальных "
                       "производных вдоль каждого пути):",
        "path_one": "пути",
        "path_many": "путям",
        "takes": "{head} получает {tail}",
        "parallel_note": ("более одного раза: по ребру и пути на каждый вход, и их производные складываются, "
                          "как x·x даёт x + x = 2x там, где у вершины возведения в квадрат одно ребро 2x"),
        "sum_over_paths": "сумма по путям",
        "reverse_mode": "обратный режим",
        "equal": "совпадает",
        "different": "НЕ СОВПАДАЕТ",
        "count_line": ("путей: {paths}; умножений: {sum} для суммы по путям, {reverse} в обратном режиме "
                       "(по одному на ребро)"),
        # summary
        "summary_header": ("Слой (тип)", "Форма выхода", "Параметров", "", "Обучается"),
        "model": "Модель",
        "input_shape": "форма входа",
        "total_params": "Всего параметров",
        "trainable_params": "Обучаемых параметров",
        "non_trainable_params": "Необучаемых параметров",
        "buffers": "Буферы (не обучаются, например скользящие статистики)",
        "yes": "да",
        "no": "нет",
        "partly": "частично",
        # diagnose
        "diagnostics_on": "Диагностика на батче формы",
        "diagnosis_header": ("слой (тип)", "форма выхода", "среднее", "дисп.", "мёртвые", "насыщены",
                             "ср. градиента", "дисп. градиента"),
        "findings": "Находки:",
        "no_findings": "Находок нет.",
        "graphviz_missing": ("Graphviz не установлен (команды `dot` нет в PATH), поэтому граф записан как текст "
                             "DOT в {path} вместо {format}. Установите Graphviz (apt install graphviz, brew "
                             "install graphviz или conda install graphviz), чтобы его нарисовать, или вставьте "
                             "текст DOT в любой просмотрщик Graphviz."),
        "cli_note": "примечание",
        "cli_wrote": "записано в",
        # derivative_graph
        "node": "вершина",
        "graph_grad": "градиент",
        "graph_edges": "рёбра (локальные производные)",
        "graph_no_edges": "нет: f — сама переменная",
        "graph_not_recorded": ("Значения промежуточных вершин и локальные производные не записаны: постройте "
                               "граф внутри `with bp.explain.record_graph():`, чтобы их увидеть."),
    },
}


def labels(lang):
    """The labels of ``lang`` (``'en'`` or ``'ru'``); ``ValueError`` naming the supported ones otherwise."""
    try:
        return LABELS[lang]
    except (KeyError, TypeError):
        raise ValueError(f"lang must be one of {sorted(LABELS)}, got {lang!r}") from None


# The English of the optimizers' pseudo-code (``optim.*.algorithm``), phrase by phrase, longest first;
# a phrase is replaced only where it stands as whole words.
ALGORITHM_PHRASES = {
    "ru": [
        ("on the very first iteration", "на самой первой итерации"),
        ("on the first step", "на первом шаге"),
        ("on later steps", "на следующих шагах"),
        ("G starts at initial_accumulator_value", "G вначале равно initial_accumulator_value"),
        ("m and v start at 0", "m и v вначале равны 0"),
        ("v starts at 0", "v вначале равно 0"),
        ("ḡ starts at 0", "ḡ вначале равно 0"),
        ("b starts at 0", "b вначале равно 0"),
        ("and v_max stands for v below", "и ниже v_max стоит вместо v"),
        ("Adam: L2 penalty", "Adam: штраф L2"),
        ("stored pairs", "сохранённые пары"),
        ("the pair", "пара"),
        ("is stored first if", "сначала сохраняется, если"),
        ("from strong_wolfe when", "из strong_wolfe, когда"),
        ("then f, g at θ", "затем f, g в точке θ"),
        ("stop after max_iter iterations or max_eval evaluations", "остановка после max_iter итераций или "
                                                                    "max_eval вычислений"),
        ("stop if", "остановка, если"),
        ("or if", "или если"),
        ("evaluate", "вычислить"),
        ("repeat", "повторять"),
        ("otherwise", "иначе"),
        ("else", "иначе"),
        ("if", "если"),
        ("and", "и"),
    ],
}


def algorithm(text, lang):
    """An optimizer's pseudo-code ``text`` (English, as declared) with its words in ``lang``."""
    labels(lang)
    for phrase, translated in ALGORITHM_PHRASES.get(lang, []):
        text = re.sub(r"(?<![\w.])" + re.escape(phrase) + r"(?![\w(])", translated, text)
    return text


# The diagnoses of ``explain.diagnose`` explained per code, in the languages other than English (whose
# findings carry their own detailed message); {layer} is the layer concerned, {share} a percentage.
FINDINGS = {
    "ru": {
        "dead-relu": "{share}нейронов слоя ReLU {layer} выдают 0 на каждом примере батча (мёртвые ReLU)",
        "saturated": "{share}значений слоя {layer} в насыщении: локальная производная меньше 10 % максимума",
        "vanishing-gradients": "градиент затухает от слоя к слою по пути ко входу (слой {layer}); проверьте "
                               "активации (насыщение) и инициализацию",
        "exploding-gradients": "градиент растёт от слоя к слою по пути ко входу (слой {layer}); проверьте "
                               "инициализацию и шаг обучения",
        "output-range": "значения выходного слоя не могут достичь целевых значений регрессии: используйте "
                        "линейный выход",
        "labels-as-regression": "регрессионная функция потерь на целочисленных метках классов: используйте "
                                "по выходу на класс и CrossEntropyLoss",
        "double-softmax": "softmax (или сигмоида) применяется дважды: выходным слоем и функцией потерь; "
                          "уберите выходной слой и подавайте логиты",
        "unflattened-input": "вход с более чем двумя осями доходит до слоя Linear {layer}: сначала "
                             "вытяните каждый пример в строку (nn.Flatten())",
        "stacked-linear": "слои Linear идут друг за другом без нелинейности (до слоя {layer}): вместе это один "
                          "слой Linear с W = W₂W₁ и b = W₂b₁ + b₂; поставьте между ними активацию",
        "constant-init": "у слоя Linear {layer} все веса равны и все смещения равны: его нейроны вычисляют "
                         "одно и то же, получают один градиент и остаются одинаковыми",
        "zero-init": "слой Linear {layer} инициализирован нулями: его нейроны вычисляют одно и то же, "
                     "получают один градиент и остаются одинаковыми",
        "redundant-units": "в слое Linear {layer} есть лишние нейроны: все входящие или исходящие веса ≈ 0, "
                           "или два нейрона с одинаковыми весами и смещением",
    },
}


def finding_message(finding, lang):
    """A diagnosis's message in ``lang``: its own (English) message, or the code's explanation."""
    labels(lang)
    template = FINDINGS.get(lang, {}).get(finding.code)
    if template is None:
        return finding.message
    share = (finding.details or {}).get("share")
    return template.format(layer=finding.layer, share="" if share is None else f"{100 * share:.0f} % ")

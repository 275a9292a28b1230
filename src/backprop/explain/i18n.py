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

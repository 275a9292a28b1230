"""Labels of the rendered explanations, in English and in Russian (the course's language).

Every word a rendering prints comes from :data:`LABELS`, so a new language is one more dict.
"""

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
    },
}


def labels(lang):
    """The labels of ``lang`` (``'en'`` or ``'ru'``); ``ValueError`` naming the supported ones otherwise."""
    try:
        return LABELS[lang]
    except (KeyError, TypeError):
        raise ValueError(f"lang must be one of {sorted(LABELS)}, got {lang!r}") from None

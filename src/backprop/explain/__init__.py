"""``bp.explain``: every number of backpropagation made visible, as the course computes it by hand.

* Traces: :func:`trace` records every op of a forward pass, every step of the backward pass and
  every optimizer update, rendered as a console table, Markdown, LaTeX or JSON, in English or
  Russian (``lang='ru'``).
* The derivative graph: :func:`derivative_graph` (values, gradients and the local derivative on
  each edge; Graphviz DOT, SVG/PNG when Graphviz is installed) and :func:`record_graph`.
* The sum over paths: :func:`path_sum`, and :func:`count_multiplications` against reverse mode.
* Models: :func:`summary` (layers, output shapes, parameter counts), :func:`check_model_gradients`
  (backprop against finite differences per parameter and layer), :func:`diagnose` (activation and
  gradient statistics, dead and saturated units, the course's architecture mistakes).
* Optimizers: :func:`compare_optimizers` and :func:`course_exercise` (the gradient-descent family
  side by side on a loss surface such as :func:`quadratic` or :func:`rosenbrock`).
* Networks as formulas: :func:`network_formula`, :func:`network_dot`; the universal-approximation
  construction :func:`step_network`; plots of activations and their derivatives.
"""
from .approximation import approximation_error, approximation_errors, step_network
from .descent import (METHODS, PRESETS, DescentComparison, DescentRun, LossSurface, compare_optimizers,
                      course_exercise, data_loss, quadratic, rosenbrock)
from .diagnostics import Diagnosis, DiagnosticWarning, Finding, LayerStats, diagnose
from .formula import NetworkFormula, dense_layers, network_dot, network_formula
from .graph import (DerivativeGraph, GraphEdge, GraphNode, GraphvizUnavailableWarning, derivative_graph,
                    record_graph)
from .model_check import GradientError, ModelGradcheckReport, check_model_gradients
from .paths import MultiplicationCount, Path, PathSum, count_multiplications, path_sum
from .plots import (ACTIVATIONS, activation_curve, draw_network, plot_activations, plot_approximation,
                    plot_steepening)
from .summary import LayerSummary, ModelSummary, summary, watch_calls
from .trace import Trace, trace

__all__ = [  # noqa: RUF022  (grouped by topic, as the docstring)
    # traces
    "Trace", "trace",
    # the derivative graph and the sum over paths
    "DerivativeGraph", "GraphEdge", "GraphNode", "GraphvizUnavailableWarning", "derivative_graph", "record_graph",
    "MultiplicationCount", "Path", "PathSum", "count_multiplications", "path_sum",
    # models
    "LayerSummary", "ModelSummary", "summary", "watch_calls",
    "GradientError", "ModelGradcheckReport", "check_model_gradients",
    "DiagnosticWarning", "Diagnosis", "Finding", "LayerStats", "diagnose",
    # the gradient-descent family
    "METHODS", "PRESETS", "DescentComparison", "DescentRun", "LossSurface", "compare_optimizers",
    "course_exercise", "data_loss", "quadratic", "rosenbrock",
    # networks as formulas, universal approximation, plots
    "NetworkFormula", "dense_layers", "network_dot", "network_formula",
    "approximation_error", "approximation_errors", "step_network",
    "ACTIVATIONS", "activation_curve", "draw_network", "plot_activations", "plot_approximation",
    "plot_steepening",
]

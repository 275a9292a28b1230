"""The glass box on recurrent networks: the trace of an unrolled LSTM cell gate by gate and step by step,
the derivative graph of a 3-step RNN (the shared weight: one edge per step, their sum the gradient), and
diagnose's gradient norm per time step."""
import numpy as np

import backprop as bp
from backprop import nn


def test_trace_shows_each_step_gate_by_gate_and_bptt_step_by_step():
    bp.manual_seed(0)
    cell = nn.LSTMCell(2, 2)
    x = bp.randn(2, 1, 2)
    with bp.explain.trace(model=cell, names={"x": x}) as tr:
        h = c = bp.zeros(1, 2)
        for t in range(2):
            h, c = cell(x[t], (h, c))
        h.sum().backward()
    steps = [e for e in tr.forward if e["op"] == "LSTMCell"]
    assert [list(e["intermediates"]) for e in steps] == [["i", "f", "g", "o", "c", "h"]] * 2
    text = tr.to_text()
    for gate in ("the input gate", "the forget gate", "the candidate", "the output gate"):
        assert text.count(gate) == 2
    # backward, latest step first: the gradient flowing into h_{t−1} and c_{t−1}, and each step's share of dW_hh
    later, earlier = [e for e in tr.backward if e["op"] == "LSTMCell"]
    into = {i["param"]: i for i in later["inputs"]}
    assert into["hx"]["formula"] == "dh = da·W_hh" and into["hx"]["grad"] is not None
    assert into["cx"]["formula"].startswith("dc = dc̃ ⊙ f") and into["cx"]["grad"] is not None
    share = [{i["param"]: i for i in e["inputs"]}["weight_hh"]["grad"] for e in (later, earlier)]
    np.testing.assert_allclose(share[0] + share[1], np.asarray(cell.weight_hh.grad), rtol=1e-5, atol=1e-7)
    grads = {g["name"]: g for g in tr.gradients}
    np.testing.assert_allclose(np.asarray(grads["weight_hh"]["grad"]), np.asarray(cell.weight_hh.grad), rtol=1e-6)


def test_derivative_graph_of_a_3_step_rnn_has_one_edge_per_step_into_the_shared_weight():
    bp.manual_seed(0)
    cell = nn.RNNCell(1, 1)
    xs = bp.randn(3, 1, 1)
    with bp.explain.record_graph():
        h = bp.zeros(1, 1)
        for t in range(3):
            h = cell(xs[t], h)
        loss = h.sum()
    graph = bp.explain.derivative_graph(loss, names={"W_hh": cell.weight_hh})
    w_node = next(n for n in graph.nodes if n.name == "W_hh")
    edges = [e for e in graph.edges if e.tail is w_node]
    assert len(edges) == 3  # W_hh enters the graph once per time step
    loss.backward()
    np.testing.assert_allclose(np.ravel(w_node.grad), np.ravel(np.asarray(cell.weight_hh.grad)), rtol=1e-6)


class _LastStep(nn.Module):
    def __init__(self, rnn):
        super().__init__()
        self.rnn, self.head = rnn, nn.Linear(rnn.hidden_size, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[-1])


def test_diagnose_reports_the_gradient_norm_per_time_step_and_vanishing_gradients():
    bp.manual_seed(0)
    rnn = nn.RNN(3, 8)
    for p in rnn.parameters():
        nn.init.uniform_(p, -0.05, 0.05)
    model = _LastStep(rnn)
    x, y = bp.randn(30, 4, 3), bp.randn(4, 1)
    d = bp.explain.diagnose(model, x, y, nn.MSELoss(), warn=False)
    norms = d.time_gradients["rnn"]
    assert norms.shape == (30,) and norms[0] < norms[-1]
    assert "vanishing-gradients-in-time" in d.codes
    assert "gradient norm per time step, layer rnn" in str(d)


def test_diagnose_reports_exploding_gradients_in_time():
    bp.manual_seed(0)
    rnn = nn.RNN(3, 8, nonlinearity="relu")
    nn.init.uniform_(rnn.weight_hh_l0, 0.3, 0.6)
    d = bp.explain.diagnose(_LastStep(rnn), bp.rand(12, 4, 3), bp.randn(4, 1), nn.MSELoss(), warn=False)
    assert "exploding-gradients-in-time" in d.codes

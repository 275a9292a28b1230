"""The model summary: parameter counts per layer and in total, output shapes, trainable or not."""
import numpy as np
import pytest

import backprop as bp
from backprop.explain.summary import summary, watch_calls

nn = bp.nn


def problem_book_network():
    return nn.Sequential(nn.Linear(12, 300), nn.ReLU(), nn.Linear(300, 200), nn.ReLU(),
                         nn.Linear(200, 100), nn.ReLU(), nn.Linear(100, 1))


def test_problem_book_parameter_count():
    # (12 + 1)·300 + (300 + 1)·200 + (200 + 1)·100 + (100 + 1)·1 = 84,301
    s = summary(problem_book_network(), (1, 12))
    assert s.total_params == 84_301 == s.trainable_params and s.non_trainable_params == 0
    assert [r.params for r in s.rows] == [3900, 0, 60200, 0, 20100, 0, 101]
    assert [r.output_shape for r in s.rows] == [(1, 300), (1, 300), (1, 200), (1, 200), (1, 100), (1, 100),
                                                (1, 1)]
    assert s.rows[0].formula == "(12 + 1)·300"
    text = str(s)
    assert "Total params: 84,301" in text and "(12 + 1)·300" in text and "0 (Linear)" in text
    assert "| 2 (Linear) | (1, 200) | 60,200 |" in s.to_markdown()


class Block(nn.Module):
    """A custom module with a parameter of its own and a submodule."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(bp.ones(4))
        self.inner = nn.Linear(4, 4, bias=False)

    def forward(self, x):
        return self.inner(x) * self.scale


LAYERS = [
    nn.Linear(4, 4), nn.Linear(4, 4, bias=False), nn.ReLU(), nn.LeakyReLU(0.1), nn.PReLU(), nn.PReLU(4),
    nn.Sigmoid(), nn.Tanh(), nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.Heaviside(), nn.Dropout(0.2),
    nn.BatchNorm1d(4), nn.BatchNorm1d(4, affine=False), nn.BatchNorm1d(4, bias=False), nn.Identity(),
    Block(),
]


@pytest.mark.parametrize("layer", LAYERS, ids=lambda m: repr(m).split("\n")[0])
def test_counts_equal_the_parameters_sizes_for_every_layer_type(layer):
    model = nn.Sequential(nn.Linear(3, 4), layer, nn.Flatten(), nn.Linear(4, 2))
    s = summary(model, (5, 3))
    assert s.total_params == sum(p.numel() for p in model.parameters())
    assert sum(r.params for r in s.rows) == s.total_params
    for row in s.rows:
        module = dict(model.named_modules())[row.name]
        assert row.params == sum(p.numel() for p in module.parameters(recurse=False))
    assert all(r.output_shape is not None for r in s.rows)


def test_a_bare_layer_and_a_custom_module():
    s = summary(nn.Linear(3, 2), (4, 3))
    assert [(r.name, r.params, r.output_shape) for r in s.rows] == [("model", 8, (4, 2))]
    s = summary(Block(), (2, 4))
    assert {r.name: r.params for r in s.rows} == {"model": 4, "inner": 16} and s.total_params == 20


def test_frozen_parameters_are_non_trainable():
    model = problem_book_network()
    model[0].requires_grad_(False)
    model[6].bias.requires_grad_(False)
    s = summary(model)
    assert s.non_trainable_params == 3900 + 1 and s.trainable_params == 84_301 - 3901
    assert [r.trainable_text for r in s.rows if r.params] == ["no", "yes", "yes", "partly"]
    assert all(r.output_shape is None for r in s.rows)  # no input given: no shapes
    assert "Non-trainable params: 3,901" in str(s)


def test_buffers_are_reported_apart():
    s = summary(nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)), (4, 2))
    assert s.total_params == 9 + 6 and s.buffer_elements == 3 + 3 + 1
    assert "Buffers" in str(s)


def test_summary_runs_in_eval_mode_and_leaves_the_model_as_it_was():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 1))
    model[2].eval()
    modes = [m.training for m in model.modules()]
    state = bp.random.get_rng_state()
    summary(model, (8, 3))
    assert [m.training for m in model.modules()] == modes
    assert model[1].num_batches_tracked.item() == 0 and np.all(model[1].running_mean.data == 0)
    assert bp.random.get_rng_state() == state
    assert all(p.grad is None for p in model.parameters())


def test_sample_input_and_call_order():
    class Reordered(nn.Module):
        def __init__(self):
            super().__init__()
            self.second = nn.Linear(5, 1)
            self.first = nn.Linear(2, 5)

        def forward(self, x):
            return self.second(bp.relu(self.first(x)))

    s = summary(Reordered(), input=np.zeros((7, 2), dtype=np.float32))
    assert [r.name for r in s.rows] == ["first", "second"] and s.rows[1].output_shape == (7, 1)


def test_watch_calls_removes_its_hooks_even_after_an_error():
    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU())
    seen, own = [], []
    handle = model[1].register_forward_hook(lambda m, args, out: own.append(out.shape))  # a user's hook stays
    with pytest.raises(bp.ShapeError), watch_calls(model, lambda name, m, args, out: seen.append(name)):
        model(bp.zeros(1, 2))
        model(bp.zeros(1, 5))
    assert seen == ["0", "1"] and own == [(1, 3)]
    assert all("forward" not in m.__dict__ for m in model.modules())  # no method was replaced
    model(bp.zeros(1, 2))
    assert seen == ["0", "1"] and own == [(1, 3), (1, 3)]
    handle.remove()

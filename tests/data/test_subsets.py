import copy
import pickle

import numpy as np
import pytest

import backprop as bp
from backprop.data import ConcatDataset, DataLoader, Subset, TensorDataset, random_split


def _ds(n, start=0):
    return TensorDataset(np.arange(start, start + n) * 1.0, np.arange(start, start + n))


def _labels(loader):
    return [b[1].tolist() for b in loader]


def test_subset_and_concat_match_torch():
    torch = pytest.importorskip("torch")
    tud = torch.utils.data
    ours = Subset(ConcatDataset([_ds(3), _ds(4, start=10)]), [6, 0, 3, 2])
    parts = [tud.TensorDataset(torch.arange(3)), tud.TensorDataset(torch.arange(10, 14))]
    theirs = tud.Subset(tud.ConcatDataset(parts), [6, 0, 3, 2])
    assert len(ours) == len(theirs) == 4
    assert [ours[i][1].item() for i in range(4)] == [theirs[i][0].item() for i in range(4)] == [13, 0, 10, 2]
    assert [x.item() for x, _ in ours[[0, 1]]] == [13.0, 0.0]
    concat = _ds(3) + _ds(2, start=5)
    assert isinstance(concat, ConcatDataset) and concat.cumulative_sizes == [3, 5]
    assert concat[-1][1].item() == 6 and concat[3][1].item() == 5
    with pytest.raises(IndexError, match="index 5 is out of range for a ConcatDataset of 5 samples"):
        concat[5]
    assert _labels(DataLoader(ours, batch_size=3)) == [[13, 0, 10], [2]]


def test_subset_of_a_tensor_dataset_reads_whole_batches():
    sub = Subset(_ds(10), [9, 3, 5, 1])
    xb, yb = sub.get_batch(slice(1, 3))
    assert yb.tolist() == [3, 5]
    assert _labels(DataLoader(sub, batch_size=3)) == [[9, 3, 5], [1]]
    assert not hasattr(Subset(ConcatDataset([_ds(2)]), [0]), "get_batch")


@pytest.mark.parametrize("n,lengths", [(10, [0.3, 0.3, 0.4]), (11, [1 / 3] * 3), (10, [0.5, 0.5]), (7, [0.1, 0.9]),
                                       (5, [1]), (10, [3, 7]), (4, [0, 4])])
def test_random_split_lengths_match_torch(n, lengths):
    torch = pytest.importorskip("torch")
    ours = random_split(_ds(n), lengths, generator=0)
    theirs = torch.utils.data.random_split(range(n), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in theirs]
    indices = [i for s in ours for i in s.indices]
    assert sorted(indices) == list(range(n)) and all(isinstance(i, int) for i in indices)


def test_random_split_is_seeded_by_any_kind_of_generator():
    splits = [[s.indices for s in random_split(range(9), [4, 5], generator=g)]
              for g in (7, np.random.default_rng(7), bp.Generator().manual_seed(7))]
    assert splits[0] == splits[1] == splits[2]
    bp.manual_seed(2)
    a = [s.indices for s in random_split(range(9), [0.5, 0.5])]
    bp.manual_seed(2)
    assert a == [s.indices for s in random_split(range(9), [0.5, 0.5])]


@pytest.mark.parametrize("lengths,message", [
    ([3, 4], r"lengths \[3, 4\] add up to 7, but the data set has 10 samples"),
    ([-1, 11], r"lengths \[-1, 11\] add up to 10"),
    ([0.5, 0.3], r"fractions \[0.5, 0.3\] add up to 0.8, not 1"),
    ([1.5, -0.5], r"fractions \[1.5, -0.5\] add up to 1.0, not 1 \(each must be between 0 and 1\)"),
    (["a"], r"lengths must be a non-empty list of integers or of fractions, got \['a'\]"),
    ([], r"got \[\]"),
])
def test_random_split_lengths_that_do_not_add_up_are_named(lengths, message):
    with pytest.raises(ValueError, match=message):
        random_split(range(10), lengths)


def test_random_split_warns_of_an_empty_split():
    with pytest.warns(UserWarning, match="split at index 1 is 0"):
        random_split(range(2), [0.9, 0.1])


def test_generator_api():
    g = bp.Generator()
    assert isinstance(g, np.random.Generator) and g.initial_seed() == 67280421310721  # torch's default seed
    assert g.manual_seed(4) is g and g.initial_seed() == 4
    assert g.random() == np.random.default_rng(4).random()
    state = g.get_state()
    drawn = g.integers(0, 100, 5).tolist()
    assert g.set_state(state) is g and g.integers(0, 100, 5).tolist() == drawn
    for make_twin in (lambda: pickle.loads(pickle.dumps(g)), lambda: copy.deepcopy(g)):
        twin = make_twin()
        assert type(twin) is bp.Generator and twin.initial_seed() == 4 and twin.random() == g.random()
    seed = g.seed()
    assert g.initial_seed() == seed and g.random() == np.random.default_rng(seed).random()
    with pytest.raises(ValueError, match="manual_seed needs a non-negative integer, got -1"):
        g.manual_seed(-1)
    with pytest.raises(ValueError, match="set_state needs a state from Generator.get_state"):
        g.set_state({"bit_generator": "MT19937"})
    with pytest.raises(ValueError, match="device='cuda'"):
        bp.Generator("cuda")
    with bp.random.use_generator(bp.Generator().manual_seed(1)):  # usable wherever a NumPy Generator is
        assert bp.rand(1).item() == pytest.approx(np.random.default_rng(1).random())

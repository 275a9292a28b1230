"""bp.data.DistributedSampler against torch.utils.data.distributed.DistributedSampler."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp

torch = pytest.importorskip("torch")
from torch.utils.data.distributed import DistributedSampler as TorchSampler  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), replicas=st.integers(1, 5), drop_last=st.booleans())
def test_unshuffled_indices_equal_pytorchs(n, replicas, drop_last):
    data = list(range(n))
    for rank in range(replicas):
        ours = bp.data.DistributedSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(data, replicas, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), replicas=st.integers(1, 5), seed=st.integers(0, 2**31), epoch=st.integers(0, 9))
def test_shuffled_parts_pad_like_pytorch_and_repeat_per_seed_and_epoch(n, replicas, seed, epoch):
    parts = []
    for rank in range(replicas):
        sampler = bp.data.DistributedSampler(list(range(n)), replicas, rank, seed=seed)
        sampler.set_epoch(epoch)
        parts.append(list(sampler))
        assert list(sampler) == parts[-1]  # the same order for the same seed and epoch
        assert len(parts[-1]) == len(TorchSampler(list(range(n)), replicas, rank, seed=seed))
    # interleaving the parts gives the padded permutation: every index once, then the start repeated
    order = [parts[r][i] for i in range(len(parts[0])) for r in range(replicas)]
    assert sorted(order[:n]) == list(range(n))
    padded = np.resize(order[:n], len(order)).tolist()
    assert order == padded
    assert order[:n] == np.random.default_rng(seed + epoch).permutation(n).tolist()


def test_epochs_differ_and_drop_last_keeps_the_parts_equal():
    sampler = bp.data.DistributedSampler(range(10), num_replicas=3, rank=1, seed=7, drop_last=True)
    first = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != first and len(first) == len(sampler) == 3


def test_a_loader_over_the_sampler_reads_its_part():
    X = np.arange(12.0).reshape(6, 2)
    sampler = bp.data.DistributedSampler(bp.data.TensorDataset(X), num_replicas=2, rank=1, shuffle=False)
    (batch,) = next(iter(bp.data.DataLoader(bp.data.TensorDataset(X), batch_size=3, sampler=sampler)))
    np.testing.assert_array_equal(batch.data, X[[1, 3, 5]])


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        bp.data.DistributedSampler(range(4), num_replicas=2, rank=2)
    with pytest.raises(ValueError, match="num_replicas must be a positive integer, got 0"):
        bp.data.DistributedSampler(range(4), num_replicas=0, rank=0)
    with pytest.raises(TypeError, match="epoch must be an integer, got 1.5"):
        bp.data.DistributedSampler(range(4), 2, 0).set_epoch(1.5)

"""bp.distributed and DistributedDataParallel in a world of one process (no mpiexec): the same script runs
unchanged, collectives are no-ops, and the bucket layout follows PyTorch's rule."""
import numpy as np
import pytest

import backprop as bp
import backprop.distributed as dist
from backprop.nn.parallel import DistributedDataParallel


@pytest.fixture(autouse=True)
def world_of_one(monkeypatch):
    for name in ("PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", "PMIX_RANK"):
        monkeypatch.delenv(name, raising=False)
    dist.init()


def test_collectives_are_identities_in_a_world_of_one():
    assert dist.is_initialized() and (dist.get_rank(), dist.get_world_size()) == (0, 1)
    t = bp.tensor([1.0, 2.0])
    dist.all_reduce(t, op="mean")
    assert dist.all_reduce(t) is None  # a blocking call
    assert dist.all_reduce(t, async_op=True).wait() is True
    dist.broadcast(t, src=0)
    out = [bp.zeros(2)]
    dist.all_gather(out, t)
    np.testing.assert_array_equal(out[0].data, [1.0, 2.0])
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    dist.barrier()


def test_bad_arguments_are_named():
    t = bp.tensor([1.0, 2.0])
    with pytest.raises(ValueError, match="op must be one of .*'max'"):
        dist.all_reduce(t, op="max")
    with pytest.raises(TypeError, match="op='mean' needs a floating-point tensor, got int64"):
        dist.all_reduce(bp.tensor(np.array([1, 2])), op="mean")
    with pytest.raises(ValueError, match="src must be a rank from 0 to 0, got 1"):
        dist.broadcast(t, src=1)
    with pytest.raises(ValueError, match="tensor_list has 2 tensors for a world of 1"):
        dist.all_gather([bp.zeros(2), bp.zeros(2)], t)
    with pytest.raises(ValueError, match=r"tensor_list\[0\] has shape \(3,\)"):
        dist.all_gather([bp.zeros(3)], t)
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        dist.all_reduce([1.0])


def layout(ddp, model):
    """Each bucket's parameters as indices into ``model.parameters()``."""
    ids = [id(p) for p in model.parameters()]
    return [[ids.index(id(p)) for p in bucket.params] for bucket in ddp.buckets]


def test_buckets_are_filled_in_reverse_order_with_a_small_first_one():
    # 300k float64 = 2.3 MiB, 100k = 0.76 MiB: the first bucket closes at 1 MiB, later ones at 2 MiB here
    model = bp.nn.Sequential(bp.nn.Linear(1000, 300), bp.nn.Linear(300, 100), bp.nn.Linear(100, 10)).double()
    ddp = DistributedDataParallel(model, bucket_cap_mb=2)
    # reversed: bias2, weight2 (1000), bias1, weight1 (30000): 1 MiB not reached; then bias0, weight0 (300000)
    assert layout(ddp, model) == [[5, 4, 3, 2, 1, 0]]
    small = DistributedDataParallel(model, bucket_cap_mb=0.5)
    assert layout(small, model) == [[5, 4, 3, 2, 1, 0]]
    ddp.remove_hooks(), small.remove_hooks()
    wide = bp.nn.Sequential(bp.nn.Linear(512, 512), bp.nn.Linear(512, 512), bp.nn.Linear(512, 512)).double()
    ddp = DistributedDataParallel(wide, bucket_cap_mb=3)
    # each weight is 2 MiB: the first bucket closes after one weight, the next after two (4 MiB ≥ 3)
    assert layout(ddp, wide) == [[5, 4], [3, 2, 1, 0]]
    ddp.remove_hooks()


def test_ddp_keeps_gradients_and_state_dict_of_the_wrapped_module():
    bp.manual_seed(0)
    model = bp.nn.Sequential(bp.nn.Linear(4, 3), bp.nn.BatchNorm1d(3), bp.nn.Linear(3, 2)).double()
    ddp = DistributedDataParallel(model)
    assert list(ddp.state_dict()) == list(model.state_dict())
    x = bp.randn(5, 4).double()
    ddp(x).sum().backward()
    expected = {name: p.grad.data.copy() for name, p in model.named_parameters()}
    ddp.zero_grad()
    with ddp.no_sync():
        ddp(x).sum().backward()
    ddp(x).sum().backward()  # accumulated: twice the gradient
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad.data, 2 * expected[name], rtol=1e-12)
    ddp.load_state_dict({k: v.data * 0 for k, v in model.state_dict().items()})
    assert all((v.data == 0).all() for v in model.state_dict().values())
    with pytest.raises(ValueError, match="bucket_cap_mb must be a positive number, got 0"):
        DistributedDataParallel(model, bucket_cap_mb=0)


def test_fit_distributed_in_a_world_of_one_equals_fit():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 5)), rng.integers(0, 3, 40)
    weights = []
    for distributed in (False, True):
        bp.manual_seed(3)
        model = bp.nn.Sequential(bp.nn.Linear(5, 8), bp.nn.ReLU(), bp.nn.Linear(8, 3)).double()
        history = bp.train.fit(model, bp.nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1),
                               (X, y), epochs=2, batch_size=8, verbose=False, metrics=["accuracy"],
                               distributed=distributed)
        weights.append((model[0].weight.data.copy(), history.history))
    np.testing.assert_allclose(weights[0][0], weights[1][0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights[0][1]["loss"], weights[1][1]["loss"], rtol=1e-12)
    assert weights[0][1]["accuracy"] == weights[1][1]["accuracy"]


def test_fit_refuses_a_loader_already_split_by_a_distributed_sampler():
    X, y = np.zeros((8, 2)), np.zeros(8, dtype=np.int64)
    data = bp.data.TensorDataset(X, y)
    loader = bp.data.DataLoader(data, batch_size=4, sampler=bp.data.DistributedSampler(data))
    model = bp.nn.Linear(2, 2).double()
    with pytest.raises(ValueError, match="without a DistributedSampler"):
        bp.train.fit(model, bp.nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1), loader,
                     epochs=1, distributed=True)
    wrapped = DistributedDataParallel(model)
    with pytest.raises(ValueError, match=r"give it the bare model \(model.module\)"):
        bp.train.fit(wrapped, bp.nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y),
                     epochs=1, distributed=True)


def test_fit_refuses_up_front_a_last_batch_smaller_than_the_world(monkeypatch):
    # a world of 2 as seen by fit: only the checks before any collective run
    monkeypatch.setattr(dist, "get_world_size", lambda: 2)
    X, y = np.zeros((9, 2)), np.zeros(9, dtype=np.int64)
    model = bp.nn.Linear(2, 2).double()
    with pytest.raises(ValueError, match="9 rows in batches of 4 end with a batch of 1, too few for 2 processes"):
        bp.train.fit(model, bp.nn.CrossEntropyLoss(), bp.optim.SGD(model.parameters(), lr=0.1), (X, y),
                     epochs=1, batch_size=4, distributed=True)


def test_abort_in_a_world_of_one_exits_with_the_status():
    with pytest.raises(SystemExit) as exited:
        dist.abort(2)
    assert exited.value.code == 2

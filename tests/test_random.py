"""bp.manual_seed, bp.random.use_generator and bp.multinomial: reproducible draws, per thread and task."""
import numpy as np
import pytest

import backprop as bp


def test_manual_seed_makes_draws_reproducible():
    bp.manual_seed(7)
    a = (bp.rand(3, 4).data, bp.randn(5).data, bp.multinomial(bp.tensor([0.2, 0.3, 0.5]), 4, True).data)
    bp.manual_seed(7)
    b = (bp.rand(3, 4).data, bp.randn(5).data, bp.multinomial(bp.tensor([0.2, 0.3, 0.5]), 4, True).data)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    bp.manual_seed(8)
    assert not np.array_equal(bp.rand(3, 4).data, a[0])


def test_multinomial_with_replacement_matches_the_probabilities():
    bp.manual_seed(0)
    probs = np.array([0.1, 0.2, 0.7])
    draws = bp.multinomial(bp.tensor(probs), 60000, replacement=True)
    assert draws.shape == (60000,) and draws.dtype == np.int64
    freq = np.bincount(draws.data, minlength=3) / draws.data.size
    # three standard errors of a proportion with n = 60000 are below 0.006
    np.testing.assert_allclose(freq, probs, atol=0.006)


def test_multinomial_weights_need_not_be_normalised_and_rows_are_independent():
    bp.manual_seed(1)
    weights = np.array([[1.0, 0.0, 3.0], [0.0, 5.0, 0.0]])
    draws = bp.multinomial(weights, 20000, replacement=True).data
    assert draws.shape == (2, 20000)
    np.testing.assert_allclose(np.mean(draws[0] == 2), 0.75, atol=0.015)
    assert np.all(draws[1] == 1)
    assert not np.any(draws[0] == 1)


def test_multinomial_without_replacement_gives_distinct_categories():
    bp.manual_seed(2)
    probs = np.array([0.5, 0.25, 0.125, 0.125])
    for _ in range(50):
        d = bp.multinomial(probs, 4).data
        assert sorted(d.tolist()) == [0, 1, 2, 3]
    # the first draw without replacement follows the probabilities themselves
    first = np.array([bp.multinomial(probs, 2).data[0] for _ in range(4000)])
    np.testing.assert_allclose(np.bincount(first, minlength=4) / 4000, probs, atol=0.03)


def test_sampling_with_temperature_flattens_the_distribution():
    # The course's sampling with temperature: softmax(z / T); a high T spreads the draws out.
    bp.manual_seed(3)
    z = bp.tensor([1.0, 2.0, 5.0])
    cold = bp.multinomial(bp.softmax(z, temperature=0.1), 2000, replacement=True).data
    hot = bp.multinomial(bp.softmax(z, temperature=10.0), 2000, replacement=True).data
    assert np.mean(cold == 2) > 0.99
    assert 0.25 < np.mean(hot == 0) < 0.42


@pytest.mark.parametrize("probs, n, replacement, message", [
    ([0.5, -0.1, 0.6], 1, True, "non-negative"),
    ([0.0, 0.0], 1, True, "no positive weight"),
    ([1.0, 0.0, 1.0], 3, False, "without replacement"),
    ([[[1.0]]], 1, True, "1-D or 2-D"),
])
def test_multinomial_rejects_bad_input(probs, n, replacement, message):
    with pytest.raises(ValueError, match=message):
        bp.multinomial(np.array(probs), n, replacement)


# bp.random.use_generator: an override of the generator for one context (a with block in a thread or task).

def _draws():
    """A few draws through the library's paths: factory functions, nn.init, dropout, DataLoader shuffling."""
    w = bp.zeros(4, 3)
    bp.nn.init.kaiming_uniform_(w)
    loader = bp.data.DataLoader(bp.data.TensorDataset(np.arange(6.0)), batch_size=6, shuffle=True)
    order = next(iter(loader))[0].data
    dropped = bp.nn.functional.dropout(bp.ones(8), 0.5, training=True).data
    return np.concatenate([bp.randn(5).data.ravel(), w.data.ravel(), bp.rand(2).data, order, dropped])


def test_bp_random_is_the_module():
    import backprop.random

    assert bp.random is backprop.random and callable(bp.random.use_generator)


def test_use_generator_gives_a_reproducible_stream_and_leaves_the_default_alone():
    bp.manual_seed(3)
    expected_default = bp.rand(4).data
    bp.manual_seed(3)
    with bp.random.use_generator(np.random.default_rng(11)) as rng:
        assert bp.random.generator() is rng
        first = _draws()
    after = bp.rand(4).data  # the block drew nothing from the process-wide generator
    np.testing.assert_array_equal(after, expected_default)
    with bp.random.use_generator(11):  # an int seeds a new Generator: the same stream
        np.testing.assert_array_equal(_draws(), first)
    assert bp.random.generator() is bp.random._state["rng"]


def test_use_generator_draws_from_the_generator_given_and_advances_it():
    rng = np.random.default_rng(5)
    with bp.random.use_generator(rng):
        a = bp.randn(3).data
    np.testing.assert_array_equal(a, np.random.default_rng(5).standard_normal(3).astype(a.dtype))
    assert rng.bit_generator.state != np.random.default_rng(5).bit_generator.state


def test_nested_blocks_restore_in_order_and_none_means_the_default():
    outer, inner = np.random.default_rng(1), np.random.default_rng(2)
    default = bp.random.generator()
    with bp.random.use_generator(outer):
        with bp.random.use_generator(inner):
            assert bp.random.generator() is inner
            with bp.random.use_generator(None):
                assert bp.random.generator() is default
            assert bp.random.generator() is inner
        assert bp.random.generator() is outer
    assert bp.random.generator() is default


def test_an_exception_restores_the_previous_generator():
    outer = np.random.default_rng(1)
    with bp.random.use_generator(outer):
        with pytest.raises(KeyError):
            with bp.random.use_generator(np.random.default_rng(2)):
                raise KeyError("boom")
        assert bp.random.generator() is outer
    assert bp.random.generator() is not outer


def test_use_generator_as_a_decorator_seeds_each_call():
    @bp.random.use_generator(4)
    def draw():
        return bp.rand(3).data

    np.testing.assert_array_equal(draw(), draw())


@pytest.mark.parametrize("bad", [True, 1.5, "0", np.random.RandomState(0)])
def test_use_generator_rejects_what_is_not_a_generator_or_a_seed(bad):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        with bp.random.use_generator(bad):
            pass


def test_manual_seed_inside_a_block_seeds_the_default_not_the_override():
    with bp.random.use_generator(7):
        bp.manual_seed(0)
        inside = bp.rand(3).data
    assert bp.rand(3).data.tolist() == bp.manual_seed(0).random(3).astype(inside.dtype).tolist()
    with bp.random.use_generator(7):
        np.testing.assert_array_equal(bp.rand(3).data, inside)


def test_rng_state_inside_a_block_is_the_overrides():
    bp.manual_seed(0)
    default = bp.random.generator()
    default_state = bp.random.get_rng_state()
    with bp.random.use_generator(9) as rng:
        state = bp.random.get_rng_state()
        assert state == rng.bit_generator.state
        first = bp.rand(3).data
        bp.random.set_rng_state(state)
        np.testing.assert_array_equal(bp.rand(3).data, first)
        assert bp.random.generator() is rng  # set in place
    assert bp.random.generator() is default and bp.random.get_rng_state() == default_state


def test_check_random_state_none_follows_the_override():
    from backprop.utils import check_random_state

    with bp.random.use_generator(3) as rng:
        assert check_random_state(None) is rng


def test_threads_with_their_own_generators_get_what_each_gets_alone():
    import threading

    def work(seed, steps, barrier=None):
        out = []
        with bp.random.use_generator(np.random.default_rng(seed)):
            for _ in range(steps):
                if barrier is not None:
                    barrier.wait()  # interleave the two threads' draws step by step
                out.append(_draws())
        return np.concatenate(out)

    alone = {seed: work(seed, 20) for seed in (100, 200)}
    bp.manual_seed(0)
    default_before = bp.random.get_rng_state()
    barrier, results = threading.Barrier(2), {}
    threads = [threading.Thread(target=lambda s=s: results.__setitem__(s, work(s, 20, barrier))) for s in alone]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in alone:
        np.testing.assert_array_equal(results[seed], alone[seed])
    assert bp.random.get_rng_state() == default_before  # neither thread drew from the default


def test_a_new_thread_does_not_see_the_override_of_another():
    import threading

    seen = {}
    with bp.random.use_generator(1) as rng:
        t = threading.Thread(target=lambda: seen.update(gen=bp.random.generator()))
        t.start()
        t.join()
        assert bp.random.generator() is rng
    assert seen["gen"] is not rng and seen["gen"] is bp.random._state["rng"]


def test_asyncio_tasks_copy_the_context():
    import asyncio

    async def child_sets_its_own(seed):
        with bp.random.use_generator(seed) as rng:
            await asyncio.sleep(0)
            assert bp.random.generator() is rng
            return bp.rand(2).data

    async def child_inherits():
        return bp.random.generator()

    async def main():
        with bp.random.use_generator(np.random.default_rng(1)) as rng:
            inherited = await asyncio.create_task(child_inherits())
            assert inherited is rng  # a task starts with a copy of its creator's context
            a, b = await asyncio.gather(child_sets_its_own(10), child_sets_its_own(10))
            assert bp.random.generator() is rng  # the children's overrides stayed in their copies
        outside = await asyncio.create_task(child_inherits())
        assert outside is not rng
        return a, b

    a, b = asyncio.run(main())
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", ["seed", "default_rng", "RandomState", "Generator", "__class__", "pcg64", 5, None])
def test_set_rng_state_calls_nothing_a_tampered_state_names(name):
    # issue 18: "bit_generator": "seed" in a checkpoint re-seeded NumPy's global generator
    bp.manual_seed(0)
    state, numpy_global = bp.random.get_rng_state(), np.random.get_state()
    tampered = dict(state, bit_generator=name)
    with pytest.raises(ValueError, match=rf"rng_state: 'bit_generator' must be one of PCG64, .*, got {name!r}"):
        bp.random.set_rng_state(tampered)
    assert bp.random.get_rng_state() == state
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_global[1])


def test_set_rng_state_refuses_a_malformed_state_and_changes_nothing():
    bp.manual_seed(0)
    state = bp.random.get_rng_state()
    for bad in ({"bit_generator": "PCG64"}, dict(state, state="x"), dict(state, state={"state": 1})):
        with pytest.raises(ValueError, match="rng_state: not a valid PCG64 state"):
            bp.random.set_rng_state(bad)
    with pytest.raises(ValueError, match="got a list, not a dict"):
        bp.random.set_rng_state(["PCG64"])
    assert bp.random.get_rng_state() == state


@pytest.mark.parametrize("name", ["PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64"])
def test_set_rng_state_restores_every_allowed_bit_generator(name):
    with bp.random.use_generator(np.random.Generator(getattr(np.random, name)(3))):
        state = bp.random.get_rng_state()
        first = bp.rand(4).data
        bp.random.set_rng_state(state)
        np.testing.assert_array_equal(bp.rand(4).data, first)
    bp.manual_seed(0)
    bp.random.set_rng_state(state)  # into the process-wide generator: its kind is replaced
    assert type(bp.random.generator().bit_generator).__name__ == name
    np.testing.assert_array_equal(bp.rand(4).data, first)

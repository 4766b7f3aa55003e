"""ember.utils.data against torch.utils.data: same indices, splits, batches and collated values."""
import collections
import time

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import ember
import ember.utils.data as eud
from helpers import to_np

X = np.random.default_rng(0).standard_normal((50, 3)).astype(np.float32)
Y = np.arange(50)


def datasets():
    return (eud.TensorDataset(ember.tensor(X), ember.tensor(Y)),
            tud.TensorDataset(torch.tensor(X), torch.tensor(Y)))


def same(a, b):
    """Deep equality of an ember structure and a torch one: types, dtypes, shapes and values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, ember.Tensor), type(a)
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(to_np(a), to_np(b))
    elif isinstance(b, dict):
        assert type(a) is type(b) and list(a) == list(b)
        for k in b:
            same(a[k], b[k])
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), (type(a), type(b))
        for x, y in zip(a, b):
            same(x, y)
    else:
        assert type(a) is type(b) and a == b


# ------------------------------------------------------------------ datasets and splits

def test_tensor_dataset_subset_concat_stack():
    ed, td = datasets()
    assert len(ed) == 50
    same(ed[3], td[3])
    with pytest.raises(ValueError):
        eud.TensorDataset(ember.zeros(3), ember.zeros(4))
    es, ts = eud.Subset(ed, [4, 1, 7]), tud.Subset(td, [4, 1, 7])
    assert len(es) == 3
    same(es[1], ts[1])
    same(es.__getitems__([0, 2]), ts.__getitems__([0, 2]))
    ec, tc = ed + es, td + ts
    assert isinstance(ec, eud.ConcatDataset) and len(ec) == len(tc) == 53
    assert ec.cumulative_sizes == tc.cumulative_sizes
    for i in (0, 49, 50, 52, -1, -53):
        same(ec[i], tc[i])
    with pytest.raises(ValueError):
        ec[-54]
    sd = eud.StackDataset(a=range(3), b=[5, 6, 7])
    assert sd[1] == tud.StackDataset(a=range(3), b=[5, 6, 7])[1] == {"a": 1, "b": 6}
    assert eud.StackDataset(range(3), range(3))[2] == (2, 2)
    with pytest.raises(ValueError):
        eud.StackDataset(range(3), range(4))


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.5, 0.25, 0.25], [20, 17, 13], [0.34, 0.33, 0.33]])
@pytest.mark.parametrize("seed", [0, 42])
def test_random_split_matches_torch(lengths, seed):
    n = 10 if sum(lengths) in (1, 10) else 50
    es = eud.random_split(range(n), lengths, generator=ember.Generator().manual_seed(seed))
    ts = tud.random_split(range(n), lengths, generator=torch.Generator().manual_seed(seed))
    assert [s.indices for s in es] == [s.indices for s in ts]
    assert [list(s) for s in es] == [list(s) for s in ts]


def test_random_split_default_generator_and_errors():
    ember.manual_seed(3)
    torch.manual_seed(3)
    assert [s.indices for s in eud.random_split(range(8), [5, 3])] == \
        [s.indices for s in tud.random_split(range(8), [5, 3])]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        eud.random_split(range(8), [5, 4])
    with pytest.raises(ValueError, match="Fraction at index 0"):
        eud.random_split(range(8), [1.5, -0.5])


# ------------------------------------------------------------------ samplers

@pytest.mark.parametrize("kw", [{}, {"replacement": True}, {"replacement": True, "num_samples": 70},
                                {"num_samples": 23}, {"num_samples": 5}])
def test_random_sampler_matches_torch(kw):
    for seed in (0, 1):
        ember.manual_seed(seed)
        torch.manual_seed(seed)
        e, t = eud.RandomSampler(range(10), **kw), tud.RandomSampler(range(10), **kw)
        assert list(e) == list(t) and list(e) == list(t)  # two epochs: the default generator moves on
        assert len(e) == len(t)
    eg, tg = ember.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    assert list(eud.RandomSampler(range(10), generator=eg, **kw)) == \
        list(tud.RandomSampler(range(10), generator=tg, **kw))


def test_other_samplers_match_torch():
    ember.manual_seed(5)
    torch.manual_seed(5)
    assert list(eud.SubsetRandomSampler([10, 20, 30, 40])) == list(tud.SubsetRandomSampler([10, 20, 30, 40]))
    w = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]
    for repl in (True, False):
        e, t = eud.WeightedRandomSampler(w, 5, replacement=repl), tud.WeightedRandomSampler(w, 5, replacement=repl)
        assert list(e) == list(t) and len(e) == 5
    assert list(eud.WeightedRandomSampler(w, 40, generator=ember.Generator().manual_seed(1))) == \
        list(tud.WeightedRandomSampler(w, 40, generator=torch.Generator().manual_seed(1)))
    assert list(eud.SequentialSampler(range(4))) == [0, 1, 2, 3]
    for drop in (False, True):
        e = eud.BatchSampler(eud.SequentialSampler(range(10)), 3, drop)
        t = tud.BatchSampler(tud.SequentialSampler(range(10)), 3, drop)
        assert list(e) == list(t) and len(e) == len(t)
    with pytest.raises(ValueError):
        eud.BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError):
        eud.RandomSampler(range(3), num_samples=0)


# ------------------------------------------------------------------ the DataLoader

@pytest.mark.parametrize("seed", [0, 123])
@pytest.mark.parametrize("batch_size,drop_last", [(8, False), (8, True), (50, False), (64, False)])
def test_shuffled_loader_matches_torch(seed, batch_size, drop_last):
    ed, td = datasets()
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    el = eud.DataLoader(ed, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    tl = tud.DataLoader(td, batch_size=batch_size, shuffle=True, drop_last=drop_last)
    assert len(el) == len(tl)
    for _ in range(2):  # two epochs
        eb, tb = list(el), list(tl)
        assert len(eb) == len(tb)
        for e, t in zip(eb, tb):
            same(e, t)
    # the generator argument too, and the default generator is left alone
    el = eud.DataLoader(ed, batch_size=7, shuffle=True, generator=ember.Generator().manual_seed(4))
    tl = tud.DataLoader(td, batch_size=7, shuffle=True, generator=torch.Generator().manual_seed(4))
    for e, t in zip(el, tl):
        same(e, t)
    assert ember.rand(3).tolist() == torch.rand(3).tolist()


def test_tensor_fast_path_equals_stacking():
    ed, _ = datasets()
    sub = eud.random_split(ed, [30, 20], generator=ember.Generator().manual_seed(0))[0]
    for ds in (ed, sub):
        fast = list(eud.DataLoader(ds, batch_size=8))
        slow = list(eud.DataLoader(ds, batch_size=8, collate_fn=lambda b: eud.default_collate(b)))
        assert len(fast) == len(slow)
        for f, s in zip(fast, slow):
            assert isinstance(f, list)
            for a, b in zip(f, s):
                assert a.dtype == b.dtype and np.array_equal(a.numpy(), b.numpy())


def test_loader_options():
    ed, td = datasets()
    # no batching: default_convert of each sample
    same(next(iter(eud.DataLoader(ed, batch_size=None))), next(iter(tud.DataLoader(td, batch_size=None))))
    same(list(eud.DataLoader(np.arange(6).reshape(3, 2), batch_size=None)),
         list(tud.DataLoader(np.arange(6).reshape(3, 2), batch_size=None)))
    # a sampler, a batch sampler, a collate_fn
    e = eud.DataLoader(ed, batch_size=4, sampler=[5, 3, 9, 1, 0])
    t = tud.DataLoader(td, batch_size=4, sampler=[5, 3, 9, 1, 0])
    assert len(e) == 2
    for a, b in zip(e, t):
        same(a, b)
    e = eud.DataLoader(ed, batch_sampler=[[1, 2], [7]], collate_fn=lambda b: [s[1].item() for s in b])
    assert list(e) == [[1, 2], [7]]
    assert len(eud.DataLoader(ed, batch_size=4, pin_memory=True)) == 13
    for kw in ({"shuffle": True, "sampler": [1]}, {"batch_sampler": [[1]], "batch_size": 2},
               {"batch_size": None, "drop_last": True}, {"num_workers": -1}, {"prefetch_factor": 2},
               {"persistent_workers": True}, {"timeout": -1}):
        with pytest.raises(ValueError):
            eud.DataLoader(ed, **kw)
    loader = eud.DataLoader(ed)
    with pytest.raises(ValueError):
        loader.batch_size = 3


Point = collections.namedtuple("Point", "x y")


@pytest.mark.parametrize("make", [
    lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    lambda lib: [np.array([1, 2], np.int32), np.array([3, 4], np.int32)],
    lambda lib: [1, 2, 3],
    lambda lib: [1.5, 2.5],
    lambda lib: [True, False],
    lambda lib: [np.float32(1.5), np.float32(2.0)],
    lambda lib: [np.int16(3), np.int16(4)],
    lambda lib: ["a", "b"],
    lambda lib: [(1, "a", 2.0), (3, "b", 4.0)],
    lambda lib: [[1, 2], [3, 4]],
    lambda lib: [{"img": lib.ones(2, 2), "label": 1, "meta": {"id": "x"}},
                 {"img": lib.zeros(2, 2), "label": 0, "meta": {"id": "y"}}],
    lambda lib: [Point(1, lib.tensor([1])), Point(2, lib.tensor([2]))],
    lambda lib: [(lib.tensor(1, dtype=lib.uint8), np.array([0.5])), (lib.tensor(2, dtype=lib.uint8), np.array([1.5]))],
])
def test_default_collate_matches_torch(make):
    same(eud.default_collate(make(ember)), tud.default_collate(make(torch)))


def test_default_collate_errors_and_convert():
    with pytest.raises(TypeError):
        eud.default_collate([object(), object()])
    with pytest.raises(RuntimeError):
        eud.default_collate([[1, 2], [3]])
    with pytest.raises(TypeError):
        eud.default_collate([np.array(["a"]), np.array(["b"])])
    data = {"a": np.arange(3), "b": (np.float64(1.5), "s"), "c": [np.zeros(2, np.float32)]}
    same(eud.default_convert(data), tud.default_convert(data))


class Stream(eud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = eud.get_worker_info()
        w = 0 if info is None else info.id
        return iter(range(100 * w, 100 * w + self.n + 3 * w))

    def __len__(self):
        return self.n


class TStream(tud.IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = tud.get_worker_info()
        w = 0 if info is None else info.id
        return iter(range(100 * w, 100 * w + self.n + 3 * w))


@pytest.mark.parametrize("drop_last", [False, True])
def test_iterable_dataset(drop_last):
    e = [b.tolist() for b in eud.DataLoader(Stream(10), batch_size=4, drop_last=drop_last)]
    t = [b.tolist() for b in tud.DataLoader(TStream(10), batch_size=4, drop_last=drop_last)]
    assert e == t
    assert len(eud.DataLoader(Stream(10), batch_size=4, drop_last=drop_last)) == (2 if drop_last else 3)
    assert list(eud.DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]  # ints stay ints
    with pytest.raises(ValueError):
        eud.DataLoader(Stream(3), shuffle=True)
    chained = eud.ChainDataset([Stream(2), Stream(3)])
    assert list(chained) == [0, 1, 0, 1, 2] and len(chained) == 5


# ------------------------------------------------------------------ worker processes

class Noisy(eud.Dataset):
    """Each sample draws from the process's default generator, as a random transform does."""

    def __len__(self):
        return 20

    def __getitem__(self, i):
        info = eud.get_worker_info()
        return i, ember.rand(2), -1 if info is None else info.id


class TNoisy(tud.Dataset):
    def __len__(self):
        return 20

    def __getitem__(self, i):
        info = tud.get_worker_info()
        return i, torch.rand(2), -1 if info is None else info.id


def epoch(loader):
    return [(b[0].tolist(), to_np(b[1]).tolist(), b[2].tolist()) for b in loader]


@pytest.mark.parametrize("num_workers", [0, 2])
def test_workers_match_torch(num_workers):
    """Worker k seeds itself with base_seed + k, and batch j goes to worker j % num_workers, as in torch."""
    ember.manual_seed(7)
    torch.manual_seed(7)
    e = epoch(eud.DataLoader(Noisy(), batch_size=3, shuffle=True, num_workers=num_workers))
    t = epoch(tud.DataLoader(TNoisy(), batch_size=3, shuffle=True, num_workers=num_workers))
    assert e == t
    assert eud.get_worker_info() is None


def test_workers_give_the_batches_of_one_process():
    ed, _ = datasets()
    ember.manual_seed(1)
    one = list(eud.DataLoader(ed, batch_size=6, shuffle=True, drop_last=True))
    ember.manual_seed(1)
    many = list(eud.DataLoader(ed, batch_size=6, shuffle=True, drop_last=True, num_workers=2, prefetch_factor=1))
    assert len(one) == len(many) == 8
    for a, b in zip(one, many):
        for x, y in zip(a, b):
            assert np.array_equal(x.numpy(), y.numpy())


def test_iterable_dataset_with_workers_matches_torch():
    e = [b.tolist() for b in eud.DataLoader(Stream(5), batch_size=2, num_workers=2)]
    t = [b.tolist() for b in tud.DataLoader(TStream(5), batch_size=2, num_workers=2)]
    assert e == t


def record_worker(worker_id):
    info = eud.get_worker_info()
    info.dataset.seen = (worker_id, info.num_workers, info.seed)


class Reports(eud.Dataset):
    seen = None

    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 3:
            raise KeyError("sample 3 is broken")
        return self.seen


def test_worker_seeds_init_fn_and_errors():
    ember.manual_seed(0)
    it = iter(eud.DataLoader(Reports(), batch_size=None, num_workers=2, worker_init_fn=record_worker))
    base = it._base_seed
    # worker_init_fn ran in each worker, which saw its id, the worker count and seed base_seed + id
    assert [next(it) for _ in range(3)] == [[0, 2, base], [1, 2, base + 1], [0, 2, base]]
    # an exception raised in a worker comes back with its type and the worker's traceback
    with pytest.raises(KeyError, match="sample 3 is broken"):
        next(it)
    del it


def test_persistent_workers_match_torch():
    ember.manual_seed(1)
    torch.manual_seed(1)
    e = eud.DataLoader(Noisy(), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True)
    t = tud.DataLoader(TNoisy(), batch_size=4, shuffle=True, num_workers=2, persistent_workers=True)
    for _ in range(2):
        assert epoch(e) == epoch(t)
    next(iter(e))  # an epoch left unfinished
    assert len(epoch(e)) == 5
    e._iterator._shutdown()


class Slow(eud.Dataset):
    def __len__(self):
        return 2

    def __getitem__(self, i):
        time.sleep(1)
        return i


def test_timeout():
    with pytest.raises(RuntimeError, match="timed out"):
        next(iter(eud.DataLoader(Slow(), num_workers=1, timeout=0.2)))

import json
import random
from collections import Counter
from difflib import SequenceMatcher

import numpy as np
from datasketch import MinHash

from pipeline.dedup import cluster as cluster_module
from pipeline.dedup.cluster import Candidates, NearSettings, _attach_noisy, _batches, _verified, cluster
from pipeline.dedup.compare import line_opcodes
from pipeline.dedup.hashing import hashing_view, key_of_view
from pipeline.dedup.lsh import MAX_COMPARED, UnionFind, band_keys, bucket_pairs, candidate_pairs, components
from pipeline.dedup.minhash import (
    SCHEME,
    estimated_jaccard,
    exact_jaccard,
    permutations,
    s_curve,
    shingle_hash,
    signature_matrix_numpy,
)
from pipeline.dedup.signing import COMPILED_FROM, signature_matrix, signatures
from pipeline.dedup.verify import COPY, Noisy

NEAR = NearSettings(bands=16, rows=8, threshold=0.8, ngram=5)


def _docs(texts: list[str], priorities: list[int] | None = None) -> tuple[Candidates, dict[int, str]]:
    views = [hashing_view(t) for t in texts]
    docs = Candidates(
        ids=[f"d{i}" for i in range(len(texts))],
        hash_keys=[key_of_view(v) for v in views],
        priority=np.asarray(priorities or [100] * len(texts)),
        n_chars=np.asarray([len(t) for t in texts]),
        signatures=signature_matrix(views, num_perm=128, ngram=5),
    )
    return docs, dict(enumerate(texts))


def _shingles(view: str, n: int) -> list[bytes]:
    return [view.encode()] if len(view) <= n else [view[i : i + n].encode() for i in range(len(view) - n + 1)]


def test_signatures_compiled_and_numpy_equal_datasketch_minhash():
    rng = random.Random(3)
    alphabet = "臺北市政府公告資料開放條例第一二三條之本法施行細則ab12，。𥚃𡘙"  # two outside the BMP
    views = [
        "",
        "a",
        "臺北",
        "一二三四五",
        "一二三四五六",
        *("".join(rng.choice(alphabet) for _ in range(rng.randint(3, 900))) for _ in range(40)),
    ]
    matrix = signature_matrix_numpy(views, num_perm=64, ngram=5, seed=11)
    reference = MinHash.bulk(
        [_shingles(v, 5) for v in views],
        num_perm=64,
        seed=11,
        scheme=SCHEME,
        hashfunc=lambda b: shingle_hash(b.decode("utf-8")),
    )
    assert all(np.array_equal(m.hashvalues, matrix[i]) for i, m in enumerate(reference))
    many = views * (COMPILED_FROM // len(views) + 1)  # enough views for the compiled loop, on two threads
    compiled = signature_matrix(many, num_perm=64, ngram=5, seed=11, workers=2, chunk=1000)
    assert np.array_equal(compiled, np.tile(matrix, (len(many) // len(views), 1)))
    assert np.array_equal(signature_matrix(views, num_perm=64, ngram=5, seed=11), matrix)  # either way


def test_permutations_are_datasketchs_without_importing_it():
    for num_perm, seed in ((128, 1), (256, 42), (7, 0)):
        a, b = permutations(num_perm, seed)
        expected_a, expected_b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
        assert np.array_equal(a[:, 0], expected_a) and np.array_equal(b[:, 0], expected_b)
        assert a.dtype == b.dtype == np.uint32


def test_signatures_estimate_jaccard():
    a = hashing_view("為促進政府資料之開放與再利用，保障人民知的權利，並提升政府施政透明度，特制定本條例。" * 4)
    b = a[:-20] + "本條例自公布日施行"
    sa, sb = signatures([a, b], num_perm=256, ngram=5)
    assert len(sa) == 256 * 4
    x, y = np.frombuffer(sa, "<u4"), np.frombuffer(sb, "<u4")
    assert abs(estimated_jaccard(x, y) - exact_jaccard(a, b, 5)) < 0.1
    assert exact_jaccard("一二三四五六七八", "一二三四五六七九", 3) == 5 / 7


def test_near_copies_cluster_and_the_most_complete_copy_represents_them(realdata):
    law = json.loads((realdata / "moj_laws/split_ch_law/A0000001.json").read_text(encoding="utf-8"))
    base = "\n".join(a["ArticleContent"] for a in law["LawArticles"][:40])
    footer = base + "\n（本資料由法務部全國法規資料庫提供）"
    edited = base.replace("國民", "人民", 1).replace("總統", "總經", 1)  # two slips (one word replaced twice: a rename)
    other = "\n".join(a["ArticleContent"] for a in law["LawArticles"][60:100])
    docs, views = _docs([base, footer, edited, other])
    result = cluster(docs, NEAR, lambda idx: {i: views[i] for i in idx})
    assert result.representative.tolist() == [1, 1, 1, 3]  # d1: the longest of the three copies
    assert result.size.tolist() == [3, 3, 3, 1]
    assert not result.exact[0] and not result.exact[2]


def test_every_near_pair_is_verified_on_its_views(realdata):
    """The estimate only chooses the pairs worth a look (within `margin` below the threshold): a version that
    changed one amount has an estimate of 0.99 too, so no pair is merged without reading its views."""
    law = json.loads((realdata / "moj_laws/split_ch_law/A0000001.json").read_text(encoding="utf-8"))
    base = "\n".join(a["ArticleContent"] for a in law["LawArticles"][:40])
    at = next(i for i, c in enumerate(base) if i > 300 and c in "一二三四五六七八九")
    amended = base[:at] + ("二" if base[at] != "二" else "三") + base[at + 1 :]  # one number becomes another
    docs, views = _docs([base, base + "\n（本資料由法務部全國法規資料庫提供）", amended])
    asked: list[list[int]] = []

    def fetch(idx: list[int]) -> dict[int, str]:
        asked.append(idx)
        return {i: views[i] for i in idx}

    result = cluster(docs, NEAR, fetch)
    assert result.representative.tolist() == [1, 1, 2]  # the footer copy joins; the amended version does not
    assert result.checked_exactly >= 2 and asked and set(asked[0]) == {0, 1, 2}


def test_source_priority_beats_length_and_exact_copies_are_marked():
    texts = [
        "開放資料授權條款說明文件第一版",
        "開放資料授權條款說明文件第一版（轉載）",
        "開放資料授權條款，說明文件第一版",
    ]
    docs, _ = _docs(texts, [50, 100, 100])
    result = cluster(docs)
    assert result.representative.tolist() == [0, 1, 0] and result.exact.tolist() == [True, True, True]


def test_published_documents_always_represent_their_cluster():
    body = (
        "為促進政府資料流通及再利用，提供者同意授權利用人於不限目的、時間及地域、非專屬、不可撤回、免授權金之條件下，"
        "進行重製、改作、編輯、公開傳輸或為其他方式之利用，並得開發各類產品或服務型態之衍生物。"
        "利用人應以適當方式提供顯名聲明，標示提供機關名稱、資料集名稱、授權條款名稱及版本與其連結。"
    )
    texts = [body, body + "（轉載）"]
    docs, views = _docs(texts, [100, 1])
    docs.published = np.array([True, False])
    result = cluster(docs, NEAR, lambda idx: {i: views[i] for i in idx})
    assert result.representative.tolist() == [0, 0]  # the later copy has the better priority, but 0 is published


def test_band_keys_and_bucket_pairs():
    sigs = np.array([[1] * 8, [2] * 8, [1] * 8, [1] * 8], dtype=np.uint32)
    keys = band_keys(sigs, bands=4, rows=2)
    assert keys.shape == (4, 4) and len(set(keys[0].tolist())) == 4  # the band index seeds each key
    assert candidate_pairs(keys).tolist() == [[0, 2], [0, 3], [2, 3]]
    # a newcomer meets at most MAX_COMPARED earlier members of its bucket, the earliest ones
    n = MAX_COMPARED + 3
    pairs = bucket_pairs(np.zeros(n, dtype=np.uint64), np.arange(n)[::-1].copy())
    later = pairs[pairs[:, 1] == n - 1]
    assert later[:, 0].tolist() == list(range(MAX_COMPARED))
    assert len(pairs) == sum(min(i, MAX_COMPARED) for i in range(n))


def test_band_keys_are_stable_across_versions():
    """Band keys are stored in every release's dedup index and looked up by later runs (`dedup.against`): a
    change of their values would silently stop cross-run dedup against older releases."""
    sigs = np.arange(32, dtype=np.uint32).reshape(2, 16) * np.uint32(2654435761)
    assert band_keys(sigs, bands=4, rows=4).tolist() == [
        [5661550805169983104, 12092656708752059123, 13996746874556957249, 4739296287988864289],
        [10323797923228971697, 12818675459874236709, 17114394664515919365, 3926482728536617227],
    ]


def test_bands_grouped_on_threads_give_what_one_thread_gives(monkeypatch):
    """Band keys are mixed a chunk of documents per thread and bands bucketed side by side: the keys stored in
    the dedup index and the candidate pairs must not depend on how many threads did it."""
    from pipeline.dedup import lsh

    rng = np.random.default_rng(7)
    n = lsh._KEY_CHUNK + 5000  # two chunks of documents
    sigs = rng.integers(0, 2**32, (n, 32), dtype=np.uint32)
    sigs[rng.integers(0, n, n // 3)] = sigs[rng.integers(0, n, n // 3)]  # a third are copies
    sigs[: n // 4, :8] ^= np.uint32(1)  # the first quarter of copies shares all but the first band
    found = {}
    for threads in (1, 2, 3):
        monkeypatch.setattr(lsh, "THREADS", threads)
        keys = band_keys(sigs, bands=4, rows=8)
        found[threads] = keys, candidate_pairs(keys)
    (keys, pairs), *others = found.values()
    assert len(pairs) > n // 10
    for other_keys, other_pairs in others:
        assert np.array_equal(other_keys, keys) and np.array_equal(other_pairs, pairs)


def test_union_find():
    uf = UnionFind(4)
    assert uf.union(2, 3) and uf.union(3, 0) and not uf.union(0, 2)
    assert uf.find(2) == uf.find(0) == 0 and uf.find(1) == 1
    assert uf.roots().tolist() == [0, 1, 0, 0]


def test_components_are_the_roots_union_find_gives():
    rng = np.random.default_rng(3)
    for _ in range(100):
        n = int(rng.integers(1, 200))
        pairs = rng.integers(0, n, (int(rng.integers(0, 300)), 2))
        uf = UnionFind(n)
        for a, b in pairs.tolist():
            uf.union(a, b)
        expected = [uf.find(i) for i in range(n)]
        assert components(pairs, n).tolist() == expected
        assert uf.roots().tolist() == expected


def test_verification_batches_hold_every_pair_once_and_cut_only_groups_larger_than_a_batch(monkeypatch):
    """Pairs go to verification in batches of at most VIEW_BATCH documents; a connected group of candidates
    that fits in one batch is never split across two (its documents' views would be built twice)."""
    from pipeline.dedup.cluster import _batches

    monkeypatch.setattr("pipeline.dedup.cluster.VIEW_BATCH", 10)
    rng = np.random.default_rng(5)
    pairs, groups, start = [], [], 0
    for size in rng.integers(2, 25, 40).tolist():
        members = list(range(start, start + size))
        groups.append(set(members))
        pairs += [(members[k - 1], members[k]) for k in range(1, size)]  # a chain
        pairs += [(members[0], members[-1])] * (size > 2)
        start += size
    order = rng.permutation(len(pairs))
    array = np.asarray(pairs, dtype=np.int64)[order]
    batches = list(_batches(array, rng.random(len(array)), start))
    assert sorted(p for batch in batches for p in batch) == sorted(pairs)
    held = [{i for p in batch for i in p} for batch in batches]
    assert all(len(docs) <= 10 for docs in held)
    for group in groups:
        spread = sum(bool(group & docs) for docs in held)
        assert spread == 1 if len(group) <= 10 else spread >= 2
    # no pairs (a follower's candidates all too far apart to verify): no batch
    assert list(_batches(np.zeros((0, 2), dtype=np.int64), np.zeros(0), start)) == []


def test_s_curve_is_explicit():
    curve = dict(s_curve(16, 8))
    assert curve[0.0] == 0.0 and curve[1.0] == 1.0
    assert 0.94 < curve[0.8] < 0.95 and curve[0.5] < 0.07


def test_templated_laws_with_different_titles_stay_apart(realdata):
    laws = {}
    for code in ("G0360013", "G0360014", "H0000141", "H0000142"):
        law = json.loads((realdata / f"moj_laws/split_ch_law/{code}.json").read_text(encoding="utf-8"))
        laws[code] = "\n".join([law["LawName"], *(a["ArticleContent"] for a in law["LawArticles"])])
    texts = list(laws.values())
    assert exact_jaccard(hashing_view(texts[0]), hashing_view(texts[1]), 5) > 0.85  # alike, yet two laws
    docs, views = _docs(texts)
    result = cluster(docs, NEAR, lambda idx: {i: views[i] for i in idx})
    assert result.size.tolist() == [1, 1, 1, 1]


def test_bucket_grouping_runs_on_any_partitioning_of_whole_buckets():
    """What a dataframe engine does: shuffle (key, doc) rows by key, group each partition, concatenate."""
    rng = np.random.default_rng(4)
    base = rng.integers(0, 2**32, (60, 32), dtype=np.uint32)
    sigs = np.concatenate([base, base[:20], base[:5]])  # copies share every bucket
    sigs[60:80, :8] += 1  # ...or all but the first band
    keys = band_keys(sigs, bands=4, rows=8)
    n = len(sigs)
    flat_keys, flat_docs = keys.ravel(), np.repeat(np.arange(n), 4)
    parts = []
    for p in range(3):
        mine = flat_keys % np.uint64(3) == p
        parts.append(bucket_pairs(flat_keys[mine], flat_docs[mine]))
    partitioned = np.unique(np.concatenate(parts), axis=0)
    assert np.array_equal(partitioned, candidate_pairs(keys))
    assert len(partitioned) == 20 + 5 + 5  # each copy with its base, the second copies with the first


def test_keep_policy_orders_the_criteria_the_config_names():
    from pipeline.dedup.cluster import NO_DATE

    texts = ["公告：本府訂定資料開放作業要點", "公告 本府訂定資料開放作業要點。。。", "公告本府訂定資料開放作業要點"]
    docs, _ = _docs(texts, [100, 100, 50])
    docs.dates = np.array([2020, 2019, 2021], dtype=np.int64)
    assert cluster(docs).representative.tolist() == [2, 2, 2]  # priority first
    assert cluster(docs, keep=["longest"]).representative.tolist() == [1, 1, 1]
    assert cluster(docs, keep=["earliest"]).representative.tolist() == [1, 1, 1]
    assert cluster(docs, keep=["newest", "priority"]).representative.tolist() == [2, 2, 2]
    docs.dates = np.array([2020, NO_DATE, NO_DATE], dtype=np.int64)
    assert cluster(docs, keep=["newest"]).representative.tolist() == [0, 0, 0]  # unknown dates come last
    assert cluster(docs, keep=["earliest"]).representative.tolist() == [0, 0, 0]


def test_membership_in_a_small_key_set_is_np_isin_chunk_by_chunk(monkeypatch):
    """Which edge-line keys are boilerplate: the same answer as np.isin, without its sorted copy of them all."""
    import numpy as np

    from pipeline.dedup import arrays

    rng = np.random.default_rng(7)
    values = rng.integers(0, 2**63, 10_000, dtype=np.uint64)
    few = np.concatenate([values[rng.integers(0, len(values), 40)], rng.integers(0, 2**63, 10, dtype=np.uint64)])
    monkeypatch.setattr(arrays, "MEMBER_CHUNK", 999)  # chunk edges inside the array
    got = arrays.member(values, few)
    assert got.sum() >= 30 and np.array_equal(got, np.isin(values, few))
    assert not arrays.member(values, few[:0]).any() and arrays.member(values[:0], few).shape == (0,)


def test_a_noisy_copy_is_kept_out_of_no_cluster_by_a_reading_its_own_members_contradict():
    """Documents 0-2 are a law and two copies joined as copies (a re-wrapped one, 1, and a reordered one, 2, that
    compare as versions: a moved article re-flowed); 3 is a typo copy, 4 an amendment. The typo copy reads as a
    version of the re-wrapped copy, and as a noisy copy of the law (one suspect) and of the amendment (three).
    Copies joined 1 and 2, so 1's readings as a version are wrong, and do not keep 3 out of its law's cluster;
    the amendment's reading against the law still keeps 3 from joining both."""

    def attached(versions: list[tuple[int, int]]) -> UnionFind:
        uf = UnionFind(5)
        uf.union(0, 1)
        uf.union(0, 2)
        _attach_noisy(uf, [Noisy(3, 0, 0.96, 1), Noisy(3, 4, 0.95, 3)], versions)
        return uf

    uf = attached([(1, 2), (1, 3), (4, 0)])
    assert uf.find(3) == uf.find(0) != uf.find(4)
    uf = attached([(1, 3), (4, 0)])  # nothing contradicts 1's reading: the typo copy goes to the amendment
    assert uf.find(3) == uf.find(4) != uf.find(0)


def test_line_opcodes_set_aside_the_equal_opening_and_ending_lines_as_difflib_would():
    """Lines as copies differ (a few changed, added, deleted or moved, some lines repeated as 刪除 is in a law):
    the same opcodes as difflib over the whole lists, whose indices they keep."""
    rng = random.Random(3)
    lines = [f"第{i}條本法所稱主管機關為{i}" if i % 7 else "刪除" for i in range(40)]
    cases = [(lines, lines), (lines, []), ([], lines), ([], []), (lines[:1], lines[1:2])]
    for _ in range(1000):
        edited = list(lines)
        for _ in range(rng.randint(1, 4)):
            k = rng.randrange(len(edited))
            action = rng.choice(("change", "add", "delete", "move"))
            if action == "change":
                edited[k] = edited[k] + "之一"
            elif action == "add":
                edited.insert(k, rng.choice((f"新增{k}", "刪除", lines[rng.randrange(len(lines))])))
            elif action == "delete" and len(edited) > 1:
                del edited[k]
            else:
                edited.insert(rng.randrange(len(edited)), edited.pop(k))
        cases.append((lines, edited))
    for la, lb in cases:
        assert line_opcodes(la, lb) == SequenceMatcher(None, la, lb, autojunk=False).get_opcodes()


def test_the_pairs_verified_do_not_depend_on_the_workers_or_when_batches_come_back(monkeypatch):
    """A group of candidates too large for one batch spans several. Copies joined by one batch's verdicts were
    once skipped in the batches made after its verdicts came back: in one process, every later batch; with
    workers, only those made after that (four are made before any verdict returns), so what was verified
    depended on the workers and the machine's load. The same pairs are verified either way now."""
    monkeypatch.setattr(cluster_module, "VIEW_BATCH", 4)
    text = "\n".join(f"第{i}條 主管機關應於每年{i}月公告本法施行情形並送立法院備查" for i in range(1, 30))
    texts = {i: text.replace(f"每年{i + 1}月公告", f"每年{i + 1}月公佈", 1) for i in range(12)}  # a slip each
    pairs = np.array([(a, b) for a in range(12) for b in range(a + 1, 12)], dtype=np.int64)
    near = NearSettings(16, 8, 0.8, 5, 0.1, 0.85, 80)
    verified = {}
    for workers in (1, 2):
        uf = UnionFind(12)
        seen = []
        batches = _batches(pairs, np.ones(len(pairs)), 12)
        for batch, verdicts in _verified(
            batches, uf, lambda idx: {i: texts[i] for i in idx}, frozenset(), near, workers
        ):
            for (a, b), verdict in zip(batch, verdicts, strict=True):
                seen.append((a, b))
                if verdict == COPY:
                    uf.union(a, b)
        verified[workers] = sorted(seen)
        assert len({uf.find(i) for i in range(12)}) == 1  # all copies, one cluster
    assert len(list(_batches(pairs, np.ones(len(pairs)), 12))) > 2  # the group was cut across batches
    assert verified[1] == verified[2]


def test_a_noisy_copy_of_a_cluster_s_hub_and_most_of_its_members_is_not_kept_out_by_one_member():
    """Documents 0-3 are a law (0, the hub: verified a copy of the most) and three copies of it; 3 moved an
    article. 4 is a typo copy: noisy against the law and copies 1 and 2, a version of 3 (its slips in the moved
    article). 5 is an amendment: a version of the law and of 2, noisy against the typo copies. The typo copy joins
    its law -- one member's reading does not outweigh the hub's and the others' -- and the amendment stays out;
    so does an amendment noisy against most members but a version of the hub, and a document that reads as a
    version of a member copied as often as the hub."""
    copies = Counter({0: 3, 1: 1, 2: 1, 3: 1})

    def law() -> UnionFind:
        uf = UnionFind(6)
        for k in (1, 2, 3):
            uf.union(0, k)
        return uf

    noisy = [
        Noisy(4, 0, 0.95, 1),
        Noisy(4, 1, 0.95, 1),
        Noisy(4, 2, 0.95, 1),
        Noisy(5, 4, 0.93, 3),
        Noisy(5, 1, 0.94, 2),
    ]
    uf = law()
    _attach_noisy(uf, noisy, [(3, 4), (5, 0), (5, 2), (5, 3)], copies)
    assert uf.find(4) == uf.find(0) != uf.find(5)
    uf = law()  # without the hub, the one reading keeps the typo copy out, as before
    _attach_noisy(uf, noisy, [(3, 4), (5, 0), (5, 2), (5, 3)])
    assert uf.find(4) != uf.find(0)
    uf = law()  # an amendment noisy against three typo copies of the law, a version of the law itself
    _attach_noisy(uf, [Noisy(5, 1, 0.94, 1), Noisy(5, 2, 0.94, 1), Noisy(5, 3, 0.94, 1)], [(5, 0)], copies)
    assert uf.find(5) != uf.find(0)
    # a news release of another year: noisy against the release's copy (0) and typo copy (2), a version of the
    # release (1), which is verified a copy as often as its copy is: that reading counts
    uf = UnionFind(4)
    uf.union(0, 1)
    uf.union(0, 2)
    _attach_noisy(uf, [Noisy(3, 0, 0.95, 2), Noisy(3, 2, 0.91, 2)], [(3, 1)], Counter({0: 1, 1: 1}))
    assert uf.find(3) != uf.find(0)

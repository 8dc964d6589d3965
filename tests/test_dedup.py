import json

from pipeline.dedup.cluster import Candidate, NearSettings, cluster, view_of
from pipeline.dedup.lsh import UnionFind, candidate_pairs
from pipeline.dedup.minhash import estimated_jaccard, exact_jaccard, s_curve, shingles, signatures
from pipeline.normalize.hashing import hashing_view

NEAR = NearSettings(bands=16, rows=8, threshold=0.8, ngram=5)


def _cands(texts: list[str], priorities: list[int] | None = None) -> tuple[list[Candidate], dict[int, str]]:
    views = [hashing_view(t) for t in texts]
    sigs = signatures(views, num_perm=128, ngram=5)
    cands = [
        Candidate(f"d{i}", v, (priorities or [100] * len(texts))[i], i, len(t), s)
        for i, (t, v, s) in enumerate(zip(texts, views, sigs, strict=True))
    ]
    return cands, dict(enumerate(views))


def test_signatures_estimate_jaccard():
    a = hashing_view("為促進政府資料之開放與再利用，保障人民知的權利，並提升政府施政透明度，特制定本條例。" * 4)
    b = a[:-20] + "本條例自公布日施行"
    sa, sb = signatures([a, b], num_perm=256, ngram=5)
    assert len(sa) == 256 * 4
    assert abs(estimated_jaccard(sa, sb) - exact_jaccard(a, b, 5)) < 0.1
    assert shingles("ab", 5) == [b"ab"]  # short texts still get a signature


def test_near_copies_cluster_and_the_most_complete_copy_represents_them(realdata):
    law = json.loads((realdata / "moj_laws/split_ch_law/A0000001.json").read_text(encoding="utf-8"))
    base = "\n".join(a["ArticleContent"] for a in law["LawArticles"][:40])
    footer = base + "\n（本資料由法務部全國法規資料庫提供）"
    edited = base.replace("國民", "人民", 2)
    other = "\n".join(a["ArticleContent"] for a in law["LawArticles"][60:100])
    texts = [base, footer, edited, other]
    cands, _ = _cands(texts)
    m = cluster(cands, NEAR, lambda idx: {i: view_of(texts[i]) for i in idx})
    assert [x.cluster for x in m] == ["d1", "d1", "d1", "d3"]  # d1: the longest of the three copies
    assert [x.size for x in m] == [3, 3, 3, 1] and [x.is_representative for x in m] == [False, True, False, True]
    assert not m[0].exact and not m[2].exact


def test_source_priority_beats_length_and_exact_copies_are_marked():
    texts = [
        "開放資料授權條款說明文件第一版",
        "開放資料授權條款說明文件第一版（轉載）",
        "開放資料授權條款，說明文件第一版",
    ]
    cands, _ = _cands(texts, [50, 100, 100])
    m = cluster(cands, None, None)
    assert m[0].cluster == "d0" and m[2].cluster == "d0" and m[2].exact and m[1].cluster == "d1"


def test_lsh_pairs_and_union_find():
    sig_a, sig_b = b"\x01" * 32, b"\x02" * 32
    pairs = list(candidate_pairs([sig_a, sig_b, sig_a, sig_a], bands=4, rows=2))
    assert (0, 2) in pairs and (0, 3) in pairs and all(1 not in p for p in pairs)
    uf = UnionFind(4)
    uf.union(2, 3)
    uf.union(3, 0)
    assert uf.find(2) == uf.find(0) == 0 and uf.find(1) == 1


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
    cands, _ = _cands(texts)
    m = cluster(cands, NEAR, lambda idx: {i: view_of(texts[i]) for i in idx})
    assert [x.size for x in m] == [1, 1, 1, 1]

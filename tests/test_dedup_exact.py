from pipeline.dedup.exact import Candidate, exact_clusters


def test_representative_is_lowest_priority_then_earliest():
    cands = [
        Candidate("a", "k1", 100, 0),
        Candidate("b", "k1", 10, 1),
        Candidate("c", "k2", 100, 2),
        Candidate("d", "k1", 10, 3),
    ]
    m = exact_clusters(cands)
    assert [x.cluster for x in m] == ["b", "b", "c", "b"]
    assert [x.is_representative for x in m] == [False, True, True, False]
    assert [x.size for x in m] == [3, 3, 1, 3]

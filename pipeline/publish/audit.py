"""A sample of duplicate clusters for a maintainer to judge without opening Parquet: the largest, those that
span agencies, and the near-duplicate merges closest to the thresholds -- each with its representative, its
members' Jaccard and containment against it, and the lines that differ."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from pipeline.dedup.boilerplate import view_of
from pipeline.dedup.cluster import Candidates, Clusters
from pipeline.dedup.hashing import hashing_view
from pipeline.dedup.minhash import shingle_set
from pipeline.dedup.view import Source, View, text_of

PER_KIND = 3  # clusters shown per kind
MEMBERS = 5  # members shown per cluster
LINES = 3  # differing lines shown each way
CLOSEST_OF = 200  # near-duplicate members measured to find the closest calls


def _similarity(a: View, b: View, ngram: int) -> tuple[float, float]:
    sa, sb = shingle_set(a.text, ngram), shingle_set(b.text, ngram)
    inter = len(np.intersect1d(sa, sb, assume_unique=True))
    return inter / max(len(sa) + len(sb) - inter, 1), inter / max(min(len(sa), len(sb)), 1)


def _views(texts: Mapping[int, Source], boilerplate: frozenset[int]) -> dict[int, View]:
    return {i: view_of(t, boilerplate) for i, t in texts.items()}


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


def _differing(member: str, rep: str) -> dict[str, list[str]]:
    """Lines one has and the other lacks, compared by their hashing views (width, script and punctuation aside:
    what dedup itself sees), shown as written."""
    mine, theirs = _lines(member), _lines(rep)
    mine_views, their_views = {hashing_view(ln) for ln in mine}, {hashing_view(ln) for ln in theirs}
    only_member = [ln[:80] for ln in mine if hashing_view(ln) not in their_views][:LINES]
    only_rep = [ln[:80] for ln in theirs if hashing_view(ln) not in mine_views][:LINES]
    return {"only_in_member": only_member, "only_in_representative": only_rep}


def cluster_audit(
    docs: Candidates,
    result: Clusters,
    agencies: list[str | None],
    texts: Callable[[list[int]], Mapping[int, Source]],
    boilerplate: frozenset[int],
    ngram: int,
) -> list[dict[str, Any]]:
    """Clusters worth a look, described; `texts` fetches documents by candidate index, compared as dedup
    compares them (without the `boilerplate` lines)."""
    reps = result.representative
    n = len(agencies)  # this run's candidates come first in `docs`
    members: dict[int, list[int]] = {}
    for i in range(len(reps)):
        if reps[i] != i:
            members.setdefault(int(reps[i]), []).append(i)
    if not members:
        return []
    chosen: list[tuple[str, int]] = []
    for rep in sorted(members, key=lambda r: (-len(members[r]), r))[:PER_KIND]:
        chosen.append(("largest", rep))
    spanning = [r for r in members if len({agencies[i] for i in [r, *members[r]] if i < n}) > 1]
    chosen += [("cross-agency", r) for r in sorted(spanning)[:PER_KIND]]
    near = [(r, m) for r, ms in members.items() for m in ms if not result.exact[m]][:CLOSEST_OF]
    if near:
        seen = _views(texts(sorted({i for pair in near for i in pair})), boilerplate)
        scored = sorted(near, key=lambda pair: _similarity(seen[pair[0]], seen[pair[1]], ngram)[0])
        chosen += [("closest to the threshold", r) for r, _ in scored[:PER_KIND]]
    picked: list[tuple[str, int]] = []
    for kind, rep in chosen:
        if all(rep != r for _, r in picked):
            picked.append((kind, rep))
    wanted = sorted({i for _, rep in picked for i in [rep, *members[rep][:MEMBERS]]})
    sources = texts(wanted)
    seen = _views(sources, boilerplate)
    text = {i: text_of(source) for i, source in sources.items()}
    out = []
    for kind, rep in picked:
        rows = []
        for m in members[rep][:MEMBERS]:
            jaccard, containment = _similarity(seen[m], seen[rep], ngram)
            rows.append(
                {
                    "id": docs.ids[m],
                    "agency": agencies[m] if m < n else None,
                    "exact": bool(result.exact[m]),
                    "jaccard": round(jaccard, 3),
                    "containment": round(containment, 3),
                    **_differing(text[m], text[rep]),
                }
            )
        out.append(
            {
                "kind": kind,
                "representative": docs.ids[rep],
                "representative_agency": agencies[rep] if rep < n else "(published earlier)",
                "title": (_lines(text[rep]) or [""])[0][:80],
                "size": len(members[rep]) + 1,
                "members": rows,
            }
        )
    return out

"""Scores a clustering of a generate.py benchmark set against its labels.

Pairwise precision / recall / F1 come from the contingency table of true groups x predicted clusters (no pair
lists, so 500k documents are cheap). Per edit kind: the share of planted copies placed in their base's cluster,
also among the copies a 0.8 Jaccard threshold could find at all (label `jaccard` >= 0.8). Per hard-negative
kind: how many were merged into a cluster holding the document they must not be merged with or any copy of it
(a copy cut short before where a later version differs is as much a copy of that version), and how many into
the document's own cluster (two versions in one cluster: one of them would be dropped).

    .venv/bin/python benchmarks/dedup/score.py --labels DIR/labels.jsonl --corpus CORPUS_DIR

`score()` takes a predicted cluster per document id, so peers.py scores every tool the same way.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

EDIT_KINDS = [
    "header",
    "footer",
    "header+footer",
    "contact_block",
    "truncated",
    "update_stamp",
    "reorder",
    "partly_simplified",
    "char_edits",
    "whitespace",
    "width",
]
NEGATIVE_KINDS = ["law_vs_enforcement_rules", "templated_org_acts", "year_specific", "successive_amendment"]


def load_labels(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def release_clusters(corpus: Path) -> dict[str, str]:
    """Predicted cluster per source_record_id in a twcorpus release: `dup_cluster`, or the document's own id
    when it is in no cluster; published and rejected shards alike."""
    import pyarrow.parquet as pq

    predicted: dict[str, str] = {}
    for folder in ("data", "rejected"):
        for shard in sorted((corpus / folder).rglob("*.parquet")):
            t = pq.read_table(shard, columns=["source_record_id", "dup_cluster", "id"]).to_pydict()
            for rid, cluster_id, doc_id in zip(t["source_record_id"], t["dup_cluster"], t["id"], strict=True):
                predicted[rid] = cluster_id or doc_id
    return predicted


def _pairs(counts: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counts.values())


@dataclass
class Score:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    missing: int  # labelled documents the tool gave no cluster (counted as singletons)
    edit_recall: dict[str, tuple[float, int]] = field(default_factory=dict)  # kind -> (recall, copies)
    findable_recall: dict[str, tuple[float, int]] = field(default_factory=dict)  # among copies with Jaccard >= 0.8
    # kind -> (merged, documents): into a cluster holding the document or any copy of it (a copy cut short that
    # is as much a copy of the later version counts), and into the document's own cluster
    negative_merges: dict[str, tuple[int, int]] = field(default_factory=dict)
    negative_doc_merges: dict[str, tuple[int, int]] = field(default_factory=dict)

    def recall_line(self) -> str:
        return "  ".join(f"{k} {r:.3f}" for k, (r, _n) in self.edit_recall.items())

    def merges_line(self) -> str:
        return "  ".join(f"{k} {m}/{n}" for k, (m, n) in self.negative_merges.items())


def score(labels: list[dict], predicted: dict[str, str]) -> Score:
    """Score a predicted cluster per document id (documents missing from `predicted` are singletons)."""
    missing = sum(1 for lab in labels if lab["id"] not in predicted)
    cluster = {lab["id"]: predicted.get(lab["id"], "__single__" + lab["id"]) for lab in labels}
    truth = [lab["group"] for lab in labels]
    pred = [cluster[lab["id"]] for lab in labels]
    tp = _pairs(Counter(zip(truth, pred, strict=True)))
    true_pairs, pred_pairs = _pairs(Counter(truth)), _pairs(Counter(pred))
    p = tp / pred_pairs if pred_pairs else 1.0
    r = tp / true_pairs if true_pairs else 1.0
    result = Score(p, r, 2 * p * r / (p + r) if p + r else 0.0, true_pairs, pred_pairs, missing)

    hit: dict[str, list[int]] = defaultdict(list)
    findable: dict[str, list[int]] = defaultdict(list)
    for lab in labels:
        if "base" in lab and lab["kind"] in EDIT_KINDS:
            ok = int(cluster[lab["id"]] == cluster[lab["base"]])
            hit[lab["kind"]].append(ok)
            if lab.get("jaccard", 0) >= 0.8:
                findable[lab["kind"]].append(ok)
    result.edit_recall = {k: (sum(hit[k]) / len(hit[k]), len(hit[k])) for k in EDIT_KINDS if hit[k]}
    result.findable_recall = {k: (sum(findable[k]) / len(findable[k]), len(findable[k])) for k in EDIT_KINDS
                              if findable[k]}  # fmt: skip

    clusters_of_group: dict[str, set[str]] = defaultdict(set)
    for lab in labels:
        clusters_of_group[lab["group"]].add(cluster[lab["id"]])
    merged: dict[str, list[int]] = defaultdict(list)
    merged_doc: dict[str, list[int]] = defaultdict(list)
    for lab in labels:
        if lab["kind"] in NEGATIVE_KINDS:
            merged[lab["kind"]].append(int(cluster[lab["id"]] in clusters_of_group[lab["negative_of_group"]]))
            if lab.get("negative_of") in cluster:
                merged_doc[lab["kind"]].append(int(cluster[lab["id"]] == cluster[lab["negative_of"]]))
    result.negative_merges = {k: (sum(merged[k]), len(merged[k])) for k in NEGATIVE_KINDS if merged[k]}
    result.negative_doc_merges = {k: (sum(merged_doc[k]), len(merged_doc[k])) for k in NEGATIVE_KINDS if merged_doc[k]}
    return result


def report(s: Score) -> str:
    lines = [
        f"precision {s.precision:.4f}  recall {s.recall:.4f}  F1 {s.f1:.4f}  (true pairs {s.true_pairs}, "
        f"predicted pairs {s.predicted_pairs}, documents without a cluster {s.missing})",
        "recall per edit kind (copies in their base's cluster; in brackets: among copies with Jaccard >= 0.8):",
    ]
    for k, (r, n) in s.edit_recall.items():
        fr = s.findable_recall.get(k)
        extra = f"  [{fr[0]:.3f} of {fr[1]}]" if fr else "  [none >= 0.8]"
        lines.append(f"  {k:<20} {r:.3f} of {n}{extra}")
    lines.append("hard negatives merged with the document they must stay apart from, or with any copy of it:")
    for k, (m, n) in s.negative_merges.items():
        own = s.negative_doc_merges.get(k)
        with_doc = f"  with the document itself: {own[0]}" if own else ""
        lines.append(f"  {k:<26} {m:>5} of {n:<5} ({m / n:.1%}){with_doc}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, required=True)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--corpus", type=Path, help="a twcorpus release folder")
    group.add_argument("--clusters", type=Path, help='a JSON object {"doc id": "cluster id"}')
    args = parser.parse_args()
    labels = load_labels(args.labels)
    clusters = args.clusters
    predicted = release_clusters(args.corpus) if args.corpus else json.loads(clusters.read_text(encoding="utf-8"))
    print(report(score(labels, predicted)))


if __name__ == "__main__":
    main()

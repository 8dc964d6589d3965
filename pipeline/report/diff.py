"""What changed between two releases, per dataset: what a maintainer checks before approving a release."""

from __future__ import annotations

from typing import Any

_FIELDS = ("documents", "tokens", "chars")


def _key(d: dict[str, Any]) -> str:
    return f"{d['source']}/{d['dataset_id']}"


def _brief(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "dataset": _key(d),
        "dataset_title": d.get("dataset_title"),
        "agency": d.get("agency"),
        "license": d.get("license"),
        **{f: d.get(f, 0) for f in _FIELDS},
    }


def release_diff(previous: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Datasets added, removed and changed (counts or content), and the document and token deltas."""
    cur = {_key(d): d for d in current["datasets"]}
    if previous is None:
        return {
            "previous_run_id": None,
            "added": [_brief(d) for d in cur.values()],
            "removed": [],
            "changed": [],
            "documents_delta": sum(d["documents"] for d in cur.values()),
            "tokens_delta": sum(d["tokens"] for d in cur.values()),
        }
    prev = {_key(d): d for d in previous.get("datasets", [])}
    changed = []
    for key in sorted(cur.keys() & prev.keys()):
        a, b = prev[key], cur[key]
        content_changed = a.get("content_sha256") != b.get("content_sha256")
        if content_changed or any(a.get(f) != b.get(f) for f in _FIELDS) or a.get("license") != b.get("license"):
            changed.append(
                {
                    **_brief(b),
                    **{f"{f}_before": a.get(f, 0) for f in _FIELDS},
                    "license_before": a.get("license"),
                    "content_changed": content_changed,
                }
            )
    return {
        "previous_run_id": previous.get("run_id"),
        "added": [_brief(cur[k]) for k in sorted(cur.keys() - prev.keys())],
        "removed": [_brief(prev[k]) for k in sorted(prev.keys() - cur.keys())],
        "changed": changed,
        "documents_delta": sum(d["documents"] for d in cur.values()) - sum(d["documents"] for d in prev.values()),
        "tokens_delta": sum(d["tokens"] for d in cur.values()) - sum(d["tokens"] for d in prev.values()),
    }

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


def licence_changes(previous: dict[str, Any] | None, current: dict[str, Any]) -> list[dict[str, Any]]:
    """Datasets whose licence (as the publisher states it, or as the table reads it) or policy differs from the
    release before: each was gated again under its new licence by this publish."""
    before = (previous or {}).get("dataset_licences", {})
    out = []
    for dataset, now in sorted(current.get("dataset_licences", {}).items()):
        then = before.get(dataset)
        if then is None or all(then.get(f) == now.get(f) for f in ("license", "policy", "stated")):
            continue
        change = {
            "dataset": dataset,
            "dataset_title": now.get("dataset_title"),
            "agency": now.get("agency"),
            "license_before": then.get("license"),
            "license": now.get("license"),
            "policy_before": then.get("policy"),
            "policy": now.get("policy"),
            "stated_before": then.get("stated"),
            "stated": now.get("stated"),
        }
        out.append({**change, "description": describe_licence_change(change)})
    return out


def describe_licence_change(change: dict[str, Any]) -> str:
    """licence changed: X -> Y, policy allow -> review (as the diff and the report's first screen say it)."""
    licence = f"{change['license_before']} -> {change['license']}"
    if change["license_before"] == change["license"]:
        licence = f"{change['license']} (stated {change['stated_before']!r} -> {change['stated']!r})"
    return f"licence changed: {licence}, policy {change['policy_before']} -> {change['policy']}"


def release_diff(previous: dict[str, Any] | None, current: dict[str, Any]) -> dict[str, Any]:
    """Datasets added, removed and changed (counts, content or licence), and the document and token deltas."""
    cur = {_key(d): d for d in current["datasets"]}
    if previous is None:
        return {
            "previous_run_id": None,
            "added": [_brief(d) for d in cur.values()],
            "removed": [],
            "changed": [],
            "licence_changed": [],
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
        "licence_changed": licence_changes(previous, current),
        "documents_delta": sum(d["documents"] for d in cur.values()) - sum(d["documents"] for d in prev.values()),
        "tokens_delta": sum(d["tokens"] for d in cur.values()) - sum(d["tokens"] for d in prev.values()),
    }

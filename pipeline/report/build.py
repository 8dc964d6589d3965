"""Per-resource accounting rolled up by dataset and agency; written as report.json and report.html.

Accounting invariant, checked here and in tests: for every resource, records_read = published + rejected.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.dedup.minhash import SCHEME, SHINGLE_HASH, s_curve
from pipeline.extract.staged import StagedResource
from pipeline.licensing import LicenseTable, load_table
from pipeline.paths import RunContext
from pipeline.publish.history import agency_history
from pipeline.report.html import render_html

MAX_SAMPLES = 20


class AccountingError(AssertionError):
    """A resource whose records do not add up: a record was lost or counted twice."""


def _empty_aggregate() -> dict[str, Any]:
    return {
        "records_read": 0,
        "published": 0,
        "rejected": Counter(),
        "chars": 0,
        "tokens": 0,
        "resources": 0,
        "converted_docs": 0,
        "converted_chars": 0,
        "pii": Counter(),
        "decoders": Counter(),
    }


def build_report(
    ctx: RunContext,
    sidecars: list[StagedResource],
    manifest: dict[str, Any],
    *,
    timings: dict[str, float] | None = None,
    cpu: dict[str, float] | None = None,
    target: int | None = None,
    dedup: dict[str, Any] | None = None,
    licenses: LicenseTable | None = None,
    license_overrides: Any = None,
) -> dict[str, Any]:
    tallies = manifest["tallies"]
    cross = manifest.get("cross_agency_clusters", {})
    resources: list[dict[str, Any]] = []
    reasons: Counter[str] = Counter()
    samples: list[dict[str, Any]] = []
    by_dataset: dict[tuple[str, str], dict[str, Any]] = {}
    by_agency: dict[str, dict[str, Any]] = {}
    by_license: dict[str, dict[str, Any]] = {}
    for sc in sidecars:
        t = tallies[sc.key]
        rejected = sum(t["rejected"].values())
        if t["records_read"] != t["published"] + rejected:
            raise AccountingError(
                f"{sc.resource_url}: read {t['records_read']} != published {t['published']} + rejected {rejected}"
            )
        reasons.update(t["rejected"])
        row = {
            "resource_url": sc.resource_url,
            "source": sc.source,
            "dataset_id": sc.dataset_id,
            "dataset_title": sc.dataset_title,
            "agency": sc.agency,
            "license": t["license"],
            "decoder": sc.decoder,
            "raw_sha256": sc.raw_sha256,
            "reused": sc.reused,
            **t,
        }
        resources.append(row)
        norm = sc.normalization or {}
        for sample in norm.get("conversion_samples", []):
            if len(samples) < MAX_SAMPLES:
                samples.append({"dataset_id": sc.dataset_id, "agency": sc.agency, **sample})
        buckets = (
            (by_dataset, (sc.source, sc.dataset_id)),
            (by_agency, sc.agency or ""),
            (by_license, t["license"]),
        )
        for bucket, key in buckets:
            agg = bucket.setdefault(key, _empty_aggregate())
            agg["resources"] += 1
            for f in ("records_read", "published", "chars", "tokens"):
                agg[f] += t[f]
            agg["rejected"].update(t["rejected"])
            agg["converted_docs"] += norm.get("converted_docs", 0)
            agg["converted_chars"] += norm.get("converted_chars", 0)
            agg["pii"].update(norm.get("pii", {}))
            agg["decoders"].update([sc.decoder or "-"])
            if bucket is by_dataset:
                agg.update(
                    {
                        "source": sc.source,
                        "dataset_id": sc.dataset_id,
                        "dataset_title": sc.dataset_title,
                        "agency": sc.agency,
                        "license": t["license"],
                        "cross_agency_clusters": cross.get(f"{sc.source}/{sc.dataset_id}", 0),
                    }
                )
    totals = {
        "resources": len(resources),
        "resources_reused": sum(1 for r in resources if r["reused"]),
        "resources_extracted": sum(1 for r in resources if not r["reused"]),
        "records_read": sum(r["records_read"] for r in resources),
        "published": manifest["documents"],
        "published_restricted": (manifest.get("restricted") or {}).get("documents", 0),
        "rejected": sum(reasons.values()),
        "rejected_by_reason": dict(reasons.most_common()),
        "chars": sum(r["chars"] for r in resources),
        "tokens": sum(r["tokens"] for r in resources),
        "converted_docs": sum(a["converted_docs"] for a in by_agency.values()),
        "converted_chars": sum(a["converted_chars"] for a in by_agency.values()),
        "pii_redactions": dict(sum((a["pii"] for a in by_agency.values()), Counter())),
    }
    return {
        "run_id": ctx.run_id,
        "pipeline_version": ctx.pipeline_version,
        "created_at": manifest["created_at"],
        "config": manifest["config"],
        "config_digest": manifest["config_digest"],
        "output_dir": str(ctx.paths.output_dir),
        "content_sha256": manifest["content_sha256"],
        "release_run_id": manifest["run_id"],
        "release_reused": manifest.get("reused_release", False),
        "refused": refusals(manifest),  # releases not written: they would hold no document
        "totals": totals,
        "target": {"tokens": target, "fraction": (totals["tokens"] / target) if target else None},
        "timings_s": timings or {},
        "cpu_s": cpu or {},  # over the run's process and its workers: cpu / wall = cores kept busy
        "agencies": [_plain({"agency": k, **v}) for k, v in sorted(by_agency.items())],
        "licenses": [
            _plain({**_licence_facts(licenses, license_overrides, k), **v}) for k, v in sorted(by_license.items())
        ],
        "diff": manifest.get("diff"),
        "removals": manifest.get("removals", []),
        "agency_trend": agency_trend(agency_history(ctx.paths.state_dir, ctx.paths.output_dir)),
        "restricted": manifest.get("restricted"),
        "document_agencies": [{"agency": k, **v} for k, v in manifest.get("document_agencies", {}).items()],
        "datasets": [_plain(v) for _, v in sorted(by_dataset.items())],
        "conversion_samples": samples,
        "dedup": _dedup_section(dedup, manifest.get("dedup_stats")),
        "duplicate_audit": manifest.get("dedup_audit") or [],
        "steps": steps(sidecars, manifest),
        "resources": resources,
    }


def agency_trend(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """Tokens per agency release by release (the chart) and the agencies ranked by the latest release's tokens,
    with their rank in the release before (the ministry recognises contributing agencies by it)."""
    if not releases:
        return {"releases": [], "series": [], "ranking": []}

    def ranks(release: dict[str, Any]) -> dict[str, int]:
        ordered = sorted(release["agencies"].items(), key=lambda kv: (-kv[1]["tokens"], kv[0]))
        return {name: n + 1 for n, (name, _) in enumerate(ordered)}

    latest = releases[-1]
    before = ranks(releases[-2]) if len(releases) > 1 else {}
    now = ranks(latest)
    ranking = [
        {
            "agency": name,
            "rank": rank,
            "rank_before": before.get(name),
            "documents": latest["agencies"][name]["documents"],
            "tokens": latest["agencies"][name]["tokens"],
            "tokens_before": releases[-2]["agencies"].get(name, {}).get("tokens") if len(releases) > 1 else None,
        }
        for name, rank in sorted(now.items(), key=lambda kv: kv[1])
    ]
    top = [r["agency"] for r in ranking[:8]]
    series = [
        {"agency": name, "tokens": [r["agencies"].get(name, {}).get("tokens", 0) for r in releases]} for name in top
    ]
    labels = [{"run_id": r["run_id"], "date": str(r["created_at"])[:10]} for r in releases]
    return {"releases": labels, "series": series, "ranking": ranking}


def steps(staged: list[StagedResource], manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Per step of extraction (over the resources extracted by this run or an earlier one) and of publish's
    decisions: documents in, documents out, CPU seconds -- where the documents go and where the time goes."""
    extraction: dict[str, dict[str, float]] = {}
    for sc in staged:
        for name, stat in sc.steps.items():
            agg = extraction.setdefault(name, {"docs_in": 0, "docs_out": 0, "cpu_s": 0.0})
            agg["docs_in"] += stat.docs_in
            agg["docs_out"] += stat.docs_out
            agg["cpu_s"] += stat.cpu_s
    rows = [{"stage": "extract", "step": k, **v} for k, v in extraction.items()]
    rows += [{"stage": "publish", "step": k, **v} for k, v in (manifest.get("decision_steps") or {}).items()]
    for row in rows:
        row["cpu_s"] = round(row["cpu_s"], 3)
    return rows


def _dedup_section(dedup: dict[str, Any] | None, stats: dict[str, int] | None) -> dict[str, Any] | None:
    """Settings, S-curve and work of the near-duplicate stage: what a maintainer needs to judge the thresholds."""
    if not dedup:
        return None
    curve = s_curve(dedup["bands"], dedup["rows"])
    return {**dedup, "scheme": SCHEME, "shingle_hash": SHINGLE_HASH, "s_curve": curve, "stats": stats or {}}


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, Counter) else v) for k, v in d.items()}
    if "rejected" in out:
        out["duplicates_removed"] = sum(n for r, n in out["rejected"].items() if r.endswith("_duplicate"))
    return out


def _licence_facts(table: LicenseTable | None, overrides: Any, license_id: str) -> dict[str, Any]:
    """Name, class and the policy this run applied (the table's, or the config's override)."""
    table = table or load_table()
    lic = table.get(license_id)
    policy = table.policy(license_id, overrides)
    return {"license": license_id, "name": lic.name, "license_class": lic.license_class, "policy": policy}


def write_report(ctx: RunContext, report: dict[str, Any]) -> Path:
    folder = ctx.paths.reports_dir / ctx.run_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    (folder / "report.html").write_text(render_html(report), encoding="utf-8")
    latest = ctx.paths.reports_dir / "latest"
    if latest.is_symlink() or latest.exists():
        latest.unlink()
    latest.symlink_to(ctx.run_id)
    return folder


def refusals(manifest: dict[str, Any]) -> list[str]:
    """The releases of a publish that were not written because they would hold no document."""
    return [m["refused"] for m in (manifest, manifest.get("restricted") or {}) if m.get("refused")]

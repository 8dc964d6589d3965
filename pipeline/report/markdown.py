"""A short Markdown summary of a run: what the orchestrator shows next to the run (a Prefect artifact)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _n(x: int | None) -> str:
    return "-" if x is None else f"{x:,}"


def summary_markdown(report: dict[str, Any], folder: Path) -> str:
    t = report["totals"]
    target = report["target"]
    lines = [
        f"# twcorpus run `{report['run_id']}`",
        "",
        f"**{_n(t['published'])}** documents published of {_n(t['records_read'])} records read "
        f"({_n(t['rejected'])} rejected); **{_n(t['tokens'])}** tokens, {_n(t['chars'])} characters.",
    ]
    if target.get("tokens"):
        lines.append(f"Target: {_n(target['tokens'])} tokens -- {100 * target['fraction']:.4f}% reached.")
    diff = report.get("diff")
    if diff:
        lines.append(
            f"Since release `{diff['previous_run_id']}`: {len(diff['added'])} datasets added, "
            f"{len(diff['removed'])} removed, {len(diff['changed'])} changed; tokens {diff['tokens_delta']:+,}."
        )
    for change in (diff or {}).get("licence_changed", []):
        lines.append(f"**{change['dataset']}**: {change['description']}")
    lines += [f"**Not published:** {why}" for why in report.get("refused", [])]
    if report.get("release_reused"):
        lines.append("Nothing changed: the release in place was kept.")
    lines += ["", "| rejected because | records |", "|---|---|"]
    lines += [f"| {reason} | {_n(n)} |" for reason, n in t["rejected_by_reason"].items()]
    lines += ["", "| agency | published | tokens | rejected |", "|---|---|---|---|"]
    for a in report["agencies"]:
        lines.append(
            f"| {a['agency'] or '(not stated)'} | {_n(a['published'])} | {_n(a['tokens'])} "
            f"| {_n(sum(a['rejected'].values()))} |"
        )
    lines += ["", "| licence | policy | published | tokens |", "|---|---|---|---|"]
    for lic in report.get("licenses", []):
        lines.append(f"| {lic['license']} | {lic['policy']} | {_n(lic['published'])} | {_n(lic['tokens'])} |")
    lines += ["", f"Full report: `{folder / 'report.html'}` ({(folder / 'report.html').as_uri()})", ""]
    return "\n".join(lines)


def changes_markdown(run_id: str, sources: list[dict[str, Any]]) -> str:
    """What the change exports list since the last run (stages.catalogue_changes), per source."""
    lines = [f"# Catalogue changes for run `{run_id}`", ""]
    for s in sources:
        read = "" if s["export_read"] else " -- **not readable: nothing carried away, the build reports it**"
        lines += [
            f"## {s['source']}",
            "",
            f"Exports read: {', '.join(f'`{u}`' for u in s['exports'])}{read}",
            "",
            f"- added or modified ({len(s['added_or_modified'])}): {_ids(s['added_or_modified'])}",
            f"- deleted ({len(s['deleted'])}): {_ids(s['deleted'])}",
            f"- read now ({len(s['read_now'])}): {_ids(s['read_now'])}",
            f"- carried over from the last run, not downloaded ({len(s['carried_over'])})",
            "",
        ]
    return "\n".join(lines)


def _ids(ids: list[str], shown: int = 50) -> str:
    more = f" and {len(ids) - shown:,} more" if len(ids) > shown else ""
    return (", ".join(ids[:shown]) + more) if ids else "-"

"""Ministry of Justice laws database (law.moj.gov.tw): one document per law, articles in order.

Reads the per-law JSON files (one element of the official `Laws` array each) and the official bulk
envelope `{"UpdateDate": ..., "Laws": [...]}`. The law's PCode (from LawURL) is its source_record_id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pipeline.config import LoadedConfig, MojLawsSource
from pipeline.readers.records import BadRecord
from pipeline.sources.base import Draft, Resource, display_path, expand_paths

_PCODE = re.compile(r"pcode=([A-Za-z0-9]+)", re.IGNORECASE)


def discover(cfg: LoadedConfig, index: int, source: MojLawsSource) -> list[Resource]:
    return [
        Resource(
            source_index=index,
            source_kind="moj_laws",
            source_name=source.name or "moj_laws",
            url=display_path(cfg, path),
            fetch_url=str(path),
            format="json",
            encoding_hint=source.encoding,
            dataset=source.dataset,
            options={"include_abolished": source.include_abolished},
        )
        for path in expand_paths(cfg, source.paths, f"sources[{index}]")
    ]


def pcode(law: dict[str, Any]) -> str | None:
    match = _PCODE.search(str(law.get("LawURL") or ""))
    return match.group(1) if match else None


def law_text(law: dict[str, Any]) -> str:
    """Name, foreword, then chapter headings and articles in publication order."""
    parts: list[str] = [str(law.get("LawName") or "").strip()]
    foreword = str(law.get("LawForeword") or "").strip()
    if foreword:
        parts.append(foreword)
    for art in law.get("LawArticles") or []:
        content = str(art.get("ArticleContent") or "")
        if art.get("ArticleType") == "C":
            parts.append(content.strip())
        else:
            number = str(art.get("ArticleNo") or "").strip()
            parts.append(f"{number}\n{content}" if number else content)
    return "\n".join(p for p in parts if p)


def _modified(law: dict[str, Any]) -> datetime | None:
    raw = str(law.get("LawModifiedDate") or "")
    try:
        return datetime.strptime(raw, "%Y%m%d").replace(tzinfo=UTC)
    except ValueError:
        return None


def _laws(text: str) -> Iterator[tuple[str, Any]]:
    value = json.loads(text.removeprefix("\ufeff"))
    if isinstance(value, dict) and isinstance(value.get("Laws"), list):
        for i, law in enumerate(value["Laws"]):
            yield f"$.Laws[{i}]", law
    else:
        yield "$", value


def drafts(source: MojLawsSource, resource: Resource, text: str) -> Iterator[Draft | BadRecord]:
    for locator, law in _laws(text):
        if not isinstance(law, dict) or "LawName" not in law:
            raw = json.dumps(law, ensure_ascii=False)
            yield BadRecord(locator, "not_a_law", "expected an object with LawName and LawArticles", raw=raw)
            continue
        abolished = str(law.get("LawAbandonNote") or "").strip()
        yield Draft(
            locator=locator,
            text=law_text(law),
            title=str(law.get("LawName") or "") or None,
            source_record_id=pcode(law),
            modified_at=_modified(law),
            rejection=("abolished_law", f"LawAbandonNote={abolished!r}")
            if abolished and not source.include_abolished
            else None,
        )

"""Ministry of Justice laws database (law.moj.gov.tw): one document per law, articles in order.

Reads the three shapes the ministry has published: the current bulk form (`{"UpdateDate", "Laws": [...]}`,
UTF-8 with BOM, usually inside ChLaw.json.zip / EngLaw.json.zip -- archives are opened by the extract
stage) and its per-law split files; the English translations (`Eng*` keys); and the legacy format converted
from the old XML (Chinese keys: 法規名稱, 法規內容 ...). The law's PCode is its source_record_id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.config import LoadedConfig, MojLawsSource
from pipeline.dates import parse_date
from pipeline.readers.records import BadRecord
from pipeline.sources.base import Draft, Resource, display_path, expand_paths

_PCODE = re.compile(r"pcode=([A-Za-z0-9]+)", re.IGNORECASE)


@dataclass(frozen=True)
class LawView:
    """One law, whatever shape it was published in."""

    name: str
    foreword: str
    articles: list[tuple[str, str, str]]  # (kind C|A, number, content)
    url: str
    modified: str
    abandon_note: str
    language: str  # zh | en


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
            options={"include_abolished": source.include_abolished, "members": "*.json"},
        )
        for path in expand_paths(cfg, source.paths, f"sources[{index}]")
    ]


def view(law: dict[str, Any]) -> LawView | None:
    """Map any of the published shapes to a LawView; None when the object is not a law."""
    if "LawName" in law and "LawArticles" in law:
        return LawView(
            name=str(law.get("LawName") or ""),
            foreword=str(law.get("LawForeword") or ""),
            articles=[
                (str(a.get("ArticleType") or "A"), str(a.get("ArticleNo") or ""), str(a.get("ArticleContent") or ""))
                for a in law.get("LawArticles") or []
            ],
            url=str(law.get("LawURL") or ""),
            modified=str(law.get("LawModifiedDate") or ""),
            abandon_note=str(law.get("LawAbandonNote") or ""),
            language="zh",
        )
    if "EngLawName" in law and "EngLawArticles" in law:
        return LawView(
            name=str(law.get("EngLawName") or ""),
            foreword=str(law.get("EngLawForeword") or ""),
            articles=[
                (
                    str(a.get("EngArticleType") or "A"),
                    str(a.get("EngArticleNo") or ""),
                    str(a.get("EngArticleContent") or ""),
                )
                for a in law.get("EngLawArticles") or []
            ],
            url=str(law.get("EngLawURL") or ""),
            modified=str(law.get("EngLawModifiedDate") or ""),
            abandon_note=str(law.get("EngLawAbandonNote") or ""),
            language="en",
        )
    if "法規名稱" in law and "法規內容" in law:
        articles: list[tuple[str, str, str]] = []
        for a in law.get("法規內容") or []:
            if "編章節" in a:
                articles.append(("C", "", str(a["編章節"])))
            else:
                articles.append(("A", str(a.get("條號") or ""), str(a.get("條文內容") or "")))
        return LawView(
            name=str(law.get("法規名稱") or ""),
            foreword=str(law.get("前言") or ""),
            articles=articles,
            url=str(law.get("法規網址") or ""),
            modified=str(law.get("最新異動日期") or ""),
            abandon_note=str(law.get("廢止註記") or ""),
            language="zh",
        )
    return None


def pcode(law: LawView | dict[str, Any]) -> str | None:
    url = law.url if isinstance(law, LawView) else str(law.get("LawURL") or law.get("EngLawURL") or "")
    match = _PCODE.search(url)
    return match.group(1) if match else None


def law_text(law: LawView | dict[str, Any]) -> str:
    """Name, foreword, then chapter headings and articles in publication order."""
    v = law if isinstance(law, LawView) else view(law)
    if v is None:
        raise ValueError("not a law")
    parts: list[str] = [v.name.strip()]
    if v.foreword.strip():
        parts.append(v.foreword.strip())
    for kind, number, content in v.articles:
        if kind == "C":
            parts.append(content.strip())
        else:
            parts.append(f"{number.strip()}\n{content}" if number.strip() else content)
    return "\n".join(p for p in parts if p)


def _laws(text: str) -> Iterator[tuple[str, Any]]:
    value = json.loads(text.removeprefix("\ufeff"))
    if isinstance(value, dict) and isinstance(value.get("Laws"), list):
        for i, law in enumerate(value["Laws"]):
            yield f"$.Laws[{i}]", law
    else:
        yield "$", value


def drafts(source: MojLawsSource, resource: Resource, text: str) -> Iterator[Draft | BadRecord]:
    for locator, law in _laws(text):
        v = view(law) if isinstance(law, dict) else None
        if v is None:
            raw = json.dumps(law, ensure_ascii=False)
            yield BadRecord(
                locator, "not_a_law", "expected a law object (LawName/EngLawName/法規名稱 and articles)", raw=raw
            )
            continue
        abolished = v.abandon_note.strip()
        yield Draft(
            locator=locator,
            text=law_text(v),
            title=v.name or None,
            source_record_id=pcode(v),
            modified_at=parse_date(v.modified),
            rejection=("abolished_law", f"abandon note {abolished!r}")
            if abolished and not source.include_abolished
            else None,
            flags=("abolished_law",) if abolished else (),
        )

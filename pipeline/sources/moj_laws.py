"""Ministry of Justice laws database (law.moj.gov.tw): one document per law, articles in order.

Reads every shape the ministry has published: the current bulk form (`{"UpdateDate", "Laws": [...]}`,
UTF-8 with BOM, usually inside ChLaw.json.zip / EngLaw.json.zip -- archives are opened by the extract
stage) and its per-law split files; the English translations (`Eng*` keys); and the legacy format converted
from the old XML, Chinese (法規名稱, 法規內容 ...) and English (英文法規名稱, 中文法規名稱, 法規內容 ...). The
law's PCode is its source_record_id; an English translation is `language: en` with the Chinese name of the
law in its metadata (`title_zh`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pipeline.config import LoadedConfig, MojLawsSource
from pipeline.dates import parse_date
from pipeline.readers.jsonish import read_json
from pipeline.readers.records import BadRecord
from pipeline.sources.base import Draft, Resource
from pipeline.sources.files import expand_paths, fetch_location

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
    title_zh: str = ""  # of an English translation: the Chinese name of the law it translates


def discover(cfg: LoadedConfig, index: int, source: MojLawsSource) -> list[Resource]:
    return [
        Resource(
            source_index=index,
            source_kind="moj_laws",
            source_name=source.name or "moj_laws",
            url=file.name,
            fetch_url=fetch_location(file.path),
            format="json",
            encoding_hint=source.encoding,
            dataset=source.dataset,
            options={"members": "*.json"},
        )
        for file in expand_paths(cfg, source.paths, f"sources[{index}]", source.optional)
    ]


def _text(d: dict[str, Any], key: str, default: str = "") -> str:
    return str(d.get(key) or default)


def _current_shape(law: dict[str, Any], prefix: str, language: str) -> LawView:
    """The ministry's current JSON: `LawName`, `LawArticles` ...; English files prefix every key with `Eng`."""
    p = prefix
    return LawView(
        name=_text(law, f"{p}LawName"),
        foreword=_text(law, f"{p}LawForeword"),
        articles=[
            (_text(a, f"{p}ArticleType", "A"), _text(a, f"{p}ArticleNo"), _text(a, f"{p}ArticleContent"))
            for a in law.get(f"{p}LawArticles") or []
        ],
        url=_text(law, f"{p}LawURL"),
        modified=_text(law, f"{p}LawModifiedDate"),
        abandon_note=_text(law, f"{p}LawAbandonNote"),
        language=language,
        title_zh=_text(law, "LawName") if language == "en" else "",
    )


def _legacy_shape(law: dict[str, Any]) -> LawView:
    """Converted from the old XML: Chinese keys, chapter headings as {編章節}, articles as {條號, 條文內容}."""
    articles = [
        ("C", "", _text(a, "編章節")) if "編章節" in a else ("A", _text(a, "條號"), _text(a, "條文內容"))
        for a in law.get("法規內容") or []
    ]
    return LawView(
        name=_text(law, "法規名稱"),
        foreword=_text(law, "前言"),
        articles=articles,
        url=_text(law, "法規網址"),
        modified=_text(law, "最新異動日期"),
        abandon_note=_text(law, "廢止註記"),
        language="zh",
    )


def _legacy_english_shape(law: dict[str, Any]) -> LawView:
    """The English translations converted from the old Eng_FalVMingLing.xml: 英文法規名稱 / 中文法規名稱 instead of
    法規名稱, 最新英文異動日期, articles as {條號: "Article 1", 條文內容}."""
    view = _legacy_shape(law)
    return LawView(
        name=_text(law, "英文法規名稱"),
        foreword=view.foreword,
        articles=view.articles,
        url=view.url,
        modified=_text(law, "最新英文異動日期") or view.modified,
        abandon_note=view.abandon_note,
        language="en",
        title_zh=_text(law, "中文法規名稱"),
    )


def view(law: dict[str, Any]) -> LawView | None:
    """Map any of the published shapes to a LawView; None when the object is not a law."""
    if "LawName" in law and "LawArticles" in law:
        return _current_shape(law, "", "zh")
    if "EngLawName" in law and "EngLawArticles" in law:
        return _current_shape(law, "Eng", "en")
    if "法規名稱" in law and "法規內容" in law:
        return _legacy_shape(law)
    if "英文法規名稱" in law and "法規內容" in law:
        return _legacy_english_shape(law)
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


def _laws(text: str) -> Iterator[tuple[str, Any] | BadRecord]:
    """(locator, law object) of a per-law file or each law of a bulk envelope. A bulk file cut short yields its
    complete laws, then one bad record for the cut (see jsonish.read_json)."""
    body = text.removeprefix("\ufeff")
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        if '"Laws"' not in body[:4096]:
            raise
        for item in read_json(body, "Laws"):
            yield item if isinstance(item, BadRecord) else (item.locator, item.fields)
        return
    if isinstance(value, dict) and isinstance(value.get("Laws"), list):
        for i, law in enumerate(value["Laws"]):
            yield f"$.Laws[{i}]", law
    else:
        yield "$", value


def drafts(source: MojLawsSource, resource: Resource, text: str) -> Iterator[Draft | BadRecord]:
    for item in _laws(text):
        if isinstance(item, BadRecord):
            yield item
            continue
        locator, law = item
        v = view(law) if isinstance(law, dict) else None
        if v is None:
            raw = json.dumps(law, ensure_ascii=False)
            yield BadRecord(
                locator,
                "not_a_law",
                "expected a law object (LawName/EngLawName/法規名稱/英文法規名稱 and articles)",
                raw=raw,
            )
            continue
        abolished = v.abandon_note.strip()
        yield Draft(
            locator=locator,
            text=law_text(v),
            title=v.name or None,
            source_record_id=pcode(v),
            modified_at=parse_date(v.modified),
            flags=("abolished_law",) if abolished else (),  # publish decides (include_abolished)
            language=v.language,
            metadata={"title_zh": v.title_zh} if v.title_zh else None,
        )

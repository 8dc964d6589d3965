"""JSON and JSON Lines readers; a record list may sit under a dotted key (e.g. `result.records`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any

from pipeline.readers.records import BadRecord, Record, stream_lines

_LINE_END = re.compile(r"\r\n|\r|\n")


def json_lines(text: str) -> Iterator[str]:
    """The lines of a JSON Lines text, one at a time (a big file's lines are never all held at once), split
    at \\n, \\r\\n or \\r only: JSON holds no other line break raw, but its strings may hold U+2028, U+0085 or a
    form feed, which `str.splitlines` would cut a record at."""
    start = 0
    for end in _LINE_END.finditer(text):
        yield text[start : end.start()]
        start = end.end()
    if start < len(text):
        yield text[start:]


def read_jsonl(text: str | IO[str]) -> Iterator[Record | BadRecord]:
    """Records of JSON Lines: a decoded text, or a text stream (a big file read a line at a time)."""
    if isinstance(text, str):
        lines = json_lines(text.removeprefix("\ufeff"))
    else:
        lines = (line.rstrip("\r\n") for line in stream_lines(text))
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield BadRecord(f"line:{n}", "invalid_json", f"{exc.msg} at column {exc.colno}", raw=line)
            continue
        except RecursionError:
            yield BadRecord(f"line:{n}", "invalid_json", "nested deeper than the JSON parser allows", raw=line[:10_000])
            continue
        if not isinstance(value, dict):
            yield BadRecord(
                f"line:{n}", "not_an_object", f"expected a JSON object, got {type(value).__name__}", raw=line
            )
            continue
        yield Record(f"line:{n}", value)


class JsonShapeError(ValueError):
    """The document parsed but holds no record list where the config says it is."""


def _descend(value: Any, records_path: str | None) -> tuple[Any, str]:
    path = "$"
    for key in (records_path or "").split(".") if records_path else []:
        if not isinstance(value, dict) or key not in value:
            raise JsonShapeError(f"no key {key!r} at {path}")
        value = value[key]
        path += f".{key}"
    return value, path


def read_json(text: str, records_path: str | None = None) -> Iterator[Record | BadRecord]:
    """Records of a JSON document: the object at `records_path` (or the top), or each object of the list there.

    A document that does not parse (a download cut short) is read again record by record: the complete records
    of its list are kept and the rest is one bad record naming where the text stops making sense. Raises
    json.JSONDecodeError / JsonShapeError only when no record list can be reached at all.
    """
    body = text.removeprefix("\ufeff")
    try:
        value, path = _descend(json.loads(body), records_path)
    except json.JSONDecodeError:
        yield from _salvage(body, records_path)
        return
    if isinstance(value, dict):
        yield Record(path, value)
        return
    if not isinstance(value, list):
        raise JsonShapeError(f"expected an object or a list at {path}, got {type(value).__name__}")
    for i, item in enumerate(value):
        yield _record(f"{path}[{i}]", item)


def _record(loc: str, item: Any) -> Record | BadRecord:
    if isinstance(item, dict):
        return Record(loc, item)
    return BadRecord(
        loc,
        "not_an_object",
        f"expected a JSON object, got {type(item).__name__}",
        raw=json.dumps(item, ensure_ascii=False),
    )


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _expect(text: str, pos: int, char: str) -> int:
    if text[pos : pos + 1] != char:
        got = repr(text[pos]) if pos < len(text) else "the end of the file"
        raise json.JSONDecodeError(f"expected {char!r}, found {got}", text, pos)
    return pos + 1


def _list_start(text: str, records_path: str | None) -> tuple[int, str]:
    """Position just inside the list at `records_path` (the top level when None), walking the objects above it
    value by value; its JSON path."""
    pos, path = _skip(text, 0), "$"
    for key in records_path.split(".") if records_path else []:
        pos = _expect(text, pos, "{")
        while True:
            pos = _skip(text, pos)
            name, pos = _DECODER.raw_decode(text, pos)
            pos = _expect(text, _skip(text, pos), ":")
            pos = _skip(text, pos)
            if name == key:
                path += f".{key}"
                break
            _, pos = _DECODER.raw_decode(text, pos)
            pos = _expect(text, _skip(text, pos), ",")
    return _expect(text, pos, "["), path


def _ends_early(text: str, exc: BaseException, pos: int) -> bool:
    """Whether a parse failure is the text running out (a cut download) rather than bad JSON."""
    at = getattr(exc, "pos", pos)
    return _skip(text, at) >= len(text) or str(getattr(exc, "msg", "")).startswith("Unterminated string")


def _salvage(text: str, records_path: str | None) -> Iterator[Record | BadRecord]:
    """The complete records of a list whose document breaks off or turns invalid, then one bad record for the
    rest, naming the record and the byte (of the UTF-8 text) where it stops."""
    pos, path = _list_start(text, records_path)  # JSONDecodeError: no list to salvage
    total = len(text.encode("utf-8"))

    def tail(at: int, early: bool, i: int) -> BadRecord:
        where = f"byte {len(text[:at].encode('utf-8')):,} of {total:,}"
        what = "the file ends" if early else "invalid JSON"
        detail = f"{what} at record {i} ({where}); the {i:,} records before it are read"
        return BadRecord(f"{path}[{i}]", "truncated_json" if early else "invalid_json", detail, text[at : at + 10_000])

    i = 0
    pos = _skip(text, pos)
    while not text.startswith("]", pos):
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            yield tail(pos, _ends_early(text, exc, pos), i)
            return
        yield _record(f"{path}[{i}]", item)
        i += 1
        pos = _skip(text, end)
        if text.startswith(",", pos):
            pos = _skip(text, pos + 1)
        elif not text.startswith("]", pos):
            yield tail(pos, pos >= len(text), i)
            return
    after = _skip(text, pos + 1)
    if after >= len(text):
        detail = f"the file ends after the list at {path} ({i:,} records, all read) without closing what holds it"
        yield BadRecord(f"{path}[{i}]", "truncated_json", detail)
        return
    detail = (
        f"the list at {path} is whole ({i:,} records, all read) but the text after it does not parse "
        f"(byte {len(text[:after].encode('utf-8')):,} of {total:,})"
    )
    yield BadRecord(f"{path}[{i}]", "invalid_json", detail, raw=text[after : after + 10_000])

"""JSON and JSON Lines readers; a record list may sit under a dotted key (e.g. `result.records`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from pipeline.readers.records import BadRecord, Record


def read_jsonl(text: str) -> Iterator[Record | BadRecord]:
    for n, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
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
    """Raises json.JSONDecodeError / JsonShapeError for a file that cannot be read at all."""
    value, path = _descend(json.loads(text.removeprefix("\ufeff")), records_path)
    if isinstance(value, dict):
        yield Record(path, value)
        return
    if not isinstance(value, list):
        raise JsonShapeError(f"expected an object or a list at {path}, got {type(value).__name__}")
    for i, item in enumerate(value):
        loc = f"{path}[{i}]"
        if isinstance(item, dict):
            yield Record(loc, item)
        else:
            yield BadRecord(
                loc,
                "not_an_object",
                f"expected a JSON object, got {type(item).__name__}",
                raw=json.dumps(item, ensure_ascii=False),
            )

"""The local-files contract: a text field holds text."""

import json

from pipeline.config import LocalSource
from pipeline.readers.records import BadRecord
from pipeline.sources.base import Draft, Resource
from pipeline.sources.local import drafts

DATASET = {"id": "d", "license": "OGDL-Taiwan-1.0"}


def _drafts(rows: list[dict], **kw) -> list:
    source = LocalSource(kind="local", paths=["x"], format="jsonl", dataset=DATASET, **{"text_field": "text", **kw})
    resource = Resource(
        source_index=0, source_kind="local", source_name="l", url="x", fetch_url="x", format="jsonl", dataset=DATASET
    )
    return list(drafts(source, resource, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)))


def test_a_text_field_that_holds_no_text_is_rejected_naming_its_type():
    rows = [
        {"id": "a", "text": 12345},
        {"id": "b", "text": 3.5},
        {"id": "c", "text": {"段落": "內容"}},
        {"id": "d", "text": ["甲", "乙"]},
        {"id": "e", "text": True},
        {"id": "f", "text": "真正的文字"},
        {"id": "g", "text": None},
    ]
    out = _drafts(rows, id_field="id")
    bad = [r for r in out if isinstance(r, BadRecord)]
    assert [b.reason for b in bad] == ["text_not_a_string"] * 5
    assert [b.detail for b in bad] == [
        "field 'text' holds a number (12345), not text",
        "field 'text' holds a number (3.5), not text",
        'field \'text\' holds an object ({"段落": "內容"}), not text',
        'field \'text\' holds an array (["甲", "乙"]), not text',
        "field 'text' holds a boolean (true), not text",
    ]
    assert json.loads(bad[0].raw) == rows[0]  # the record as it came, for the rejected table
    kept = [r for r in out if isinstance(r, Draft)]
    assert [(d.source_record_id, d.text) for d in kept] == [("f", "真正的文字"), ("g", "")]  # null: empty_text later


def test_one_non_text_field_among_several_rejects_the_record():
    out = _drafts([{"標題": "公告", "內文": 2024}], text_field=["標題", "內文"])
    assert isinstance(out[0], BadRecord) and "field '內文' holds a number (2024)" in out[0].detail

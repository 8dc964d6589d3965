import json

import pytest

from pipeline.readers.jsonish import JsonShapeError, read_json, read_jsonl
from pipeline.readers.records import BadRecord, Record


def test_jsonl_bad_lines_are_reported_and_the_rest_read():
    text = '{"id": 1, "text": "甲"}\n\n{"id": 2, "text": "乙\n[1, 2]\n{"id": 3}\n'
    rows = list(read_jsonl(text))
    assert [type(r).__name__ for r in rows] == ["Record", "BadRecord", "BadRecord", "Record"]
    assert rows[1].locator == "line:3" and rows[1].reason == "invalid_json"
    assert rows[2].reason == "not_an_object"
    assert rows[3].locator == "line:5"


def test_jsonl_records_keep_the_line_separators_their_strings_hold():
    # json.dumps(ensure_ascii=False) writes U+2028, U+2029 and U+0085 raw (text pasted from a word processor
    # has them); a JSONL line ends at \n, \r\n or \r only.
    texts = ["第一條\u2028本法依憲法制定之。", "公告\x85內容\u2029說明", "一般文字"]
    body = "\r\n".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in enumerate(texts)) + "\r\n"
    rows = list(read_jsonl(body))
    assert [r.fields["text"] for r in rows] == texts
    assert [r.locator for r in rows] == ["line:1", "line:2", "line:3"]
    assert [r.locator for r in read_jsonl('{"a": "甲"}\r{"a": "乙"}\n\n{"a": "丙"}')] == ["line:1", "line:2", "line:4"]


def test_json_list_under_a_dotted_path():
    text = json.dumps({"result": {"records": [{"a": "甲"}, 3]}})
    rows = list(read_json(text, "result.records"))
    assert isinstance(rows[0], Record) and rows[0].locator == "$.result.records[0]"
    assert isinstance(rows[1], BadRecord) and rows[1].reason == "not_an_object"


def test_json_shape_errors_name_the_path():
    with pytest.raises(JsonShapeError, match=r"no key 'records' at \$\.result"):
        list(read_json('{"result": {}}', "result.records"))
    with pytest.raises(json.JSONDecodeError):
        list(read_json('{"truncated": '))


def _cut_list(n: int) -> str:
    return json.dumps([{"id": i, "text": f"第{i}則公告，內容完整。"} for i in range(n)], ensure_ascii=False)


def test_a_json_list_cut_short_keeps_its_complete_records_and_names_the_cut():
    full = _cut_list(5)
    cut = full[: full.index('{"id": 3') + 12]  # a broken download: ends inside the fourth record
    rows = list(read_json(cut))
    assert [r.locator for r in rows] == ["$[0]", "$[1]", "$[2]", "$[3]"]
    assert all(isinstance(r, Record) for r in rows[:3]) and [r.fields["id"] for r in rows[:3]] == [0, 1, 2]
    tail = rows[3]
    assert isinstance(tail, BadRecord) and tail.reason == "truncated_json"
    at = len(full[: full.index('{"id": 3')].encode("utf-8"))
    assert f"the file ends at record 3 (byte {at:,} of {len(cut.encode('utf-8')):,})" in tail.detail
    assert tail.raw == cut[full.index('{"id": 3') :]

    whole_records = list(read_json(full[:-1]))  # only the closing bracket is missing
    assert [type(r).__name__ for r in whole_records] == ["Record"] * 5 + ["BadRecord"]
    assert whole_records[-1].reason == "truncated_json"


def test_a_nested_record_list_cut_short_and_garbage_inside_a_list():
    body = json.dumps({"success": True, "result": {"fields": [{"id": "x"}], "records": json.loads(_cut_list(4))}})
    rows = list(read_json(body[: body.index('{"id": 2') + 5], "result.records"))
    assert [r.locator for r in rows] == [f"$.result.records[{i}]" for i in range(3)]
    assert rows[-1].reason == "truncated_json"

    full = _cut_list(4)
    at = full.index('{"id": 2')
    broken = full[:at] + "@" + full[at:]
    rows = list(read_json(broken))
    assert [type(r).__name__ for r in rows] == ["Record", "Record", "BadRecord"]
    assert rows[-1].reason == "invalid_json" and "invalid JSON at record 2" in rows[-1].detail
    # A whole list followed by text that does not parse: every record read, the rest named.
    rows = list(read_json(full + ' {"x"'))
    assert len([r for r in rows if isinstance(r, Record)]) == 4 and rows[-1].reason == "invalid_json"

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

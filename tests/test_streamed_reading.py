"""JSON Lines and CSV read a line at a time from the file stage exactly what decoding the whole file stages: rows,
order, ids, decoder, rejections -- whatever the encoding, line ends and bad lines."""

import json

import pyarrow.feather as feather
import pytest

from pipeline.readers.encoding import streamed_codec as read_codec
from tests.conftest import jsonl_source
from tests.test_split import _comparable, _csv_big5, _jsonl_lines

TEXTS = ["第一條\u2028本法依憲法制定之。", "公告\x85內容\u2029說明，碁與堃。", "一般文字，電話 02-2380-9876。"]
BIG5 = ["第一條　本法依憲法制定之。", "碁與銹，電話 02-2380-9876。"]  # 碁 銹: Big5 ETEN, cp950 only


def _records(texts: list[str]) -> list[str]:
    return [json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False) for i, t in enumerate(texts)]


FILES = {
    "mixed_rows.jsonl": ("\n".join(_jsonl_lines(300)) + "\n").encode("utf-8"),
    "bom_crlf.jsonl": b"\xef\xbb\xbf" + ("\r\n".join(_records(TEXTS)) + "\r\n").encode("utf-8"),
    "lone_cr.jsonl": "\r".join(_records(TEXTS)).encode("utf-8"),
    "big5.jsonl": ("\n".join(_records(BIG5)) + "\n").encode("cp950"),
    "two_codecs.jsonl": "\n".join(_records(TEXTS[2:])).encode("utf-8") + b"\n" + _records(TEXTS[2:])[0].encode("cp950"),
    "empty.jsonl": b"",
    "blank.jsonl": b" \n\n\t\n",
    "binary.jsonl": bytes(range(256)) * 8,
    "truncated.jsonl": ("\n".join(_records(TEXTS)) + '\n{"id": "x", "text": "未完').encode("utf-8"),
    "big5_multiline.csv": _csv_big5(120),
    "bom_semicolon.csv": '\ufeffid;text\r\n1;甲公告\r\n2;"多\n行；內容"\r\n\r\n3;丙\r\n'.encode(),
    "ragged.csv": "id,text\n1,公告甲\n2\n3,公告乙,多一欄\n4,公告丁".encode(),
    "unbalanced.csv": 'id,text\n1,"公告\n2,內容\n3,結尾\n'.encode(),
    "nul.csv": ("id,text\n" + "".join(f"{i},公告第{i}號\n" for i in range(300)) + "x,公告\x00內容\n").encode(),
    "no_text_column.csv": "id,title\n1,標題\n".encode(),
}
TEXT_FIELD = {"big5_multiline.csv": "內容"}


@pytest.mark.parametrize("name", sorted(FILES))
def test_files_streamed_stage_what_the_whole_text_stages(name, write_config, tmp_path, monkeypatch):
    from pipeline.config import load_config
    from pipeline.extract import read
    from pipeline.extract.resource import extract_resource
    from pipeline.paths import make_context
    from pipeline.stages import discover_resources, fetch_resource

    (tmp_path / name).write_bytes(FILES[name])
    codecs: list[str | None] = []
    monkeypatch.setattr(read, "streamed_codec", lambda *a: codecs.append(read_codec(*a)) or codecs[-1])
    staged = []
    for streamed in (True, False):
        if not streamed:
            monkeypatch.setattr(read, "STREAMED", frozenset())
        source = jsonl_source(name, format=name.rsplit(".", 1)[1], text_field=TEXT_FIELD.get(name, "text"))
        body = {"data_dir": str(tmp_path / f"data-{streamed}"), "sources": [source]}
        cfg = load_config(write_config(body))
        ctx = make_context(cfg)
        [resource] = discover_resources(cfg, ctx)
        staged.append(extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource)))
    # decoded whole where only the whole bytes decide: two codecs, no text, not text
    assert (codecs[0] is None) == (name in ("two_codecs.jsonl", "empty.jsonl", "blank.jsonl", "binary.jsonl"))
    a, b = (feather.read_table(s.staged).drop_columns(["retrieved_at"]) for s in staged)  # fetched twice
    assert a.num_rows >= 1
    assert a.equals(b)  # every other attribute of every row
    assert [{**_comparable(s), "retrieved_at": None} for s in staged] == [
        {**_comparable(staged[0]), "retrieved_at": None}
    ] * 2


def test_a_streamed_file_keeps_its_decoder_and_its_line_separators(write_config, tmp_path):
    from pipeline.config import load_config
    from pipeline.extract.resource import extract_resource
    from pipeline.paths import make_context
    from pipeline.publish.decisions import read_staged
    from pipeline.stages import discover_resources, fetch_resource

    (tmp_path / "big5.jsonl").write_bytes(FILES["big5.jsonl"])
    cfg = load_config(write_config({"sources": [jsonl_source("big5.jsonl")]}))
    ctx = make_context(cfg)
    [resource] = discover_resources(cfg, ctx)
    record = extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource))
    rows = read_staged(record).to_pylist()
    assert record.decoder == "cp950" and [r["record_locator"] for r in rows] == ["line:1", "line:2"]
    assert "本法依憲法制定之" in rows[0]["text"] and "<電話號碼>" in rows[1]["text"]

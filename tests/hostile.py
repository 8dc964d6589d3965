"""Hostile and broken input files, written in the formats a `local` source reads, with the records each one
should publish. The good records are distinct sentences so each can be found in the shards afterwards."""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

BIG_FIELD_MB = 100


def good(n: int) -> str:
    """A distinct, publishable sentence (long enough for the quality filters, unlike any other)."""
    subjects = "交通部公路局經濟部水利署內政部消防署衛生福利部教育部環境部文化部勞動部農業部法務部"
    s = subjects[(n * 5) % len(subjects) : (n * 5) % len(subjects) + 5]
    return f"第{n}號公告：{s}依據相關法規辦理第{n}次年度業務檢討，相關資料已公開於機關網站，歡迎民眾查閱並提供意見。"


@dataclass
class Hostile:
    """The files written and the good texts among them (which must all be published)."""

    root: Path
    good_texts: list[str] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)  # files with nothing good in them

    def write(self, rel: str, data: bytes | str, *goods: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        self.good_texts.extend(goods)
        if not goods:
            self.bad_files.append(rel)


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def _jsonl(*texts: str) -> str:
    return "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts)


def write_hostile(root: Path, big_field: bool = True) -> Hostile:
    """Write the hostile set under root/{csv,jsonl,json,xml,html,zip}/."""
    h = Hostile(root)
    n = iter(range(1, 10_000))

    # CSV: unbalanced quotes, ragged rows, NUL bytes, mixed encodings, binary with a .csv name, empty
    a, b = good(next(n)), good(next(n))
    h.write("csv/ragged.csv", f"id,text\r\n1,{a}\r\n2,{b},extra,cells\r\n3\r\n", a)
    c = good(next(n))
    h.write("csv/unbalanced.csv", f'id,text\n1,{c}\n2,"never closed {good(9001)}\n3,more\n', c)
    d = good(next(n))
    h.write("csv/nul.csv", f"id,text\n1,{d}\n2,bad\x00byte here {good(9002)}\n".encode(), d)
    e, e2 = good(next(n)), good(next(n))  # each line strict UTF-8 or strict CP950: both lines are read
    mixed = f"id,text\n1,{e}\n".encode() + f"2,{e2}\n".encode("cp950")
    h.write("csv/mixed_encodings.csv", mixed, e, e2)
    big = good(next(n))
    h.write("csv/huge_cell.csv", f"id,text\n1,{'大' * 3_000_000}\n2,{big}\n", big)
    h.write("csv/binary.csv", bytes(range(256)) * 64)
    h.write("csv/png.csv", b"\x89PNG\r\n\x1a\n" + bytes(2000))
    h.write("csv/empty.csv", b"")

    # JSON / JSONL: invalid, truncated, lone surrogates, deep nesting, a 100 MB field
    f, g = good(next(n)), good(next(n))
    h.write("jsonl/some_bad_lines.jsonl", _jsonl(f) + "{not json}\n" + '{"text": "\\ud800 lone"}\n' + _jsonl(g), f, g)
    h.write("jsonl/binary.jsonl", bytes(range(256)) * 16)
    odd = good(next(n))  # a file name whose bytes are not UTF-8, and one with spaces and CJK: both are read
    h.write("jsonl/" + os.fsdecode(b"name-\xff\xfe.jsonl"), _jsonl(odd), odd)
    spaced = good(next(n))
    h.write("jsonl/名稱 有空格.jsonl", _jsonl(spaced), spaced)
    h.write("jsonl/empty.jsonl", b"")
    h.write("jsonl/deep.jsonl", "[" * 100_000 + "]" * 100_000 + "\n")
    if big_field:
        k = good(next(n))
        huge = json.dumps({"text": "長" * (BIG_FIELD_MB * 1024 * 1024 // 3)}, ensure_ascii=False)
        h.write("jsonl/huge_field.jsonl", _jsonl(k) + huge + "\n", k)
    h.write("json/invalid.json", '{"records": [{"text": "unterminated')
    h.write("json/truncated.json", json.dumps([{"text": good(9004)}], ensure_ascii=False)[:-7])
    m = good(next(n))
    h.write("json/surrogates.json", '[{"text": "\\udfff\\ud800"}, {"text": "' + m + '"}]', m)

    # XML: external entities, DTDs, billion laughs
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><rec><text>&x;</text></rec></r>'
    )
    h.write("xml/xxe.xml", xxe)
    laughs = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
    )
    h.write("xml/billion_laughs.xml", laughs + "]><r><rec><text>&lol9;</text></rec></r>")
    h.write("xml/remote_dtd.xml", '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>')
    p = good(next(n))
    h.write("xml/fine.xml", f'<?xml version="1.0" encoding="UTF-8"?><r><rec><text>{p}</text></rec></r>', p)
    h.write("xml/truncated.xml", f"<r><rec><text>{good(9005)}</text></rec><rec><te")

    # HTML: scripts and styles are not text
    q = good(next(n))
    html = f"<html><head><title>t</title><script>alert('{good(9006)}')</script></head><body><p>{q}</p></body></html>"
    h.write("html/page.html", html, q)

    # ZIP: traversal, absolute members, a bomb, nesting, truncation; one good member beside them
    r = good(next(n))
    escape = {"../../escape.jsonl": _jsonl(good(9007)).encode(), "/abs.jsonl": b"{}\n"}
    h.write("zip/traversal.zip", _zip({**escape, "ok.jsonl": _jsonl(r).encode()}), r)
    h.write("zip/bomb.zip", _zip({"bomb.jsonl": b"\n" * (300 * 1024 * 1024)}))
    h.write("zip/nested.zip", _zip({"inner.zip": _zip({"deep.jsonl": _jsonl(good(9008)).encode()})}))
    s = good(next(n))  # one damaged member (its compressed bytes overwritten) beside a sound one
    damaged = bytearray(_zip({"bad.jsonl": _jsonl(good(9010)).encode() * 20, "fine.jsonl": _jsonl(s).encode()}))
    start = damaged.index(b"bad.jsonl") + len("bad.jsonl")
    damaged[start + 10 : start + 60] = b"\xff" * 50
    h.write("zip/damaged_member.zip", bytes(damaged), s)
    whole = _zip({"a.jsonl": _jsonl(good(9009)).encode()})
    h.write("zip/truncated.zip", whole[: len(whole) // 2])
    return h


def hostile_config(h: Hostile, out: Path) -> dict:
    """A config reading every hostile file through `local` sources, one per format."""

    def source(fmt: str, pattern: str, **kw: object) -> dict:
        return {
            "kind": "local",
            "name": f"hostile {fmt}",
            "paths": [str(h.root / pattern)],
            "format": fmt,
            "dataset": {"id": f"hostile-{pattern.split('/')[0]}", "agency": "測試機關", "license": "OGDL-Taiwan-1.0"},
            "text_field": "text",
            **kw,
        }

    return {
        "output_dir": str(out / "corpus"),
        "data_dir": str(out / "data"),
        "tokens": {"tokenizer": None},
        "sources": [
            source("csv", "csv/*.csv"),
            source("jsonl", "jsonl/*.jsonl"),
            source("json", "json/*.json"),
            source("xml", "xml/*.xml", record_tag="rec"),
            source("html", "html/*.html"),
            source("jsonl", "zip/*.zip"),
        ],
    }

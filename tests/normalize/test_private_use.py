"""Private-use code points (造字): replaced from the evidence table, or by 〓, and recorded."""

from pathlib import Path

import pytest
import yaml

from pipeline.config import NormalizeConfig, PiiConfig
from pipeline.normalize import Normalizer
from pipeline.normalize.private_use import BUILT_IN, MISSING, PRIVATE_USE, PrivateUseTableError, load_table


def test_every_built_in_entry_cites_evidence_and_maps_to_a_standard_character():
    entries = yaml.safe_load(BUILT_IN.read_text(encoding="utf-8"))["mappings"]
    assert len(entries) >= 40 and not PRIVATE_USE.search(BUILT_IN.read_text(encoding="utf-8"))
    for entry in entries:
        assert len(entry["evidence"]) > 40, entry["code"]
    table = load_table()
    assert table.chars[0xE5F9] == "蟎" and table.chars[0xEF7F] == "麴" and table.chars[0xE2DC] == "祕"


def test_mapped_deleted_and_unmapped_code_points_with_offsets_in_the_result():
    table = load_table()
    text = "殺\ue5f9劑與白\uef7f、紅\uef7f；\uf8f8尾\ue000字"
    out, done = table.replace(text)
    assert out == f"殺蟎劑與白麴、紅麴；尾{MISSING}字"
    assert [(r.code, r.char, r.basis) for r in done] == [
        ("U+E5F9", "蟎", "table"),
        ("U+EF7F", "麴", "table"),
        ("U+EF7F", "麴", "table"),
        ("U+F8F8", "", "table"),  # a stray mark in the gazette: deleted
        ("U+E000", MISSING, "unmapped"),
    ]
    for r in done:
        assert out[r.offset : r.offset + len(r.char)] == r.char


def test_the_normaliser_replaces_last_so_offsets_are_those_of_the_published_text():
    norm = Normalizer(NormalizeConfig(), PiiConfig())("電話：(02)2345-6789，殺\ue5f9劑。")
    assert norm.text == "電話：<電話號碼>，殺蟎劑。" and "private_use" in norm.steps
    (r,) = norm.private_use
    assert norm.text[r.offset] == "蟎" and r.field == "text"


def test_a_config_table_wins_and_a_bad_one_is_named(tmp_path: Path):
    own = tmp_path / "mine.yaml"
    own.write_text(
        "mappings:\n  - code: U+E000\n    char: 碁\n    evidence: our agency's font table, code 0xFA40\n",
        encoding="utf-8",
    )
    assert load_table(own).replace("\ue000")[0] == "碁"
    bad = tmp_path / "bad.yaml"
    bad.write_text("mappings:\n  - code: U+4E00\n    char: 一\n    evidence: not private use\n", encoding="utf-8")
    with pytest.raises(PrivateUseTableError, match=r"mappings\[0\]: code 'U\+4E00' is not a private-use"):
        load_table(bad)
    unproven = tmp_path / "unproven.yaml"
    unproven.write_text("mappings:\n  - code: U+E001\n    char: 乙\n", encoding="utf-8")
    with pytest.raises(PrivateUseTableError, match="has no evidence"):
        load_table(unproven)

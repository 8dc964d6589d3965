"""The official bulk form: ChLaw.json.zip holding one UTF-8-with-BOM JSON envelope, read through extract."""

import json
import zipfile

import pyarrow.feather as feather

from pipeline.config import load_config
from pipeline.paths import make_context
from pipeline.stages import discover_resources, extract_resource, fetch_resource
from tests.conftest import ROOT


def test_bulk_zip_one_document_per_law(write_config, tmp_path):
    laws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "data/sample/moj_laws").glob("*.json"))]
    envelope = json.dumps({"UpdateDate": "2026/7/17 上午 12:00:00", "Laws": laws}, ensure_ascii=False)
    with zipfile.ZipFile(tmp_path / "ChLaw.json.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ChLaw.json", "\ufeff" + envelope)
        zf.writestr("../../evil.json", "{}")
    cfg = load_config(
        write_config(
            {
                "sources": [
                    {
                        "kind": "moj_laws",
                        "paths": ["ChLaw.json.zip"],
                        "dataset": {"id": "moj", "license": "著作權法第9條"},
                    }
                ]
            }
        )
    )
    ctx = make_context(cfg)
    [resource] = discover_resources(cfg, ctx)
    sidecar = extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource))
    rows = feather.read_table(sidecar.staged).to_pylist()
    assert [r["record_locator"] for r in rows] == [
        "ChLaw.json!$.Laws[0]",
        "ChLaw.json!$.Laws[1]",
        "ChLaw.json!$.Laws[2]",
        "../../evil.json!$resource",
    ]
    assert [r["source_record_id"] for r in rows[:3]] == ["Z0000001", "Z0000002", "Z0000003"]
    # the abolished law is a staged fact (flagged); publish rejects it (include_abolished is off)
    assert [r["reason"] for r in rows] == [None, None, None, "unsafe_archive_member"]
    assert rows[2]["flags"] == ["abolished_law"]
    assert rows[0]["source_encoding"] == "utf-8-sig" and sidecar.decoder == "utf-8-sig"
    assert not (tmp_path.parent / "evil.json").exists() and not (tmp_path / "evil.json").exists()

